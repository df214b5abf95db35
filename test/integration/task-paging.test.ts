// GET /api/tasks and a department's home page answer one page at a time,
// however many tasks there are.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { entityListing } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { calmPolicy } from '../support/policies.js';
import { signInToDashboard } from '../support/dashboard-session.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/** More open tasks than the largest page, besides the two the listing dispatched. */
const EXTRA_TASKS = 1_050;

let stack: TestStack;
let supervisor: string;
let allTasks: number;
beforeAll(async () => {
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog() });
  const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执7001号' }));
  const [d05] = await tasksOf(stack, listingId, 'impose', 2);
  // Rows of the read model only: each its own round of D05's task, deadlines a minute apart.
  const { id: _id, createdAt, openDeadlineAt, ...task } = d05!;
  await stack.prisma.task.createMany({
    data: Array.from({ length: EXTRA_TASKS }, (_, i) => ({
      ...task,
      policy: task.policy ?? {},
      feedback: undefined,
      id: randomUUID(),
      round: `paging-${i}`,
      // Some share their creation time: the order must still be total.
      createdAt: new Date(createdAt.getTime() + 1_000 + Math.floor(i / 3)),
      openDeadlineAt: new Date(openDeadlineAt!.getTime() + (i + 1) * 60_000),
    })),
  });
  allTasks = await stack.prisma.task.count();
  supervisor = await stack.key('supervisor');
}, 180_000);
afterAll(async () => stack?.stop());

const get = (path: string, key = supervisor) => stack.request('GET', path, { key });

it('pages of `limit` tasks follow each other by `nextCursor` until it is null: every task once, in a stable order', async () => {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await get(`/api/tasks?limit=400${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeLessThanOrEqual(400);
    seen.push(...page.body.items.map((task) => task.id));
    cursor = page.body.nextCursor;
    pages++;
  } while (cursor);
  expect(pages).toBe(Math.ceil(allTasks / 400));
  expect(seen).toHaveLength(allTasks);
  expect(new Set(seen).size).toBe(allTasks);
  // The same walk again gives the same order.
  const first = await get('/api/tasks?limit=400');
  expect(first.body.items.map((task: { id: string }) => task.id)).toEqual(seen.slice(0, 400));
});

it('without `limit` a page holds 100 tasks; a department key pages its own department', async () => {
  const page = await get('/api/tasks?cursor=');
  expect(page.status).toBe(200);
  expect(page.body.items).toHaveLength(100);
  expect(page.body.nextCursor).toEqual(expect.any(String));
  const d06 = await stack.key('department', { departmentCode: 'D06' });
  const own = await get('/api/tasks?limit=10', d06);
  expect(own.body).toEqual({ items: [expect.objectContaining({ departmentCode: 'D06' })], nextCursor: null });
});

it('the plain list (no limit, no cursor) is the first 1,000 tasks, with a Link to the next page', async () => {
  const plain = await get('/api/tasks');
  expect(plain.status).toBe(200);
  expect(Array.isArray(plain.body)).toBe(true);
  expect(plain.body).toHaveLength(1_000);
  const next = plain.headers.get('x-next-cursor');
  expect(next).toEqual(expect.any(String));
  expect(plain.headers.get('link')).toBe(`</api/tasks?cursor=${encodeURIComponent(next!)}>; rel="next"`);
  const rest = await get(`/api/tasks?cursor=${encodeURIComponent(next!)}&limit=1000`);
  expect(rest.body.items).toHaveLength(allTasks - 1_000);
  expect(rest.body.nextCursor).toBeNull();
  // A filter narrower than a page has no next page.
  const d06 = await get('/api/tasks?departmentCode=D06');
  expect(d06.body).toHaveLength(1);
  expect(d06.headers.get('link')).toBeNull();
});

it.each([
  ['limit=0', 'limit'],
  ['limit=1001', 'limit'],
  ['limit=ten', 'limit'],
  ['cursor=not-a-cursor', 'cursor'],
  [`cursor=${Buffer.from('2026-01-01T00:00:00.000Z|D05|x').toString('base64url')}`, 'cursor'],
])('a bad %s is answered 400 problem+json naming the field', async (query, field) => {
  const response = await get(`/api/tasks?${query}`);
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/problem\+json/);
  expect(response.body.errors).toContainEqual(expect.objectContaining({ field }));
});

const signIn = (key: string) => signInToDashboard(stack.apiUrl, key);

it("a department's home page shows 50 open tasks, nearest deadline first, and a link to the next ones", async () => {
  const visit = await signIn(await stack.key('department', { departmentCode: 'D05' }));
  const first = await visit('/');
  expect(first.status).toBe(200);
  const rows = (html: string) => [...html.matchAll(/data-task-id="([^"]+)"/g)].map((match) => match[1]!);
  expect(rows(first.html)).toHaveLength(50);
  const next = /<a href="(\/\?[^"]*cursor=[^"]+)"[^>]*rel="next"/.exec(first.html)?.[1];
  expect(next).toBeDefined();
  const second = await visit(next!.replaceAll('&amp;', '&'));
  expect(second.status).toBe(200);
  expect(rows(second.html)).toHaveLength(50);
  expect(rows(second.html).filter((id) => rows(first.html).includes(id))).toEqual([]);
  // Nearest deadline first, across pages.
  const deadlines = await stack.prisma.task.findMany({ where: { id: { in: [...rows(first.html), ...rows(second.html)] } }, select: { id: true, openDeadlineAt: true } });
  const at = new Map(deadlines.map((task) => [task.id, task.openDeadlineAt!.getTime()]));
  const order = [...rows(first.html), ...rows(second.html)].map((id) => at.get(id)!);
  expect(order).toEqual([...order].sort((a, b) => a - b));
  expect((await visit('/?cursor=forged')).status).toBe(400);
});
