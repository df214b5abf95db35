// Shared by the hostile-input tests: a raw HTTP client (no URL normalisation,
// any method, any header), the row-count snapshot used to prove that a refused
// request wrote nothing, and a wait for the workflows (listings', asset
// searches', freezes', webhooks') to go quiet.
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { parseCatalog, type Catalog } from '../../domain/catalog.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import type { TestStack } from '../support/stack.js';
import { sleep } from '../support/wait.js';
import { assetSearchWorkflowIdOf, freezeWorkflowIdOf, webhookWorkflowIdOf, workflowIdOf as listingWorkflowIdOf } from '../../workflows/workflow-id.js';

export interface WireRequest {
  method: string;
  /** Sent as is: may hold `..`, percent-encoding, anything ASCII without spaces. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
}

export interface WireResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed body when it is JSON. */
  json: unknown;
  ms: number;
}

/** A request that got no answer: no status, a timeout or a reset. */
export class NoAnswer extends Error {}

/** HTTP/1.1 over keep-alive sockets, a few at a time. */
export class RawClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, maxSockets = 4) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  send(request: WireRequest, timeoutMs = 10_000): Promise<WireResponse> {
    const started = Date.now();
    return new Promise<WireResponse>((resolve, reject) => {
      const headers: Record<string, string> = { ...request.headers };
      if (request.body !== undefined) headers['content-length'] = String(request.body.length);
      const req = httpRequest({ host: this.host, port: this.port, method: request.method, path: request.path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => reject(new NoAnswer(`response broke off: ${error.message}`)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = undefined;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, ms: Date.now() - started });
        });
      });
      // The socket is destroyed on timeout, so the server sees the client go
      // and a hung handler does not keep the server from closing.
      req.setTimeout(timeoutMs, () => req.destroy(new NoAnswer(`no answer within ${timeoutMs} ms`)));
      req.on('error', (error) => reject(error instanceof NoAnswer ? error : new NoAnswer(`${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`)));
      if (request.body !== undefined) req.end(request.body);
      else req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * What the invariant "a refused request writes nothing" compares: the rows of
 * the tables requests write, the newest change to listings and tasks, the
 * asset requests and searches no longer open, the institutions retired, the
 * control orders confirmed (or void) and what a confirmation changes of a
 * freeze (its status, end, renewals and amount deducted), and the row count of
 * every other table (`rows:<table>`), so that a table added later is covered
 * without being named here. The disclosure log is left out:
 * a lawful read is logged, in the background, a moment after its answer. So
 * is the signal outbox: an accepted acknowledgment's row is deleted in the
 * background once the workflow has it (the acknowledgment itself shows in the
 * task and its event), and a refused request writes none.
 */
export type RowSnapshot = {
  listings: number;
  listingsUpdatedAt: string;
  tasks: number;
  tasksUpdatedAt: string;
  events: number;
  notifications: number;
  apiKeys: number;
  revokedKeys: number;
  usedLinkTokens: number;
  inboundReplies: number;
  /** Asset requests answered, or closed with their search: an answer changes a row, it does not add one. */
  settledAssetRequests: number;
  settledAssetSearches: number;
  retiredInstitutions: number;
  /** Control orders no longer open: a confirmation (or a lapse, which voids them) changes a row, it does not add one. */
  settledControlOrders: number;
  /** Freezes by what a confirmation changes: in force, ended, renewed, the amounts frozen and deducted, and their ends. */
  freezesInForce: number;
  freezesEnded: number;
  freezeRenewals: number;
  freezeYuan: string;
  freezeEnds: string;
} & Record<`rows:${string}`, number>;

const NAMED_TABLES = ['Listing', 'Task', 'Event', 'Notification', 'ApiKey', 'UsedLinkToken', 'InboundReply'];
const UNCOMPARED_TABLES = ['_prisma_migrations', 'Disclosure', 'OutboxSignal'];
/**
 * Rows left out of the counts, by table: what the relay schedule writes on its own, whatever requests do (its
 * weekly horizon notice and its one-off backfill mark), and the one row a refusal writes on purpose: an asset
 * answer or a control order's confirmation whose signature does not verify is refused (400) and kept in the
 * search's audit trail as an `answer-refused` or `confirmation-refused` event, so that an institution's
 * failing signer shows.
 */
