// The asset search (网络执行查控) part of `npm run bench`: one search of a
// region's directory, from the clerk's POST until every request is delivered,
// against the engine's ceiling of the same shape in the same run; then every
// institution answering its signed request through the HTTP API at once.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { ASSET_BATCH_SIZE } from '../app/asset-searches.js';
import { generateApiKey, hashApiKey } from '../app/api-keys.js';
import { loadInstitutionDirectory } from '../db/institution-directory.js';
import { generateInstitutionDirectory } from '../domain/institutions.js';
import { documentSigner, generateSigningKey } from '../platform/signed-documents.js';
import type { PrismaClient } from '../prisma/generated/client.js';
import { creditCode } from '../test/support/fixtures.js';
import { pacedLoad } from './paced-load.js';
import { measure, type Results } from './results.js';
import { median } from './stats.js';

/** The search's workflow delivers this many batches side by side (PARALLEL_BATCHES in workflows/asset-search.ts). */
const PARALLEL_BATCHES = 4;
/** The ceiling is one workflow: its median over a few runs, one after another. */
const CEILING_RUNS = 5;

export interface AssetSearchBenchOptions {
  prisma: PrismaClient;
  /** A client of the bench's Temporal server, with the payload codec. */
  client: Client;
  /** The task queue of the ceiling's worker (bench/ceiling/). */
  ceilingTaskQueue: string;
  baseUrl: string;
  adminKey: string;
  institutions: number;
  /** Institution clients answering at once, each as soon as its previous answer came. */
  clients: number;
  say: (line: string) => void;
  row: (...cells: string[]) => void;
}

/** The part's targets, not measured until it has run: their place in the summary table. */
export function assetSearchResults(): Results {
  return {
    assetDeliveryVsCeiling: measure(null, '×', 'informational', null),
    assetDeliverySeconds: measure(null, 's', 'informational', null),
    assetAnswersPerSecond: measure(null, '/s', 'informational', null),
    assetAnswerP99: measure(null, 'ms', 'informational', null),
  };
}

/**
 * The product's delivery as the ceiling reproduces it with no-op activities:
 * one activity per batch, PARALLEL_BATCHES at a time ([4, 4] for 3,595).
 */
export function deliveryShape(institutions: number): number[] {
  const batches = Math.ceil(institutions / ASSET_BATCH_SIZE);
  return Array.from({ length: Math.ceil(batches / PARALLEL_BATCHES) }, (_, step) => Math.min(PARALLEL_BATCHES, batches - step * PARALLEL_BATCHES));
}

