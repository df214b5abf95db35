// The dashboard's sign-in, sessions, CSRF and department scoping, over plain HTTP.
import { parseSetCookie } from 'cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskIdentifier } from '../../domain/disclosure.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { VALID_CREDIT_CODE, entityListing } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/** A cookie-keeping client that does not follow redirects, so each answer can be inspected. */
class Visitor {
  readonly cookies = new Map<string, string>();
  lastSetCookies: string[] = [];

  constructor(private readonly baseUrl: string) {}

  async request(path: string, form?: Record<string, string>) {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: form ? 'POST' : 'GET',
      headers,
      redirect: 'manual',
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    this.lastSetCookies = response.headers.getSetCookie();
    for (const header of this.lastSetCookies) {
      const cookie = parseSetCookie(header);
      const expired = cookie.expires !== undefined && cookie.expires.getTime() <= Date.now();
      if (expired || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, encodeURIComponent(cookie.value ?? ''));
    }
    return { status: response.status, location: response.headers.get('location'), html: await response.text(), headers: response.headers };
  }

  /** The CSRF token of the first form on a page. */
  static tokenIn(html: string): string {
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error('no CSRF token on the page');
    return token;
  }

  async signIn(key: string) {
    const form = await this.request('/login');
    expect(form.status).toBe(200);
    return this.request('/login', { _csrf: Visitor.tokenIn(form.html), key });
  }
}

let stack: TestStack;
let listingId: string;
let d05Task: { id: string };
let d06Task: { id: string };
let keys: { supervisor: string; d05: string; admin: string };

beforeAll(async () => {
  stack = await startTestStack({ catalog: twoDepartmentCatalog() });
  const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  keys = { supervisor: await stack.key('supervisor'), d05: await stack.key('department', { departmentCode: 'D05' }), admin: stack.adminKey };
  listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执701号' }));
  const tasks = await tasksOf(stack, listingId, 'impose', 2);
  d05Task = tasks.find((task) => task.departmentCode === 'D05')!;
  d06Task = tasks.find((task) => task.departmentCode === 'D06')!;
});
afterAll(async () => stack?.stop());

describe('dashboard sign-in', () => {
  it('sends a visitor without a session to /login, and back after signing in', async () => {
    const visitor = new Visitor(stack.apiUrl);
    const home = await visitor.request('/');
    expect(home.status).toBe(303);
    expect(home.location).toBe('/login');
    const page = await visitor.request(`/listings/${listingId}`);
    expect(page.status).toBe(303);
    expect(page.location).toBe(`/login?next=${encodeURIComponent(`/listings/${listingId}`)}`);

    const form = await visitor.request(page.location!);
    expect(form.html).toContain('name="next"');
    const signedIn = await visitor.request('/login', { _csrf: Visitor.tokenIn(form.html), key: keys.supervisor, next: `/listings/${listingId}` });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe(`/listings/${listingId}`);
  });

  it('refuses an unknown key with an error page, and an admin key with 403', async () => {
    const visitor = new Visitor(stack.apiUrl);
    const bad = await visitor.signIn('jsc_not-a-key');
    expect(bad.status).toBe(401);
    expect(bad.html).toContain('API 密钥无效或已被吊销');
    expect(visitor.cookies.has('jsc_session')).toBe(false);

    const admin = await visitor.signIn(keys.admin);
    expect(admin.status).toBe(403);
    expect(admin.html).toContain('管理员密钥');
    expect(visitor.cookies.has('jsc_session')).toBe(false);
  });

  it('sets an HttpOnly, SameSite=Strict, expiring session cookie that holds no key', async () => {
    const visitor = new Visitor(stack.apiUrl);
    await visitor.signIn(keys.supervisor);
    const header = visitor.lastSetCookies.find((value) => value.startsWith('jsc_session='));
    expect(header).toBeDefined();
    const cookie = parseSetCookie(header!);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'strict', path: '/' });
    expect(cookie.maxAge).toBeGreaterThan(0);
    expect(cookie.maxAge).toBeLessThanOrEqual(12 * 3600);
    expect(header).not.toContain(keys.supervisor);

    // A tampered session is no session.
    const [payload, signature] = visitor.cookies.get('jsc_session')!.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), e: Date.now() + 9e9 })).toString('base64url');
    visitor.cookies.set('jsc_session', `${forged}.${signature}`);
    expect((await visitor.request('/')).location).toBe('/login');
  });

  it('ends the session when its key is revoked', async () => {
    const key = await stack.key('supervisor');
    const visitor = new Visitor(stack.apiUrl);
    await visitor.signIn(key);
    expect((await visitor.request('/')).status).toBe(200);
    const row = await stack.prisma.apiKey.findFirstOrThrow({ where: { role: 'supervisor' }, orderBy: { createdAt: 'desc' } });
    await stack.prisma.apiKey.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    const after = await visitor.request('/');
    expect(after.status).toBe(303);
    expect(after.location).toBe('/login');
  });

  it('signs out with a POST that carries the CSRF token', async () => {
    const visitor = new Visitor(stack.apiUrl);
    await visitor.signIn(keys.supervisor);
    const home = await visitor.request('/');
    const out = await visitor.request('/logout', { _csrf: Visitor.tokenIn(home.html) });
    expect(out.status).toBe(303);
    expect(visitor.cookies.has('jsc_session')).toBe(false);
    expect((await visitor.request('/')).location).toBe('/login');
  });
});

