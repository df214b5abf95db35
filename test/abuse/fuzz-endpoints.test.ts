// Property-based fuzzing of every state-changing endpoint, against the real
// stack: listings, tasks, keys, email links, asset searches (a clerk's
// search and close, an institution's signed answer, key and webhook, an
// administrator's directory, the answer link), and control orders (a clerk's
// order and the release of a case's freezes, an institution's signed
// confirmation). Each generated request must be
// answered below 500; under /api every error is problem+json; a request with a
// valid key is never answered 401 or 429; a body an asset endpoint's schema
// refuses is answered 400 naming the field changed; and a refused (or
// read-only) request writes nothing: the row counts of
// Listing, Task, Event, Notification, ApiKey and UsedLinkToken (and the newest
// updatedAt of Listing and Task, and the row count of every other table but the
// disclosure log) are compared around it; a change no request explains fails
// the run like any other. After the run every
// workflow on the stack's task queue belongs to a recorded listing, so no
// refused listing started one.
//
// Requests run in batches (one fast-check run = one batch). Requests that
// cannot write (no valid key of the right role, a body the schema refuses, a
// body the parser cannot read, …) run a few at a time and are checked together;
// requests that might succeed run one by one, each checked on its own. A
// success with asynchronous consequences (a new listing, an accepted lift, a
// completion) is followed by a wait until its workflow has nothing
// outstanding; an activity that keeps failing fails the run. The server is
// stateful, so a failing batch is reported as found, without shrinking: the
// message names the request. Reproduce with FUZZ_SEED=<seed>.
import { METHODS } from 'node:http';
import { randomUUID } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIRCUMSTANCE_CODES } from '../../domain/circumstances.js';
import { hashApiKey } from '../../app/api-keys.js';
import { createAssetAnswerToken, createLinkToken } from '../../platform/signed-tokens.js';
import { createKeyring } from '../../platform/signing.js';
import { generateSigningKey, signDocument, type SigningKey } from '../../platform/signed-documents.js';
import { assetAnswerSchema, assetSearchSchema, controlConfirmationSchema, controlOrderSchema, freezeReleaseSchema, institutionKeySchema } from '../../app/asset-schemas.js';
import { ASSET_KINDS } from '../../domain/freeze-periods.js';
import { INSTITUTION_KINDS, defaultInstitutionDirectory, institutionDirectorySchema, type InstitutionDirectory } from '../../domain/institutions.js';
import { assetSearchWorkflowIdOf, freezeWorkflowIdOf } from '../../workflows/workflow-id.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';
import {
  acknowledgeSchema,
  completeSchema,
  createApiKeySchema,
  createListingSchema,
  extensionSchema,
  performanceSchema,
  revocationSchema,
  webhookSchema,
} from '../../app/schemas.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { VALID_CREDIT_CODE, VALID_RESIDENT_ID, creditCode, entityListing, individualListing, residentId } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import {
  NoAnswer,
  RawClient,
  REQUEST_ONLY_FIELDS,
  StuckWorkflow,
  clientAddress,
  freezeWorkflowIds,
  problemDefect,
  settle,
  snapshot,
  snapshotDiff,
  terminateWorkflows,
  workflowIdsOnQueue,
  type RowSnapshot,
  type WireRequest,
  type WireResponse,
} from './harness.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20260607);
const BATCH = 20;
const RUNS = Number(process.env.FUZZ_RUNS ?? 505); // 505 × 20 = 10,100 generated requests
const IN_FLIGHT = 4;
const LINK_SECRET = 'test-secret'; // the stack's ACK token secret
const COURT_A = 'NX-YC-01';
const COURT_B = 'NX-YC-02';
/** The directory of the run: X (its key signs Ed25519) and Y (SM2) have keys of their own; Z has no key and no registered seal. */
const [INSTITUTION_X, INSTITUTION_Y, INSTITUTION_Z] = defaultInstitutionDirectory.institutions;
const X = INSTITUTION_X!.code;
const Y = INSTITUTION_Y!.code;
const Z = INSTITUTION_Z!.code;
const directory: InstitutionDirectory = { region: 'fuzz', institutions: [INSTITUTION_X!, INSTITUTION_Y!, INSTITUTION_Z!] };
const SEAL_IDS: Record<string, string> = { [X]: 'x-seal-1', [Y]: 'y-seal-1' };
/** Stand-ins in the bases of signed answers, filled in when a request is planned against the state of the moment. */
const REQUEST_ID = '{{requestId}}';
const KEY_ID = '{{keyId}}';
const SIGNATURE = '{{signature}}';
/** Stand-ins of control orders and confirmations: the finding ordered on, the order confirmed, now, and an end 100 days away. */
const FINDING_ID = '{{findingId}}';
const ORDER_ID = '{{orderId}}';
const EFFECTIVE_AT = '{{effectiveAt}}';
const UNTIL_SOON = '{{untilSoon}}';

// ---------------------------------------------------------------------------
// JSON as a tree, so that bodies can hold what a JS object cannot carry
// through JSON.stringify: `__proto__` as an own key, duplicate keys, number
// tokens such as 1e400, and strings of hundreds of kilobytes built lazily.

type J = null | boolean | number | string | J[] | { obj: [string, J][] } | { raw: string } | { huge: { unit: string; times: number } };

const isObj = (j: J): j is { obj: [string, J][] } => typeof j === 'object' && j !== null && !Array.isArray(j) && 'obj' in j;

function toJ(value: unknown): J {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(toJ);
  return { obj: Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toJ(v)]) };
}

function jsonText(j: J): string {
  if (j === null || typeof j === 'boolean') return String(j);
  if (typeof j === 'number') return Number.isFinite(j) ? (Object.is(j, -0) ? '-0' : JSON.stringify(j)) : JSON.stringify(String(j));
  if (typeof j === 'string') return JSON.stringify(j);
  if (Array.isArray(j)) return `[${j.map(jsonText).join(',')}]`;
  if ('raw' in j) return j.raw;
  if ('huge' in j) return JSON.stringify(j.huge.unit.repeat(j.huge.times));
  return `{${j.obj.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
}

/** Paths to every value of a tree (objects only), root first. */
function pathsOf(j: J, prefix: string[] = []): string[][] {
  if (!isObj(j)) return [prefix];
  return [prefix, ...j.obj.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

type Mutation = { op: 'set'; value: J } | { op: 'delete' } | { op: 'extra'; key: string; value: J } | { op: 'duplicate'; value: J };

function mutate(j: J, path: string[], mutation: Mutation): J {
  if (path.length === 0) {
    if (mutation.op === 'set') return mutation.value;
    if (mutation.op === 'delete') return { obj: [] };
    if (!isObj(j)) return j;
    if (mutation.op === 'extra') return { obj: [...j.obj, [mutation.key, mutation.value]] };
    const first = j.obj[0];
    return first ? { obj: [...j.obj, [first[0], mutation.value]] } : j;
  }
  if (!isObj(j)) return j;
  const [head, ...rest] = path;
  if (rest.length === 0 && mutation.op === 'delete') return { obj: j.obj.filter(([k]) => k !== head) };
  if (rest.length === 0 && mutation.op === 'duplicate') return { obj: [...j.obj, [head!, mutation.value]] };
  return { obj: j.obj.map(([k, v]) => [k, k === head ? mutate(v, rest, mutation) : v] as [string, J]) };
}

// ---------------------------------------------------------------------------
// Hostile values.

const FIELD_SIZES = [99, 100, 101, 199, 200, 201, 1999, 2000, 2001, 5000, 60_000];
const hostileConstants = [
  '', ' ', '\t\n ', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\udbff\udfff', '\u202e\u202d', '\u200b', '\ufeff', '\u2028\u2029',
  'null', 'NaN', '-NaN', 'Infinity', '-Infinity', '1e308', '-0', '0x10', '__proto__', 'constructor', 'prototype', 'toString',
  '<script>alert(1)</script>', "'; DROP TABLE \"Listing\"; --", '%00', '%', '../../etc/passwd', '${7*7}', '{{7*7}}', '<%= it.x %>',
  '𠮷野家', '（２０２６）宁０１执１号', 'İıŞ', 'ß', 'ﬃ', '\u0301', '👨‍👩‍👧‍👦', 'Ａ', '\\', '"', '\x7f', '\x1b[31m', 'true', '[]', '{}',
];
const hostileString: fc.Arbitrary<J> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...hostileConstants) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...FIELD_SIZES), fc.constantFrom('x', '字', ' ', '😀')).map(([n, c]) => c.repeat(n)) },
);
const RAW_NUMBERS = ['1e400', '-1e400', '1E+2', '1e-400', '-0.0', '2.0000000000000000001', '123456789012345678901234567890', '0x10', 'NaN', '00', '.5', '+1'];
const hostileNumber: fc.Arbitrary<J> = fc.oneof(
  fc.constantFrom(1e308, -1e308, -0, 0, -1, 0.5, 1.5, 1e15, 1e15 + 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 31), 5e-324, Number.MAX_VALUE),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(...RAW_NUMBERS).map((raw): J => ({ raw })),
);
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'then', ''];
const keyArb = fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ unit: 'grapheme', maxLength: 12 }));
const hugeString: fc.Arbitrary<J> = fc
  .record({ unit: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }), times: fc.integer({ min: 2_000, max: 120_000 }) })
  .map((huge): J => ({ huge }));

const jsonTree: fc.Arbitrary<J> = fc.letrec<{ value: J; array: J[]; object: J }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.array(fc.tuple(keyArb, tie('value')), { maxLength: 6 }).map((obj): J => ({ obj })),
})).value;

const deepNesting: fc.Arbitrary<J> = fc
  .tuple(fc.integer({ min: 100, max: 30_000 }), fc.constantFrom('[]', '{}'))
  .map(([depth, kind]): J => ({ raw: kind === '[]' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` }));

const rawBodies = [
  '', ' ', 'null', 'true', '0', '"string"', '[]', '{', '{"caseNumber":', '{"a":1}}', "{'a':1}", '{"a":NaN}', '{"a":Infinity}', '{"a":undefined}',
  '\ufeff{}', '{}\u0000', '{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"__proto__":{"role":"admin"}}', '{"constructor":{"prototype":{"x":1}}}',
  '{"a":1,"a":2}', '{"a":01}', '{"a":1e99999}', '// comment\n{}', '{"a":"\u0007"}', 'caseNumber=1&debtor=2', '<xml/>',
];
const arbitraryBody: fc.Arbitrary<J> = fc.oneof(
  { weight: 6, arbitrary: jsonTree },
  { weight: 2, arbitrary: fc.constantFrom(...rawBodies).map((raw): J => ({ raw })) },
  { weight: 1, arbitrary: deepNesting },
  { weight: 1, arbitrary: fc.tuple(keyArb, hugeString).map(([k, v]): J => ({ obj: [[k, v]] })) },
);

