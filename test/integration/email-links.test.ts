// The one-click links of the notices, on the real stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkToken } from '../../platform/signed-tokens.js';
import { createKeyring } from '../../platform/signing.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { calmPolicy } from '../support/policies.js';
import { entityListing } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let clerk: string;
beforeAll(async () => {
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog() });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
});
afterAll(async () => stack?.stop());

async function noticeLinks(caseNumber: string) {
  const listingId = await list(stack, clerk, entityListing({ caseNumber }));
  const tasks = await tasksOf(stack, listingId, 'impose', 2);
  const task = tasks[0]!;
  const [notice] = await stack.mail.waitFor((m) => m.headers['x-task-id'] === task.id && m.headers['x-notice-type'] === 'notice');
  const links = [...notice!.text.matchAll(/http:\/\/localhost:3000(\/ack\/[A-Za-z0-9_.-]+)/g)].map((m) => m[1]!);
  expect(links).toHaveLength(2);
  expect(notice!.html).toContain(links[0]);
  return { listingId, task, acknowledge: links[0]!, complete: links[1]! };
}

const page = async (method: 'GET' | 'POST', path: string, body?: string) => {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    ...(body !== undefined ? { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
};

describe('one-click links', () => {
  it('GET shows the task and changes nothing; POST acknowledges once; the link then answers 410', async () => {
    const { task, acknowledge } = await noticeLinks('（2026）宁01执801号');
    expect(acknowledge).toMatch(/^\/ack\/[A-Za-z0-9_.-]+$/);
    for (let i = 0; i < 3; i++) {
      const shown = await page('GET', acknowledge);
      expect(shown.status).toBe(200);
      expect(shown.type).toMatch(/text\/html/);
      expect(shown.text).toContain('（2026）宁01执801号');
      expect(shown.text).toContain('913501********0Y43');
      expect(shown.text).not.toContain('91350100M000100Y43');
    }
    expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe('pending');

    const done = await page('POST', acknowledge, 'note=' + encodeURIComponent('已收到'));
    expect(done.status).toBe(200);
    const after = await stack.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(after.status).toBe('acknowledged');
    expect(after.note).toBe('已收到');
    const event = await stack.prisma.event.findFirstOrThrow({ where: { taskId: task.id, type: 'acknowledged' } });
    expect(event.actor).toMatch(/^email link \(contact@d05\.departments\.example\)$/);

    expect((await page('POST', acknowledge, '')).status).toBe(410);
    expect((await page('GET', acknowledge)).status).toBe(410);
  });

  it('the completion link completes the task', async () => {
    const { task, complete } = await noticeLinks('（2026）宁01执802号');
    expect((await page('POST', complete, '')).status).toBe(200);
    const after = await stack.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(after.status).toBe('completed');
    expect(after.acknowledgedAt).not.toBeNull();
  });

  it('forged, tampered and expired links are refused with a page, and change nothing', async () => {
    const { task, acknowledge } = await noticeLinks('（2026）宁01执803号');
    const token = acknowledge.slice('/ack/'.length);
    const tampered = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
    const expired = createLinkToken(createKeyring('test-secret'), { taskId: task.id, action: 'acknowledge', expiresAt: Math.floor(Date.now() / 1000) - 60 });
    const otherSecret = createLinkToken(createKeyring('not-the-secret'), { taskId: task.id, action: 'acknowledge', expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    for (const [path, status] of [
      [`/ack/${tampered}`, 404],
      [`/ack/${otherSecret}`, 404],
      ['/ack/garbage', 404],
      ['/ack/' + 'x'.repeat(1000), 404],
      [`/ack/${expired}`, 410],
    ] as const) {
      for (const method of ['GET', 'POST'] as const) {
        const response = await page(method, path, method === 'POST' ? '' : undefined);
        expect(response.status, `${method} ${path.slice(0, 30)}`).toBe(status);
        expect(response.type).toMatch(/text\/html/);
      }
    }
    expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe('pending');
    expect(await stack.prisma.usedLinkToken.count({ where: { taskId: task.id } })).toBe(0);
  });

  it('a link to a task cancelled by lifting explains that it can no longer be acted on', async () => {
    const { listingId, task, acknowledge } = await noticeLinks('（2026）宁01执804号');
    expect((await stack.request('POST', `/api/listings/${listingId}/revocation`, { key: clerk, body: { reason: '错误纳入' } })).status).toBe(202);
    await tasksOf(stack, listingId, 'lift', 2);
    const refused = await page('POST', acknowledge, '');
    expect(refused.status).toBe(409);
    expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe('cancelled');
  });
});
