// The forms departments and supervisors answer with on the dashboard, over
// plain HTTP: feedback per measure, "not ours", more time (granted), sign-off
// and send-back. The policy requires feedback and verification.
import { parseSetCookie } from 'cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../domain/policy.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { entityListing } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const policy = parsePolicy({
  impose: { acknowledge: 'PT1H', complete: 'PT2H' },
  lift: { acknowledge: 'PT1H', complete: 'PT2H' },
  escalation: [{ after: 'PT0S', notify: 'department-supervisor' }],
  reminderBefore: 'PT10M',
  feedbackRequired: true,
  verificationRequired: true,
});

/** A signed-in browser without the browser: keeps cookies, posts forms with the page's CSRF token. */
class Visitor {
  private readonly cookies = new Map<string, string>();
  private token = '';

  constructor(private readonly baseUrl: string) {}

  async request(path: string, form?: [string, string][]) {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: form ? 'POST' : 'GET',
      headers,
      redirect: 'manual',
      ...(form ? { body: new URLSearchParams([['_csrf', this.token], ['back', '/'], ...form]).toString() } : {}),
    });
    for (const header of response.headers.getSetCookie()) {
      const cookie = parseSetCookie(header);
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() <= Date.now())) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, encodeURIComponent(cookie.value ?? ''));
    }
    const html = await response.text();
    this.token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? this.token;
    return { status: response.status, location: response.headers.get('location'), html, headers: response.headers };
  }

  static async signedIn(baseUrl: string, key: string) {
    const visitor = new Visitor(baseUrl);
    await visitor.request('/login');
    expect((await visitor.request('/login', [['key', key]])).status).toBe(303);
    await visitor.request('/');
    return visitor;
  }
}

let stack: TestStack;
let clerk: string;
let supervisor: Visitor;
let d05: Visitor;
let caseSeq = 900;

beforeAll(async () => {
  stack = await startTestStack({ policy, catalog: twoDepartmentCatalog() });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  supervisor = await Visitor.signedIn(stack.apiUrl, await stack.key('supervisor'));
  d05 = await Visitor.signedIn(stack.apiUrl, await stack.key('department', { departmentCode: 'D05' }));
});
afterAll(async () => stack?.stop());

async function d05Task() {
  const listingId = await list(stack, clerk, entityListing({ caseNumber: `（2026）宁01执${caseSeq++}号` }));
  const tasks = await tasksOf(stack, listingId, 'impose', 2);
  return tasks.find((task) => task.departmentCode === 'D05')!;
}
const rowOf = (id: string) => stack.prisma.task.findUniqueOrThrow({ where: { id } });
const feedbackForm = (measures: string[]): [string, string][] => measures.flatMap((measure, index) => [['measure', measure], ['result', index === 0 ? 'applied' : 'no-record'], ['measureReference', index === 0 ? `REF-${measure}` : '']]);

describe('a department’s answers on the dashboard', () => {
  it('completes with feedback per measure, and is refused without it where the policy requires it', async () => {
    const task = await d05Task();
    const without = await d05.request(`/tasks/${task.id}/complete`, [['reference', '宁发改〔2026〕1号']]);
    expect(without.status).toBe(400);
    expect((await rowOf(task.id)).status).toBe('pending');
    await d05.request('/');
    const done = await d05.request(`/tasks/${task.id}/complete`, feedbackForm(task.measures));
    expect(done).toMatchObject({ status: 303, location: '/' });
    const row = await rowOf(task.id);
    expect(row.status).toBe('completed');
    expect(row.feedback).toEqual(task.measures.map((measure, index) => (index === 0 ? { measure, result: 'applied', reference: `REF-${measure}` } : { measure, result: 'no-record' })));

    // The supervisor sees the feedback, and the listing page shows it per measure.
    const home = await supervisor.request('/');
    expect(home.html).toContain(`REF-${task.measures[0]}`);
    expect((await supervisor.request(`/listings/${task.listingId}`)).html).toMatch(/<li data-measure="[^"]+">[^<]*<strong>已执行<\/strong>/);
  });

  it('declines a task as not its own, and may not act on the supervisor’s queues', async () => {
    const task = await d05Task();
    const declined = await d05.request(`/tasks/${task.id}/decline`, [['reason', '不属于本部门'], ['suggestedDepartmentCode', 'D06']]);
    expect(declined.status).toBe(303);
    expect(await rowOf(task.id)).toMatchObject({ status: 'declined', declineReason: '不属于本部门', suggestedDepartmentCode: 'D06' });
    await d05.request('/');
    expect((await d05.request(`/tasks/${task.id}/return`, [['reason', '请办理']])).status).toBe(403);
    await d05.request('/');
    expect((await d05.request('/ledger?format=xlsx')).status).toBe(403);

    await supervisor.request('/');
    expect((await supervisor.request(`/tasks/${task.id}/return`, [['reason', '属于本部门职责']])).status).toBe(303);
    expect((await rowOf(task.id)).status).toBe('pending');
  });

  it('asks for more time, which the supervisor grants', async () => {
    const task = await d05Task();
    const until = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    expect((await d05.request(`/tasks/${task.id}/extension-request`, [['until', until], ['reason', '需要调取档案']])).status).toBe(303);
    const extension = await stack.prisma.taskExtension.findFirstOrThrow({ where: { taskId: task.id } });
    const home = await supervisor.request('/');
    expect(home.html).toContain(`data-extension-id="${extension.id}"`);
    expect((await supervisor.request(`/task-extensions/${extension.id}/decision`, [['outcome', 'granted'], ['reason', '同意']])).status).toBe(303);
    expect((await stack.prisma.taskExtension.findUniqueOrThrow({ where: { id: extension.id } })).status).toBe('granted');
    expect((await rowOf(task.id)).acknowledgeDueAt.toISOString()).toBe(new Date(`${until}T17:00:00+08:00`).toISOString());
  });

  it('verifies one completion and sends another back', async () => {
    const [verified, sentBack] = [await d05Task(), await d05Task()];
    for (const task of [verified, sentBack]) {
      await d05.request('/');
      expect((await d05.request(`/tasks/${task.id}/complete`, feedbackForm(task.measures))).status).toBe(303);
    }
    const home = await supervisor.request('/');
    expect(home.html).toContain(`action="/tasks/${verified.id}/verify"`);
    expect((await supervisor.request(`/tasks/${verified.id}/verify`, [])).status).toBe(303);
    expect((await rowOf(verified.id)).status).toBe('verified');
    await supervisor.request('/');
    expect((await supervisor.request(`/tasks/${sentBack.id}/send-back`, [['reason', '反馈不完整']])).status).toBe(303);
    expect(await rowOf(sentBack.id)).toMatchObject({ status: 'acknowledged', sentBackCount: 1 });
    expect((await supervisor.request(`/listings/${verified.listingId}`)).html).toContain('data-answer="verified"');
  });
});
