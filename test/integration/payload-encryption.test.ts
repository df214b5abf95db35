// What Temporal stores is sealed: a listing's workflow history, read straight
// from the server without the payload key, shows no debtor, staff member,
// identifier, note or reply address. The codec endpoint gives administrators
// (the Temporal UI, the CLI) the clear text back, after a rotation too.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { DefaultPayloadConverter, type Payload } from '@temporalio/common';
import { inject } from 'vitest';
import { createEncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../platform/payload-codec.js';
import { waitUntil } from '../support/wait.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { entityListing, VALID_CREDIT_CODE, VALID_RESIDENT_ID } from '../support/fixtures.js';
import { TEST_PAYLOAD_KEY } from '../support/settings.js';

const UI_ORIGIN = 'http://localhost:8233';
const PREVIOUS_KEY = randomBytes(32).toString('base64');
const STAFF = '王小明';
const NOTE = `已在系统中登记限制措施，经办人${STAFF}，电话 0951-1234567`;
const REFERENCE = 'NX-LIMIT-2026-0042';

let stack: TestStack;
let raw: { connection: Connection; client: Client };
let listingId: string;
let department: string;

const converter = new DefaultPayloadConverter();
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

/** Every payload in a history (inputs, results, update arguments), found wherever it sits. */
function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return found;
  if (Array.isArray(value)) {
    for (const item of value) payloadsIn(item, found);
    return found;
  }
  for (const [key, child] of Object.entries(value)) {
    if (key === 'payloads' && Array.isArray(child)) found.push(...(child as Payload[]));
    else payloadsIn(child, found);
  }
  return found;
}

/** The history as text, every byte field read as UTF-8: what anyone with access to Temporal sees. */
function historyText(value: unknown, parts: string[] = []): string {
  if (value instanceof Uint8Array) parts.push(text(value));
  else if (typeof value === 'string') parts.push(value);
  else if (value !== null && typeof value === 'object') for (const child of Object.values(value)) historyText(child, parts);
  return parts.join('\n');
}

const asJson = (payload: Payload) => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
  data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
});

async function codecCall(path: string, { key, body, origin }: { key?: string; body?: unknown; origin?: string }) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...(origin ? { origin } : {}) },
    body: JSON.stringify(body ?? {}),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

