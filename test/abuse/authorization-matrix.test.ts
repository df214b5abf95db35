// Who may do what: every caller × every endpoint of the README's table (and
// the public documents, the asset answer link, and the control orders,
// freezes and their supervision), on its own and on others'
// resources, with the expected status written out. Every refusal under /api is problem+json and
// writes nothing; so is every read. Then what each caller sees inside an
// allowed answer, and the same rules on the dashboard's pages and buttons.
import { parseSetCookie } from 'cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../app/api-keys.js';
import { defaultInstitutionDirectory, type InstitutionDirectory } from '../../domain/institutions.js';
import { createAssetAnswerToken } from '../../platform/signed-tokens.js';
import { createKeyring } from '../../platform/signing.js';
import { generateSigningKey, signDocument, type SigningKey } from '../../platform/signed-documents.js';
import { assetSearchWorkflowIdOf, freezeWorkflowIdOf } from '../../workflows/workflow-id.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';
import { VALID_CREDIT_CODE, creditCode, entityListing, individualListing, residentId } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';
import {
  RawClient,
  catalogWithIndividualsAtD05,
  clientAddress,
  freezeWorkflowIds,
  problemDefect,
  settle,
  snapshot,
  snapshotDiff,
  stopAbuseStack,
  type WireResponse,
} from './harness.js';

const COURT_A = 'NX-YC-01';
const COURT_B = 'NX-YC-02';
/** Three institutions of the shipped directory: X and Y have keys; an administrator's import adds a fourth. */
const [INSTITUTION_X, INSTITUTION_Y, INSTITUTION_Z, INSTITUTION_W] = defaultInstitutionDirectory.institutions;
const X = INSTITUTION_X!.code;
const Y = INSTITUTION_Y!.code;
const directory: InstitutionDirectory = { region: 'matrix', institutions: [INSTITUTION_X!, INSTITUTION_Y!, INSTITUTION_Z!] };
const LINK_SECRET = 'test-secret'; // the stack's ACK token secret

/** The callers, in the order of the matrix's columns: "insX" and "insY" are keys of institutions X and Y. */
const WHO = ['clerkA', 'clerkB', 'clerk*', 'D05', 'D06', 'supervisor', 'admin', 'insX', 'insY', 'no key', 'unknown', 'revoked'] as const;
type Who = (typeof WHO)[number];

interface Resources {
  /** Court A's entity listing: a D05 and a D06 task. */
  A: string;
  /** Court B's entity listing: a D05 and a D06 task. */
  B: string;
  /** Court A's individual listing: a D05 task only. */
  I: string;
  tasks: { A05: string; A06: string; B05: string; B06: string; I05: string };
  /** Court A's asset search (SA) asks X and Y (requests RX, RY); court B's (SB) asks X. */
  assets: { SA: string; SB: string; RX: string; RY: string; linkRY: string };
  /** D05's webhook, and X's. */
  hooks: { W05: string; WX: string };
  /**
   * Control: findings of court A's answered search (FA1, FA2 to freeze in the matrix) and of court B's (FB1, FB2);
   * OX, the freeze of a third finding of court A, ordered and awaiting X's confirmation; LC, court A's listing of
   * that search's case and debtor, whose freeze the matrix releases.
   */
  control: { FA1: string; FA2: string; FB1: string; FB2: string; OX: string; LC: string };
}

interface Call {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  /** Sent as a form, not JSON (the asset answer link's page). */
  form?: Record<string, string>;
}

type Expected = [number, number, number, number, number, number, number, number, number, number, number, number];
type Row = [label: string, call: (r: Resources, who: Who) => Call, expected: Expected];

let unique = 0;
const nextCase = (court: string) => `（2026）${court === COURT_A ? '宁01' : '宁02'}执${5000 + ++unique}号`;
const newListing = (court: string) => entityListing({ courtCode: court, caseNumber: nextCase(court), debtor: { kind: 'entity', name: `矩阵公司${unique}`, idNumber: creditCode(50_000 + unique) } });

const get = (path: (r: Resources) => string) => (r: Resources): Call => ({ method: 'GET', path: path(r) });
const post = (path: (r: Resources) => string, body: (r: Resources) => unknown) => (r: Resources): Call => ({ method: 'POST', path: path(r), body: body(r) });
const remove = (path: (r: Resources) => string) => (r: Resources): Call => ({ method: 'DELETE', path: path(r) });
const postForm = (path: (r: Resources) => string, form: Record<string, string>) => (r: Resources): Call => ({ method: 'POST', path: path(r), form });

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const newSearch = (court: string) => ({ caseNumber: nextCase(court), courtCode: court, debtor: { kind: 'entity', name: `查控公司${unique}`, idNumber: creditCode(60_000 + unique) }, institutions: [X, Y] });
/** X's signing key, registered before the matrix runs. */
let xSeal: SigningKey;
const X_KEY_ID = 'x-seal-1';
/** X's signed answer to a request: the signature covers the findings and the request id. */
const answerOfX = (requestId: string) => {
  const { requestId: _, ...body } = signDocument({ requestId, findings: [{ kind: 'deposit', amountYuan: 1000, description: '活期存款' }] }, { keyId: X_KEY_ID, alg: 'Ed25519', privateKey: xSeal.privateKey });
  return body;
};
let hookUrl: string;
/** X's signed confirmation of an order: the signature covers the body without signature and keyId, with the order id. */
const confirmationOfX = (orderId: string) => {
  const { orderId: _, ...body } = signDocument({ orderId, amountYuan: 50_000, reference: `X-F-${orderId.slice(0, 8)}`, effectiveAt: new Date().toISOString() }, { keyId: X_KEY_ID, alg: 'Ed25519', privateKey: xSeal.privateKey });
  return body;
};
/** A freeze order of a finding: a caller allowed to order freezes a finding of its own (clerk* one of its own), so that each allowed call succeeds. */
const freezeOf = (own: Record<string, (r: Resources) => string>, others: (r: Resources) => string) => (r: Resources, who: Who): Call => ({
  method: 'POST',
  path: '/api/control-orders',
  body: { findingId: (own[who] ?? others)(r), action: 'freeze', officerEmail: 'officer@court.example' },
});