// Identifier variants: valid, check character off, lower case, wrong length, minors, impossible dates.
const residentIdVariants: fc.Arbitrary<J> = fc.oneof(
  fc.tuple(fc.integer({ min: 1930, max: 2005 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.nat(999)).map(([y, m, d, s]) => residentId(`${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`, s)),
  fc.tuple(fc.integer({ min: 2009, max: 2026 }), fc.nat(999)).map(([y, s]) => residentId(`${y}0601`, s)), // minors
  fc.constantFrom('19801332', '20250229', '19000229', '20990101', '00000000', '19800000').chain((birth) => fc.nat(999).map((s) => residentId(birth, s))),
  fc.nat(9).map((digit) => `${VALID_RESIDENT_ID.slice(0, 17)}${digit}`),
  fc.constantFrom(
    VALID_RESIDENT_ID.toLowerCase(), VALID_RESIDENT_ID.slice(0, 17), `${VALID_RESIDENT_ID}0`, ` ${VALID_RESIDENT_ID} `, '１１０１０５１９４９１２３１００２Ｘ',
    '110105-19491231-002X', VALID_CREDIT_CODE, '000000000000000000', 'XXXXXXXXXXXXXXXXXX', `${VALID_RESIDENT_ID.slice(0, 17)}\u0000`,
  ),
);
const creditCodeVariants: fc.Arbitrary<J> = fc.oneof(
  fc.nat(9_999_999).map((n) => creditCode(n)),
  fc.nat(30).map((i) => `${VALID_CREDIT_CODE.slice(0, 17)}${'0123456789ABCDEFGHJKLMNPQRTUWXY'[i]}`),
  fc.constantFrom(
    VALID_CREDIT_CODE.toLowerCase(), VALID_CREDIT_CODE.slice(0, 17), `${VALID_CREDIT_CODE}0`, '91350100I000100Y43', '91350100O000100Y43',
    '91350100Z000100Y43', '91350100S000100Y43', VALID_RESIDENT_ID, '913501００M000100Y43', ` ${VALID_CREDIT_CODE}`,
  ),
);
const periodVariants: fc.Arbitrary<J> = fc.oneof(fc.integer({ min: -2, max: 8 }), fc.constantFrom<J>(2.5, '2', null, 1e308, -0, true, [2], { raw: '2.0' }, { raw: '1e1' }));
const dateVariants: fc.Arbitrary<J> = fc.oneof(
  fc.date({ min: new Date('2000-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '2026-03-01T10:00:00+08:00', '2026-03-01', '2026-02-30T00:00:00Z', '2026-03-01T10:00:00', '2026-03-01T25:00:00Z', '2026-03-01T10:00:00.123456789Z',
    '0000-01-01T00:00:00Z', '0001-01-01T00:00:00+01:00', '9999-12-31T23:59:59-14:00', '+275760-09-13T00:00:00Z', '1969-12-31T23:59:59Z', 'yesterday', '',
  ),
);

function fieldValue(path: string[]): fc.Arbitrary<J> {
  const leaf = path.at(-1) ?? '';
  const specific: Record<string, fc.Arbitrary<J>> = {
    idNumber: path.includes('legalRepresentative') ? residentIdVariants : fc.oneof(residentIdVariants, creditCodeVariants),
    periodYears: periodVariants,
    extensionYears: periodVariants,
    amountYuan: hostileNumber,
    performedAt: dateVariants,
    circumstance: fc.constantFrom<J>(...CIRCUMSTANCE_CODES, 'owes-money', 'EVADES-ENFORCEMENT', ''),
    kind: fc.constantFrom<J>('individual', 'entity', 'robot', 'Entity', 'actual_controller', ''),
    role: fc.constantFrom<J>('clerk', 'department', 'supervisor', 'admin', 'institution', 'root', 'ADMIN', ''),
    institutionCode: fc.constantFrom<J>(X, Y, 'NOPE', X.toLowerCase(), ` ${X} `, `${X}\u0000`, ''),
    departmentCode: fc.constantFrom<J>('D05', 'D06', 'D99', 'd05', ' D05 ', 'D05\u0000', ''),
    courtCode: fc.constantFrom<J>(COURT_A, COURT_B, 'nx-yc-01', ` ${COURT_A} `, '', 'X'.repeat(51)),
  };
  const wrongType = fc.oneof(hostileNumber, fc.boolean(), fc.constant(null), fc.constant<J>([]), fc.constant<J>({ obj: [] }), jsonTree);
  return fc.oneof(
    { weight: specific[leaf] ? 5 : 0, arbitrary: specific[leaf] ?? hostileString },
    { weight: 3, arbitrary: wrongType },
    { weight: 4, arbitrary: hostileString },
    { weight: 1, arbitrary: hugeString },
  );
}

/** One field of a valid body changed: a hostile value, a deletion, an extra or duplicate key. */
function nearValid(base: J): fc.Arbitrary<J> {
  const paths = pathsOf(base);
  return fc.constantFrom(...paths).chain((path) =>
    fc
      .oneof(
        { weight: 6, arbitrary: fieldValue(path).map((value): Mutation => ({ op: 'set', value })) },
        { weight: 1, arbitrary: fc.constant<Mutation>({ op: 'delete' }) },
        { weight: 2, arbitrary: fc.tuple(keyArb, fieldValue(['extra'])).map(([key, value]): Mutation => ({ op: 'extra', key, value })) },
        { weight: 1, arbitrary: fieldValue(path).map((value): Mutation => ({ op: 'duplicate', value })) },
      )
      .map((mutation) => mutate(base, path, mutation)),
  );
}

/** A near-valid body of the asset endpoints, with the change made: where, and how. */
interface Changed {
  body: J;
  path: string[] | null;
  op: Mutation['op'] | null;
}

/** Paths to every value of a tree, into arrays too (the index as the key), root first. */
function pathsIn(j: J, prefix: string[] = []): string[][] {
  if (Array.isArray(j)) return [prefix, ...j.flatMap((v, index) => pathsIn(v, [...prefix, String(index)]))];
  if (!isObj(j)) return [prefix];
  return [prefix, ...j.obj.flatMap(([k, v]) => pathsIn(v, [...prefix, k]))];
}

/** `mutate`, reaching into arrays by index (a duplicate in an array replaces the element: arrays have no keys). */
function mutateIn(j: J, path: string[], mutation: Mutation): J {
  if (path.length === 0) return mutate(j, [], mutation);
  const [head, ...rest] = path;
  if (Array.isArray(j)) {
    const index = Number(head);
    if (rest.length === 0 && mutation.op === 'delete') return j.filter((_, at) => at !== index);
    if (rest.length === 0 && mutation.op === 'duplicate') return j.map((v, at) => (at === index ? mutation.value : v));
    return j.map((v, at) => (at === index ? mutateIn(v, rest, mutation) : v));
  }
  if (!isObj(j)) return j;
  if (rest.length === 0 && mutation.op === 'delete') return { obj: j.obj.filter(([k]) => k !== head) };
  if (rest.length === 0 && mutation.op === 'duplicate') return { obj: [...j.obj, [head!, mutation.value]] };
  return { obj: j.obj.map(([k, v]) => [k, k === head ? mutateIn(v, rest, mutation) : v] as [string, J]) };
}

/** One value of a valid body changed (in objects and arrays): a hostile value, a deletion, an extra or duplicate key; the change is kept. */
function nearValidAt(base: J, valueAt: (path: string[]) => fc.Arbitrary<J>): fc.Arbitrary<Changed> {
  return fc.constantFrom(...pathsIn(base)).chain((path) =>
    fc
      .oneof(
        { weight: 6, arbitrary: valueAt(path).map((value): Mutation => ({ op: 'set', value })) },
        { weight: 1, arbitrary: fc.constant<Mutation>({ op: 'delete' }) },
        { weight: 2, arbitrary: fc.tuple(keyArb, valueAt(['extra'])).map(([key, value]): Mutation => ({ op: 'extra', key, value })) },
        { weight: 1, arbitrary: valueAt(path).map((value): Mutation => ({ op: 'duplicate', value })) },
      )
      .map((mutation): Changed => ({ body: mutateIn(base, path, mutation), path, op: mutation.op })),
  );
}

// ---------------------------------------------------------------------------
// Headers, keys, targets.

type KeyRef = 'clerkA' | 'clerkB' | 'clerkNoCourt' | 'd05' | 'd06' | 'supervisor' | 'admin' | 'insX' | 'insY' | 'revoked' | 'none' | 'unknown' | 'malformed';
const VALID_KEYS = ['clerkA', 'clerkB', 'clerkNoCourt', 'd05', 'd06', 'supervisor', 'admin', 'insX', 'insY'] as const;
type ValidKey = (typeof VALID_KEYS)[number];
const ALL_KEYS: KeyRef[] = [...VALID_KEYS, 'revoked', 'none', 'unknown', 'malformed'];

function keyFor(right: ValidKey[], others: KeyRef[] = ALL_KEYS): fc.Arbitrary<KeyRef> {
  return fc.oneof({ weight: 7, arbitrary: fc.constantFrom<KeyRef>(...right) }, { weight: 3, arbitrary: fc.constantFrom(...others) });
}
/** The institution a key acts for. */
const institutionOfKey = (key: KeyRef): string | null => (key === 'insX' ? X : key === 'insY' ? Y : null);
/** The court a clerk key is bound to (null: any court). */
const courtOfKey = (key: KeyRef): string | null => (key === 'clerkA' ? COURT_A : key === 'clerkB' ? COURT_B : null);

type Encoding = 'none' | 'gzip-real' | 'gzip-fake' | 'gzip-truncated' | 'gzip-bomb' | 'deflate-real' | 'deflate-fake' | 'br-fake' | 'identity' | 'x-unknown' | 'gzip, gzip';
interface HeaderSpec {
  contentType: string | null;
  encoding: Encoding;
  idempotencyKey: string | null;
  extra: [string, string][];
  authVariant: number;
}
const CONTENT_TYPES = [
  null, 'application/json; charset=utf-8', 'application/json; charset=UTF-16', 'application/json; charset=latin1', 'application/json;charset="utf-8"',
  'APPLICATION/JSON', 'application/problem+json', 'application/merge-patch+json', 'text/json', 'text/plain', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x', 'application/json, text/plain', '*/*', 'application/', 'application/json; charset=', '', 'application/json; foo=bar',
];
const headerText = fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@AZaz[\\]^_`{|}~\u00e9\u00ff'.split('')), maxLength: 40 });
const EXTRA_HEADERS = ['x-http-method-override', 'x-forwarded-proto', 'accept', 'accept-language', 'cookie', 'origin', 'referer', 'range', 'if-none-match', 'x-request-id', 'accept-encoding', 'host', 'content-language'];
const idempotencyKeys = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._:-]{8,128}$/),
  fc.constantFrom('', 'short', 'x'.repeat(129), 'has space ok', '\u00fcnicode-key', 'a,b,c,d,e,f,g', '../../etc/pw', '12345678', 'a'.repeat(8000)),
  headerText,
);
const headerSpec: fc.Arbitrary<HeaderSpec> = fc.record({
  contentType: fc.oneof({ weight: 14, arbitrary: fc.constant<string | null>('application/json') }, { weight: 6, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
  encoding: fc.oneof(
    { weight: 17, arbitrary: fc.constant<Encoding>('none') },
    { weight: 3, arbitrary: fc.constantFrom<Encoding>('gzip-real', 'gzip-fake', 'gzip-truncated', 'gzip-bomb', 'deflate-real', 'deflate-fake', 'br-fake', 'identity', 'x-unknown', 'gzip, gzip') },
  ),
  idempotencyKey: fc.option(idempotencyKeys, { freq: 3 }),
  extra: fc.array(fc.tuple(fc.constantFrom(...EXTRA_HEADERS), headerText), { maxLength: 2 }),
  authVariant: fc.nat(),
});

type Target =
  | { type: 'listing'; index: number }
  | { type: 'term-listing'; index: number }
  | { type: 'task'; index: number }
  | { type: 'search'; index: number }
  /** An open request of the calling key's institution, else any of its requests. */
  | { type: 'own-request'; index: number }
  | { type: 'request'; index: number }
  /** A finding of an answered request of the calling clerk's court (any court's for a clerk bound to none); or one of them frozen. */
  | { type: 'own-finding'; index: number }
  | { type: 'frozen-finding'; index: number }
  /** An open control order addressed to the calling key's institution, else any order addressed to it. */
  | { type: 'own-order'; index: number }
  /** A listing of the calling clerk's court whose case has freezes in force, else any listing. */
  | { type: 'release-listing'; index: number }
  | { type: 'uuid'; value: string }
  | { type: 'segment'; value: string };

/** Percent-encodes the UTF-8 bytes of a string (lone surrogates become U+FFFD, as any client would send them). */
const pct = (value: string) => [...Buffer.from(value, 'utf8')].map((byte) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

const junkSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('..', '.', '%2e%2e', '%2E%2E%2F', '%2F', '%00', '%', '%zz', '%E0%A4%A', '%C0%AE', '%C0%80', '%ED%A0%80', '%FF', ';', ';x=1', 'a%2F..', '~', '%25', '%20', 'null', 'undefined', '0', '-1', 'NaN'),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map(pct),
  fc.integer({ min: 200, max: 7_000 }).map((n) => 'a'.repeat(n)),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid().map((u) => `${u}x`),
  fc.uuid().map((u) => u.replace(/-/g, '')),
  fc.uuid().map((u) => `{${u}}`),
);
const targetArb = (own: 'listing' | 'task', { termListings = 0 }: { termListings?: number } = {}): fc.Arbitrary<Target> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.nat().map((index): Target => ({ type: own, index })) },
    // An extension extends only a fixed term still running: aim there too, or whether one gets through hangs on luck.
    { weight: termListings, arbitrary: fc.nat().map((index): Target => ({ type: 'term-listing', index })) },
    { weight: 1, arbitrary: fc.nat().map((index): Target => ({ type: own === 'listing' ? 'task' : 'listing', index })) },
    { weight: 1, arbitrary: fc.uuid().map((value): Target => ({ type: 'uuid', value })) },
    { weight: 2, arbitrary: junkSegment.map((value): Target => ({ type: 'segment', value })) },
  );

// ---------------------------------------------------------------------------
// The request specs the fuzzer generates.

type Spec =
  | { kind: 'listing'; key: KeyRef; body: J; headers: HeaderSpec }
  | { kind: 'lift'; action: 'performance' | 'revocation' | 'extension'; target: Target; key: KeyRef; body: J; headers: HeaderSpec }
  | { kind: 'task'; action: 'acknowledge' | 'complete'; target: Target; key: KeyRef; body: J; headers: HeaderSpec }
  | { kind: 'apiKey'; key: KeyRef; body: J; headers: HeaderSpec }
  | { kind: 'ackLink'; method: string; token: TokenSpec; suffix: string; form: FormSpec; xff: number }
  | { kind: 'random'; method: string; path: PathSpec; key: KeyRef; body: J | undefined; headers: HeaderSpec }
  | { kind: 'assetSearch'; key: KeyRef; body: Changed; headers: HeaderSpec }
  | { kind: 'closeSearch'; target: Target; key: KeyRef; body: J; headers: HeaderSpec }
  | { kind: 'assetAnswer'; target: Target; key: KeyRef; body: Changed; headers: HeaderSpec }
  | { kind: 'institutionKey'; code: string; key: KeyRef; body: Changed; headers: HeaderSpec }
  | { kind: 'directory'; key: KeyRef; body: Changed; headers: HeaderSpec }
  | { kind: 'institutionWebhook'; key: KeyRef; body: Changed; headers: HeaderSpec }
  | { kind: 'assetLink'; method: string; token: AssetTokenSpec; suffix: string; form: AssetFormSpec; xff: number }
  | { kind: 'controlOrder'; target: Target; key: KeyRef; body: Changed; headers: HeaderSpec }
  | { kind: 'confirmOrder'; target: Target; key: KeyRef; body: Changed; headers: HeaderSpec }
  | { kind: 'freezeRelease'; target: Target; key: KeyRef; body: Changed; headers: HeaderSpec };

type AssetTokenSpec =
  | { type: 'valid'; requestIndex: number; expired: boolean }
  | { type: 'forged'; requestIndex: number; flip: number }
  | { type: 'wrongSecret'; requestIndex: number }
  /** A department's one-click token, on the asset answer page. */
  | { type: 'taskLink'; taskIndex: number }
  | { type: 'junk'; value: string };
interface AssetFormSpec {
  contentType: string | null;
  fields: [string, string][];
  raw: string | null;
}

type TokenSpec =
  | { type: 'valid'; taskIndex: number; action: 'acknowledge' | 'complete'; expired: boolean }
  | { type: 'forged'; taskIndex: number; flip: number }
  | { type: 'wrongSecret'; taskIndex: number }
  | { type: 'truncated'; taskIndex: number; cut: number }
  | { type: 'swapped'; taskIndex: number; otherIndex: number }
  | { type: 'junk'; value: string };
interface FormSpec {
  contentType: string | null;
  fields: [string, string][];
  raw: string | null;
}
interface PathSpec {
  segments: (string | { ref: Target })[];
  trailingSlash: boolean;
  query: [string, string][];
}

const listingBases = [
  toJ(entityListing({ caseNumber: '（2026）宁01执900号' })),
  toJ(individualListing({ caseNumber: '（2026）宁01执901号' })),
];
const taskBases = { acknowledge: toJ({ by: '王五', note: '已收到' }), complete: toJ({ by: '王五', reference: 'REF-1', note: '已完成' }) };
const liftBases = {
  performance: toJ({ note: '已全部履行', performedAt: '2026-03-01T10:00:00+08:00' }),
  revocation: toJ({ reason: '错误纳入' }),
  extension: toJ({ extensionYears: 1, reason: '拒不履行' }),
};
const keyBases = [
  toJ({ name: 'fuzz clerk', role: 'clerk', courtCode: COURT_A }),
  toJ({ name: 'fuzz department', role: 'department', departmentCode: 'D05' }),
  toJ({ name: 'fuzz supervisor', role: 'supervisor' }),
  toJ({ name: 'fuzz institution', role: 'institution', institutionCode: X }),
];

const bodyFor = (bases: J[]) =>
  fc.oneof({ weight: 7, arbitrary: fc.constantFrom(...bases).chain(nearValid) }, { weight: 2, arbitrary: arbitraryBody }, { weight: 1, arbitrary: fc.constantFrom(...bases) });

const tokenSpec: fc.Arbitrary<TokenSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('valid' as const), taskIndex: fc.nat(), action: fc.constantFrom('acknowledge' as const, 'complete' as const), expired: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('forged' as const), taskIndex: fc.nat(), flip: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('wrongSecret' as const), taskIndex: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('truncated' as const), taskIndex: fc.nat(), cut: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('swapped' as const), taskIndex: fc.nat(), otherIndex: fc.nat() }) },
  { weight: 2, arbitrary: junkSegment.map((value): TokenSpec => ({ type: 'junk', value })) },
);
const formSpec: fc.Arbitrary<FormSpec> = fc.record({
  contentType: fc.oneof(
    { weight: 6, arbitrary: fc.constant<string | null>('application/x-www-form-urlencoded') },
    { weight: 2, arbitrary: fc.constantFrom<string | null>(null, 'application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded; charset=latin1', 'application/x-www-form-urlencoded; charset=utf-16') },
  ),
  fields: fc.array(
    fc.tuple(
      fc.oneof({ weight: 4, arbitrary: fc.constant('note') }, { weight: 1, arbitrary: fc.constantFrom('_csrf', 'action', 'by', 'taskId', '__proto__', 'note[]', 'note[a]') }),
      fc.oneof(fc.constantFrom(...hostileConstants), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.integer({ min: 2_000, max: 12_000 }).map((n) => 'x'.repeat(n))),
    ),
    { maxLength: 3 },
  ),
  raw: fc.option(fc.constantFrom('note=%', 'note=%E0%A4%A', '&&&=&', 'note', '=x', `note=${'%41'.repeat(4000)}`, 'a=1&'.repeat(30), '\u0000'), { freq: 6 }),
});

