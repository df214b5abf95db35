// The disclosure log queues in memory and writes in batches, one write at a
// time; a fake writer stands in for PostgreSQL (the integration test of
// departments' systems reads what the real one wrote).
import { expect, it } from 'vitest';
import { createDisclosureLog } from '../../db/disclosure-log.js';
import { createLogger } from '../../platform/logger.js';

function fakeDatabase({ failFirst = 0, delayMs = 5 } = {}) {
  const written: unknown[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  const write = async (data: unknown[]) => {
    calls++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    inFlight--;
    if (calls <= failFirst) throw new Error('database away');
    written.push(...data);
  };
  return { write, written, calls: () => calls, maxInFlight: () => maxInFlight };
}

const entry = (n: number) => ({ departmentCode: 'D19', keyId: null, idNumber: `id-${n}`, purpose: 'check' as const, listingId: null });

it('a burst is written in batches, one write at a time, and never holds the number itself', async () => {
  const db = fakeDatabase();
  const log = createDisclosureLog({ write: db.write, subjectHash: (id) => `hash(${id})`, log: createLogger('silent'), batchSize: 100 });
  for (let n = 0; n < 10_000; n++) log.record(entry(n));
  await log.stop();
  expect(db.written).toHaveLength(10_000);
  expect(db.maxInFlight()).toBe(1);
  expect(db.calls()).toBeLessThanOrEqual(10_000 / 100 + 1);
  expect(JSON.stringify(db.written)).not.toContain('"id-');
  expect(db.written[0]).toMatchObject({ departmentCode: 'D19', subjectHash: 'hash(id-0)', purpose: 'check' });
});

it('keeps what a failed write held and writes it at the next flush', async () => {
  const db = fakeDatabase({ failFirst: 1 });
  const log = createDisclosureLog({ write: db.write, subjectHash: (id) => id, log: createLogger('silent'), batchSize: 10 });
  for (let n = 0; n < 5; n++) log.record(entry(n));
  await log.flush();
  expect(db.written).toHaveLength(0);
  await log.stop();
  expect(db.written).toHaveLength(5);
});

it('while the database stays away, a burst neither piles up writes nor grows beyond its bound', async () => {
  const db = fakeDatabase({ failFirst: Number.POSITIVE_INFINITY });
  const log = createDisclosureLog({ write: db.write, subjectHash: (id) => id, log: createLogger('silent'), batchSize: 10, maxQueued: 50 });
  for (let n = 0; n < 80; n++) log.record(entry(n));
  await log.stop();
  // The write begun by the burst, and the one at stop: not one per entry.
  expect(db.calls()).toBeLessThanOrEqual(2);
  expect(db.maxInFlight()).toBe(1);
});