beforeAll(async () => {
  stack = await startTestStack({ env: { TEMPORAL_CODEC_CORS_ORIGIN: UI_ORIGIN, TEMPORAL_PAYLOAD_PREVIOUS_KEYS: PREVIOUS_KEY } });
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  raw = { connection, client: new Client({ connection, namespace: 'default' }) };

  const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  const listed = await stack.request('POST', '/api/listings', { key: clerk, body: entityListing({ caseNumber: '（2026）宁01执4242号' }) });
  expect(listed.status).toBe(201);
  listingId = listed.body.id;
  let task: { id: string; departmentCode: string } | null = null;
  for (let attempt = 0; attempt < 100 && !task; attempt++) {
    task = await stack.prisma.task.findFirst({ where: { listingId, departmentCode: 'D05' } });
    if (!task) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  department = await stack.key('department', { departmentCode: task!.departmentCode });
  const acknowledged = await stack.request('POST', `/api/tasks/${task!.id}/acknowledge`, { key: department, body: { by: STAFF, note: NOTE } });
  expect(acknowledged.status).toBe(200);
  const completed = await stack.request('POST', `/api/tasks/${task!.id}/complete`, { key: department, body: { by: STAFF, reference: REFERENCE, note: NOTE } });
  expect(completed.status).toBe(200);
  // The acknowledgment reaches the workflow as a signal, a moment after its answer.
  await waitUntil(async () => (await stack.prisma.outboxSignal.count()) === 0, 'the acknowledgment to reach the workflow');
});

afterAll(async () => {
  await raw?.connection.close();
  await stack?.stop();
});

describe('what the coordinator stores in Temporal', () => {
  it('is sealed: the raw history holds no name, identifier, note or reference, and every payload names its key', async () => {
    const history = await raw.client.workflow.getHandle(`sanction-${listingId}`).fetchHistory();
    const seen = historyText(history);
    for (const secret of [STAFF, NOTE, REFERENCE, '宁夏某某建设有限公司', '张三', VALID_CREDIT_CODE, VALID_RESIDENT_ID, '@sanctions.example', '@departments']) {
      expect(seen, `the raw history shows ${secret}`).not.toContain(secret);
    }
    // Patch markers are written by the SDK's core, past the codec: they hold a patch id and nothing else.
    const isPatchMarker = (event: NonNullable<typeof history.events>[number]) => event.markerRecordedEventAttributes?.markerName === 'core_patch';
    for (const marker of payloadsIn((history.events ?? []).filter(isPatchMarker))) expect(Object.keys(converter.fromPayload(marker) as object).sort()).toEqual(['deprecated', 'id']);
    const payloads = payloadsIn((history.events ?? []).filter((event) => !isPatchMarker(event)));
    // The start input, activity inputs and results, and the two update arguments at least.
    expect(payloads.length).toBeGreaterThan(5);
    const keyId = createEncryptionCodec({ current: TEST_PAYLOAD_KEY }).currentKeyId;
    for (const payload of payloads) {
      expect(text(payload.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(text(payload.metadata?.[KEY_ID_METADATA])).toBe(keyId);
    }
  });
});

describe('the codec endpoint', () => {
  /** What the department's answers carried into history: the acknowledgment's signal and the completion's update. */
  async function sealedUpdateArguments(): Promise<Payload[]> {
    const history = await raw.client.workflow.getHandle(`sanction-${listingId}`).fetchHistory();
    return payloadsIn((history.events ?? []).filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes || event.workflowExecutionSignaledEventAttributes));
  }

  it('decodes the history for an administrator, answering the Temporal UI origin', async () => {
    const sealed = await sealedUpdateArguments();
    expect(sealed.length).toBeGreaterThanOrEqual(2);
    const answer = await codecCall('/codec/decode', { key: stack.adminKey, body: { payloads: sealed.map(asJson) }, origin: UI_ORIGIN });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const values = (answer.body.payloads as { metadata: Record<string, string>; data: string }[]).map((payload) =>
      converter.fromPayload<{ by: string; note?: string }>({
        metadata: Object.fromEntries(Object.entries(payload.metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
        data: Buffer.from(payload.data, 'base64'),
      }),
    );
    expect(values.map((value) => value.by)).toEqual(sealed.map(() => STAFF));
    expect(values.map((value) => value.note)).toContain(NOTE);
  });

  it('encodes for an administrator, sealed under the current key', async () => {
    const plain = asJson(converter.toPayload({ by: STAFF }));
    const answer = await codecCall('/codec/encode', { key: stack.adminKey, body: { payloads: [plain] } });
    expect(answer.status).toBe(200);
    const [sealed] = answer.body.payloads;
    expect(Buffer.from(sealed.metadata.encoding, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(sealed.data, 'base64').toString('utf8')).not.toContain(STAFF);
    const back = await codecCall('/codec/decode', { key: stack.adminKey, body: { payloads: [sealed] } });
    expect(back.body.payloads).toEqual([plain]);
  });

  it('refuses a department key (403) and a request without a key (401), as problem+json, decoding nothing', async () => {
    const payloads = (await sealedUpdateArguments()).map(asJson);
    const refused = await codecCall('/codec/decode', { key: department, body: { payloads } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(refused.body)).not.toContain(STAFF);
    const anonymous = await codecCall('/codec/decode', { body: { payloads } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers the UI origin’s preflight, and no other origin', async () => {
    const preflight = async (origin: string) =>
      fetch(`${stack.apiUrl}/codec/decode`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' } });
    const allowed = await preflight(UI_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('after a rotation, decodes what the previous key sealed; a payload of an unknown key is a 400 naming it', async () => {
    const [sealedBefore] = await createEncryptionCodec({ current: PREVIOUS_KEY }).encode([converter.toPayload({ by: STAFF })]);
    const answer = await codecCall('/codec/decode', { key: stack.adminKey, body: { payloads: [asJson(sealedBefore!)] } });
    expect(answer.status).toBe(200);
    expect(Buffer.from(answer.body.payloads[0].data, 'base64').toString('utf8')).toContain(STAFF);

    const [unknown] = await createEncryptionCodec({ current: randomBytes(32).toString('base64') }).encode([converter.toPayload({ by: STAFF })]);
    const refused = await codecCall('/codec/decode', { key: stack.adminKey, body: { payloads: [asJson(sealedBefore!), asJson(unknown!)] } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'payloads.1' })]);
  });

  it('is in the OpenAPI document', async () => {
    const document = await stack.request('GET', '/api/openapi.json');
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/codec/decode', '/codec/encode']));
  });

  it('refuses a malformed body with 400 naming the field', async () => {
    const answer = await codecCall('/codec/decode', { key: stack.adminKey, body: { payloads: [{ data: 'not base64!' }] } });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'payloads.0.data' })]);
  });
});