const queryKeys = ['status', 'q', 'cursor', 'limit', 'departmentCode', 'kind', 'overdue', 'level', 'courtCode', 'caseNumber', 'expiringWithinDays', 'month', '__proto__', 'constructor', 'q[]', 'status[a]'];
const cursorDates = ['2026-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00Z', '0', '1', '99999', '2026-13-01', 'Infinity', '', 'NaN', '1970-01-01T00:00:00Z'];
const queryValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('active', 'lifting', 'lifted', 'revoked', 'pending', 'acknowledged', 'completed', 'impose', 'lift', 'true', 'false', '0', '10', '-1', '1e3', '201', 'D05', 'D06', 'D99'),
  fc.constantFrom('open', 'confirmed', 'void', '3650', '3651', '2026-12', '2026-13', '0000-01', '2026-1'),
  fc.tuple(fc.constantFrom(...cursorDates), fc.oneof(fc.uuid(), fc.constantFrom('x', ''))).map(([date, id]) => Buffer.from(`${date}|${id}`).toString('base64url')),
  fc.constantFrom(...hostileConstants).map(pct),
  fc.constantFrom('%', '%E0%A4%A', '%ED%A0%80', '%C0%80', '%FF', '+', '%2B', 'a&b', '%26'),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map(pct),
);
const API_WORDS = [
  'listings', 'tasks', 'api-keys', 'catalog', 'supervision', 'overdue', 'stats', 'events', 'verification', 'acknowledge', 'complete', 'performance', 'revocation', 'extension', 'openapi.json', 'docs', 'LISTINGS', 'api',
  'institutions', 'signing-keys', 'asset-searches', 'asset-requests', 'keys', 'answer', 'close', X,
  'control-orders', 'confirm', 'freeze-releases', 'freezes', 'asset-overdue', 'asset-stats',
];
const pathSpec: fc.Arbitrary<PathSpec> = fc.record({
  segments: fc.array(
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...API_WORDS) },
      { weight: 2, arbitrary: fc.constantFrom('listing', 'task').chain((type) => fc.nat().map((index) => ({ ref: { type, index } as Target }))) },
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 2, arbitrary: junkSegment },
    ),
    { maxLength: 5 },
  ),
  trailingSlash: fc.boolean(),
  query: fc.array(fc.tuple(fc.constantFrom(...queryKeys), queryValue), { maxLength: 3 }),
});
// The asset endpoints' bases and values.

