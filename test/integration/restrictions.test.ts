// Departments' own systems: the real-time check, the change feed and signed
// webhooks, on the real stack (PostgreSQL, Temporal, SMTP) with a real HTTP
// receiver. The expected measures are worked out from the catalog here, not
// by the code under test.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalog, type MeasureSubject } from '../../domain/catalog.js';
import { maskIdentifier } from '../../domain/disclosure.js';
import { createLogger } from '../../platform/logger.js';
import { VALID_CREDIT_CODE, VALID_RESIDENT_ID, entityListing, residentId } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { calmPolicy } from '../support/policies.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';
import { freePort } from '../faults/harness.js';

/** The measures the catalog gives a subject (individual, entity, legal_representative) that a department applies. */
function expectedMeasures(subject: MeasureSubject, departmentCode: string | null): string[] {
  return defaultCatalog.measures
    .filter((measure) => measure.applies_to.includes(subject) && (departmentCode === null || measure.departments.includes(departmentCode)))
    .map((measure) => measure.code)
    .sort();
}

/** A department that applies none of the measures the catalog gives an entity or a legal representative. */
const uninvolved = defaultCatalog.departments
  .map((department) => department.code)
  .find((code) => expectedMeasures('entity', code).length === 0 && expectedMeasures('legal_representative', code).length === 0 && expectedMeasures('individual', code).length > 0)!;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A department system's receiver: answers 200 and keeps what it got. */