export async function benchAssetSearch({ prisma, client, ceilingTaskQueue, baseUrl, adminKey, institutions, clients, say, row }: AssetSearchBenchOptions): Promise<Results> {
  const results = assetSearchResults();
  const post = async (path: string, key: string, body: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, unknown>>;
  };
  const directory = generateInstitutionDirectory(institutions);
  await loadInstitutionDirectory(prisma, directory);
  const { key: clerk } = (await post('/api/api-keys', adminKey, { name: 'bench asset clerk', role: 'clerk', courtCode: 'BENCH-ASSET' })) as { key: string };

  // Measured on a quiet system: what earlier parts still have to send goes first.
  say('asset search: waiting for the system to be idle');
  for (let waited = 0; (await prisma.notification.count({ where: { sentAt: null } })) > 0 && waited < 600_000; waited += 1000) await new Promise((resolve) => setTimeout(resolve, 1000));

  // 1. The search, until every request is delivered (the sink accepted its email).
  const batches = Math.ceil(institutions / ASSET_BATCH_SIZE);
  say(`asset search: ${institutions} institutions in ${batches} batches`);
  const started = performance.now();
  const search = (await post('/api/asset-searches', clerk, { caseNumber: 'BENCH-ASSET-1', debtor: { kind: 'entity', name: 'Bench Debtor Co', idNumber: creditCode(777_777) }, institutions: 'all' })) as {
    id: string;
    requests: { id: string; institutionCode: string }[];
  };
  const recordedMs = performance.now() - started;
  while ((await prisma.assetRequest.count({ where: { searchId: search.id, deliveredAt: { not: null } } })) < institutions) {
    if (performance.now() - started > 10 * 60_000) throw new Error('asset search: requests still undelivered after 10 minutes');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const deliveredMs = performance.now() - started;

  // 2. The engine's ceiling of the same shape: one workflow of no-op batch activities on the ceiling's own queue.
  const shape = deliveryShape(institutions);
  const ceilingRuns: number[] = [];
  for (let run = 0; run < CEILING_RUNS; run++) {
    const ceilingStarted = performance.now();
    await client.workflow.execute('ceilingWorkflow', { taskQueue: ceilingTaskQueue, workflowId: `ceiling-asset-${run}-${randomUUID()}`, args: [shape] });
    ceilingRuns.push(performance.now() - ceilingStarted);
  }
  const ceilingMs = median(ceilingRuns);
  const ceilingBaseline = { value: ceilingMs, unit: 'ms', what: `engine ceiling, same run: one workflow of shape [${shape.join(', ')}] (no-op batch activities), median of ${CEILING_RUNS}` };
  results.assetDeliveryVsCeiling = measure(ceilingMs / deliveredMs, '×', 'informational', null, { baseline: ceilingBaseline });
  results.assetDeliverySeconds = measure(deliveredMs / 1000, 's', 'informational', null, { baseline: ceilingBaseline });
  row(`asset search of ${institutions.toLocaleString('en')} institutions (${batches} batches): POST answered (requests recorded) / every request delivered`, `${(recordedMs / 1000).toFixed(2)} s / ${(deliveredMs / 1000).toFixed(1)} s, ${(institutions / (deliveredMs / 1000)).toFixed(0)} requests/s`, '');
  row(`engine ceiling: one workflow of shape [${shape.join(', ')}], median of ${CEILING_RUNS} (${ceilingRuns.map((ms) => ms.toFixed(0)).join(', ')} ms)`, `${ceilingMs.toFixed(0)} ms`, '');
  row('asset search delivery / ceiling (ceiling time ÷ ours)', `${(ceilingMs / deliveredMs).toFixed(3)}×`, '');

  // 3. Every institution answers at once: its own API key and Ed25519 seal, keys written directly as an administrator would register them.
  const seals = directory.institutions.map((institution) => ({ code: institution.code, keyId: `${institution.code.toLowerCase()}-seal-1`, key: generateSigningKey('Ed25519'), apiKey: generateApiKey() }));
  await prisma.institutionKey.createMany({ data: seals.map(({ code, keyId, key }) => ({ institutionCode: code, keyId, alg: key.alg, publicKey: key.publicKey, createdBy: 'bench' })) });
  await prisma.apiKey.createMany({ data: seals.map(({ code, apiKey }) => ({ id: randomUUID(), name: `bench ${code}`, role: 'institution', institutionCode: code, keyHash: hashApiKey(apiKey) })) });
  const sealOf = new Map(seals.map((seal) => [seal.code, { apiKey: seal.apiKey, sign: documentSigner({ keyId: seal.keyId, alg: seal.key.alg, privateKey: seal.key.privateKey }) }]));
  // Signed before the clock starts; in random order, as independent institutions answer (not batch by batch).
  const answers = search.requests
    .map((request, index) => {
      const { apiKey, sign } = sealOf.get(request.institutionCode)!;
      const findings = index % 10 === 0 ? [{ kind: 'deposit', account: `6222-${index}`, currency: 'CNY', amountYuan: 1_000, description: 'bench' }] : [];
      const { requestId: _, ...body } = sign({ requestId: request.id, findings });
      return { id: request.id, apiKey, body: JSON.stringify(body), order: Math.random() };
    })
    .sort((a, b) => a.order - b.order);
  say(`asset search: ${institutions} answers, ${clients} institution clients without a pause`);
  const load = await pacedLoad({
    items: answers,
    clients,
    intervalMs: 0,
    seconds: 30 * 60,
    okStatus: 201,
    send: async (answer) => {
      const response = await fetch(`${baseUrl}/api/asset-requests/${answer.id}/answer`, { method: 'POST', headers: { authorization: `Bearer ${answer.apiKey}`, 'content-type': 'application/json' }, body: answer.body });
      await response.arrayBuffer();
      return response.status;
    },
  });
  const lastAnswerAt = performance.now();
  for (;;) {
    const { status } = await prisma.assetSearch.findUniqueOrThrow({ where: { id: search.id }, select: { status: true } });
    if (status === 'completed') break;
    if (performance.now() - lastAnswerAt > 120_000) throw new Error(`asset search: still ${status} 2 minutes after the last answer`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const completedMs = performance.now() - lastAnswerAt;
  results.assetAnswersPerSecond = measure(load.perSecond, '/s', `informational, ${clients} clients without a pause`, null);
  results.assetAnswerP99 = measure(load.p99, 'ms', `informational, ${clients} clients without a pause`, null);
  row(
    `asset answers, ${clients} institution clients without a pause (${load.latencies.length} in ${(load.elapsedMs / 1000).toFixed(1)} s, ${load.errors} errors; statuses ${Object.entries(load.statuses).map(([status, count]) => `${status}: ${count}`).join(', ')}), p50 / p99, throughput`,
    `${load.p50.toFixed(1)} ms / ${load.p99.toFixed(1)} ms, ${load.perSecond.toFixed(0)} /s`,
    '',
  );

  // 4. What the search left in Temporal.
  const history = await client.workflow.getHandle(`asset-search-${search.id}`).fetchHistory();
  const events = history.events?.length ?? 0;
  const bytes = proto.temporal.api.history.v1.History.encode(history).finish().length;
  row('last answer → search completed; its workflow history', `${completedMs.toFixed(0)} ms; ${events} events, ${(bytes / 1024).toFixed(1)} KiB`, '');
  return results;
}
