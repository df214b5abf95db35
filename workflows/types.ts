/** Payloads that cross the workflow boundary. No personal data: ids and codes only. */

export type TaskKind = 'impose' | 'lift';

export type NoticeType = 'notice' | 'reminder' | 'escalation' | 'lift-notice' | 'closed';

export interface PlannedTask {
  departmentCode: string;
  measures: string[];
}

export interface SanctionWorkflowInput {
  listingId: string;
  /** The departments to notify and the measures each applies, fixed at intake. */
  plan: PlannedTask[];
}

export interface TaskToDispatch extends PlannedTask {
  taskId: string;
}

export interface DispatchedTask {
  taskId: string;
  departmentCode: string;
  acknowledgeDueAt: string;
  completeDueAt: string;
}