/*
 * The expected status of every call for every caller. Rows that change state
 * are listed in the order their allowed calls must run (extend before the
 * impose tasks are done and before lifting, acknowledge before complete). "clerk*" is a clerk key bound to no court:
 * it lists for any court it names and reads every court's listings.
 */
const MATRIX: Row[] = [
  //                                                                                                                           clkA clkB clk* D05  D06  sup  adm  insX insY none unk  rev
  ['GET  /healthz', get(() => '/healthz'),                                                                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]],
  ['GET  /api/openapi.json', get(() => '/api/openapi.json'),                                                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]],
  ['GET  /api/docs/', get(() => '/api/docs/'),                                                                                  [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]],
  ['GET  /api/catalog', get(() => '/api/catalog'),                                                                              [200, 200, 200, 200, 200, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/listings', get(() => '/api/listings'),                                                                            [200, 200, 200, 200, 200, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/listings/:A (court A)', get((r) => `/api/listings/${r.A}`),                                                       [200, 403, 200, 200, 200, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/listings/:B (court B)', get((r) => `/api/listings/${r.B}`),                                                       [403, 200, 200, 200, 200, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/listings/:I (no D06 task)', get((r) => `/api/listings/${r.I}`),                                                   [200, 403, 200, 200, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/listings/:unknown', get(() => '/api/listings/00000000-0000-4000-8000-000000000000'),                              [404, 404, 404, 404, 404, 404, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/listings/:A/events', get((r) => `/api/listings/${r.A}/events`),                                                   [200, 403, 200, 200, 200, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/listings/:B/events', get((r) => `/api/listings/${r.B}/events`),                                                   [403, 200, 200, 200, 200, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/listings/:I/events', get((r) => `/api/listings/${r.I}/events`),                                                   [200, 403, 200, 200, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/listings/:A/events/verification', get((r) => `/api/listings/${r.A}/events/verification`),                         [200, 403, 200, 200, 200, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/listings/:B/events/verification', get((r) => `/api/listings/${r.B}/events/verification`),                         [403, 200, 200, 200, 200, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/listings/:I/events/verification', get((r) => `/api/listings/${r.I}/events/verification`),                         [200, 403, 200, 200, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/tasks', get(() => '/api/tasks'),                                                                                  [200, 200, 200, 200, 200, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/tasks?departmentCode=D05', get(() => '/api/tasks?departmentCode=D05'),                                            [200, 200, 200, 200, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/tasks?departmentCode=D06', get(() => '/api/tasks?departmentCode=D06'),                                            [200, 200, 200, 403, 200, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/supervision/overdue', get(() => '/api/supervision/overdue'),                                                      [403, 403, 403, 403, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/supervision/stats', get(() => '/api/supervision/stats'),                                                          [403, 403, 403, 403, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/supervision/declined', get(() => '/api/supervision/declined'),                                                    [403, 403, 403, 403, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/supervision/awaiting-verification', get(() => '/api/supervision/awaiting-verification'),                          [403, 403, 403, 403, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/task-extensions', get(() => '/api/task-extensions'),                                                              [403, 403, 403, 403, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/catalog/suggestions', get(() => '/api/catalog/suggestions'),                                                      [403, 403, 403, 403, 403, 200, 200, 403, 403, 401, 401, 401]],
  ['GET  /api/ledger', get(() => '/api/ledger'),                                                                                [403, 403, 403, 403, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/rates', get(() => '/api/rates'),                                                                                  [403, 403, 403, 200, 200, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/rates?departmentCode=D06', get(() => '/api/rates?departmentCode=D06'),                                            [403, 403, 403, 403, 200, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/institutions', get(() => '/api/institutions'),                                                                    [200, 200, 200, 403, 403, 200, 200, 200, 200, 401, 401, 401]],
  ['GET  /api/signing-keys', get(() => `/api/signing-keys?courtCode=${COURT_B}`),                                               [200, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 401]],
  ['GET  /api/asset-searches', get(() => '/api/asset-searches'),                                                                [200, 200, 200, 403, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/asset-searches/:SA (court A)', get((r) => `/api/asset-searches/${r.assets.SA}`),                                  [200, 403, 200, 403, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/asset-searches/:SB (court B)', get((r) => `/api/asset-searches/${r.assets.SB}`),                                  [403, 200, 200, 403, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/asset-searches/:unknown', get(() => `/api/asset-searches/${UNKNOWN_ID}`),                                         [404, 404, 404, 403, 403, 404, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/asset-requests', get(() => '/api/asset-requests'),                                                                [403, 403, 403, 403, 403, 403, 403, 200, 200, 401, 401, 401]],
  ['GET  /api/asset-requests?status=overdue', get(() => '/api/asset-requests?status=overdue'),                                  [403, 403, 403, 403, 403, 403, 403, 200, 200, 401, 401, 401]],
  ['GET  /api/control-orders', get(() => '/api/control-orders'),                                                              [200, 200, 200, 403, 403, 200, 403, 200, 200, 401, 401, 401]],
  ['GET  /api/control-orders?status=open', get(() => '/api/control-orders?status=open'),                                      [200, 200, 200, 403, 403, 200, 403, 200, 200, 401, 401, 401]],
  ['GET  /api/supervision/freezes', get(() => '/api/supervision/freezes'),                                                    [200, 200, 200, 403, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/supervision/freezes?expiringWithinDays=400', get(() => '/api/supervision/freezes?expiringWithinDays=400'),      [200, 200, 200, 403, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/supervision/asset-overdue', get(() => '/api/supervision/asset-overdue'),                                        [200, 200, 200, 403, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/supervision/asset-stats', get(() => '/api/supervision/asset-stats'),                                            [200, 200, 200, 403, 403, 200, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/supervision/asset-stats?month=2026-13', get(() => '/api/supervision/asset-stats?month=2026-13'),                [400, 400, 400, 403, 403, 400, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/webhooks', get(() => '/api/webhooks'),                                                                            [403, 403, 403, 200, 200, 403, 403, 200, 200, 401, 401, 401]],
  ['GET  /api/webhooks/:W05/deliveries', get((r) => `/api/webhooks/${r.hooks.W05}/deliveries`),                                 [403, 403, 403, 200, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['GET  /api/webhooks/:WX/deliveries', get((r) => `/api/webhooks/${r.hooks.WX}/deliveries`),                                   [403, 403, 403, 404, 404, 403, 403, 403, 403, 401, 401, 401]],
  ['GET  /asset-answers/:RY (email link)', get((r) => `/asset-answers/${r.assets.linkRY}`),                                     [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]],
  ['GET  /asset-answers/:forged', get((r) => `/asset-answers/${r.assets.linkRY.slice(0, -2)}xx`),                               [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]],
  ['POST /api/api-keys', post(() => '/api/api-keys', () => ({ name: `matrix ${++unique}`, role: 'supervisor' })),               [403, 403, 403, 403, 403, 403, 201, 403, 403, 401, 401, 401]],
  ['GET  /api/api-keys', get(() => '/api/api-keys'),                                                                            [403, 403, 403, 403, 403, 403, 200, 403, 403, 401, 401, 401]],
  ['POST /api/listings (court A)', post(() => '/api/listings', () => newListing(COURT_A)),                                     [201, 403, 201, 403, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/listings (court B)', post(() => '/api/listings', () => newListing(COURT_B)),                                     [403, 201, 201, 403, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/listings/:A/extension', post((r) => `/api/listings/${r.A}/extension`, () => ({ extensionYears: 1, reason: '延长' })), [200, 403, 200, 403, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/listings/:B/extension', post((r) => `/api/listings/${r.B}/extension`, () => ({ extensionYears: 1, reason: '延长' })), [403, 200, 200, 403, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/tasks/:A05/acknowledge', post((r) => `/api/tasks/${r.tasks.A05}/acknowledge`, () => ({ by: '王五' })),            [403, 403, 403, 200, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/tasks/:A06/acknowledge', post((r) => `/api/tasks/${r.tasks.A06}/acknowledge`, () => ({ by: '赵六' })),            [403, 403, 403, 403, 200, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/tasks/:B05/acknowledge', post((r) => `/api/tasks/${r.tasks.B05}/acknowledge`, () => ({ by: '王五' })),            [403, 403, 403, 200, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/tasks/:I05/acknowledge', post((r) => `/api/tasks/${r.tasks.I05}/acknowledge`, () => ({ by: '王五' })),            [403, 403, 403, 200, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/tasks/:A05/complete', post((r) => `/api/tasks/${r.tasks.A05}/complete`, () => ({ by: '王五', reference: 'R-5' })), [403, 403, 403, 200, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/tasks/:A06/complete', post((r) => `/api/tasks/${r.tasks.A06}/complete`, () => ({ by: '赵六', reference: 'R-6' })), [403, 403, 403, 403, 200, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/tasks/:B06/complete', post((r) => `/api/tasks/${r.tasks.B06}/complete`, () => ({ by: '赵六' })),                  [403, 403, 403, 403, 200, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/tasks/:unknown/acknowledge', post(() => '/api/tasks/00000000-0000-4000-8000-000000000000/acknowledge', () => ({ by: 'x' })), [403, 403, 403, 404, 404, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/listings/:A/performance', post((r) => `/api/listings/${r.A}/performance`, () => ({ note: '已履行' })),            [202, 403, 202, 403, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/listings/:B/revocation', post((r) => `/api/listings/${r.B}/revocation`, () => ({ reason: '撤销' })),              [403, 202, 202, 403, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/listings/:I/revocation', post((r) => `/api/listings/${r.I}/revocation`, () => ({ reason: '撤销' })),              [202, 403, 202, 403, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/institutions', post(() => '/api/institutions', () => ({ ...directory, institutions: [...directory.institutions, INSTITUTION_W!] })), [403, 403, 403, 403, 403, 403, 201, 403, 403, 401, 401, 401]],
  ['POST /api/institutions/:X/keys', post(() => `/api/institutions/${X}/keys`, () => ({ keyId: `matrix-${++unique}`, publicKey: generateSigningKey('Ed25519').publicKey })), [403, 403, 403, 403, 403, 403, 201, 201, 403, 401, 401, 401]],
  ['POST /api/institutions/:unknown/keys', post(() => '/api/institutions/NOPE/keys', () => ({ keyId: `matrix-${++unique}`, publicKey: generateSigningKey('Ed25519').publicKey })), [403, 403, 403, 403, 403, 403, 404, 403, 403, 401, 401, 401]],
  ['POST /api/webhooks', post(() => '/api/webhooks', () => ({ url: hookUrl, description: `matrix ${++unique}` })),              [403, 403, 403, 201, 201, 403, 403, 201, 201, 401, 401, 401]],
  ['POST /api/asset-searches (court A)', post(() => '/api/asset-searches', () => newSearch(COURT_A)),                           [201, 403, 201, 403, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/asset-searches (court B)', post(() => '/api/asset-searches', () => newSearch(COURT_B)),                           [403, 201, 201, 403, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/asset-requests/:RX/answer', post((r) => `/api/asset-requests/${r.assets.RX}/answer`, (r) => answerOfX(r.assets.RX)),                 [403, 403, 403, 403, 403, 403, 403, 201, 403, 401, 401, 401]],
  ['POST /api/asset-requests/:unknown/answer', post(() => `/api/asset-requests/${UNKNOWN_ID}/answer`, () => answerOfX(UNKNOWN_ID)), [403, 403, 403, 403, 403, 403, 403, 404, 404, 401, 401, 401]],
  ['POST /asset-answers/:RY (email link)', postForm((r) => `/asset-answers/${r.assets.linkRY}`, { kind0: 'vehicle', description0: '小型轿车一辆' }), [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]],
  ['POST /api/control-orders (court A)', freezeOf({ clerkA: (r) => r.control.FA1, 'clerk*': (r) => r.control.FA2 }, (r) => r.control.FA1), [201, 403, 201, 403, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/control-orders (court B)', freezeOf({ clerkB: (r) => r.control.FB1, 'clerk*': (r) => r.control.FB2 }, (r) => r.control.FB1), [403, 201, 201, 403, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/control-orders (unknown finding)', post(() => '/api/control-orders', () => ({ findingId: UNKNOWN_ID, action: 'freeze' })), [400, 400, 400, 403, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/control-orders/:OX/confirm', post((r) => `/api/control-orders/${r.control.OX}/confirm`, (r) => confirmationOfX(r.control.OX)), [403, 403, 403, 403, 403, 403, 403, 201, 403, 401, 401, 401]],
  ['POST /api/control-orders/:unknown/confirm', post(() => `/api/control-orders/${UNKNOWN_ID}/confirm`, () => confirmationOfX(UNKNOWN_ID)), [403, 403, 403, 403, 403, 403, 403, 404, 404, 401, 401, 401]],
  ['POST /api/listings/:LC/freeze-releases', post((r) => `/api/listings/${r.control.LC}/freeze-releases`, () => ({ reason: 'performance' })), [201, 403, 201, 403, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/listings/:unknown/freeze-releases', post(() => `/api/listings/${UNKNOWN_ID}/freeze-releases`, () => ({})),     [404, 404, 404, 403, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['POST /api/asset-searches/:SA/close', post((r) => `/api/asset-searches/${r.assets.SA}/close`, () => ({})),                   [200, 403, 200, 403, 403, 403, 403, 403, 403, 401, 401, 401]],
  ['DELETE /api/webhooks/:WX', remove((r) => `/api/webhooks/${r.hooks.WX}`),                                                    [403, 403, 403, 404, 404, 403, 403, 204, 403, 401, 401, 401]],
  ['DELETE /api/webhooks/:W05', remove((r) => `/api/webhooks/${r.hooks.W05}`),                                                  [403, 403, 403, 204, 403, 403, 403, 404, 404, 401, 401, 401]],
];

let stack: TestStack;
let client: RawClient;
let keys: Record<Who, string | null>;
let resources: Resources;
/** Listings of the dashboard checks, untouched by the matrix's writes. */
let board: { listing: string; caseNumber: string; d05: string; d06: string; individual: string; individualCase: string };
let requestNumber = 0;
/** Failed authentications are counted per key too: the matrix's calls with a revoked key are spread over several, an unknown key is new each time. */
let revokedKeys: string[];
let revokedUses = 0;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;

beforeAll(async () => {
  stack = await startTestStack({ catalog: catalogWithIndividualsAtD05(), institutions: directory });
  receiver = await startWebhookReceiver();
  hookUrl = receiver.url;
  client = new RawClient(stack.apiUrl, 2);
  revokedKeys = [];
  for (let i = 0; i < 3; i++) {
    const key = await stack.key('clerk', { courtCode: COURT_A });
    await stack.prisma.apiKey.update({ where: { keyHash: hashApiKey(key) }, data: { revokedAt: new Date() } });
    revokedKeys.push(key);
  }
  const revoked = revokedKeys[0]!;
  keys = {
    clerkA: await stack.key('clerk', { courtCode: COURT_A }),
    clerkB: await stack.key('clerk', { courtCode: COURT_B }),
    'clerk*': await stack.key('clerk'),
    D05: await stack.key('department', { departmentCode: 'D05' }),
    D06: await stack.key('department', { departmentCode: 'D06' }),
    supervisor: await stack.key('supervisor'),
    admin: stack.adminKey,
    insX: await stack.key('institution', { institutionCode: X }),
    insY: await stack.key('institution', { institutionCode: Y }),
    'no key': null,
    unknown: 'jsc_Zm9yZ2VkLWtleS10aGF0LWRvZXMtbm90LWV4aXN0LWF0LWFsbA',
    revoked,
  };
  const A = await list(stack, keys.clerkA!, newListing(COURT_A));
  const B = await list(stack, keys.clerkB!, newListing(COURT_B));
  const I = await list(stack, keys.clerkA!, individualListing({ caseNumber: nextCase(COURT_A) }));
  const boardCase = nextCase(COURT_A);
  const boardListing = await list(stack, keys.clerkA!, entityListing({ caseNumber: boardCase, debtor: { kind: 'entity', name: '看板公司', idNumber: VALID_CREDIT_CODE } }));
  const individualCase = nextCase(COURT_A);
  const boardIndividual = await list(stack, keys.clerkA!, individualListing({ caseNumber: individualCase, debtor: { kind: 'individual', name: '看板个人', idNumber: residentId('19750505', 55) } }));
  const byDepartment = async (id: string, count: number) => {
    const tasks = await tasksOf(stack, id, 'impose', count);
    expect(tasks.map((task) => task.departmentCode)).toEqual(count === 2 ? ['D05', 'D06'] : ['D05']);
    return Object.fromEntries(tasks.map((task) => [task.departmentCode, task.id])) as Record<'D05' | 'D06', string>;
  };
  const [a, b, i, d] = [await byDepartment(A, 2), await byDepartment(B, 2), await byDepartment(I, 1), await byDepartment(boardListing, 2)];
  await byDepartment(boardIndividual, 1);
  board = { listing: boardListing, caseNumber: boardCase, d05: d.D05, d06: d.D06, individual: boardIndividual, individualCase };

  // Asset searches: court A's asks X and Y, court B's asks X; X signs with a key it registered.
  xSeal = generateSigningKey('Ed25519');
  expect((await stack.request('POST', `/api/institutions/${X}/keys`, { key: keys.insX!, body: { keyId: X_KEY_ID, publicKey: xSeal.publicKey } })).status).toBe(201);
  const searchOf = async (clerk: string, court: string) => {
    const created = await stack.request('POST', '/api/asset-searches', { key: clerk, body: newSearch(court) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { id: string; requests: { id: string; institutionCode: string }[] };
  };
  const SA = await searchOf(keys.clerkA!, COURT_A);
  const SB = await searchOf(keys.clerkB!, COURT_B);
  const requestOf = (code: string) => SA.requests.find((request) => request.institutionCode === code)!.id;
  const linkRY = createAssetAnswerToken(createKeyring(LINK_SECRET), { requestId: requestOf(Y), expiresAt: Math.floor(Date.now() / 1000) + 3600 });
  const hookOf = async (key: string) => {
    const created = await stack.request('POST', '/api/webhooks', { key, body: { url: hookUrl } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  };
  const hooks = { W05: await hookOf(keys.D05!), WX: await hookOf(keys.insX!) };

  // Control: a search of each court that X answered with deposits; court A's case and debtor are listed too.
  const controlCase = nextCase(COURT_A);
  const controlDebtor = { kind: 'entity', name: '查控冻结公司', idNumber: creditCode(70_000 + unique) };
  const LC = await list(stack, keys.clerkA!, entityListing({ courtCode: COURT_A, caseNumber: controlCase, debtor: controlDebtor }));
  const depositsOf = async (clerk: string, court: string, caseNumber: string, debtor: unknown, count: number): Promise<string[]> => {
    const created = await stack.request('POST', '/api/asset-searches', { key: clerk, body: { caseNumber, courtCode: court, debtor, institutions: [X] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const requestId = created.body.requests[0].id as string;
    const { requestId: _, ...answer } = signDocument(
      { requestId, findings: Array.from({ length: count }, (_, n) => ({ kind: 'deposit', account: `6222-${n}`, amountYuan: 100_000, description: `存款 ${n}` })) },
      { keyId: X_KEY_ID, alg: 'Ed25519', privateKey: xSeal.privateKey },
    );
    const answered = await stack.request('POST', `/api/asset-requests/${requestId}/answer`, { key: keys.insX!, body: answer });
    expect(answered.status, JSON.stringify(answered.body)).toBe(201);
    return (answered.body.findings as { id: string; account: string }[]).sort((x, y) => x.account.localeCompare(y.account)).map((finding) => finding.id);
  };
  const [FA1, FA2, FA3] = await depositsOf(keys.clerkA!, COURT_A, controlCase, controlDebtor, 3);
  const [FB1, FB2] = await depositsOf(keys.clerkB!, COURT_B, nextCase(COURT_B), { kind: 'entity', name: '查控乙公司', idNumber: creditCode(71_000 + unique) }, 2);
  const ordered = await stack.request('POST', '/api/control-orders', { key: keys.clerkA!, body: { findingId: FA3, action: 'freeze', amountYuan: 50_000 } });
  expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
  const control = { FA1: FA1!, FA2: FA2!, FB1: FB1!, FB2: FB2!, OX: ordered.body.id as string, LC };
  resources = { A, B, I, tasks: { A05: a.D05, A06: a.D06, B05: b.D05, B06: b.D06, I05: i.D05 }, assets: { SA: SA.id, SB: SB.id, RX: requestOf(X), RY: requestOf(Y), linkRY }, hooks, control };
  // Every notice of the searches delivered (by email: X's webhook came after them) before the matrix reads.
  await waitUntil(async () => (await stack.prisma.assetRequest.count({ where: { deliveredAt: null } })) === 0, 'the searches delivered');
  await settleEverything();
});

/**
 * Waits for the workflows of every listing, search and freeze to have nothing
 * outstanding, and for every department webhook to have delivered each change
 * of its feed (its workflow always waits for the next one, so it is never idle).
 */
async function settleEverything() {
  const settleWorkflows = async () => {
    const listings = await stack.prisma.listing.findMany({ select: { id: true } });
    const searches = await stack.prisma.assetSearch.findMany({ select: { id: true } });
    return settle(stack, listings.map((listing) => listing.id), 15_000, [...searches.map((search) => assetSearchWorkflowIdOf(search.id)), ...(await freezeWorkflowIds(stack))]);
  };
  await settleWorkflows();
  await waitUntil(async () => {
    for (const hook of await stack.prisma.webhook.findMany({ where: { deletedAt: null } })) {
      const last = await stack.prisma.restrictionChange.findFirst({ where: { seq: { gt: hook.startedAfter }, departmentCodes: { has: hook.departmentCode } }, orderBy: { seq: 'desc' } });
      if (last && !(await stack.prisma.webhookDelivery.findFirst({ where: { webhookId: hook.id, seq: last.seq, status: 'delivered' } }))) return false;
    }
    return true;
  }, 'every webhook delivered its changes');
  return settleWorkflows();
}

afterAll(async () => {
  await stopAbuseStack(stack, client);
  await receiver?.stop();
}, 60_000);

/** Each request from its own client address and wrong key, so the 401s of the keyless columns never trip the failure limiter. */
async function call(who: Who, { method, path, body, form }: Call): Promise<WireResponse> {
  const key = who === 'unknown' ? `${keys.unknown}${requestNumber}` : who === 'revoked' ? revokedKeys[revokedUses++ % revokedKeys.length]! : keys[who];
  const sent = form ? new URLSearchParams(form).toString() : body !== undefined ? JSON.stringify(body) : undefined;
  return client.send({
    method,
    path,
    headers: {
      'x-forwarded-for': clientAddress(30, ++requestNumber),
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(sent !== undefined ? { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' } : {}),
    },
    body: sent !== undefined ? Buffer.from(sent) : undefined,
  });
}

const isRead = (call: Call) => call.method === 'GET';

describe('the authorization matrix', () => {
  it(`answers each of the ${MATRIX.length} × ${WHO.length} calls as the table says; refusals are problem+json and write nothing`, async () => {
    const cells = MATRIX.flatMap(([label, make, expected]) => WHO.map((who, column) => ({ label, make, who, expected: expected[column]! })));
    const mismatches: string[] = [];
    const record = (cell: (typeof cells)[number], response: WireResponse, note = '') => {
      if (response.status !== cell.expected) mismatches.push(`${cell.label} as ${cell.who}: expected ${cell.expected}, got ${response.status} ${response.text.slice(0, 160)}${note}`);
      if (response.status >= 400 && cell.make(resources, cell.who).path.startsWith('/api/')) {
        const defect = problemDefect(response);
        if (defect) mismatches.push(`${cell.label} as ${cell.who}: ${response.status} is not problem+json (${defect})`);
      }
    };

    // 1. Refusals and reads first, each on its own: nothing may change.
    for (const cell of cells.filter((c) => c.expected >= 400 || isRead(c.make(resources, c.who)))) {
      const before = await snapshot(stack);
      const response = await call(cell.who, cell.make(resources, cell.who));
      const diff = snapshotDiff(before, await snapshot(stack));
      record(cell, response, diff.length > 0 ? ` — and it wrote ${diff.join(', ')}` : '');
      if (diff.length > 0 && response.status === cell.expected) mismatches.push(`${cell.label} as ${cell.who}: answered ${response.status} but wrote ${diff.join(', ')}`);
    }

    // 2. Then the allowed writes, in the table's order.
    for (const cell of cells.filter((c) => c.expected < 400 && !isRead(c.make(resources, c.who)))) {
      record(cell, await call(cell.who, cell.make(resources, cell.who)));
    }
    expect(mismatches).toEqual([]);
  });
});

describe('what each caller sees in an allowed answer', () => {
  // The matrix's lifts dispatch lift tasks after answering, and its searches deliver their notices: let them land first.
  beforeAll(async () => {
    await settleEverything();
  });

  const json = async (who: Who, path: string) => {
    const response = await call(who, { method: 'GET', path });
    expect(response.status, `${who} GET ${path}: ${response.text.slice(0, 200)}`).toBe(200);
    return response.json as any;
  };

  it('a court-bound clerk lists its own court only; a department lists only listings it has a task in', async () => {
    const ids = async (who: Who) => new Set((await json(who, '/api/listings?limit=200')).items.map((item: { id: string }) => item.id));
    const clerkA = await ids('clerkA');
    expect([clerkA.has(resources.A), clerkA.has(resources.I), clerkA.has(resources.B)]).toEqual([true, true, false]);
    const clerkB = await ids('clerkB');
    expect([clerkB.has(resources.A), clerkB.has(resources.I), clerkB.has(resources.B)]).toEqual([false, false, true]);
    const d06 = await ids('D06');
    expect([d06.has(resources.A), d06.has(resources.B), d06.has(resources.I)]).toEqual([true, true, false]);
  });

  it('a department sees its own tasks of a listing, its own events, and its subjects’ identifiers in full', async () => {
    for (const [who, own] of [['D05', 'D05'], ['D06', 'D06']] as const) {
      const listing = await json(who, `/api/listings/${resources.A}`);
      expect(new Set(listing.tasks.map((task: { departmentCode: string }) => task.departmentCode))).toEqual(new Set([own]));
      const stored = await stack.prisma.listing.findUniqueOrThrow({ where: { id: resources.A } });
      // Its systems apply the measures by that number (each such view is logged for supervisors).
      expect(listing.debtor.idNumber).toBe(stored.debtorIdNumber);
      const ownTaskIds = new Set(listing.tasks.map((task: { id: string }) => task.id));
      const events = await json(who, `/api/listings/${resources.A}/events`);
      expect(events.every((event: { taskId: string | null }) => event.taskId !== null && ownTaskIds.has(event.taskId))).toBe(true);
      const tasks = await json(who, '/api/tasks');
      expect(new Set(tasks.map((task: { departmentCode: string }) => task.departmentCode))).toEqual(new Set([own]));
    }
    const listed = await json('D05', '/api/listings');
    expect(listed.items.length).toBeGreaterThan(0);
    expect(listed.items.every((item: { debtor: { idNumber: string } }) => !item.debtor.idNumber.includes('*'))).toBe(true);
    // So does everyone else who may see the listing.
    expect((await json('supervisor', `/api/listings/${resources.A}`)).debtor.idNumber).not.toContain('*');
  });

  it('a court-bound clerk sees only the tasks of its own court’s listings', async () => {
    const tasks: { listingId: string }[] = await json('clerkB', '/api/tasks');
    const courtA = new Set([resources.A, resources.I, board.listing, board.individual]);
    expect(tasks.filter((task) => courtA.has(task.listingId))).toEqual([]);
  });

  it('an institution lists only its own requests and subscriptions; a court-bound clerk only its court’s searches', async () => {
    for (const [who, code] of [['insX', X], ['insY', Y]] as const) {
      const requests: { id: string; institutionCode: string; document: { institutionCode: string } }[] = await json(who, '/api/asset-requests');
      expect(requests.length).toBeGreaterThan(0);
      expect(new Set(requests.map((request) => request.institutionCode))).toEqual(new Set([code]));
      expect(requests.every((request) => request.document.institutionCode === code)).toBe(true);
      const hooks: { institutionCode: string }[] = await json(who, '/api/webhooks');
      expect(hooks.every((hook) => hook.institutionCode === code)).toBe(true);
    }
    const rows = await stack.prisma.assetSearch.findMany({ select: { id: true, courtCode: true } });
    const listed = async (who: Who) => new Set((await json(who, '/api/asset-searches')).map((search: { id: string }) => search.id));
    const clerkB = await listed('clerkB');
    expect(rows.filter((row) => clerkB.has(row.id)).every((row) => row.courtCode === COURT_B)).toBe(true);
    expect(clerkB.has(resources.assets.SB)).toBe(true);
    expect(await listed('supervisor')).toEqual(new Set(rows.map((row) => row.id)));
    // The answers of the matrix are there for the court that searched.
    const search = await json('clerkA', `/api/asset-searches/${resources.assets.SA}`);
    expect(search.requests.map((request: { institutionCode: string; answeredVia: string | null }) => [request.institutionCode, request.answeredVia])).toEqual([[X, 'api'], [Y, 'link']].sort());
  });
});

describe('what each caller sees of control orders and freezes', () => {
  const json = async (who: Who, path: string) => {
    const response = await call(who, { method: 'GET', path });
    expect(response.status, `${who} GET ${path}: ${response.text.slice(0, 200)}`).toBe(200);
    return response.json as any;
  };

  it('an institution lists only the orders addressed to it, each with the court’s sealed order; a clerk bound to a court only its court’s', async () => {
    const rows = await stack.prisma.controlOrder.findMany({ select: { id: true, courtCode: true, institutionCode: true } });
    expect(rows.length).toBeGreaterThanOrEqual(6);
    const ids = (orders: { id: string }[]) => new Set(orders.map((order) => order.id));
    const ofX: { id: string; institutionCode: string; document: { type: string; orderId: string; institutionCode: string; signature: string } }[] = await json('insX', '/api/control-orders');
    expect(ids(ofX)).toEqual(new Set(rows.filter((row) => row.institutionCode === X).map((row) => row.id)));
    expect(ofX.every((order) => order.document.type === 'control-order' && order.document.orderId === order.id && order.document.institutionCode === X && order.document.signature.length > 0)).toBe(true);
    expect(await json('insY', '/api/control-orders')).toEqual([]);
    for (const [who, court] of [['clerkA', COURT_A], ['clerkB', COURT_B]] as const) {
      const seen: { id: string; document?: unknown }[] = await json(who, '/api/control-orders');
      expect(ids(seen), who).toEqual(new Set(rows.filter((row) => row.courtCode === court).map((row) => row.id)));
      expect(seen.every((order) => order.document === undefined)).toBe(true);
    }
    expect(ids(await json('supervisor', '/api/control-orders'))).toEqual(new Set(rows.map((row) => row.id)));
    expect(ids(await json('clerk*', '/api/control-orders'))).toEqual(new Set(rows.map((row) => row.id)));
    // The matrix confirmed OX, and released its freeze once: clerk*'s release found it ordered already.
    const confirmed: { id: string; status: string }[] = await json('supervisor', '/api/control-orders?status=confirmed');
    expect(confirmed.map((order) => order.id)).toEqual([resources.control.OX]);
    const releases = await stack.prisma.controlOrder.findMany({ where: { action: 'release' } });
    expect(releases.map((order) => [order.courtCode, order.reason, order.status])).toEqual([[COURT_A, 'performance', 'open']]);
  });

  it('a clerk bound to a court watches only its court’s freezes and overdue orders; a supervisor every court’s', async () => {
    const rows = await stack.prisma.freeze.findMany({ select: { id: true, courtCode: true, status: true } });
    const inForce = rows.filter((row) => row.status === 'active');
    expect(inForce.length).toBeGreaterThan(0);
    const ids = (freezes: { id: string }[]) => new Set(freezes.map((freeze) => freeze.id));
    expect(ids(await json('supervisor', '/api/supervision/freezes'))).toEqual(ids(inForce));
    for (const [who, court] of [['clerkA', COURT_A], ['clerkB', COURT_B]] as const) {
      const seen: { id: string; courtCode: string }[] = await json(who, '/api/supervision/freezes');
      expect(ids(seen), who).toEqual(ids(inForce.filter((row) => row.courtCode === court)));
      const overdue: { requests: { courtCode: string }[]; orders: { courtCode: string }[] } = await json(who, '/api/supervision/asset-overdue');
      expect([...overdue.requests, ...overdue.orders].every((item) => item.courtCode === court), who).toBe(true);
    }
    // The confirmed freeze is court A's: its month's figures show it to court A's clerk and the supervisor, not to court B's.
    const frozen = async (who: Who) => ((await json(who, '/api/supervision/asset-stats')) as { frozen: number }[]).reduce((sum, month) => sum + month.frozen, 0);
    expect([await frozen('clerkA'), await frozen('clerkB'), await frozen('supervisor')]).toEqual([1, 0, 1]);
    // Each freeze has its workflow.
    for (const row of rows) expect((await stack.temporal.workflow.getHandle(freezeWorkflowIdOf(row.id)).describe()).status.name).toBe('RUNNING');
  });
});

/** A cookie-keeping browser that does not follow redirects, from one client address. */
class Visitor {
  readonly cookies = new Map<string, string>();
  constructor(private readonly address: string) {}

  async request(path: string, form?: Record<string, string>) {
    const headers: Record<string, string> = { 'x-forwarded-for': this.address };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(`${stack.apiUrl}${path}`, { method: form ? 'POST' : 'GET', headers, redirect: 'manual', ...(form ? { body: new URLSearchParams(form).toString() } : {}) });
    for (const header of response.headers.getSetCookie()) {
      const cookie = parseSetCookie(header);
      const expired = cookie.expires !== undefined && cookie.expires.getTime() <= Date.now();
      if (expired || !cookie.value) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, encodeURIComponent(cookie.value));
    }
    return { status: response.status, location: response.headers.get('location'), html: await response.text() };
  }

  static tokenIn(html: string): string {
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error('no CSRF token on the page');
    return token;
  }

  async signIn(key: string) {
    const form = await this.request('/login');
    return this.request('/login', { _csrf: Visitor.tokenIn(form.html), key });
  }
}

describe('the dashboard', () => {
  let visitors = 0;
  const visitor = () => new Visitor(clientAddress(40, ++visitors));

  async function signedIn(who: Who) {
    const v = visitor();
    const answer = await v.signIn(keys[who]!);
    expect(answer.status, `${who} signs in`).toBe(303);
    return v;
  }

  it('signs in every role but admin and institution; unknown and revoked keys are refused', async () => {
    const expected: [Who, number][] = [['clerkA', 303], ['clerkB', 303], ['clerk*', 303], ['D05', 303], ['D06', 303], ['supervisor', 303], ['admin', 403], ['insX', 403], ['unknown', 401], ['revoked', 401]];
    const got = [];
    for (const [who] of expected) got.push([who, (await visitor().signIn(keys[who]!)).status]);
    expect(got).toEqual(expected);
  });

  it('shows a listing page to whom the API shows the listing, and another department’s task to no department', async () => {
    const page = async (who: Who, path: string) => (await (await signedIn(who)).request(path));
    const expected: [Who, string, number][] = [
      ['clerkA', `/listings/${board.listing}`, 200],
      ['clerkB', `/listings/${board.listing}`, 403],
      ['clerk*', `/listings/${board.listing}`, 200],
      ['D05', `/listings/${board.listing}`, 200],
      ['D06', `/listings/${board.listing}`, 200],
      ['supervisor', `/listings/${board.listing}`, 200],
      ['D05', `/listings/${board.individual}`, 200],
      ['D06', `/listings/${board.individual}`, 403],
      ['clerkB', `/listings/${board.individual}`, 403],
    ];
    const got: [Who, string, number][] = [];
    const pages = new Map<string, string>();
    for (const [who, path] of expected) {
      const answer = await page(who, path);
      got.push([who, path, answer.status]);
      pages.set(`${who} ${path}`, answer.html);
    }
    expect(got).toEqual(expected);

    const d05 = pages.get(`D05 /listings/${board.listing}`)!;
    expect(d05).toContain(`data-task-id="${board.d05}"`);
    expect(d05).not.toContain(board.d06);
    const d06 = pages.get(`D06 /listings/${board.listing}`)!;
    expect(d06).toContain(`data-task-id="${board.d06}"`);
    expect(d06).not.toContain(board.d05);
    const supervisor = pages.get(`supervisor /listings/${board.listing}`)!;
    expect([supervisor.includes(board.d05), supervisor.includes(board.d06)]).toEqual([true, true]);
    for (const html of [d05, d06, supervisor]) expect(html).not.toContain(VALID_CREDIT_CODE);
  });

  it('lists for each role only what the API lists for it', async () => {
    const listPage = async (who: Who) => (await (await signedIn(who)).request('/listings')).html;
    expect((await listPage('clerkB')).includes(board.caseNumber)).toBe(false);
    expect((await listPage('D06')).includes(board.individualCase)).toBe(false);
    expect((await listPage('D05')).includes(board.individualCase)).toBe(true);
    const home = await (await signedIn('D06')).request('/');
    expect(home.html).toContain(board.d06);
    expect(home.html).not.toContain(board.d05);
  });

  it('refuses the buttons to anyone but the task’s department, and nothing is written', async () => {
    const attempts: [Who, string, number][] = [
      ['D05', `/tasks/${board.d06}/acknowledge`, 403],
      ['D05', `/tasks/${board.d06}/complete`, 403],
      ['D06', `/tasks/${board.d05}/acknowledge`, 403],
      ['supervisor', `/tasks/${board.d05}/acknowledge`, 403],
      ['clerkA', `/tasks/${board.d05}/complete`, 403],
      ['clerk*', `/tasks/${board.d06}/acknowledge`, 403],
    ];
    const got: [Who, string, number][] = [];
    for (const [who, path] of attempts) {
      const v = await signedIn(who);
      const token = Visitor.tokenIn((await v.request('/')).html);
      const before = await snapshot(stack);
      got.push([who, path, (await v.request(path, { _csrf: token, back: '/' })).status]);
      expect(snapshotDiff(before, await snapshot(stack)), `${who} POST ${path}`).toEqual([]);
    }
    expect(got).toEqual(attempts);

    // The task's own department may.
    const own = await signedIn('D05');
    const token = Visitor.tokenIn((await own.request('/')).html);
    expect((await own.request(`/tasks/${board.d05}/acknowledge`, { _csrf: token, back: '/' })).status).toBe(303);
    expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: board.d05 } })).status).toBe('acknowledged');
    expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: board.d06 } })).status).toBe('pending');
  });

  it('sends a session whose key was revoked back to sign-in, and its buttons do nothing', async () => {
    const key = await stack.key('department', { departmentCode: 'D06' });
    const v = visitor();
    expect((await v.signIn(key)).status).toBe(303);
    const token = Visitor.tokenIn((await v.request('/')).html);
    await stack.prisma.apiKey.update({ where: { keyHash: hashApiKey(key) }, data: { revokedAt: new Date() } });
    const before = await snapshot(stack);
    const acted = await v.request(`/tasks/${board.d06}/acknowledge`, { _csrf: token, back: '/' });
    expect(acted.status).toBe(303);
    expect(acted.location).toMatch(/^\/login/);
    expect(snapshotDiff(before, await snapshot(stack))).toEqual([]);
    expect((await v.request(`/listings/${board.listing}`)).status).toBe(303);
  });

  it('limits failed sign-ins like failed API authentications (30 a minute per client)', async () => {
    const v = visitor();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 32; attempt++) statuses.push((await v.signIn(`jsc_guess_${attempt}`)).status);
    expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
  });
});
