/**
 * Who is calling and what they may see and do. Every delivery layer (JSON
 * API, dashboard, command line) asks this module; none decides on its own.
 */

export const ROLES = ['clerk', 'department', 'supervisor', 'admin', 'institution'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as their API key (or the key behind their dashboard session) says. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  /** A department key acts for this department only. */
  departmentCode: string | null;
  /** A clerk key may be bound to one court, whose listings alone it sees. */
  courtCode: string | null;
  /** An institution key acts for this financial institution or registry only. */
  institutionCode?: string | null | undefined;
}

/** How a principal is named in the audit trail. */
export const actorOf = (principal: Pick<Principal, 'role' | 'name'>): string => `${principal.role}:${principal.name}`;

/** Which roles may do what. */
export const PERMISSIONS = {
  'listings:create': ['clerk'],
  'listings:read': ['clerk', 'department', 'supervisor'],
  'listings:lift': ['clerk'],
  'listings:extend': ['clerk'],
  'listings:correct': ['clerk'],
  'objections:record': ['clerk'],
  'objections:read': ['clerk', 'supervisor'],
  'imports:create': ['clerk'],
  'imports:read': ['clerk', 'supervisor', 'admin'],
  'tasks:read': ['department', 'supervisor', 'clerk'],
  'tasks:act': ['department'],
  'supervision:read': ['supervisor'],
  // Reassign or return what a department declined, grant more time, sign off (销号) or send back.
  'tasks:review': ['supervisor'],
  'catalog:suggestions': ['supervisor', 'admin'],
  // The coordinating office's ledger of every department's tasks.
  'ledger:read': ['supervisor'],
  // Response, feedback and on-time rates: every department for supervisors, a department its own.
  'rates:read': ['supervisor', 'department'],
  'restrictions:read': ['department', 'supervisor'],
  'webhooks:manage': ['department', 'institution'],
  'catalog:read': ['clerk', 'department', 'supervisor'],
  'catalog:versions': ['clerk', 'department', 'supervisor', 'admin'],
  'catalog:import': ['admin'],
  'calendar:read': ['clerk', 'department', 'supervisor', 'admin'],
  'calendar:import': ['admin'],
  'keys:create': ['admin'],
  'keys:read': ['admin'],
  'keys:revoke': ['admin'],
  // The clear text of what the coordinator stored in Temporal (the codec endpoint, for the Temporal UI and CLI).
  'payloads:decode': ['admin'],
  // Online asset query and control (网络执行查控): clerks search and order, institutions answer and confirm.
  'institutions:read': ['clerk', 'supervisor', 'admin', 'institution'],
  'institutions:import': ['admin'],
  // An institution registers its own public keys; an administrator may register anyone's.
  'institutions:keys': ['admin', 'institution'],
  'asset-searches:create': ['clerk'],
  'asset-searches:read': ['clerk', 'supervisor'],
  'asset-requests:answer': ['institution'],
  'control-orders:create': ['clerk'],
  'control-orders:confirm': ['institution'],
  'control-orders:read': ['clerk', 'supervisor', 'institution'],
  // Freezes in force by their end: the coordinating office and the courts' clerks watch what is about to lapse.
  'asset-supervision:read': ['clerk', 'supervisor'],
  'signing-keys:read': ['clerk', 'department', 'supervisor', 'admin', 'institution'],
  // Administrators manage keys through the API only; the dashboard shows case data they have no need to see.
  'dashboard:sign-in': ['clerk', 'department', 'supervisor'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function rolesFor(permission: Permission): readonly Role[] {
  return PERMISSIONS[permission];
}

export function may(principal: Pick<Principal, 'role'>, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(principal.role);
}

/** The court whose listings alone a principal sees, or null for every court. */
export function courtScopeOf(principal: Principal): string | null {
  return principal.role === 'clerk' ? principal.courtCode : null;
}

/** The department whose tasks alone a principal sees, or null for every department. */
export function departmentScopeOf(principal: Principal): string | null {
  return principal.role === 'department' ? principal.departmentCode : null;
}

/** The institution whose requests alone a principal sees and answers, or null for none. */
export function institutionScopeOf(principal: Principal): string | null {
  return principal.role === 'institution' ? (principal.institutionCode ?? null) : null;
}

/** Why a principal may not see a listing, or null when it may. */
export function listingRefusal(principal: Principal, listing: { courtCode: string }, tasksOfOwnDepartment: number): string | null {
  const court = courtScopeOf(principal);
  if (court && listing.courtCode !== court) return 'This listing belongs to another court.';
  if (principal.role === 'department' && tasksOfOwnDepartment === 0) return 'This listing has no task for your department.';
  return null;
}

/** Only a task's own department acts on it. */
export function mayActOnTask(principal: Principal, task: { departmentCode: string }): boolean {
  return principal.role === 'department' && principal.departmentCode === task.departmentCode;
}

/** An import is seen by its uploader, the clerks of the same court, supervisors and admins. */
export function maySeeImport(principal: Principal, owner: { keyId: string; courtCode: string | null }): boolean {
  if (principal.role === 'supervisor' || principal.role === 'admin') return true;
  if (owner.keyId === principal.keyId) return true;
  return principal.role === 'clerk' && principal.courtCode !== null && principal.courtCode === owner.courtCode;
}

/** Which scope a new key may carry: a department key names its department, a clerk key may name a court. */
export function keyScopeProblems(key: { role: Role; departmentCode?: string | undefined; courtCode?: string | undefined; institutionCode?: string | undefined }): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (key.role === 'institution' && !key.institutionCode) problems.push({ field: 'institutionCode', message: 'required for the role institution' });
  if (key.role !== 'institution' && key.institutionCode) problems.push({ field: 'institutionCode', message: `not allowed for the role ${key.role}` });
  if (key.role === 'department' && !key.departmentCode) problems.push({ field: 'departmentCode', message: 'required for the role department' });
  if (key.role !== 'department' && key.departmentCode) problems.push({ field: 'departmentCode', message: `not allowed for the role ${key.role}` });
  if (key.role !== 'clerk' && key.courtCode) problems.push({ field: 'courtCode', message: `not allowed for the role ${key.role}` });
  return problems;
}