describe('dashboard forms and scoping', () => {
  it('refuses a POST without the session’s CSRF token, and changes nothing', async () => {
    const visitor = new Visitor(stack.apiUrl);
    await visitor.signIn(keys.d05);
    const withoutToken = await visitor.request(`/tasks/${d05Task.id}/acknowledge`, { back: '/' });
    expect(withoutToken.status).toBe(403);
    const wrongToken = await visitor.request(`/tasks/${d05Task.id}/acknowledge`, { _csrf: 'x'.repeat(43), back: '/' });
    expect(wrongToken.status).toBe(403);
    // Another session's token does not fit this one.
    const other = new Visitor(stack.apiUrl);
    await other.signIn(keys.d05);
    const othersToken = Visitor.tokenIn((await other.request('/')).html);
    expect((await visitor.request(`/tasks/${d05Task.id}/acknowledge`, { _csrf: othersToken })).status).toBe(403);
    // The sign-in form has its own token.
    expect((await new Visitor(stack.apiUrl).request('/login', { key: keys.d05 })).status).toBe(403);
    expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: d05Task.id } })).status).toBe('pending');
  });

  it('shows a department only its own task on a listing page, with the debtor masked', async () => {
    const visitor = new Visitor(stack.apiUrl);
    await visitor.signIn(keys.d05);
    const page = await visitor.request(`/listings/${listingId}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`data-task-id="${d05Task.id}"`);
    expect(page.html).not.toContain(d06Task.id);
    expect(page.html).not.toContain('data-department="D06"');
    expect(page.html).not.toContain(VALID_CREDIT_CODE);
    expect(page.html).toContain(maskIdentifier(VALID_CREDIT_CODE));

    const home = await visitor.request('/');
    expect(home.html).toContain(d05Task.id);
    expect(home.html).not.toContain(d06Task.id);
  });

  it('refuses the listing page to a department that has no task on it', async () => {
    const visitor = new Visitor(stack.apiUrl);
    await visitor.signIn(await stack.key('department', { departmentCode: 'D01' }));
    const page = await visitor.request(`/listings/${listingId}`);
    expect(page.status).toBe(403);
    expect(page.html).not.toContain('宁夏某某建设有限公司');
  });

  it('starts a clerk on their listings, identifiers masked', async () => {
    const visitor = new Visitor(stack.apiUrl);
    await visitor.signIn(await stack.key('clerk', { courtCode: 'NX-YC-01' }));
    const home = await visitor.request('/');
    expect(home.status).toBe(200);
    expect(home.html).toContain(`href="/listings/${listingId}"`);
    expect(home.html).toContain(maskIdentifier(VALID_CREDIT_CODE));
    expect(home.html).not.toContain(VALID_CREDIT_CODE);
    const otherCourt = new Visitor(stack.apiUrl);
    await otherCourt.signIn(await stack.key('clerk', { courtCode: 'NX-YC-02' }));
    expect((await otherCourt.request('/')).html).not.toContain(listingId);
  });

  it('does not let a department act on another department’s task', async () => {
    const visitor = new Visitor(stack.apiUrl);
    await visitor.signIn(keys.d05);
    const token = Visitor.tokenIn((await visitor.request('/')).html);
    for (const action of ['acknowledge', 'complete']) {
      const response = await visitor.request(`/tasks/${d06Task.id}/${action}`, { _csrf: token, back: '/' });
      expect(response.status).toBe(403);
    }
    const task = await stack.prisma.task.findUniqueOrThrow({ where: { id: d06Task.id } });
    expect(task.status).toBe('pending');
  });

  it('acknowledges from the form as the key’s name, and says so once', async () => {
    const visitor = new Visitor(stack.apiUrl);
    await visitor.signIn(keys.d05);
    const token = Visitor.tokenIn((await visitor.request('/')).html);
    const acted = await visitor.request(`/tasks/${d05Task.id}/acknowledge`, { _csrf: token, back: '//evil.example/' });
    expect(acted.status).toBe(303);
    expect(acted.location).toBe('/');
    const task = await stack.prisma.task.findUniqueOrThrow({ where: { id: d05Task.id } });
    expect(task.status).toBe('acknowledged');
    expect(task.acknowledgedBy).toMatch(/^department-/);
    const next = await visitor.request('/');
    expect(next.html).toContain('已确认收到案件');
    expect((await visitor.request('/')).html).not.toContain('已确认收到案件');
  });

  it('shows the supervisor every task and a masked identifier, also where a note quotes one', async () => {
    const quoted = '11010519491231002X';
    const d06 = await stack.key('department', { departmentCode: 'D06' });
    const acknowledged = await stack.request('POST', `/api/tasks/${d06Task.id}/acknowledge`, { key: d06, body: { by: '李四', note: `法定代表人 ${quoted} 已核实` } });
    expect(acknowledged.status).toBe(200);
    const visitor = new Visitor(stack.apiUrl);
    await visitor.signIn(keys.supervisor);
    const page = await visitor.request(`/listings/${listingId}`);
    expect(page.html).toContain(d05Task.id);
    expect(page.html).toContain(d06Task.id);
    expect(page.html).not.toContain(VALID_CREDIT_CODE);
    expect(page.html).not.toContain(quoted);
    expect(page.html).toContain(maskIdentifier(quoted));
    expect(page.html).toMatch(/哈希链完整/);
    // The supervisor's own system reads the audit trail whole through the API.
    const events = await stack.request('GET', `/api/listings/${listingId}/events`, { key: keys.supervisor });
    expect(JSON.stringify(events.body)).toContain(quoted);
  });
});

describe('dashboard language', () => {
  it('is Chinese by default; ?lang=en switches to English and is remembered', async () => {
    const visitor = new Visitor(stack.apiUrl);
    const chinese = await visitor.request('/login');
    expect(chinese.html).toContain('<html lang="zh-CN">');
    expect(chinese.html).toContain('登录');

    const english = await visitor.request('/login?lang=en');
    expect(english.html).toContain('<html lang="en">');
    expect(english.html).toContain('Sign in');
    const langCookie = parseSetCookie(visitor.lastSetCookies.find((value) => value.startsWith('jsc_lang='))!);
    expect(langCookie).toMatchObject({ value: 'en', httpOnly: true, sameSite: 'strict' });

    await visitor.signIn(keys.supervisor);
    const home = await visitor.request('/');
    expect(home.html).toContain('Overdue tasks');
    expect(home.html).not.toContain('逾期任务');
    expect((await visitor.request('/?lang=zh-CN')).html).toContain('逾期任务');
  });
});