/** Fresh public keys to register, made once per run; an SM2 point offered as Ed25519 and the like come from the variants. */
const freshEd25519 = generateSigningKey('Ed25519').publicKey;
const freshSm2 = generateSigningKey('SM2').publicKey;
const RECEIVER = '{{receiverUrl}}';
const searchBases = [
  toJ({ caseNumber: '（2026）宁01执950号', debtor: { kind: 'entity', name: '查控公司', idNumber: VALID_CREDIT_CODE }, institutions: [X, Y] }),
  toJ({ caseNumber: '(2026) 宁01执951号', courtCode: COURT_A, debtor: { kind: 'individual', name: '张三', idNumber: VALID_RESIDENT_ID }, institutions: 'all' }),
];
const answerBases = [
  toJ({ findings: [], signature: SIGNATURE, keyId: KEY_ID }),
  toJ({
    requestId: REQUEST_ID,
    findings: [
      { kind: 'deposit', account: '6222 0000 1111 2222', currency: 'CNY', amountYuan: 128_000.5, description: '活期存款' },
      { kind: 'vehicle', description: '小型轿车一辆' },
    ],
    answeredAt: '2026-12-01T10:00:00+08:00',
    signature: SIGNATURE,
    keyId: KEY_ID,
  }),
];
const institutionKeyBases = [toJ({ keyId: 'fuzz-ed25519', publicKey: freshEd25519, alg: 'Ed25519' }), toJ({ keyId: 'fuzz-sm2', publicKey: freshSm2, alg: 'SM2' }), toJ({ keyId: 'fuzz-default', publicKey: freshEd25519 })];
const directoryBases = [toJ(directory)];
const institutionWebhookBases = [toJ({ url: RECEIVER, description: '核心系统' })];
const controlOrderBases = [
  toJ({ findingId: FINDING_ID, action: 'freeze' }),
  toJ({ findingId: FINDING_ID, action: 'freeze', amountYuan: 500, until: UNTIL_SOON, officerEmail: 'officer.wang@court.example' }),
  toJ({ findingId: FINDING_ID, action: 'renew' }),
  toJ({ findingId: FINDING_ID, action: 'deduct', amountYuan: 100 }),
  toJ({ findingId: FINDING_ID, action: 'release', reason: 'order' }),
];
/** Confirmations as the institution signs them: the signature covers the body without signature and keyId, with the order id. */
const confirmationBases = [
  toJ({ amountYuan: 500, reference: 'CONFIRM-1', effectiveAt: EFFECTIVE_AT, signature: SIGNATURE, keyId: KEY_ID }),
  toJ({ orderId: ORDER_ID, amountYuan: 100, reference: 'TRANSFER-1', effectiveAt: EFFECTIVE_AT, until: UNTIL_SOON, signature: SIGNATURE, keyId: KEY_ID }),
];
const freezeReleaseBases = [toJ({ reason: 'performance' }), toJ({}), toJ({ reason: 'deletion' })];
/** When a confirmation says its measure took effect: every variant, past 9999 included (refused, naming the field). */
const effectiveDates = dateVariants;
/** Two instants before year 1 (which PostgreSQL does not store), the first it stores, and the last second of 9999. */
const edgeInstants = fc.constantFrom<J>('0000-01-01T00:00:00Z', '0001-01-01T00:00:00+01:00', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z');
const publicKeyVariants: J[] = [
  freshEd25519, freshSm2, generateSigningKey('Ed25519').publicKey, 'AAAA', Buffer.alloc(31).toString('base64'), Buffer.alloc(32).toString('base64'), Buffer.alloc(65).toString('base64'),
  ` ${freshEd25519} `, freshEd25519.replace(/=+$/, ''), Buffer.from(freshEd25519, 'base64').toString('base64url'), Buffer.from(freshEd25519, 'base64').toString('hex'), `${freshEd25519}\n`,
];

function assetFieldValue(path: string[]): fc.Arbitrary<J> {
  const leaf = path.at(-1) ?? '';
  const email = fc.constantFrom<J>('enforcement@bank.example.com', 'not-an-email', 'a@', '', 'a@b.example\u0000');
  const specific: Record<string, fc.Arbitrary<J>> = {
    institutions: fc.constantFrom<J>('all', 'ALL', [X], [X, Y, Z], ['NOPE'], [X, X], [], [X.toLowerCase()], ['-X'], ['X'.repeat(33)]),
    keyId: fc.constantFrom<J>(KEY_ID, SEAL_IDS[X]!, SEAL_IDS[Y]!, 'no-such-key', 'fuzz-new', '', ' x ', 'a b', 'k'.repeat(101)),
    publicKey: fc.constantFrom(...publicKeyVariants),
    alg: fc.constantFrom<J>('Ed25519', 'SM2', 'ed25519', 'RSA', ''),
    signature: fc.constantFrom<J>(SIGNATURE, 'AAAA', Buffer.alloc(64).toString('base64'), 'not base64!', '', '====', 'A'.repeat(513)),
    currency: fc.constantFrom<J>('CNY', 'USD', 'cny', 'RMB', 'CN', ''),
    requestId: fc.constantFrom<J>(REQUEST_ID, '00000000-0000-4000-8000-000000000000', 'not-a-uuid', ''),
    answeredAt: dateVariants,
    url: fc.constantFrom<J>(RECEIVER, 'http://user:pw@127.0.0.1/hook', 'ftp://127.0.0.1/x', 'javascript:alert(1)', 'http://', '//127.0.0.1/x', 'https://[::1', ''),
    code: fc.constantFrom<J>(X, 'icbc', '-X', 'A', 'X'.repeat(33), 'NEW-1', ''),
    channel: fc.constantFrom<J>('national', 'local', 'NATIONAL', 'p2p', ''),
    capabilities: fc.constantFrom<J>(['query'], ['freeze'], ['query', 'query'], [], ['query', 'teleport']),
    contactEmail: email,
    supervisorEmail: email,
    kind: fc.constantFrom<J>(...ASSET_KINDS, ...INSTITUTION_KINDS, 'individual', 'entity', 'Deposit', 'robot', ''),
    // Names the directory stores as given, and a debtor's name.
    name: fc.constantFrom<J>('厦门某某银行', 'a\u0000b', '\ud800', '银行\udfff', '  ', '字'.repeat(201), '<b>银行</b>'),
    region: fc.constantFrom<J>('福建省厦门市', 'r\u0000', '\udbff', ' ', ''),
    // Control orders and confirmations.
    findingId: fc.constantFrom<J>(FINDING_ID, '00000000-0000-4000-8000-000000000000', 'not-a-uuid', FINDING_ID.toUpperCase(), ''),
    action: fc.constantFrom<J>('freeze', 'renew', 'deduct', 'release', 'query', 'seize', 'FREEZE', ''),
    reason: fc.constantFrom<J>('performance', 'deletion', 'order', 'whim', 'PERFORMANCE', ''),
    officerEmail: email,
    until: fc.oneof(fc.constant<J>(UNTIL_SOON), edgeInstants, effectiveDates),
    orderId: fc.constantFrom<J>(ORDER_ID, '00000000-0000-4000-8000-000000000000', 'not-a-uuid', ''),
    effectiveAt: fc.oneof(fc.constant<J>(EFFECTIVE_AT), edgeInstants, effectiveDates),
    reference: fc.constantFrom<J>('CONFIRM-1', 'R\u0000', '\ud800', ' ', 'r'.repeat(201)),
  };
  return specific[leaf] ? fc.oneof({ weight: 5, arbitrary: specific[leaf] }, { weight: 5, arbitrary: fieldValue(path) }) : fieldValue(path);
}

/** Headers of the asset endpoints: mostly plain, so that what the body holds decides the answer (the other endpoints vary the headers at length). */
const assetHeaders: fc.Arbitrary<HeaderSpec> = fc.oneof(
  { weight: 3, arbitrary: headerSpec },
  { weight: 7, arbitrary: fc.record({ contentType: fc.constant<string | null>('application/json'), encoding: fc.constant<Encoding>('none'), idempotencyKey: fc.constant(null), extra: fc.constant<[string, string][]>([]), authVariant: fc.nat() }) },
);

/** Mostly one change to a base (kept, to check the refusal names it), sometimes anything at all, sometimes a base as is. */
const changedBodyFor = (bases: J[]): fc.Arbitrary<Changed> =>
  fc.oneof(
    { weight: 7, arbitrary: fc.constantFrom(...bases).chain((base) => nearValidAt(base, assetFieldValue)) },
    { weight: 2, arbitrary: arbitraryBody.map((body): Changed => ({ body, path: null, op: null })) },
    { weight: 1, arbitrary: fc.constantFrom(...bases).map((body): Changed => ({ body, path: null, op: null })) },
  );

const assetTargetArb = (own: 'search' | 'own-request'): fc.Arbitrary<Target> =>
  fc.oneof(
    { weight: 7, arbitrary: fc.nat().map((index): Target => ({ type: own, index })) },
    { weight: 1, arbitrary: fc.nat().map((index): Target => ({ type: own === 'search' ? 'request' : 'search', index })) },
    { weight: 1, arbitrary: fc.nat().map((index): Target => ({ type: 'request', index })) },
    { weight: 1, arbitrary: fc.uuid().map((value): Target => ({ type: 'uuid', value })) },
    { weight: 1, arbitrary: junkSegment.map((value): Target => ({ type: 'segment', value })) },
  );

/**
 * Findings (often frozen ones: what a renewal, deduction or release needs), orders and listings of the caller's
 * own, mostly. A finding goes in the body, not the path: always a UUID, so that the change made to the body is
 * the one thing the schema can refuse.
 */
const controlTargetArb = (own: 'own-finding' | 'own-order' | 'release-listing'): fc.Arbitrary<Target> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.nat().map((index): Target => ({ type: own, index })) },
    { weight: own === 'own-finding' ? 4 : 0, arbitrary: fc.nat().map((index): Target => ({ type: 'frozen-finding', index })) },
    { weight: 1, arbitrary: fc.nat().map((index): Target => ({ type: own === 'release-listing' ? 'listing' : 'request', index })) },
    { weight: 1, arbitrary: fc.uuid().map((value): Target => ({ type: 'uuid', value })) },
    { weight: own === 'own-finding' ? 0 : 1, arbitrary: junkSegment.map((value): Target => ({ type: 'segment', value })) },
  );

const assetTokenSpec: fc.Arbitrary<AssetTokenSpec> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ type: fc.constant('valid' as const), requestIndex: fc.nat(), expired: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('forged' as const), requestIndex: fc.nat(), flip: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('wrongSecret' as const), requestIndex: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('taskLink' as const), taskIndex: fc.nat() }) },
  { weight: 1, arbitrary: junkSegment.map((value): AssetTokenSpec => ({ type: 'junk', value })) },
);
const ASSET_FORM_FIELDS = ['kind0', 'account0', 'amount0', 'description0', 'kind1', 'amount1', 'description1', 'description4', 'description5', 'findings', '__proto__', 'kind0[]'];
const assetFormSpec: fc.Arbitrary<AssetFormSpec> = fc.record({
  contentType: fc.oneof(
    { weight: 6, arbitrary: fc.constant<string | null>('application/x-www-form-urlencoded') },
    { weight: 2, arbitrary: fc.constantFrom<string | null>(null, 'application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded; charset=utf-16') },
  ),
  fields: fc.array(
    fc.tuple(
      fc.constantFrom(...ASSET_FORM_FIELDS),
      fc.oneof(
        fc.constantFrom(...ASSET_KINDS, 'robot', '5000', '1,000.50', '-1', '1e400', 'abc', '0x10', '1e15', '12345678901234567890', ''),
        fc.constantFrom(...hostileConstants),
        fc.integer({ min: 2_000, max: 12_000 }).map((n) => '字'.repeat(n)),
      ),
    ),
    { maxLength: 6 },
  ),
  raw: fc.option(fc.constantFrom('description0=%', 'description0=%E0%A4%A', 'kind0=deposit&description0=%00', '&&&=&', `description0=${'%41'.repeat(4000)}`, 'a=1&'.repeat(50)), { freq: 6 }),
});
/**
 * Keys for subscribing: an institution's, or one refused before its body is read or by its role. Not a
 * department's, nor a malformed variant of one: with a good body it would subscribe its department, whose
 * deliveries then write in the background while other requests are checked.
 */
const subscriberKeys = keyFor(['insX', 'insY'], ['clerkA', 'supervisor', 'admin', 'revoked', 'none', 'unknown']);

const FETCHABLE_METHODS = METHODS.filter((method) => !['CONNECT', 'TRACE', 'TRACK'].includes(method));
const methodArb = fc.oneof({ weight: 8, arbitrary: fc.constant('GET') }, { weight: 5, arbitrary: fc.constant('POST') }, { weight: 4, arbitrary: fc.constantFrom(...FETCHABLE_METHODS) });

const specArb: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 18, arbitrary: fc.record({ kind: fc.constant('listing' as const), key: keyFor(['clerkA', 'clerkA', 'clerkNoCourt', 'clerkB']), body: bodyFor(listingBases), headers: headerSpec }) },
  {
    weight: 14,
    arbitrary: fc.constantFrom('performance' as const, 'revocation' as const, 'extension' as const).chain((action) =>
      fc.record({ kind: fc.constant('lift' as const), action: fc.constant(action), target: targetArb('listing', { termListings: action === 'extension' ? 6 : 0 }), key: keyFor(['clerkA', 'clerkB', 'clerkNoCourt']), body: bodyFor([liftBases[action]]), headers: headerSpec }),
    ),
  },
  {
    weight: 18,
    arbitrary: fc.constantFrom('acknowledge' as const, 'complete' as const).chain((action) =>
      fc.record({ kind: fc.constant('task' as const), action: fc.constant(action), target: targetArb('task'), key: keyFor(['d05', 'd06']), body: bodyFor([taskBases[action]]), headers: headerSpec }),
    ),
  },
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('apiKey' as const), key: keyFor(['admin']), body: bodyFor(keyBases), headers: headerSpec }) },
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('ackLink' as const),
      method: fc.oneof({ weight: 8, arbitrary: fc.constant('POST') }, { weight: 2, arbitrary: fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS') }),
      token: tokenSpec,
      suffix: fc.oneof({ weight: 9, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('/', '/extra', '/..', '?note=x', '%00', '/%2e%2e') }),
      form: formSpec,
      xff: fc.nat(63),
    }),
  },
  {
    weight: 28,
    arbitrary: fc.record({ kind: fc.constant('random' as const), method: methodArb, path: pathSpec, key: fc.constantFrom(...ALL_KEYS), body: fc.option(arbitraryBody, { freq: 2, nil: undefined }), headers: headerSpec }),
  },
  { weight: 7, arbitrary: fc.record({ kind: fc.constant('assetSearch' as const), key: keyFor(['clerkA', 'clerkA', 'clerkNoCourt', 'clerkB']), body: changedBodyFor(searchBases), headers: assetHeaders }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('closeSearch' as const), target: assetTargetArb('search'), key: keyFor(['clerkA', 'clerkB', 'clerkNoCourt']), body: bodyFor([toJ({})]), headers: assetHeaders }) },
  { weight: 9, arbitrary: fc.record({ kind: fc.constant('assetAnswer' as const), target: assetTargetArb('own-request'), key: keyFor(['insX', 'insY']), body: changedBodyFor(answerBases), headers: assetHeaders }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('institutionKey' as const),
      code: fc.oneof({ weight: 6, arbitrary: fc.constant('own') }, { weight: 2, arbitrary: fc.constantFrom(X, Y, Z, 'NOPE', X.toLowerCase()) }, { weight: 1, arbitrary: junkSegment }),
      key: keyFor(['insX', 'insY', 'admin']),
      body: changedBodyFor(institutionKeyBases),
      headers: assetHeaders,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('directory' as const), key: keyFor(['admin']), body: changedBodyFor(directoryBases), headers: assetHeaders }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('institutionWebhook' as const), key: subscriberKeys, body: changedBodyFor(institutionWebhookBases), headers: assetHeaders }) },
  { weight: 7, arbitrary: fc.record({ kind: fc.constant('controlOrder' as const), target: controlTargetArb('own-finding'), key: keyFor(['clerkA', 'clerkA', 'clerkNoCourt', 'clerkB']), body: changedBodyFor(controlOrderBases), headers: assetHeaders }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('confirmOrder' as const), target: controlTargetArb('own-order'), key: keyFor(['insX', 'insY']), body: changedBodyFor(confirmationBases), headers: assetHeaders }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('freezeRelease' as const), target: controlTargetArb('release-listing'), key: keyFor(['clerkA', 'clerkB', 'clerkNoCourt']), body: changedBodyFor(freezeReleaseBases), headers: assetHeaders }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('assetLink' as const),
      method: fc.oneof({ weight: 8, arbitrary: fc.constant('POST') }, { weight: 2, arbitrary: fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE') }),
      token: assetTokenSpec,
      suffix: fc.oneof({ weight: 9, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('/', '/extra', '?kind0=x', '%00') }),
      form: assetFormSpec,
      xff: fc.nat(63),
    }),
  },
);

