// A dashboard user in tests: signs in with an API key through the login form
// (its CSRF token included) and carries the session cookie on every request.
import { parseSetCookie } from 'cookie';
import { expect } from 'vitest';

export type DashboardVisit = (path: string, form?: Record<string, string>) => Promise<{ status: number; html: string }>;

export async function signInToDashboard(baseUrl: string, key: string): Promise<DashboardVisit> {
  const cookies = new Map<string, string>();
  const visit: DashboardVisit = async (path, form) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const header of response.headers.getSetCookie()) {
      const cookie = parseSetCookie(header);
      cookies.set(cookie.name, encodeURIComponent(cookie.value ?? ''));
    }
    return { status: response.status, html: await response.text() };
  };
  const login = await visit('/login');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(login.html)![1]!;
  expect((await visit('/login', { _csrf: csrf, key })).status).toBe(303);
  return visit;
}
