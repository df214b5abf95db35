// A request repeated after its answer was lost changes nothing a second time,
// against the real stack: an `Idempotency-Key` replays the first answer, and
// extensions name their target (the granted date, the period once extended),
// so even a repeat without a key moves nothing twice.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../domain/policy.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { entityListing } from '../support/fixtures.js';
import { departmentKeys, list, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';

// Deadlines an hour or two away: time to ask for more and have it granted.
const policy = parsePolicy({
  impose: { acknowledge: 'PT1H', complete: 'PT2H' },
  lift: { acknowledge: 'PT1H', complete: 'PT2H' },
  escalation: [{ after: 'PT0S', notify: 'department-supervisor' }],
  reminderBefore: 'PT0S',
});

let stack: TestStack;
let clerk: string;
let supervisor: string;
let keyOf: (code: string) => Promise<string>;
let caseSeq = 900;

beforeAll(async () => {
  stack = await startTestStack({ policy, catalog: twoDepartmentCatalog() });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  supervisor = await stack.key('supervisor');
  keyOf = departmentKeys(stack);
});
afterAll(async () => stack?.stop());

const post = (path: string, key: string, body: unknown, idempotencyKey?: string) =>
  stack.request('POST', path, { key, body, headers: idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey } });
const fieldsOf = (response: { body: { errors?: { field: string }[] } }) => (response.body.errors ?? []).map((error) => error.field);
const eventCount = (listingId: string, type: string, taskId?: string) => stack.prisma.event.count({ where: { listingId, type, ...(taskId ? { taskId } : {}) } });

async function newListing() {
  const listingId = await list(stack, clerk, entityListing({ caseNumber: `（2026）宁01执${caseSeq++}号` }));
  const [d05, d06] = await tasksOf(stack, listingId, 'impose', 2);
  return { listingId, d05: d05!, d06: d06! };
}

/** A pending request for more time on the task's acknowledgment deadline, three hours from now. */
async function extensionRequestFor(task: { id: string; departmentCode: string }) {
  const until = new Date(Date.now() + 3 * 3600_000).toISOString();
  const requested = await post(`/api/tasks/${task.id}/extension-requests`, await keyOf(task.departmentCode), { by: '王五', until, reason: '需要核查系统记录' });
  expect(requested.status, JSON.stringify(requested.body)).toBe(201);
  return { id: requested.body.id as string, until };
}

const acknowledgeDueAtOf = async (taskId: string) => (await stack.prisma.task.findUniqueOrThrow({ where: { id: taskId } })).acknowledgeDueAt.toISOString();