const REFUSAL_EVENTS = ['answer-refused', 'confirmation-refused'] as const;
const UNCOUNTED_ROWS: Record<string, string> = {
  Setting: `key NOT LIKE 'calendarHorizonNotice:%' AND key <> 'restrictionsBackfilled'`,
  AssetEvent: `type NOT IN (${REFUSAL_EVENTS.map((type) => `'${type}'`).join(', ')})`,
};
const otherTableCounts = new WeakMap<TestStack, Promise<string>>();

/** One SELECT list counting every table not named above, built once per database. */
function otherTableCountsOf(stack: TestStack): Promise<string> {
  let query = otherTableCounts.get(stack);
  if (!query) {
    query = stack.prisma
      .$queryRaw<{ table_name: string }[]>`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
      .then((tables) =>
        tables
          .map(({ table_name: table }) => table)
          .filter((table) => !NAMED_TABLES.includes(table) && !UNCOMPARED_TABLES.includes(table))
          .map((table) => `(SELECT count(*) FROM "${table}"${UNCOUNTED_ROWS[table] ? ` WHERE ${UNCOUNTED_ROWS[table]}` : ''})::int AS "rows:${table}"`)
          .join(', '),
      );
    otherTableCounts.set(stack, query);
  }
  return query;
}

export async function snapshot(stack: TestStack): Promise<RowSnapshot> {
  const others = await otherTableCountsOf(stack);
  const [row] = await stack.prisma.$queryRawUnsafe<RowSnapshot[]>(`
    SELECT
      (SELECT count(*) FROM "Listing")::int AS "listings",
      (SELECT coalesce(max("updatedAt")::text, '') FROM "Listing") AS "listingsUpdatedAt",
      (SELECT count(*) FROM "Task")::int AS "tasks",
      (SELECT coalesce(max("updatedAt")::text, '') FROM "Task") AS "tasksUpdatedAt",
      (SELECT count(*) FROM "Event")::int AS "events",
      (SELECT count(*) FROM "Notification")::int AS "notifications",
      (SELECT count(*) FROM "ApiKey")::int AS "apiKeys",
      (SELECT count(*) FROM "ApiKey" WHERE "revokedAt" IS NOT NULL)::int AS "revokedKeys",
      (SELECT count(*) FROM "UsedLinkToken")::int AS "usedLinkTokens",
      (SELECT count(*) FROM "InboundReply")::int AS "inboundReplies",
      (SELECT count(*) FROM "AssetRequest" WHERE status <> 'open')::int AS "settledAssetRequests",
      (SELECT count(*) FROM "AssetSearch" WHERE status <> 'open')::int AS "settledAssetSearches",
      (SELECT count(*) FROM "Institution" WHERE "retiredAt" IS NOT NULL)::int AS "retiredInstitutions",
      (SELECT count(*) FROM "ControlOrder" WHERE status <> 'open')::int AS "settledControlOrders",
      (SELECT count(*) FROM "Freeze" WHERE status = 'active')::int AS "freezesInForce",
      (SELECT count(*) FROM "Freeze" WHERE "endedAt" IS NOT NULL OR status IN ('released', 'deducted', 'lapsed'))::int AS "freezesEnded",
      (SELECT coalesce(sum(renewals), 0) FROM "Freeze")::int AS "freezeRenewals",
      (SELECT coalesce(sum("amountYuan"), 0)::text || ' frozen, ' || coalesce(sum("deductedYuan"), 0)::text || ' deducted' FROM "Freeze") AS "freezeYuan",
      (SELECT coalesce(sum(extract(epoch FROM until)), 0)::text FROM "Freeze") AS "freezeEnds"${others ? `,
      ${others}` : ''}`);
  return row!;
}

/** The fields that differ between two snapshots, for messages. */
export function snapshotDiff(before: RowSnapshot, after: RowSnapshot): string[] {
  return (Object.keys(before) as (keyof RowSnapshot)[])
    .filter((field) => before[field] !== after[field])
    .map((field) => `${field}: ${before[field]} → ${after[field]}`);
}

/** Tables only a request writes (no workflow ever inserts into them). */
export const REQUEST_ONLY_FIELDS: (keyof RowSnapshot)[] = [
  'listings',
  'apiKeys',
  'revokedKeys',
  'usedLinkTokens',
  'rows:AssetSearch',
  'rows:AssetFinding',
  'rows:InstitutionKey',
  'rows:InstitutionWebhook',
  'rows:InstitutionDirectoryVersion',
  // Orders and freezes are recorded by requests only: their workflows update them (delivered, escalated, lapsed).
  'rows:ControlOrder',
  'rows:Freeze',
];

export interface PendingWork {
  workflowId: string;
  activities: { type: string; attempt: number; lastFailure: string | null }[];
  workflowTask: boolean;
}

/** The activities and workflow tasks a workflow has outstanding (null when it has none or does not run). */
export async function pendingWorkOfWorkflow(stack: TestStack, workflowId: string): Promise<PendingWork | null> {
  try {
    const description = await stack.temporal.workflow.getHandle(workflowId).describe();
    if (description.status.name !== 'RUNNING') return null;
    const activities = (description.raw.pendingActivities ?? []).map((activity) => ({
      type: activity.activityType?.name ?? '?',
      attempt: activity.attempt ?? 0,
      lastFailure: activity.lastFailure?.message ?? null,
    }));
    const workflowTask = Boolean(description.raw.pendingWorkflowTask);
    return activities.length > 0 || workflowTask ? { workflowId, activities, workflowTask } : null;
  } catch {
    return null;
  }
}

/** The activities and workflow tasks a listing's workflow has outstanding. */
export const pendingWorkOf = (stack: TestStack, listingId: string): Promise<PendingWork | null> => pendingWorkOfWorkflow(stack, listingWorkflowIdOf(listingId));

/** An activity that keeps failing: the workflow will not get past it by itself. */
export class StuckWorkflow extends Error {
  constructor(readonly work: PendingWork[]) {
    super(
      `workflow work does not finish: ${work
        .map((w) => `${w.workflowId}: ${w.activities.map((a) => `${a.type} attempt ${a.attempt}: ${(a.lastFailure ?? 'running').replace(/\s+/g, ' ').slice(0, 240)}`).join('; ') || 'workflow task pending'}`)
        .join(' | ')}`,
    );
  }
}

/** The workflow of every freeze recorded so far (each follows its orders and its end). */
export async function freezeWorkflowIds(stack: TestStack): Promise<string[]> {
  return (await stack.prisma.freeze.findMany({ select: { id: true } })).map((freeze) => freezeWorkflowIdOf(freeze.id));
}

/**
 * Waits until the workflows of `listingIds`, and the other workflows named
 * (an asset search's, a freeze's, a webhook's), have nothing outstanding and the row
 * counts hold still; throws StuckWorkflow when an activity keeps failing
 * (attempt ≥ 3) or nothing settles within `timeoutMs`.
 */
export async function settle(stack: TestStack, listingIds: Iterable<string>, timeoutMs = 15_000, otherWorkflowIds: Iterable<string> = []): Promise<RowSnapshot> {
  const workflowIds = [...new Set([...[...listingIds].map(listingWorkflowIdOf), ...otherWorkflowIds])];
  const deadline = Date.now() + timeoutMs;
  let previous = await snapshot(stack);
  for (;;) {
    await sleep(80);
    const pending = (await Promise.all(workflowIds.map((id) => pendingWorkOfWorkflow(stack, id)))).filter((work): work is PendingWork => work !== null);
    const stuck = pending.filter((work) => work.activities.some((activity) => activity.attempt >= 3 && activity.lastFailure));
    if (stuck.length > 0) throw new StuckWorkflow(stuck);
    const current = await snapshot(stack);
    if (pending.length === 0 && snapshotDiff(previous, current).length === 0) return current;
    if (Date.now() > deadline) throw new StuckWorkflow(pending);
    previous = current;
  }
}

/** Ends every workflow of the stack's listings, asset searches, freezes and webhooks, so a wedged one cannot hold up the worker's shutdown. */
export async function terminateWorkflows(stack: TestStack): Promise<void> {
  const listings = await stack.prisma.listing.findMany({ select: { id: true } });
  const searches = await stack.prisma.assetSearch.findMany({ select: { id: true } });
  const hooks = await stack.prisma.webhook.findMany({ select: { id: true } });
  const workflowIds = [
    ...listings.map((listing) => listingWorkflowIdOf(listing.id)),
    ...searches.map((search) => assetSearchWorkflowIdOf(search.id)),
    ...(await freezeWorkflowIds(stack)),
    ...hooks.map((hook) => webhookWorkflowIdOf(hook.id)),
  ];
  await Promise.all(
    workflowIds.map((workflowId) =>
      stack.temporal.workflow
        .getHandle(workflowId)
        .terminate('test finished')
        .catch(() => undefined),
    ),
  );
}

/**
 * Every workflow of a type on the stack's task queue, by id (visibility is eventually consistent: polls until
 * it stops growing). The relay's scheduled runs share the queue; only sanction workflows stand for listings,
 * only asset search workflows for searches.
 */
export async function workflowIdsOnQueue(stack: TestStack, expectAtLeast: number, workflowType = 'sanctionWorkflow'): Promise<Set<string>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ids = new Set<string>();
    for await (const workflow of stack.temporal.workflow.list({ query: `TaskQueue = "${stack.taskQueue}" AND WorkflowType = "${workflowType}"` })) ids.add(workflow.workflowId);
    if (ids.size >= expectAtLeast || Date.now() > deadline) return ids;
    await sleep(250);
  }
}

/** Is this an RFC 9457 answer whose status matches the HTTP status? Returns what is wrong, or null. */
export function problemDefect(response: WireResponse): string | null {
  const type = String(response.headers['content-type'] ?? '');
  if (!/^application\/problem\+json/i.test(type)) return `content-type is "${type}", not application/problem+json`;
  const body = response.json as { status?: unknown; title?: unknown; detail?: unknown } | undefined;
  if (!body || typeof body !== 'object') return 'body is not a JSON object';
  if (body.status !== response.status) return `body.status ${JSON.stringify(body.status)} ≠ HTTP ${response.status}`;
  if (typeof body.title !== 'string' || body.title === '') return 'no title';
  if (typeof body.detail !== 'string') return 'no detail';
  return null;
}

/**
 * The two-department catalog with one change: the measure that applied to
 * individuals through D06 goes to D05 instead. An individual's listing then
 * has a D05 task and no D06 task, so "a department reading a listing it has
 * no task in" can be tested; an entity's listing still has both.
 */
export function catalogWithIndividualsAtD05(): Catalog {
  const base = twoDepartmentCatalog();
  return parseCatalog({
    ...base,
    measures: base.measures.map((measure) =>
      measure.applies_to.includes('individual') ? { ...measure, departments: ['D05'] } : measure,
    ),
  });
}

/** Distinct client addresses (the app trusts X-Forwarded-For from loopback), so one caller's refusals do not rate-limit another. */
export function clientAddress(pool: number, index: number): string {
  return `10.${pool}.${(index >> 8) & 255}.${index & 255}`;
}

/** Teardown of an abuse test file: the raw client, then every workflow the fuzzing left behind, then the stack. */
export async function stopAbuseStack(stack: TestStack | undefined, client: { close(): void } | undefined): Promise<void> {
  client?.close();
  if (!stack) return;
  await terminateWorkflows(stack);
  await stack.stop();
}