// ---------------------------------------------------------------------------
// From spec to wire, against the current state.

interface Fixture {
  keys: Record<ValidKey | 'revoked', string>;
  listings: { id: string; courtCode: string }[];
  /** Listings with a fixed term, still imposing. */
  termListings: { id: string }[];
  tasks: { id: string; listingId: string; departmentCode: string }[];
  searches: { id: string; courtCode: string }[];
  requests: { id: string; searchId: string; institutionCode: string; status: string }[];
  /** Findings of answered requests, with their search's court and whether a freeze of theirs is in force. */
  findings: { id: string; courtCode: string; frozen: boolean }[];
  /** Control orders, with the institution they are addressed to. */
  orders: { id: string; freezeId: string; institutionCode: string; status: string }[];
  /** Listings whose case and debtor have freezes in force. */
  releaseListings: { id: string; courtCode: string }[];
  /** Each institution's registered signing key (X: Ed25519, Y: SM2). */
  seals: Record<string, SigningKey>;
  /** Where institutions' webhooks point: a receiver that takes everything. */
  receiverUrl: string;
}

type Endpoint =
  | 'createListing'
  | 'lift'
  | 'extension'
  | 'acknowledge'
  | 'complete'
  | 'createKey'
  | 'ackLink'
  | 'assetSearch'
  | 'closeSearch'
  | 'assetAnswer'
  | 'institutionKey'
  | 'directory'
  | 'institutionWebhook'
  | 'assetLink'
  | 'controlOrder'
  | 'confirmOrder'
  | 'freezeRelease'
  | 'other';

interface Planned {
  spec: Spec;
  wire: WireRequest;
  endpoint: Endpoint;
  /** Predicted: might this request write? (Only decides how it is checked.) */
  mayWrite: boolean;
  /** Sent with a valid key from an address that makes no failed authentications. */
  validKey: boolean;
  /** The listing an email link acts on, when the link names a known task. */
  linkListingId?: string | undefined;
  /** The asset search an answer or a close acts on, when the path names a known one. */
  searchId?: string | undefined;
  /** The freeze a confirmation acts on, when the path names a known order. */
  freezeId?: string | undefined;
  /** The JSON text of the body before any content encoding, when it has one. */
  text?: string | null;
  /** Set when a refusal must be a 400 naming the field changed: a plain JSON body the endpoint's schema refuses, sent with the right key to the caller's own resource. */
  schemaRefusal?: { path: string[] | null; op: Mutation['op'] | null } | undefined;
  describe: string;
}

const GZIP_BOMB = gzipSync(Buffer.from(`{"note":"${'x'.repeat(4_000_000)}"}`));
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TRUSTED_CLIENT = '198.51.100.7';