describe('Idempotency-Key', () => {
  it('a decision granting more time, sent twice with one key, moves the deadline once and answers the same the second time, marked replayed', async () => {
    const { listingId, d05 } = await newListing();
    const extension = await extensionRequestFor(d05);
    const key = randomUUID();
    const first = await post(`/api/extension-requests/${extension.id}/decision`, supervisor, { granted: true, reason: '同意' }, key);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const second = await post(`/api/extension-requests/${extension.id}/decision`, supervisor, { granted: true, reason: '同意' }, key);
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(second.body).toEqual(first.body);
    expect(await eventCount(listingId, 'deadline-extended', d05.id)).toBe(1);
    expect(await acknowledgeDueAtOf(d05.id)).toBe(extension.until);
  });

  it('the same key with another body or path is 422 naming Idempotency-Key, and changes nothing', async () => {
    const { listingId, d05, d06 } = await newListing();
    const extension = await extensionRequestFor(d05);
    const key = randomUUID();
    expect((await post(`/api/extension-requests/${extension.id}/decision`, supervisor, { granted: false, reason: '期限内可完成' }, key)).status).toBe(200);
    const otherBody = await post(`/api/extension-requests/${extension.id}/decision`, supervisor, { granted: true, reason: '同意' }, key);
    expect(otherBody.status).toBe(422);
    expect(otherBody.headers.get('content-type')).toContain('application/problem+json');
    expect(fieldsOf(otherBody)).toEqual(['Idempotency-Key']);
    const other = await extensionRequestFor(d06);
    const otherPath = await post(`/api/extension-requests/${other.id}/decision`, supervisor, { granted: false, reason: '期限内可完成' }, key);
    expect(otherPath.status).toBe(422);
    expect(fieldsOf(otherPath)).toEqual(['Idempotency-Key']);
    expect((await stack.prisma.taskExtension.findUniqueOrThrow({ where: { id: extension.id } })).status).toBe('refused');
    expect((await stack.prisma.taskExtension.findUniqueOrThrow({ where: { id: other.id } })).status).toBe('requested');
    expect(await eventCount(listingId, 'deadline-extended')).toBe(0);
  });

  it('a key that is too long, empty or not printable ASCII is 400 naming Idempotency-Key, and changes nothing', async () => {
    const { listingId, d05 } = await newListing();
    const extension = await extensionRequestFor(d05);
    const before = await acknowledgeDueAtOf(d05.id);
    for (const bad of ['k'.repeat(256), '', 'tab\tinside']) {
      const refused = await post(`/api/extension-requests/${extension.id}/decision`, supervisor, { granted: true, reason: '同意' }, bad);
      expect(refused.status, JSON.stringify(bad)).toBe(400);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(fieldsOf(refused)).toEqual(['Idempotency-Key']);
    }
    expect((await stack.prisma.taskExtension.findUniqueOrThrow({ where: { id: extension.id } })).status).toBe('requested');
    expect(await acknowledgeDueAtOf(d05.id)).toBe(before);
    expect(await eventCount(listingId, 'deadline-extended')).toBe(0);
    // 255 printable characters, spaces included, are a good key.
    const good = await post(`/api/extension-requests/${extension.id}/decision`, supervisor, { granted: true, reason: '同意' }, `a key ${'k'.repeat(249)}`);
    expect(good.status).toBe(200);
  });

  it('a refusal under a key is not kept: nothing is written, and the key serves the corrected request', async () => {
    const { d05 } = await newListing();
    const key = randomUUID();
    const departmentKey = await keyOf(d05.departmentCode);
    const past = await post(`/api/tasks/${d05.id}/extension-requests`, departmentKey, { by: '王五', until: new Date(Date.now() - 60_000).toISOString(), reason: '需要核查' }, key);
    expect(past.status).toBe(400);
    expect(fieldsOf(past)).toEqual(['until']);
    expect(await stack.prisma.idempotentRequest.count({ where: { key } })).toBe(0);
    const corrected = await post(`/api/tasks/${d05.id}/extension-requests`, departmentKey, { by: '王五', until: new Date(Date.now() + 3 * 3600_000).toISOString(), reason: '需要核查' }, key);
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(201);
    expect(await stack.prisma.idempotentRequest.count({ where: { key, status: 201 } })).toBe(1);
  });

  it('a listing extended by one more year, sent twice with one key, is extended once', async () => {
    const { listingId } = await newListing();
    const key = randomUUID();
    const first = await post(`/api/listings/${listingId}/extension`, clerk, { extensionYears: 1, reason: '情节严重' }, key);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.periodYears).toBe(3);
    const second = await post(`/api/listings/${listingId}/extension`, clerk, { extensionYears: 1, reason: '情节严重' }, key);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect((await stack.prisma.listing.findUniqueOrThrow({ where: { id: listingId } })).periodYears).toBe(3);
    expect(await eventCount(listingId, 'period-extended')).toBe(1);
  });

  it('two copies of one request at once: one runs, the other is told it is in progress (409) or gets its answer', async () => {
    const { listingId } = await newListing();
    const key = randomUUID();
    const [a, b] = await Promise.all([0, 1].map(() => post(`/api/listings/${listingId}/extension`, clerk, { extensionYears: 2, reason: '情节严重' }, key)));
    const ran = [a!, b!].filter((response) => response.status === 200 && response.headers.get('idempotent-replayed') === null);
    expect(ran).toHaveLength(1);
    const other = [a!, b!].find((response) => response !== ran[0])!;
    if (other.status === 409) expect(fieldsOf(other)).toEqual(['Idempotency-Key']);
    else expect({ status: other.status, replayed: other.headers.get('idempotent-replayed'), body: other.body }).toEqual({ status: 200, replayed: 'true', body: ran[0]!.body });
    expect((await stack.prisma.listing.findUniqueOrThrow({ where: { id: listingId } })).periodYears).toBe(4);
    expect(await eventCount(listingId, 'period-extended')).toBe(1);
  });
});

describe('extensions name their target', () => {
  it('a grant decided twice without a key gives the same deadline, moved once', async () => {
    const { listingId, d05 } = await newListing();
    const extension = await extensionRequestFor(d05);
    const first = await post(`/api/extension-requests/${extension.id}/decision`, supervisor, { granted: true, reason: '同意' });
    expect(first.status).toBe(200);
    const again = await post(`/api/extension-requests/${extension.id}/decision`, supervisor, { granted: true, reason: '同意' });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ status: 'granted', until: extension.until });
    expect(await acknowledgeDueAtOf(d05.id)).toBe(extension.until);
    expect(await eventCount(listingId, 'deadline-extended', d05.id)).toBe(1);
    // The other decision is not a repeat.
    expect((await post(`/api/extension-requests/${extension.id}/decision`, supervisor, { granted: false })).status).toBe(409);
  });

  it('a listing extended to a period of 4 years twice without a key expires on the same day, extended once', async () => {
    const { listingId } = await newListing();
    const first = await post(`/api/listings/${listingId}/extension`, clerk, { periodYears: 4, reason: '情节严重' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.periodYears).toBe(4);
    const again = await post(`/api/listings/${listingId}/extension`, clerk, { periodYears: 4, reason: '情节严重' });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.expiresAt).toBe(first.body.expiresAt);
    expect(await eventCount(listingId, 'period-extended')).toBe(1);
    const shorter = await post(`/api/listings/${listingId}/extension`, clerk, { periodYears: 3, reason: '情节严重' });
    expect(shorter.status).toBe(400);
    expect(fieldsOf(shorter)).toEqual(['periodYears']);
    const both = await post(`/api/listings/${listingId}/extension`, clerk, { periodYears: 5, extensionYears: 1, reason: '情节严重' });
    expect(both.status).toBe(400);
    expect(fieldsOf(both)).toEqual(['periodYears']);
    expect((await stack.prisma.listing.findUniqueOrThrow({ where: { id: listingId } })).expiresAt?.toISOString()).toBe(first.body.expiresAt);
  });
});
