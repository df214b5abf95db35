import { labelOf, fill, type Strings } from './i18n.js';
import { nameOf } from './lookups.js';

interface AuditEvent {
  at: string;
  type: string;
  actor: string;
  taskId: string | null;
  data: unknown;
}

export interface TimelineRow {
  at: string;
  type: string;
  label: string;
  actor: string;
  department: string;
  details: { label: string; value: string }[];
}

/**
 * The audit trail as people read it. Only the fields worth reading are shown;
 * recipients' addresses and message ids stay in the API's full record.
 */
export function timelineOf(events: AuditEvent[], tasks: { id: string; departmentCode: string }[], departments: Map<string, string>, strings: Strings): TimelineRow[] {
  const departmentOfTask = new Map(tasks.map((task) => [task.id, task.departmentCode]));
  return events.map((event) => {
    const data = (event.data && typeof event.data === 'object' ? event.data : {}) as Record<string, unknown>;
    const code = typeof data.departmentCode === 'string' ? data.departmentCode : event.taskId ? departmentOfTask.get(event.taskId) : undefined;
    const details: TimelineRow['details'] = [];
    const add = (label: string, value: unknown, table?: Record<string, string>) => {
      if (value === null || value === undefined || value === '') return;
      const text = typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
      details.push({ label, value: table ? labelOf(table, text) : text });
    };
    add(strings.details.deadline, data.deadline, strings.deadline);
    if (typeof data.level === 'number') add(strings.details.level, fill(strings.level.step, { level: data.level }));
    add(strings.details.reason, data.reason, strings.reasons);
    add(strings.details.reference, data.reference);
    add(strings.details.note, data.note);
    add(strings.details.status, event.type === 'closed' ? data.status : undefined, strings.listingStatus);
    return {
      at: event.at,
      type: event.type,
      label: labelOf(strings.events, event.type),
      actor: event.actor,
      department: code ? `${code} ${nameOf(departments, code)}` : '',
      details,
    };
  });
}