async function startReceiver(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

const logLines: string[] = [];
let stack: TestStack;
let clerk: string;
let supervisor: string;
const keys = new Map<string, string>();
const keyOf = async (code: string) => {
  if (!keys.has(code)) keys.set(code, await stack.key('department', { departmentCode: code }));
  return keys.get(code)!;
};

beforeAll(async () => {
  const sink = new Writable({ write: (chunk, _encoding, done) => (logLines.push(String(chunk)), done()) });
  stack = await startTestStack({ policy: calmPolicy, log: createLogger('info', 'sanctions', sink) });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  supervisor = await stack.key('supervisor');
});

afterAll(async () => {
  await stack?.stop();
});

type Check = { idNumber: string; restricted: boolean; restrictions: { measure: string; role: string; listingId: string; caseNumber: string; courtCode: string; measureName: string; since: string }[]; checkedAt: string };

const checkOne = async (key: string, idNumber: string) => (await stack.request('GET', `/api/restrictions/check?idNumber=${idNumber}`, { key })) as { status: number; body: Check };

describe('the restriction check', () => {
  let listingId: string;

  beforeAll(async () => {
    listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执9001号' }));
  });

  it('restricts the entity and its legal representative for exactly the measures the catalog gives each, per department', async () => {
    const departments = [...new Set(defaultCatalog.measures.flatMap((measure) => measure.departments))].sort();
    for (const code of departments) {
      const key = await keyOf(code);
      const entity = await checkOne(key, VALID_CREDIT_CODE);
      const person = await checkOne(key, VALID_RESIDENT_ID);
      expect(entity.status).toBe(200);
      expect(entity.body.restrictions.map((r) => r.measure).sort()).toEqual(expectedMeasures('entity', code));
      expect(person.body.restrictions.map((r) => r.measure).sort()).toEqual(expectedMeasures('legal_representative', code));
      expect(entity.body.restricted).toBe(expectedMeasures('entity', code).length > 0);
      expect(new Set(entity.body.restrictions.map((r) => r.role))).toEqual(new Set(entity.body.restricted ? ['debtor'] : []));
      expect(new Set(person.body.restrictions.map((r) => r.role))).toEqual(new Set(person.body.restricted ? ['legal-representative'] : []));
    }
    const example = (await checkOne(await keyOf('D19'), VALID_CREDIT_CODE)).body;
    expect(example).toMatchObject({ idNumber: VALID_CREDIT_CODE, restricted: true });
    expect(example.restrictions[0]).toMatchObject({ listingId, caseNumber: '（2026）宁01执9001号', courtCode: 'NX-YC-01', role: 'debtor', measureName: expect.any(String) });
  });

  it('answers false to a department without those measures, and for an unknown identifier', async () => {
    expect(uninvolved).toBeDefined();
    expect((await checkOne(await keyOf(uninvolved), VALID_CREDIT_CODE)).body).toMatchObject({ restricted: false, restrictions: [] });
    expect((await checkOne(await keyOf('D19'), residentId('19700101', 7))).body).toMatchObject({ restricted: false, restrictions: [] });
  });

  it('shows a supervisor every measure', async () => {
    const all = (await checkOne(supervisor, VALID_CREDIT_CODE)).body;
    expect(all.restrictions.map((r) => r.measure).sort()).toEqual(expectedMeasures('entity', null));
  });

  it('checks up to 1,000 identifiers in one call, answering in request order', async () => {
    const unknown = Array.from({ length: 998 }, (_, n) => residentId('19900101', n, '640105'));
    const idNumbers = [VALID_RESIDENT_ID, ...unknown.slice(0, 500), VALID_CREDIT_CODE, ...unknown.slice(500)];
    const answer = await stack.request('POST', '/api/restrictions/check', { key: await keyOf('D19'), body: { idNumbers } });
    expect(answer.status).toBe(200);
    expect(answer.body.results.map((result: Check) => result.idNumber)).toEqual(idNumbers);
    expect(answer.body.results.filter((result: Check) => result.restricted).map((result: Check) => result.idNumber)).toEqual(
      [VALID_RESIDENT_ID, VALID_CREDIT_CODE].filter((id) => expectedMeasures(id === VALID_CREDIT_CODE ? 'entity' : 'legal_representative', 'D19').length > 0),
    );
    const tooMany = await stack.request('POST', '/api/restrictions/check', { key: await keyOf('D19'), body: { idNumbers: [...idNumbers, VALID_RESIDENT_ID] } });
    expect(tooMany.status).toBe(400);
  });

  it('refuses a malformed identifier with 400 naming the field, and keys that are not a department’s or a supervisor’s', async () => {
    const bad = await stack.request('GET', '/api/restrictions/check?idNumber=110105194912310021', { key: await keyOf('D19') });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(bad.body.errors[0].field).toBe('idNumber');
    const badInBatch = await stack.request('POST', '/api/restrictions/check', { key: await keyOf('D19'), body: { idNumbers: [VALID_RESIDENT_ID, 'ABC'] } });
    expect(badInBatch.status).toBe(400);
    expect(badInBatch.body.errors[0].field).toBe('idNumbers.1');
    expect((await checkOne(clerk, VALID_CREDIT_CODE)).status).toBe(403);
    expect((await stack.request('GET', '/api/restrictions/changes', { key: clerk })).status).toBe(403);
    expect((await stack.request('GET', `/api/restrictions/check?idNumber=${VALID_CREDIT_CODE}`)).status).toBe(401);
  });
});

describe('a lift', () => {
  it('ends every restriction when the court records it, reaches the feed and a subscribed system, signed', async () => {
    const receiver = await startReceiver();
    try {
      const d19 = await keyOf('D19');
      const hook = await stack.request('POST', '/api/webhooks', { key: d19, body: { url: receiver.url, description: 'booking system' } });
      expect(hook.status).toBe(201);
      expect(hook.body).toMatchObject({ id: expect.any(String), secret: expect.any(String) });
      const debtor = residentId('19750505', 41);
      const listingId = await list(stack, clerk, { ...entityListing({ caseNumber: '（2026）宁01执9002号' }), debtor: { kind: 'individual', name: '王五', idNumber: debtor } });
      expect((await checkOne(d19, debtor)).body.restricted).toBe(true);
      await waitUntil(async () => receiver.received.find((r) => JSON.parse(r.body).type === 'imposed' && JSON.parse(r.body).idNumber === debtor), 'the imposed change at the receiver');
      await tasksOf(stack, listingId, 'impose', expectedDepartmentCount(debtor));

      const lifted = await stack.request('POST', `/api/listings/${listingId}/performance`, { key: clerk, body: { note: '已全部履行' } });
      expect(lifted.status).toBe(202);
      const answeredAt = Date.now();
      // At once: no department's check says "restricted" after the 202.
      for (const code of ['D19', 'D05', 'D06']) expect((await checkOne(await keyOf(code), debtor)).body.restricted).toBe(false);
      expect((await checkOne(supervisor, debtor)).body.restricted).toBe(false);

      const feed = await stack.request('GET', '/api/restrictions/changes?after=0&limit=1000', { key: d19 });
      const ofDebtor = feed.body.items.filter((item: { idNumber: string }) => item.idNumber === debtor);
      expect(ofDebtor.map((item: { type: string }) => item.type)).toEqual(['imposed', 'lifted']);
      expect(ofDebtor[1]).toMatchObject({ listingId, idNumber: debtor, name: '王五', measures: expectedMeasures('individual', 'D19') });

      const delivery = await waitUntil(async () => receiver.received.find((r) => JSON.parse(r.body).type === 'lifted' && JSON.parse(r.body).idNumber === debtor), 'the lifted change at the receiver');
      const liftLatencyMs = Date.now() - answeredAt;
      const expectedSignature = `sha256=${createHmac('sha256', hook.body.secret).update(delivery.body).digest('hex')}`;
      expect(delivery.headers['x-signature']).toBe(expectedSignature);
      expect(delivery.headers['x-delivery-id']).toMatch(new RegExp(`^${hook.body.id}\\.\\d+$`));
      expect(Number(delivery.headers['x-timestamp'])).toBeGreaterThan(Date.now() / 1000 - 120);
      expect(JSON.parse(delivery.body)).toMatchObject({ type: 'lifted', idNumber: debtor, listingId, measures: expectedMeasures('individual', 'D19') });
      // The receiver got the changes in feed order.
      const seqs = receiver.received.map((r) => JSON.parse(r.body).seq as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      console.log(`[restrictions] lift → webhook ${liftLatencyMs} ms`);

      const deliveries = await stack.request('GET', `/api/webhooks/${hook.body.id}/deliveries`, { key: d19 });
      expect(deliveries.body.some((d: { status: string; deliveryId: string }) => d.status === 'delivered' && d.deliveryId === delivery.headers['x-delivery-id'])).toBe(true);
      expect((await stack.request('GET', '/api/webhooks', { key: d19 })).body.map((w: { id: string }) => w.id)).toContain(hook.body.id);
      expect((await stack.request('GET', `/api/webhooks/${hook.body.id}/deliveries`, { key: await keyOf('D05') })).status).toBe(403);
      expect((await stack.request('DELETE', `/api/webhooks/${hook.body.id}`, { key: d19 })).status).toBe(204);
      expect((await stack.request('GET', '/api/webhooks', { key: d19 })).body).toEqual([]);
    } finally {
      receiver.server.close();
    }
  });

  it('the documented receiver example takes a real delivery and refuses a forged one', async () => {
    const port = await freePort();
    const d05 = await keyOf('D05');
    const hook = await stack.request('POST', '/api/webhooks', { key: d05, body: { url: `http://127.0.0.1:${port}/` } });
    const example = spawn(process.execPath, [fileURLToPath(new URL('../../docs/examples/webhook-receiver.mjs', import.meta.url))], { env: { ...process.env, WEBHOOK_SECRET: hook.body.secret, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
    const output: string[] = [];
    example.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    try {
      await waitUntil(async () => output.join('').includes('listening'), 'the example receiver to listen');
      await list(stack, clerk, { ...entityListing({ caseNumber: '（2026）宁01执9004号' }), debtor: { kind: 'individual', name: '赵六', idNumber: residentId('19760606', 42) } });
      // Accepted (2xx) by the example: delivered, and it applied the change.
      await waitUntil(async () => output.join('').includes('imposed'), 'the example receiver to apply a change');
      const deliveries = await waitUntil(async () => {
        const answer = (await stack.request('GET', `/api/webhooks/${hook.body.id}/deliveries`, { key: d05 })).body as { status: string }[];
        return answer.length > 0 && answer.every((delivery) => delivery.status === 'delivered') ? answer : null;
      }, 'the deliveries to show delivered');
      expect(deliveries.length).toBeGreaterThan(0);
      const forged = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'x-signature': `sha256=${'0'.repeat(64)}`, 'x-delivery-id': 'forged' }, body: '{"type":"lifted"}' });
      expect(forged.status).toBe(401);
    } finally {
      example.kill();
      await stack.request('DELETE', `/api/webhooks/${hook.body.id}`, { key: d05 });
    }
  });

  it('refuses webhook URLs that are not http(s) or carry credentials', async () => {
    const d19 = await keyOf('D19');
    for (const url of ['ftp://example.org/hook', 'http://user:pass@example.org/hook', 'not a url']) {
      const answer = await stack.request('POST', '/api/webhooks', { key: d19, body: { url } });
      expect(answer.status, url).toBe(400);
      expect(answer.body.errors[0].field).toBe('url');
    }
    expect((await stack.request('POST', '/api/webhooks', { key: supervisor, body: { url: 'https://example.org/hook' } })).status).toBe(403);
  });
});

function expectedDepartmentCount(_idNumber: string): number {
  return new Set(defaultCatalog.measures.filter((measure) => measure.applies_to.includes('individual')).flatMap((measure) => measure.departments)).size;
}

describe('what departments see', () => {
  it('a department’s feed holds only changes of its own measures, with those measures only', async () => {
    const feedOf = async (code: string) => (await stack.request('GET', '/api/restrictions/changes?limit=1000', { key: await keyOf(code) })).body.items as { measures: string[]; idNumber: string }[];
    for (const code of ['D05', 'D19', uninvolved]) {
      const items = await feedOf(code);
      for (const item of items) {
        expect(item.measures.length).toBeGreaterThan(0);
        for (const measure of item.measures) expect(defaultCatalog.measures.find((m) => m.code === measure)!.departments).toContain(code);
      }
    }
    expect((await feedOf(uninvolved)).some((item) => item.idNumber === VALID_CREDIT_CODE)).toBe(false);
  });

  it('pages the feed by cursor, each change once, in order', async () => {
    const key = await keyOf('D19');
    const all = (await stack.request('GET', '/api/restrictions/changes?limit=1000', { key })).body.items as { seq: number }[];
    const paged: number[] = [];
    let cursor = '0';
    for (;;) {
      const page = (await stack.request('GET', `/api/restrictions/changes?after=${cursor}&limit=2`, { key })).body;
      if (page.items.length === 0) break;
      paged.push(...page.items.map((item: { seq: number }) => item.seq));
      cursor = page.nextCursor;
    }
    expect(paged).toEqual(all.map((item) => item.seq));
    expect(new Set(paged).size).toBe(paged.length);
  });

  it('a department’s API shows its own subjects in full; every full disclosure is logged for supervisors, as a keyed hash', async () => {
    const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执9003号' }));
    await tasksOf(stack, listingId, 'impose', 1);
    const d19 = await keyOf('D19');
    const view = await stack.request('GET', `/api/listings/${listingId}`, { key: d19 });
    expect(view.status).toBe(200);
    expect(view.body.debtor.idNumber).toBe(VALID_CREDIT_CODE);
    await checkOne(d19, VALID_RESIDENT_ID);
    const disclosures = await waitUntil(async () => {
      const answer = await stack.request('GET', '/api/supervision/disclosures?departmentCode=D19', { key: supervisor });
      const purposes = new Set(answer.body.map((row: { purpose: string }) => row.purpose));
      return purposes.has('listing-view') && purposes.has('check') && purposes.has('feed') && purposes.has('webhook') ? answer.body : null;
    }, 'check, feed, webhook and view disclosures in the log', 15_000);
    expect(disclosures[0]).toMatchObject({ departmentCode: 'D19', subjectHash: expect.stringMatching(/^[0-9a-f]{4}\.[A-Za-z0-9_-]{43}$/) });
    expect(JSON.stringify(disclosures)).not.toContain(VALID_CREDIT_CODE);
    expect(JSON.stringify(disclosures)).not.toContain(VALID_RESIDENT_ID);
    expect((await stack.request('GET', '/api/supervision/disclosures', { key: d19 })).status).toBe(403);
    const from = new Date(Date.now() + 60_000).toISOString();
    expect((await stack.request('GET', `/api/supervision/disclosures?from=${encodeURIComponent(from)}`, { key: supervisor })).body).toEqual([]);
  });

  it('never puts a full identifier in an email or a log line', async () => {
    const mails = stack.mail.messages.map((message) => message.raw).join('\n');
    expect(mails).toContain(maskIdentifier(VALID_CREDIT_CODE));
    const logs = logLines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const idNumber of [VALID_CREDIT_CODE, VALID_RESIDENT_ID]) {
      expect(mails).not.toContain(idNumber);
      expect(logs).not.toContain(idNumber);
    }
  });
});
