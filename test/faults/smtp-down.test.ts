// The SMTP server is down (its port closed) while listings are dispatched.
// Notices wait and are retried with backoff; once the server is back on the
// same port every one of them arrives, each exactly once.
import './quiet-sdk.js';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchPlan } from '../../domain/catalog.js';
import { MailCatcher } from '../../dev/mail-catcher.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { creditCode, entityListing, residentId } from '../support/fixtures.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { sleep, until, workflowTaskTrouble } from './harness.js';

const LISTINGS = 10;
const OUTAGE_MS = 7_000;
const catalog = twoDepartmentCatalog();
const expected = LISTINGS * dispatchPlan(catalog, { debtorKind: 'entity', hasLegalRepresentative: true }).length;

let stack: TestStack;
let restarted: MailCatcher | undefined;

beforeAll(async () => {
  stack = await startTestStack({ catalog });
});
afterAll(async () => {
  await restarted?.stop();
  await stack?.stop();
});

const portIsClosed = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe('SMTP down during dispatch', () => {
  it('notices wait with their error recorded, then arrive exactly once when SMTP is back', { timeout: 90_000 }, async () => {
    const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
    const port = stack.mail.port;
    await stack.mail.stop();
    const downAt = Date.now();
    expect(await portIsClosed(port)).toBe(true);

    // Listing does not depend on mail.
    const listingIds: string[] = [];
    for (let n = 0; n < LISTINGS; n++) {
      const body = entityListing({
        caseNumber: `（2026）宁01执${4000 + n}号`,
        debtor: { kind: 'entity', name: `宁夏某某${n}号有限公司`, idNumber: creditCode(500 + n), legalRepresentative: { name: '张三', idNumber: residentId('19750101', n) } },
      });
      const response = await stack.request('POST', '/api/listings', { key: clerk, body });
      expect(response.status).toBe(201);
      listingIds.push(response.body.id);
    }

    // Every notice has been tried and failed: its error is on record, it is not marked sent.
    const failing = await until(async () => {
      const rows = await stack.prisma.notification.findMany();
      return rows.length === expected && rows.every((row) => row.lastError !== null) ? rows : undefined;
    }, 'every notice to fail once', 20_000);
    expect(failing.every((row) => row.sentAt === null)).toBe(true);
    expect(failing.every((row) => /ECONNREFUSED/.test(row.lastError!))).toBe(true);

    // The activity is being retried by Temporal, not failed.
    const pending = await stack.temporal.workflow.getHandle(`sanction-${listingIds[0]}`).describe();
    const mailActivities = (pending.raw.pendingActivities ?? []).filter((activity) => activity.activityType?.name === 'sendRoundMails');
    expect(mailActivities.length).toBeGreaterThan(0);
    expect(pending.status.name).toBe('RUNNING');

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
    const atEnd = await stack.prisma.notification.findMany();
    expect(atEnd.every((row) => row.sentAt === null && row.lastError !== null)).toBe(true);
    const attemptsDuringOutage = atEnd.reduce((sum, row) => sum + row.attempts, 0);
    expect(attemptsDuringOutage).toBeGreaterThan(expected); // retried, with backoff
    expect(await stack.prisma.event.count({ where: { type: 'notice-sent' } })).toBe(0);

    // SMTP comes back on the same port.
    restarted = await new MailCatcher({ port }).start();
    const upAt = Date.now();
    const outageMs = upAt - downAt;
    await restarted.waitFor(() => true, expected, 60_000);
    const deliveredInMs = Date.now() - upAt;
    await sleep(2_000); // nothing more may come

    const ids = restarted.messages.map((m) => m.messageId);
    expect(ids).toHaveLength(expected);
    expect(new Set(ids).size).toBe(expected);
    const sent = await stack.prisma.notification.findMany();
    expect(sent.every((row) => row.sentAt !== null && row.lastError === null)).toBe(true);
    expect(new Set(sent.map((row) => row.messageId))).toEqual(new Set(ids));
    expect(await stack.prisma.event.count({ where: { type: 'notice-sent' } })).toBe(expected);
    for (const listingId of listingIds) {
      const trouble = await workflowTaskTrouble(stack.temporal.workflow.getHandle(`sanction-${listingId}`));
      expect(trouble.failed).toBe(0);
    }

    const attempts = sent.map((row) => row.attempts);
    console.log(
      `[smtp-down] listings=${LISTINGS} notices=${expected} outage=${outageMs} ms; attempts during outage ${attemptsDuringOutage}, ` +
        `total ${attempts.reduce((a, b) => a + b, 0)} (per notice ${Math.min(...attempts)}–${Math.max(...attempts)}); ` +
        `all delivered ${deliveredInMs} ms after SMTP came back; messages ${ids.length}, distinct ${new Set(ids).size}`,
    );
  });
});