function pick<T>(items: T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

function segmentOf(target: Target, fixture: Fixture, key?: KeyRef): string {
  if (target.type === 'listing') return pick(fixture.listings, target.index)?.id ?? randomUUID();
  if (target.type === 'term-listing') return pick(fixture.termListings, target.index)?.id ?? randomUUID();
  if (target.type === 'task') return pick(fixture.tasks, target.index)?.id ?? randomUUID();
  if (target.type === 'search') return pick(fixture.searches, target.index)?.id ?? randomUUID();
  if (target.type === 'request') return pick(fixture.requests, target.index)?.id ?? randomUUID();
  if (target.type === 'own-finding' || target.type === 'frozen-finding') {
    const court = key ? courtOfKey(key) : null;
    const own = fixture.findings.filter((finding) => court === null || finding.courtCode === court);
    const frozen = own.filter((finding) => finding.frozen);
    return pick(target.type === 'frozen-finding' && frozen.length > 0 ? frozen : own, target.index)?.id ?? randomUUID();
  }
  if (target.type === 'own-order') {
    const institution = (key && institutionOfKey(key)) ?? X;
    const own = fixture.orders.filter((order) => order.institutionCode === institution);
    const open = own.filter((order) => order.status === 'open');
    return pick(open.length > 0 ? open : own, target.index)?.id ?? randomUUID();
  }
  if (target.type === 'release-listing') {
    const court = key ? courtOfKey(key) : null;
    const own = fixture.releaseListings.filter((listing) => court === null || listing.courtCode === court);
    return pick(own.length > 0 ? own : fixture.listings, target.index)?.id ?? randomUUID();
  }
  if (target.type === 'own-request') {
    const institution = (key && institutionOfKey(key)) ?? X;
    const own = fixture.requests.filter((request) => request.institutionCode === institution);
    const open = own.filter((request) => request.status === 'open');
    return pick(open.length > 0 ? open : own, target.index)?.id ?? randomUUID();
  }
  return target.value;
}

function authorization(key: KeyRef, variant: number, fixture: Fixture): string | null {
  if (key === 'none') return null;
  if (key === 'unknown') return `Bearer jsc_${randomUUID().replace(/-/g, '')}${variant}`;
  if (key === 'revoked') return `Bearer ${fixture.keys.revoked}`;
  if (key === 'malformed') {
    const real = fixture.keys[VALID_KEYS[variant % VALID_KEYS.length]!];
    const variants = [
      'Bearer', 'Bearer ', 'Basic Zm9vOmJhcg==', 'Bearer a b', `Bearer ${'A'.repeat(6000)}`, `Token ${real}`, `Bearer ${real}x`, `Bearer ${real.slice(0, -1)}`,
      `bearer   ${real}   `, `Bearer ${real},Bearer ${real}`, `Bearer\t${real}`, `Bearer ${real.toUpperCase()}`, 'Bearer jsc_%00', `Bearer "${real}"`,
    ];
    return variants[variant % variants.length]!;
  }
  return `Bearer ${fixture.keys[key]}`;
}

function encodeBody(text: string, encoding: Encoding): { body: Buffer; header: string | null } {
  const plain = Buffer.from(text, 'utf8');
  switch (encoding) {
    case 'none':
      return { body: plain, header: null };
    case 'gzip-real':
      return { body: gzipSync(plain), header: 'gzip' };
    case 'gzip-fake':
      return { body: plain, header: 'gzip' };
    case 'gzip-truncated': {
      const zipped = gzipSync(plain);
      return { body: zipped.subarray(0, Math.max(1, zipped.length - 6)), header: 'gzip' };
    }
    case 'gzip-bomb':
      return { body: GZIP_BOMB, header: 'gzip' };
    case 'deflate-real':
      return { body: deflateSync(plain), header: 'deflate' };
    case 'deflate-fake':
      return { body: plain, header: 'deflate' };
    case 'br-fake':
      return { body: plain, header: 'br' };
    default:
      return { body: plain, header: encoding };
  }
}

/** Does the schema take this JSON text? (Decides the lane only; the server is the judge.) */
function schemaTakes(schema: { safeParse(value: unknown): { success: boolean } }, text: string): boolean {
  try {
    return schema.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
}

const ENDPOINT_ROLE: Record<Exclude<Endpoint, 'ackLink' | 'assetLink' | 'other'>, string> = {
  createListing: 'clerk',
  lift: 'clerk',
  extension: 'clerk',
  acknowledge: 'department',
  complete: 'department',
  createKey: 'admin',
  assetSearch: 'clerk',
  closeSearch: 'clerk',
  assetAnswer: 'institution',
  // Or the administrator: see rightRoleFor.
  institutionKey: 'institution',
  directory: 'admin',
  institutionWebhook: 'institution',
  controlOrder: 'clerk',
  confirmOrder: 'institution',
  freezeRelease: 'clerk',
};

/** The schema each asset endpoint checks its body with. */
const ASSET_SCHEMAS: Partial<Record<Endpoint, { safeParse(value: unknown): { success: boolean } }>> = {
  assetSearch: assetSearchSchema,
  assetAnswer: assetAnswerSchema,
  institutionKey: institutionKeySchema,
  directory: institutionDirectorySchema,
  institutionWebhook: webhookSchema,
  controlOrder: controlOrderSchema,
  confirmOrder: controlConfirmationSchema,
  freezeRelease: freezeReleaseSchema,
};
const roleOf = (key: KeyRef) => (key.startsWith('clerk') ? 'clerk' : key === 'd05' || key === 'd06' ? 'department' : key.startsWith('ins') ? 'institution' : key);

/** What the server will route a method and path to. */
function endpointOf(method: string, path: string): Endpoint {
  if (method !== 'POST') return 'other';
  const bare = path.split('?')[0]!;
  if (/^\/ack\/[^/]+\/?$/.test(bare)) return 'ackLink';
  if (/^\/api\/listings\/?$/i.test(bare)) return 'createListing';
  if (/^\/api\/api-keys\/?$/i.test(bare)) return 'createKey';
  if (/^\/api\/listings\/[^/]+\/(performance|revocation)\/?$/i.test(bare)) return 'lift';
  if (/^\/api\/listings\/[^/]+\/extension\/?$/i.test(bare)) return 'extension';
  if (/^\/api\/tasks\/[^/]+\/acknowledge\/?$/i.test(bare)) return 'acknowledge';
  if (/^\/api\/tasks\/[^/]+\/complete\/?$/i.test(bare)) return 'complete';
  if (/^\/asset-answers\/[^/]+\/?$/.test(bare)) return 'assetLink';
  if (/^\/api\/asset-searches\/?$/i.test(bare)) return 'assetSearch';
  if (/^\/api\/asset-searches\/[^/]+\/close\/?$/i.test(bare)) return 'closeSearch';
  if (/^\/api\/asset-requests\/[^/]+\/answer\/?$/i.test(bare)) return 'assetAnswer';
  if (/^\/api\/institutions\/?$/i.test(bare)) return 'directory';
  if (/^\/api\/institutions\/[^/]+\/keys\/?$/i.test(bare)) return 'institutionKey';
  if (/^\/api\/webhooks\/?$/i.test(bare)) return 'institutionWebhook';
  if (/^\/api\/control-orders\/?$/i.test(bare)) return 'controlOrder';
  if (/^\/api\/control-orders\/[^/]+\/confirm\/?$/i.test(bare)) return 'confirmOrder';
  if (/^\/api\/listings\/[^/]+\/freeze-releases\/?$/i.test(bare)) return 'freezeRelease';
  return 'other';
}

function tokenOf(spec: TokenSpec, fixture: Fixture): { token: string; valid: boolean } {
  if (spec.type === 'junk') return { token: spec.value, valid: false };
  const taskId = pick(fixture.tasks, spec.taskIndex)?.id ?? randomUUID();
  const future = Math.floor(Date.now() / 1000) + 3600;
  if (spec.type === 'valid') {
    return { token: createLinkToken(createKeyring(LINK_SECRET), { taskId, action: spec.action, expiresAt: spec.expired ? Math.floor(Date.now() / 1000) - 60 : future }), valid: !spec.expired };
  }
  const good = createLinkToken(createKeyring(LINK_SECRET), { taskId, action: 'acknowledge', expiresAt: future });
  if (spec.type === 'wrongSecret') return { token: createLinkToken(createKeyring('not-the-secret'), { taskId, action: 'acknowledge', expiresAt: future }), valid: false };
  if (spec.type === 'truncated') return { token: good.slice(0, Math.max(0, good.length - spec.cut)), valid: false };
  if (spec.type === 'forged') {
    const at = spec.flip % good.length;
    const swap = good[at] === 'A' ? 'B' : 'A';
    return { token: `${good.slice(0, at)}${swap}${good.slice(at + 1)}`, valid: false };
  }
  const other = pick(fixture.tasks, spec.otherIndex)?.id ?? randomUUID();
  // Another task's claims under this token's key id and signature.
  const signature = good.slice(good.indexOf('.'));
  const [payload] = createLinkToken(createKeyring(LINK_SECRET), { taskId: other, action: 'complete', expiresAt: future }).split('.');
  return { token: `${payload}${signature}`, valid: false };
}

function describeSpec(spec: Spec, wire: WireRequest): string {
  const headers = Object.entries(wire.headers)
    .filter(([name]) => name !== 'x-forwarded-for')
    .map(([name, value]) => `${name}: ${value.length > 80 ? `${value.slice(0, 80)}…(${value.length})` : value}`)
    .join('; ');
  const body = wire.body ? wire.body.toString('utf8') : '';
  const shown = body.length > 300 ? `${JSON.stringify(body.slice(0, 300))}…(${wire.body!.length} bytes)` : JSON.stringify(body);
  const path = wire.path.length > 200 ? `${wire.path.slice(0, 200)}…(${wire.path.length})` : wire.path;
  return `[${spec.kind}${'key' in spec ? ` key=${spec.key}` : ''}] ${wire.method} ${path} {${headers}} body=${shown}`;
}

/** Replaces the stand-ins of a base (whole strings only) with the values of the moment. */
function filled(j: J, values: Record<string, string>): J {
  if (typeof j === 'string') return Object.hasOwn(values, j) ? values[j]! : j;
  if (Array.isArray(j)) return j.map((value) => filled(value, values));
  if (isObj(j)) return { obj: j.obj.map(([k, v]) => [k, filled(v, values)] as [string, J]) };
  return j;
}

/**
 * An answer whose `signature` is the stand-in gets the institution's real signature over what the server
 * checks: the body as it parses, without signature and keyId, with the path's request id. So a change that
 * the schema takes is signed, and whether it is accepted hangs on the server's rules, not on a bad signature.
 */
function signedAnswer(j: J, requestId: string, seal: SigningKey): J {
  let parsed: unknown;
  try {
    parsed = JSON.parse(jsonText(j));
  } catch {
    return j;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || (parsed as { signature?: unknown }).signature !== SIGNATURE) return j;
  try {
    const { signature } = signDocument({ ...(parsed as Record<string, unknown>), requestId }, { keyId: 'any', alg: seal.alg, privateKey: seal.privateKey });
    return filled(j, { [SIGNATURE]: signature });
  } catch {
    return j;
  }
}

/**
 * A confirmation whose `signature` is the stand-in gets the institution's real signature over what the server
 * checks: the body as it parses, without signature and keyId, with the path's order id (a body naming another
 * order is refused before its signature is looked at).
 */
function signedConfirmation(j: J, orderId: string, seal: SigningKey): J {
  let parsed: unknown;
  try {
    parsed = JSON.parse(jsonText(j));
  } catch {
    return j;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || (parsed as { signature?: unknown }).signature !== SIGNATURE) return j;
  try {
    const { signature } = signDocument({ ...(parsed as Record<string, unknown>), orderId }, { keyId: 'any', alg: seal.alg, privateKey: seal.privateKey });
    return filled(j, { [SIGNATURE]: signature });
  } catch {
    return j;
  }
}

/** An end 100 days from now: within the legal maximum of any freeze ordered or confirmed now. */
const untilSoon = () => new Date(Date.now() + 100 * 86_400_000).toISOString();

function assetTokenOf(spec: AssetTokenSpec, fixture: Fixture): { token: string; valid: boolean; searchId?: string | undefined } {
  if (spec.type === 'junk') return { token: spec.value, valid: false };
  const future = Math.floor(Date.now() / 1000) + 3600;
  if (spec.type === 'taskLink') {
    const taskId = pick(fixture.tasks, spec.taskIndex)?.id ?? randomUUID();
    return { token: createLinkToken(createKeyring(LINK_SECRET), { taskId, action: 'acknowledge', expiresAt: future }), valid: false };
  }
  const request = pick(fixture.requests, spec.requestIndex);
  const requestId = request?.id ?? randomUUID();
  if (spec.type === 'valid') {
    const expiresAt = spec.expired ? Math.floor(Date.now() / 1000) - 60 : future;
    return { token: createAssetAnswerToken(createKeyring(LINK_SECRET), { requestId, expiresAt }), valid: !spec.expired && request !== undefined, searchId: request?.searchId };
  }
  if (spec.type === 'wrongSecret') return { token: createAssetAnswerToken(createKeyring('not-the-secret'), { requestId, expiresAt: future }), valid: false };
  const good = createAssetAnswerToken(createKeyring(LINK_SECRET), { requestId, expiresAt: future });
  const at = spec.flip % good.length;
  const swap = good[at] === 'A' ? 'B' : 'A';
  return { token: `${good.slice(0, at)}${swap}${good.slice(at + 1)}`, valid: false };
}

function plan(spec: Spec, fixture: Fixture): Planned {
  if (spec.kind === 'ackLink' || spec.kind === 'assetLink') {
    const link: { token: string; valid: boolean; searchId?: string | undefined } = spec.kind === 'ackLink' ? tokenOf(spec.token, fixture) : assetTokenOf(spec.token, fixture);
    const path = `/${spec.kind === 'ackLink' ? 'ack' : 'asset-answers'}/${link.token}${spec.suffix}`;
    const text = spec.form.raw ?? new URLSearchParams(spec.form.fields).toString();
    const headers: Record<string, string> = { 'x-forwarded-for': clientAddress(20, spec.xff) };
    if (spec.form.contentType !== null) headers['content-type'] = spec.form.contentType;
    const sendsBody = spec.method !== 'GET' && spec.method !== 'HEAD';
    const wire: WireRequest = { method: spec.method, path, headers, body: sendsBody ? Buffer.from(text, 'utf8') : undefined };
    const endpoint = endpointOf(spec.method, path);
    const linkListingId = spec.kind === 'ackLink' && spec.token.type === 'valid' ? pick(fixture.tasks, spec.token.taskIndex)?.listingId : undefined;
    const searchId = link.searchId;
    return { spec, wire, endpoint, mayWrite: link.valid && endpoint === spec.kind, validKey: false, linkListingId, searchId, describe: describeSpec(spec, wire) };
  }

  let method = 'POST';
  let path: string;
  let json: J | undefined;
  let searchId: string | undefined;
  let freezeId: string | undefined;
  let releaseListingId: string | undefined;
  const institution = institutionOfKey(spec.key);
  if (spec.kind === 'listing') path = '/api/listings';
  else if (spec.kind === 'apiKey') path = '/api/api-keys';
  else if (spec.kind === 'lift') path = `/api/listings/${segmentOf(spec.target, fixture)}/${spec.action}`;
  else if (spec.kind === 'task') path = `/api/tasks/${segmentOf(spec.target, fixture)}/${spec.action}`;
  else if (spec.kind === 'assetSearch') path = '/api/asset-searches';
  else if (spec.kind === 'directory') path = '/api/institutions';
  else if (spec.kind === 'institutionWebhook') {
    path = '/api/webhooks';
    json = filled(spec.body.body, { [RECEIVER]: fixture.receiverUrl });
  } else if (spec.kind === 'institutionKey') path = `/api/institutions/${spec.code === 'own' ? (institution ?? X) : spec.code}/keys`;
  else if (spec.kind === 'closeSearch') {
    const id = segmentOf(spec.target, fixture, spec.key);
    searchId = fixture.searches.find((search) => search.id === id)?.id;
    path = `/api/asset-searches/${id}/close`;
  } else if (spec.kind === 'assetAnswer') {
    const requestId = segmentOf(spec.target, fixture, spec.key);
    searchId = fixture.requests.find((request) => request.id === requestId)?.searchId;
    path = `/api/asset-requests/${requestId}/answer`;
    const own = institution ?? X;
    json = signedAnswer(filled(spec.body.body, { [REQUEST_ID]: requestId, [KEY_ID]: SEAL_IDS[own]! }), requestId, fixture.seals[own]!);
  } else if (spec.kind === 'controlOrder') {
    path = '/api/control-orders';
    json = filled(spec.body.body, { [FINDING_ID]: segmentOf(spec.target, fixture, spec.key), [UNTIL_SOON]: untilSoon() });
  } else if (spec.kind === 'confirmOrder') {
    const orderId = segmentOf(spec.target, fixture, spec.key);
    freezeId = fixture.orders.find((order) => order.id === orderId)?.freezeId;
    path = `/api/control-orders/${orderId}/confirm`;
    const own = institution ?? X;
    const values = { [ORDER_ID]: orderId, [KEY_ID]: SEAL_IDS[own]!, [EFFECTIVE_AT]: new Date().toISOString(), [UNTIL_SOON]: untilSoon() };
    json = signedConfirmation(filled(spec.body.body, values), orderId, fixture.seals[own]!);
  } else if (spec.kind === 'freezeRelease') {
    const listingId = segmentOf(spec.target, fixture, spec.key);
    releaseListingId = fixture.listings.find((listing) => listing.id === listingId)?.id;
    path = `/api/listings/${listingId}/freeze-releases`;
  } else {
    method = spec.method;
    const segments = spec.path.segments.map((segment) => (typeof segment === 'string' ? segment : segmentOf(segment.ref, fixture)));
    const query = spec.path.query.map(([k, v]) => `${k}=${v}`).join('&');
    path = `/api/${segments.join('/')}${spec.path.trailingSlash ? '/' : ''}${query ? `?${query}` : ''}`;
  }
  if (json === undefined) json = isChanged(spec.body) ? spec.body.body : spec.body;

  const headers: Record<string, string> = {};
  const auth = authorization(spec.key, spec.headers.authVariant, fixture);
  if (auth !== null) headers.authorization = auth;
  const validKey = (VALID_KEYS as readonly string[]).includes(spec.key);
  headers['x-forwarded-for'] = validKey ? TRUSTED_CLIENT : clientAddress(10, spec.headers.authVariant % 16);
  for (const [name, value] of spec.headers.extra) if (name !== 'host' || value.trim() !== '') headers[name] = value;
  if (spec.headers.idempotencyKey !== null) headers['idempotency-key'] = spec.headers.idempotencyKey;

  let body: Buffer | undefined;
  let text: string | null = null;
  if (json !== undefined && (spec.kind !== 'random' || !SAFE_METHODS.has(method) || spec.headers.authVariant % 4 === 0)) {
    text = jsonText(json);
    const encoded = encodeBody(text, spec.headers.encoding);
    body = encoded.body;
    if (encoded.header) headers['content-encoding'] = encoded.header;
    if (spec.headers.contentType !== null) headers['content-type'] = spec.headers.contentType;
  }

  const wire: WireRequest = { method, path, headers, body };
  const endpoint = endpointOf(method, path);
  const readable = ['none', 'gzip-real', 'deflate-real', 'identity'].includes(spec.headers.encoding);
  const jsonType = /^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i.test(headers['content-type'] ?? '') || /^application\/json\s*;\s*foo=bar$/i.test(headers['content-type'] ?? '');
  const schema =
    endpoint === 'createListing' ? createListingSchema
      : endpoint === 'createKey' ? createApiKeySchema
        : endpoint === 'extension' ? extensionSchema
          : endpoint === 'acknowledge' ? acknowledgeSchema
            : endpoint === 'complete' ? completeSchema
              : endpoint === 'lift' ? (path.includes('/performance') ? performanceSchema : revocationSchema)
                : endpoint === 'closeSearch' ? { safeParse: () => ({ success: true }) }
                  : ASSET_SCHEMAS[endpoint] ?? null;
  const rightRole = validKey && rightRoleFor(endpoint, spec.key, path);
  const mayWrite = rightRole && readable && jsonType && text !== null && schema !== null && schemaTakes(schema, text);

  // A plain JSON object the schema refuses, sent with the right key to the caller's own resource, must be a 400 naming the field.
  const plain = spec.headers.encoding === 'none' && spec.headers.contentType === 'application/json' && spec.headers.idempotencyKey === null && spec.headers.extra.length === 0;
  const ownTarget =
    spec.kind === 'assetAnswer' ? spec.target.type === 'own-request' && searchId !== undefined
      : spec.kind === 'institutionKey' ? spec.code === 'own'
        : spec.kind === 'confirmOrder' ? spec.target.type === 'own-order' && freezeId !== undefined
          : spec.kind === 'freezeRelease' ? releaseListingId !== undefined
            : true;
  const schemaRefusal =
    isChanged(spec.body) && ASSET_SCHEMAS[endpoint] && rightRole && plain && ownTarget && text !== null && body !== undefined && body.length < (endpoint === 'directory' ? 2_000_000 : 60_000) && isJsonObject(text) && !schemaTakes(ASSET_SCHEMAS[endpoint]!, text)
      ? { path: spec.body.path, op: spec.body.op }
      : undefined;
  return { spec, wire, endpoint, mayWrite, validKey, searchId, freezeId, schemaRefusal, text: readable ? text : null, describe: describeSpec(spec, wire) };
}

/** Whether a key of this role is the one an endpoint serves (an institution's keys: its own, or any by an administrator). */
function rightRoleFor(endpoint: Endpoint, key: KeyRef, path: string): boolean {
  if (endpoint === 'other' || endpoint === 'ackLink' || endpoint === 'assetLink') return false;
  if (endpoint === 'institutionKey') {
    const code = /^\/api\/institutions\/([^/]+)\/keys/i.exec(path)?.[1];
    return roleOf(key) === 'admin' || (roleOf(key) === 'institution' && code === institutionOfKey(key));
  }
  return roleOf(key) === ENDPOINT_ROLE[endpoint];
}

const isChanged = (body: unknown): body is Changed => typeof body === 'object' && body !== null && 'body' in body && 'path' in body && 'op' in body;

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// The run.

let stack: TestStack;
let client: RawClient;
let fixture: Fixture;
const histogram = new Map<string, number>();
/** 2xx answers per endpoint: proof that the valid keys got through to every endpoint. */
const succeeded = new Map<Endpoint, number>();
const byEndpoint = new Map<string, number>();
let generated = 0;
let sent = 0;
/** Why extensions with a valid key were refused: an extension needs a fixed-term listing still imposing. */
const extensionRefusals = new Map<string, number>();
/** Answers that match a known defect of the product (KNOWN_DEFECTS), by defect: counted, not failed. */
const knownDefects = new Map<string, number>();
/** Refusals checked for naming the field changed, per endpoint. */
const namedRefusals = new Map<string, number>();
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;

beforeAll(async () => {
  stack = await startTestStack({ catalog: twoDepartmentCatalog(), institutions: directory });
  client = new RawClient(stack.apiUrl, IN_FLIGHT);
  receiver = await startWebhookReceiver();
  const keys = {
    clerkA: await stack.key('clerk', { courtCode: COURT_A }),
    clerkB: await stack.key('clerk', { courtCode: COURT_B }),
    clerkNoCourt: await stack.key('clerk'),
    d05: await stack.key('department', { departmentCode: 'D05' }),
    d06: await stack.key('department', { departmentCode: 'D06' }),
    supervisor: await stack.key('supervisor'),
    admin: stack.adminKey,
    insX: await stack.key('institution', { institutionCode: X }),
    insY: await stack.key('institution', { institutionCode: Y }),
    revoked: await stack.key('clerk', { courtCode: COURT_A }),
  };
  await stack.prisma.apiKey.update({ where: { keyHash: hashApiKey(keys.revoked) }, data: { revokedAt: new Date() } });

  // The listings the near-valid bodies are variations of (a valid one is then "already listed"), and one per court to act on.
  const ids = [
    await list(stack, keys.clerkA, entityListing({ caseNumber: '（2026）宁01执900号' })),
    await list(stack, keys.clerkA, individualListing({ caseNumber: '（2026）宁01执901号' })),
    await list(stack, keys.clerkA, entityListing({ caseNumber: '（2026）宁01执902号', debtor: { kind: 'entity', name: '第二公司', idNumber: creditCode(902) } })),
    await list(stack, keys.clerkB, entityListing({ caseNumber: '（2026）宁02执903号', courtCode: COURT_B, debtor: { kind: 'entity', name: '第三公司', idNumber: creditCode(903) } })),
    // Fixed terms: what an extension extends (without them, whether one succeeds would hang on which listings the batches create).
    await list(stack, keys.clerkA, entityListing({ caseNumber: '（2026）宁01执904号', periodYears: 2, debtor: { kind: 'entity', name: '第四公司', idNumber: creditCode(904) } })),
    await list(stack, keys.clerkB, entityListing({ caseNumber: '（2026）宁02执905号', courtCode: COURT_B, periodYears: 2, debtor: { kind: 'entity', name: '第五公司', idNumber: creditCode(905) } })),
  ];
  for (const id of ids) await tasksOf(stack, id, 'impose', 2);

  // X signs with Ed25519, Y with SM2; a few searches give them requests to answer (the fuzzed searches add more).
  const seals: Record<string, SigningKey> = { [X]: generateSigningKey('Ed25519'), [Y]: generateSigningKey('SM2') };
  for (const [code, key] of [[X, keys.insX], [Y, keys.insY]] as const) {
    const registered = await stack.request('POST', `/api/institutions/${code}/keys`, { key, body: { keyId: SEAL_IDS[code], publicKey: seals[code]!.publicKey, alg: seals[code]!.alg } });
    expect(registered.status).toBe(201);
  }
  const searches: string[] = [];
  for (let n = 0; n < 4; n++) {
    const created = await stack.request('POST', '/api/asset-searches', {
      key: n % 2 === 0 ? keys.clerkA : keys.clerkB,
      body: { caseNumber: `（2026）宁0${1 + (n % 2)}执96${n}号`, debtor: { kind: 'entity', name: `查控${n}公司`, idNumber: creditCode(960 + n) }, institutions: 'all' },
    });
    expect(created.status).toBe(201);
    searches.push(created.body.id);
  }

  // Control: a search of the case of listing 902 (court A) and of 903 (court B), answered by X and Y with three deposits
  // each; the first deposit of each answer frozen and the freeze confirmed, so that renewals, deductions, releases and
  // the release of a listing's freezes have something to act on from the first batch; then a deduction of it and a
  // freeze of the second deposit ordered, for the institutions to confirm.
  const sealed = <T extends Record<string, unknown>>(code: string, document: T) => signDocument(document, { keyId: SEAL_IDS[code]!, alg: seals[code]!.alg, privateKey: seals[code]!.privateKey });
  const freezes: string[] = [];
  const listedCases = [
    [keys.clerkA, '（2026）宁01执902号', { kind: 'entity', name: '第二公司', idNumber: creditCode(902) }],
    [keys.clerkB, '（2026）宁02执903号', { kind: 'entity', name: '第三公司', idNumber: creditCode(903) }],
  ] as const;
  for (const [clerk, caseNumber, debtor] of listedCases) {
    const created = await stack.request('POST', '/api/asset-searches', { key: clerk, body: { caseNumber, debtor, institutions: [X, Y] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    searches.push(created.body.id);
    for (const request of created.body.requests as { id: string; institutionCode: string }[]) {
      const code = request.institutionCode;
      const deposits = [0, 1, 2].map((n) => ({ kind: 'deposit', account: `6222-${n}`, currency: 'CNY', amountYuan: 10_000, description: `存款 ${n}` }));
      const { requestId: _, ...answer } = sealed(code, { requestId: request.id, findings: deposits });
      const answered = await stack.request('POST', `/api/asset-requests/${request.id}/answer`, { key: code === X ? keys.insX : keys.insY, body: answer });
      expect(answered.status, JSON.stringify(answered.body)).toBe(201);
      const [first, second] = (answered.body.findings as { id: string; account: string }[]).sort((a, b) => a.account.localeCompare(b.account));
      const ordered = await stack.request('POST', '/api/control-orders', { key: clerk, body: { findingId: first!.id, action: 'freeze' } });
      expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
      const { orderId: _order, ...confirmation } = sealed(code, { orderId: ordered.body.id, amountYuan: 10_000, reference: `${code}-F-1`, effectiveAt: new Date().toISOString() });
      const confirmed = await stack.request('POST', `/api/control-orders/${ordered.body.id}/confirm`, { key: code === X ? keys.insX : keys.insY, body: confirmation });
      expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(201);
      freezes.push(ordered.body.freezeId);
      for (const order of [{ findingId: first!.id, action: 'deduct', amountYuan: 100 }, { findingId: second!.id, action: 'freeze' }]) {
        const open = await stack.request('POST', '/api/control-orders', { key: clerk, body: order });
        expect(open.status, JSON.stringify(open.body)).toBe(201);
        freezes.push(open.body.freezeId);
      }
    }
  }
  await settle(stack, ids, 15_000, [...searches.map(assetSearchWorkflowIdOf), ...freezes.map(freezeWorkflowIdOf)]);
  fixture = { keys, listings: [], termListings: [], tasks: [], searches: [], requests: [], findings: [], orders: [], releaseListings: [], seals, receiverUrl: receiver.url };
  await refreshFixture();
});

afterAll(async () => {
  const rows = [...histogram].sort(([a], [b]) => a.localeCompare(b));
  console.log(
    [
      `fuzz seed ${SEED}: ${generated} generated requests (${sent} sent, with rechecks)`,
      `status histogram: ${rows.map(([status, count]) => `${status}×${count}`).join('  ')}`,
      `waited ${timing.settles} times for workflows to settle (${Math.round(timing.settleMs / 1000)} s)`,
      `extensions refused with a valid key: ${[...extensionRefusals].map(([reason, count]) => `${reason}×${count}`).join('  ')}`,
      `by endpoint: ${[...byEndpoint].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}×${v}`).join('  ')}`,
      `refusals checked for naming the field: ${[...namedRefusals].map(([k, v]) => `${k}×${v}`).join('  ')}`,
      `known defects met: ${[...knownDefects].map(([k, v]) => `${k}×${v}`).join('  ') || 'none'}`,
    ].join('\n'),
  );
  client?.close();
  await receiver?.stop();
  if (stack) {
    await terminateWorkflows(stack);
    await stack.stop();
  }
}, 60_000);

async function refreshFixture(): Promise<void> {
  fixture.listings = await stack.prisma.listing.findMany({ select: { id: true, courtCode: true }, orderBy: { createdAt: 'asc' } });
  fixture.termListings = await stack.prisma.listing.findMany({ where: { expiresAt: { not: null }, status: 'active' }, select: { id: true }, orderBy: { createdAt: 'asc' } });
  fixture.tasks = await stack.prisma.task.findMany({ select: { id: true, listingId: true, departmentCode: true }, orderBy: { createdAt: 'asc' } });
  fixture.searches = await stack.prisma.assetSearch.findMany({ select: { id: true, courtCode: true }, orderBy: { createdAt: 'asc' } });
  fixture.requests = await stack.prisma.assetRequest.findMany({ select: { id: true, searchId: true, institutionCode: true, status: true }, orderBy: [{ search: { createdAt: 'asc' } }, { institutionCode: 'asc' }] });
  fixture.findings = await stack.prisma.$queryRaw<Fixture['findings']>`
    SELECT f.id::text AS id, s."courtCode" AS "courtCode", EXISTS (SELECT 1 FROM "Freeze" z WHERE z."findingId" = f.id AND z.status = 'active') AS frozen
    FROM "AssetFinding" f JOIN "AssetSearch" s ON s.id = f."searchId" ORDER BY f."createdAt", f.id`;
  fixture.orders = await stack.prisma.controlOrder.findMany({ select: { id: true, freezeId: true, institutionCode: true, status: true }, orderBy: [{ orderedAt: 'asc' }, { id: 'asc' }] });
  fixture.releaseListings = await stack.prisma.$queryRaw<Fixture['releaseListings']>`
    SELECT l.id::text AS id, l."courtCode" AS "courtCode" FROM "Listing" l
    WHERE EXISTS (SELECT 1 FROM "Freeze" z WHERE z."caseKey" = l."caseNumber" AND z."courtCode" = l."courtCode" AND z."debtorIdNumber" = l."debtorIdNumber" AND z.status = 'active')
    ORDER BY l."createdAt", l.id`;
}

class Violation extends Error {}

/**
 * Defects of the product this run meets and does not fail on: each is counted
 * and printed. Remove an entry when the product is fixed; its inputs then have
 * to pass like any other. (found-inputs.test.ts holds one test for each.)
 */
const KNOWN_DEFECTS: { id: string; matches(planned: Planned, response: WireResponse): boolean }[] = [];

/** A field names the change when it is the changed value, inside it, or holds it. */
const namesChange = (field: string, changed: string) => field === changed || field.startsWith(`${changed}.`) || changed.startsWith(`${field}.`);
/**
 * Or, below the top level, a value beside it: a change can be valid on its own and make its neighbour invalid
 * (a debtor's `kind` decides which identifier `idNumber` must be).
 */
const namesChangeOrNeighbour = (field: string, path: string[]) =>
  namesChange(field, path.join('.')) || (path.length > 1 && field.startsWith(`${path.slice(0, -1).join('.')}.`));

/** Why a refusal of a body the schema refuses does not name the field changed, or null when it does. */
function refusalDefect(planned: Planned, response: WireResponse): string | null {
  if (response.status !== 400) return `a body the schema refuses was answered ${response.status}, not 400`;
  const errors = (response.json as { errors?: { field?: unknown; message?: unknown }[] } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0 || errors.some((error) => typeof error.field !== 'string' || error.field === '')) {
    return `the 400 names no field (${response.text.slice(0, 300)})`;
  }
  const { path, op } = planned.schemaRefusal!;
  // Not a change of one value, or the whole body replaced: naming any field is naming what changed.
  if (!path || (path.length === 0 && op !== 'extra')) return null;
  const changed = path.length === 0 ? '(body)' : path.join('.');
  const fields = errors.map((error) => error.field as string);
  const names = (field: string) => (path.length === 0 ? field === changed : namesChangeOrNeighbour(field, path));
  return fields.some(names) ? null : `the 400 names ${JSON.stringify(fields)}, not ${changed}`;
}

/** Sends one planned request and checks what holds for every answer. */
async function sendChecked(planned: Planned): Promise<WireResponse> {
  sent++;
  let response: WireResponse;
  try {
    response = await client.send(planned.wire);
  } catch (error) {
    if (error instanceof NoAnswer) throw new Violation(`${error.message}: ${planned.describe}`);
    throw error;
  }
  histogram.set(String(response.status), (histogram.get(String(response.status)) ?? 0) + 1);
  if (response.status >= 200 && response.status < 300) succeeded.set(planned.endpoint, (succeeded.get(planned.endpoint) ?? 0) + 1);
  const endpointKey = `${planned.endpoint}:${Math.floor(response.status / 100)}xx`;
  byEndpoint.set(endpointKey, (byEndpoint.get(endpointKey) ?? 0) + 1);
  const problem = response.json as { title?: string; detail?: string } | undefined;
  if (planned.endpoint === 'extension' && planned.validKey && response.status >= 400) {
    const reason = `${response.status} ${problem?.title ?? ''}`;
    extensionRefusals.set(reason, (extensionRefusals.get(reason) ?? 0) + 1);
  }
  if (response.status >= 500) {
    const known = KNOWN_DEFECTS.find((defect) => defect.matches(planned, response));
    if (!known) throw new Violation(`answered ${response.status} (${problem?.title ?? ''}: ${problem?.detail ?? response.text.slice(0, 200)}): ${planned.describe}`);
    knownDefects.set(known.id, (knownDefects.get(known.id) ?? 0) + 1);
  }
  if (planned.schemaRefusal && response.status !== 500) {
    const defect = refusalDefect(planned, response);
    if (defect) throw new Violation(`${defect}: ${planned.describe}`);
    namedRefusals.set(planned.endpoint, (namedRefusals.get(planned.endpoint) ?? 0) + 1);
  }
  if (response.status >= 400 && /^\/api(\/|\?|$)/i.test(planned.wire.path)) {
    // A HEAD answer has no body: its content-type is all there is to check.
    const defect = planned.wire.method === 'HEAD' ? (/^application\/problem\+json/i.test(String(response.headers['content-type'])) ? null : `content-type is "${response.headers['content-type']}"`) : problemDefect(response);
    if (defect) throw new Violation(`a ${response.status} under /api is not problem+json (${defect}; body ${JSON.stringify(response.text.slice(0, 200))}): ${planned.describe}`);
  }
  if (planned.validKey && (response.status === 401 || response.status === 429)) {
    throw new Violation(`a valid key was answered ${response.status}: ${planned.describe}`);
  }
  return response;
}

const wrote = (planned: Planned, response: WireResponse) => !SAFE_METHODS.has(planned.wire.method) && response.status >= 200 && response.status < 400;

/** Listings whose workflows have work outstanding after a success. */
const busy = new Set<string>();
/** Asset searches whose workflows have work outstanding after a success: a new search delivers, an answer or a close wakes it. */
const busySearches = new Set<string>();
/** Freezes whose workflows have work outstanding after a success: a new order is mailed, a confirmation wakes it. */
const busyFreezes = new Set<string>();
let busyUnknown = false;

function listingIdOf(planned: Planned, response: WireResponse): string | undefined {
  const body = response.json as { id?: string; listingId?: string } | undefined;
  if (planned.endpoint === 'createListing') return body?.id;
  if (planned.endpoint === 'lift' || planned.endpoint === 'extension') return /\/api\/listings\/([^/]+)\//i.exec(planned.wire.path)?.[1];
  if (planned.endpoint === 'acknowledge' || planned.endpoint === 'complete') return body?.listingId;
  return undefined;
}

/** Records what a success may still set in motion. */
function afterSuccess(planned: Planned, response: WireResponse, before: RowSnapshot | null, after: RowSnapshot | null): void {
  const changed = before === null || after === null || snapshotDiff(before, after).length > 0;
  const listingId = listingIdOf(planned, response);
  const accepted = (response.json as { accepted?: boolean } | undefined)?.accepted;
  if (planned.endpoint === 'createListing' && response.status === 201) busy.add(listingId!);
  else if (planned.endpoint === 'lift' && accepted !== false && listingId) busy.add(listingId);
  // Completing the last lift task closes the listing and mails everyone, after the answer.
  else if (planned.endpoint === 'complete' && changed && listingId && (response.json as { kind?: string } | undefined)?.kind !== 'impose') busy.add(listingId);
  else if (planned.endpoint === 'ackLink' && changed && planned.spec.kind === 'ackLink' && planned.spec.token.type === 'valid' && planned.spec.token.action === 'complete') {
    if (planned.linkListingId) busy.add(planned.linkListingId);
    else busyUnknown = true;
  }
  else if (planned.endpoint === 'assetSearch' && response.status === 201) busySearches.add((response.json as { id: string }).id);
  else if ((planned.endpoint === 'closeSearch' || planned.endpoint === 'assetAnswer' || planned.endpoint === 'assetLink') && changed) {
    if (planned.searchId) busySearches.add(planned.searchId);
    else busyUnknown = true;
  }
  else if (planned.endpoint === 'controlOrder' && response.status === 201) busyFreezes.add((response.json as { freezeId: string }).freezeId);
  else if (planned.endpoint === 'freezeRelease' && Array.isArray(response.json)) for (const order of response.json as { freezeId: string }[]) busyFreezes.add(order.freezeId);
  else if (planned.endpoint === 'confirmOrder' && changed) {
    if (planned.freezeId) busyFreezes.add(planned.freezeId);
    else busyUnknown = true;
  }
  else if (planned.endpoint === 'other' && changed) busyUnknown = true;
}

const timing = { settles: 0, settleMs: 0 };

async function settleIfBusy(): Promise<RowSnapshot | null> {
  if (busy.size === 0 && busySearches.size === 0 && busyFreezes.size === 0 && !busyUnknown) return null;
  const ids = busyUnknown ? fixture.listings.map((listing) => listing.id) : [...busy];
  const searches = busyUnknown ? (await stack.prisma.assetSearch.findMany({ select: { id: true } })).map((search) => search.id) : [...busySearches];
  const freezes = busyUnknown ? await freezeWorkflowIds(stack) : [...busyFreezes].map(freezeWorkflowIdOf);
  const started = Date.now();
  try {
    const settled = await settle(stack, ids, 15_000, [...searches.map(assetSearchWorkflowIdOf), ...freezes]);
    timing.settles++;
    timing.settleMs += Date.now() - started;
    busy.clear();
    busySearches.clear();
    busyFreezes.clear();
    busyUnknown = false;
    await refreshFixture();
    return settled;
  } catch (error) {
    if (error instanceof StuckWorkflow) throw new Violation(`after a success: ${error.message}`);
    throw error;
  }
}

/**
 * A refused request changed rows. Request-only tables cannot change in the
 * background: that is a violation outright. Otherwise each candidate is sent
 * again on its own, after everything settled, to find the one that writes;
 * when none does, the change is still a violation: nothing else runs between
 * two snapshots once the workflows have settled, so the write was a refused
 * request's, one that does not repeat.
 */
async function confirmWrite(candidates: Planned[], diff: string[]): Promise<void> {
  const fields = diff.map((line) => line.split(':')[0]);
  if (fields.some((field) => REQUEST_ONLY_FIELDS.includes(field as (typeof REQUEST_ONLY_FIELDS)[number]))) {
    throw new Violation(`refused requests wrote (${diff.join(', ')}); one of: ${candidates.map((c) => c.describe).join(' || ')}`);
  }
  busyUnknown = true;
  let last = (await settleIfBusy()) ?? (await snapshot(stack));
  for (const candidate of candidates) {
    const response = await sendChecked(candidate);
    const after = await snapshot(stack);
    const again = snapshotDiff(last, after);
    if (!wrote(candidate, response) && again.length > 0) throw new Violation(`a refused request (${response.status}) wrote ${again.join(', ')}: ${candidate.describe}`);
    if (wrote(candidate, response)) afterSuccess(candidate, response, last, after);
    last = (await settleIfBusy()) ?? after;
  }
  throw new Violation(`refused requests wrote (${diff.join(', ')}), and none wrote again when sent alone; one of: ${candidates.map((c) => c.describe).join(' || ')}`);
}

/** Runs a few at a time; all or nothing per request. */
async function inFlight<T, R>(items: T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await run(items[index]!);
      }
    }),
  );
  return results;
}

let lastSnapshot: RowSnapshot | null = null;

async function runBatch(specs: Spec[]): Promise<void> {
  generated += specs.length;
  await refreshFixture();
  const planned = specs.map((spec) => plan(spec, fixture));
  const together = planned.filter((p) => !p.mayWrite);
  const alone = planned.filter((p) => p.mayWrite);

  // Requests that should not write: a few at a time, checked together.
  lastSnapshot = (await settleIfBusy()) ?? lastSnapshot ?? (await snapshot(stack));
  const before = lastSnapshot;
  const responses = await inFlight(together, IN_FLIGHT, sendChecked);
  let after = await snapshot(stack);
  const writers = together.filter((p, i) => wrote(p, responses[i]!));
  const recheck: Planned[] = [];
  if (writers.length === 0) {
    const diff = snapshotDiff(before, after);
    if (diff.length > 0) {
      await confirmWrite(together, diff);
      after = await snapshot(stack);
    }
  } else {
    // A prediction missed a success: the refusals of this group are checked again one by one.
    together.forEach((p, i) => (wrote(p, responses[i]!) ? afterSuccess(p, responses[i]!, null, null) : recheck.push(p)));
  }
  lastSnapshot = after;

  // Requests that may write: one at a time, each checked on its own.
  for (const p of [...alone, ...recheck]) {
    lastSnapshot = (await settleIfBusy()) ?? lastSnapshot;
    const ahead = lastSnapshot;
    const response = await sendChecked(p);
    const behind = await snapshot(stack);
    if (wrote(p, response)) afterSuccess(p, response, ahead, behind);
    else {
      const diff = snapshotDiff(ahead, behind);
      if (diff.length > 0) await confirmWrite([p], diff);
    }
    lastSnapshot = await snapshot(stack);
  }
}

/** A batch prints as its size: the failing request is named in the error, and a whole batch would be megabytes. */
const batchArb = fc
  .array(specArb, { minLength: BATCH, maxLength: BATCH })
  .map((specs) => Object.assign(specs, { [fc.toStringMethod]: () => `[a batch of ${specs.length} requests]` }));

describe('fuzzing the state-changing endpoints', () => {
  it(`answers ${BATCH * RUNS} generated hostile requests below 500, as problem+json, writing nothing when it refuses`, async () => {
    console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} to reproduce)`);
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(batchArb, async (specs) => {
        await runBatch(specs);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The last successes have settled, and every workflow belongs to a recorded listing: no refused listing started one.
    lastSnapshot = (await settleIfBusy()) ?? lastSnapshot;
    const listings = await stack.prisma.listing.findMany({ select: { id: true } });
    const workflows = await workflowIdsOnQueue(stack, listings.length);
    expect([...workflows].sort()).toEqual(listings.map((listing) => `sanction-${listing.id}`).sort());
    // The same for asset searches: no refused search started a workflow.
    const searches = await stack.prisma.assetSearch.findMany({ select: { id: true } });
    const searchWorkflows = await workflowIdsOnQueue(stack, searches.length, 'assetSearchWorkflow');
    expect([...searchWorkflows].sort()).toEqual(searches.map((search) => assetSearchWorkflowIdOf(search.id)).sort());
    expect(generated).toBeGreaterThanOrEqual(10_000);
    // And for freezes: no refused order started a workflow.
    const freezes = await stack.prisma.freeze.findMany({ select: { id: true } });
    const freezeWorkflows = await workflowIdsOnQueue(stack, freezes.length, 'freezeWorkflow');
    expect([...freezeWorkflows].sort()).toEqual(freezes.map((freeze) => freezeWorkflowIdOf(freeze.id)).sort());
    const assetEndpoints = ['assetSearch', 'closeSearch', 'assetAnswer', 'institutionKey', 'directory', 'institutionWebhook', 'assetLink', 'controlOrder', 'confirmOrder', 'freezeRelease'] as const;
    for (const endpoint of ['createListing', 'lift', 'extension', 'acknowledge', 'complete', 'createKey', 'ackLink', ...assetEndpoints] as const) {
      expect(succeeded.get(endpoint) ?? 0, `no ${endpoint} request succeeded: the run did not get past the refusals`).toBeGreaterThan(0);
    }
    for (const endpoint of assetEndpoints.filter((endpoint) => ASSET_SCHEMAS[endpoint])) {
      expect(namedRefusals.get(endpoint) ?? 0, `no refusal of ${endpoint} was checked for naming its field`).toBeGreaterThan(0);
    }
    console.log(`fuzz run took ${Math.round((Date.now() - started) / 1000)} s`);
  }, 420_000);
});
