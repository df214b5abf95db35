/** The deadline a task is working against now: acknowledgment while pending, completion once acknowledged. */
export function openDeadlineOf(task: { status: string; acknowledgeDueAt: string; completeDueAt: string }): { kind: 'acknowledge' | 'complete'; at: string } | null {
  if (task.status === 'pending') return { kind: 'acknowledge', at: task.acknowledgeDueAt };
  if (task.status === 'acknowledged') return { kind: 'complete', at: task.completeDueAt };
  return null;
}

export function isOverdue(task: { status: string; acknowledgeDueAt: string; completeDueAt: string }, now: Date): boolean {
  const deadline = openDeadlineOf(task);
  return deadline !== null && Date.parse(deadline.at) < now.getTime();
}
