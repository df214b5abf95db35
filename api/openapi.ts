import { z } from 'zod';
import { catalogSchema } from '../domain/catalog.js';
import { holidayCalendarDataSchema } from '../domain/calendar.js';
import { XLSX_MEDIA_TYPE } from '../imports/read-sheet.js';
import { TASK_STATUSES } from '../domain/tasks.js';
import {
  acknowledgeSchema,
  completeSchema,
  createApiKeySchema,
  correctionSchema,
  createListingSchema,
  deletionSchema,
  extensionSchema,
  objectionDecisionSchema,
  objectionSchema,
  reconsiderationSchema,
  listingQuerySchema,
  overdueQuerySchema,
  statsQuerySchema,
  performanceSchema,
  restrictionBatchCheckSchema,
  restrictionChangesQuerySchema,
  restrictionCheckQuerySchema,
  revocationSchema,
  taskQuerySchema,
  webhookSchema,
  disclosureQuerySchema,
  declineSchema,
  feedbackEntrySchema,
  reassignSchema,
  reasonSchema,
  verificationSchema,
  taskExtensionRequestSchema,
  taskExtensionDecisionSchema,
  taskExtensionQuerySchema,
} from '../app/schemas.js';
import { LEDGER_FORMATS, MAX_LEDGER_ROWS, ledgerQuerySchema } from '../app/ledger.js';
import { ratesQuerySchema } from '../app/rates.js';
import {
  CONTROL_ORDER_ACTIONS,
  RELEASE_REASONS,
  assetAnswerSchema,
  assetRequestQuerySchema,
  assetSearchQuerySchema,
  assetSearchSchema,
  assetStatsQuerySchema,
  controlConfirmationSchema,
  controlOrderQuerySchema,
  controlOrderSchema,
  findingSchema,
  freezeQuerySchema,
  freezeReleaseSchema,
  institutionKeySchema,
} from '../app/asset-schemas.js';
import { CONTROL_ACTIONS, INSTITUTION_CHANNELS, INSTITUTION_KINDS, institutionDirectorySchema } from '../domain/institutions.js';
import { ASSET_KINDS } from '../domain/freeze-periods.js';

/**
 * The OpenAPI 3.1 document, built from the same zod schemas that check
 * requests: a field added to a schema appears here and is validated there.
 */
const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const errors = {
  400: problem('Invalid request: `errors` names each offending field'),
  401: problem('Missing, unknown, revoked or expired API key'),
  403: problem('The key may not do this'),
  404: problem('Not found'),
};
const json = (description: string, ref?: string) => ({
  description,
  ...(ref ? { content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } } : {}),
});
const body = (name: string) => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } });
/** Temporal's remote codec protocol: the same shape in and out, every byte field base64. */
const codecPayloads = {
  type: 'object',
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array',
      maxItems: 1000,
      items: { type: 'object', properties: { metadata: { type: 'object', additionalProperties: { type: 'string', contentEncoding: 'base64' } }, data: { type: 'string', contentEncoding: 'base64' } } },
    },
  },
};
const codecOperation = (summary: string) => ({
  summary,
  requestBody: { required: true, content: { 'application/json': { schema: codecPayloads } } },
  responses: {
    200: { description: '{ payloads }, in request order', content: { 'application/json': { schema: codecPayloads } } },
    400: problem('A malformed body, or a payload no configured key opens: `errors` names `payloads.<n>`'),
    401: errors[401],
    403: problem('Not an administrator key'),
  },
});
const idParam = (name = 'id') => ({ name, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } });
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Optional, 1–255 printable ASCII characters (a UUID is a good choice), per API key. The first request with a key runs and its answer is kept 24 hours; ' +
    'a repeat with the same key, method, path and body gets that answer again with `Idempotent-Replayed: true` and changes nothing. ' +
    'A repeat while the first still runs is 409; the key with another method, path or body is 422. Refusals and failures (4xx, 5xx) are not kept: a repeat runs again.',
  schema: { type: 'string', pattern: '^[\\x20-\\x7E]{1,255}$' },
};

/** Every state-changing operation under /api takes an Idempotency-Key (the streamed spreadsheet import excepted). */
function withIdempotencyKeys<T extends { paths: Record<string, Record<string, { parameters?: unknown[]; responses?: Record<string, unknown> }>> }>(document: T): T {
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/') || path === '/api/listings/import') continue;
    for (const method of ['post', 'put', 'patch', 'delete']) {
      const operation = item[method];
      if (!operation) continue;
      if (!operation.parameters?.includes(idempotencyKey)) operation.parameters = [...(operation.parameters ?? []), idempotencyKey];
      operation.responses = {
        409: problem('A request with this Idempotency-Key is in progress'),
        422: problem('This Idempotency-Key was used for another request'),
        ...operation.responses,
      };
    }
  }
  return document;
}

/** Query schemas become OpenAPI parameters, one per property. */
function queryParameters(schema: z.ZodType) {
  const { properties = {} } = jsonSchema(schema) as { properties?: Record<string, unknown> };
  return Object.entries(properties).map(([name, property]) => ({ name, in: 'query', required: false, schema: property }));
}

const task = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    listingId: { type: 'string', format: 'uuid' },
    departmentCode: { type: 'string' },
    kind: { enum: ['impose', 'lift', 'correct'] },
    measures: { type: 'array', items: { type: 'string' } },
    status: { enum: [...TASK_STATUSES] },
    acknowledgeDueAt: { type: 'string', format: 'date-time' },
    completeDueAt: { type: 'string', format: 'date-time' },
    acknowledgedAt: { type: ['string', 'null'], format: 'date-time' },
    completedAt: { type: ['string', 'null'], format: 'date-time' },
    escalationLevel: { type: 'integer', minimum: 0 },
    feedback: { type: ['array', 'null'], description: 'Per measure, as reported on completion', items: jsonSchema(feedbackEntrySchema) },
    declineReason: { type: ['string', 'null'] },
    suggestedDepartmentCode: { type: ['string', 'null'] },
    reassignedFromId: { type: ['string', 'null'], format: 'uuid', description: 'The declined task this one replaces' },
    verifiedAt: { type: ['string', 'null'], format: 'date-time', description: 'Signed off (销号)' },
    sentBackCount: { type: 'integer', minimum: 0 },
  },
};

const objection = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    listingId: { type: 'string', format: 'uuid' },
    ground: { enum: ['should-not-be-listed', 'inaccurate', 'should-be-deleted'] },
    statement: { type: 'string' },
    receivedAt: { type: 'string', format: 'date-time' },
    status: { enum: ['under-review', 'upheld', 'rejected', 'reconsidering', 'remedied', 'closed'] },
    duty: { enum: ['review', 'remedy', 'reconsideration', null], description: 'What the court owes now' },
    dueAt: { type: ['string', 'null'], format: 'date-time' },
    overdue: { type: 'boolean' },
    escalationLevel: { type: 'integer', minimum: 0 },
    remedy: { enum: ['revocation', 'correction', 'deletion'], description: 'What an upheld objection on its ground leads to' },
    decision: { type: ['object', 'null'] },
    reconsideration: { type: ['object', 'null'] },
    remediedAt: { type: ['string', 'null'], format: 'date-time' },
    remediedBy: { type: ['string', 'null'] },
  },
};

const restrictionCheck = {
  type: 'object',
  properties: {
    idNumber: { type: 'string' },
    restricted: { type: 'boolean' },
    restrictions: {
      type: 'array',
      description: "Only the measures the caller's department applies (a supervisor: every measure)",
      items: {
        type: 'object',
        properties: {
          measure: { type: 'string' },
          measureName: { type: 'string' },
          since: { type: 'string', format: 'date-time' },
          listingId: { type: 'string', format: 'uuid' },
          caseNumber: { type: 'string' },
          courtCode: { type: 'string' },
          role: { enum: ['debtor', 'legal-representative'] },
        },
      },
    },
    checkedAt: { type: 'string', format: 'date-time' },
  },
};

const restrictionChange = {
  type: 'object',
  description: 'One change of the feed; a webhook delivery carries the same object as its body',
  properties: {
    seq: { type: 'integer', description: 'Gap-free, in commit order' },
    type: { enum: ['imposed', 'lifted', 'updated'] },
    idNumber: { type: 'string' },
    name: { type: 'string' },
    measures: { type: 'array', items: { type: 'string' }, description: "The caller's measures among those the change concerns" },
    listingId: { type: 'string', format: 'uuid' },
    at: { type: 'string', format: 'date-time' },
  },
};

const webhook = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    url: { type: 'string' },
    description: { type: ['string', 'null'] },
    departmentCode: { type: 'string', description: 'A department’s subscription to its change feed' },
    institutionCode: { type: 'string', description: 'An institution’s subscription to its asset requests' },
    createdAt: { type: 'string', format: 'date-time' },
    secret: { type: 'string', description: 'Only in the answer to POST: signs every delivery (X-Signature: sha256=<hex HMAC-SHA256 of the raw body>)' },
  },
};

const rate = {
  type: 'object',
  description: 'A fraction 0..1 (4 decimals) with its counts; rate is null when the denominator is 0',
  properties: { rate: { type: ['number', 'null'], minimum: 0, maximum: 1 }, numerator: { type: 'integer' }, denominator: { type: 'integer' } },
};
const rateFigures = {
  type: 'object',
  properties: {
    dispatched: { type: 'integer', description: 'Tasks dispatched, without those reassigned to another department and those cancelled before acknowledgment' },
    responseRate: { ...rate, description: 'Acknowledged by the acknowledgment deadline / dispatched' },
    feedbackRate: { ...rate, description: 'Completed with feedback / completed (verified included)' },
    completionOnTimeRate: { ...rate, description: 'Completed by the completion deadline / dispatched' },
    liftOnTimeRate: { ...rate, description: "Lift tasks completed by 17:00 of the 3rd working day after the court's decision / lift tasks dispatched" },
    medianHoursToAcknowledge: { type: ['number', 'null'], description: 'From dispatch' },
    medianHoursToComplete: { type: ['number', 'null'], description: 'From dispatch' },
    open: { type: 'integer', description: 'Open now' },
    overdue: { type: 'integer', description: 'Past their open deadline now' },
  },
};
const rateKinds = { type: 'object', description: 'Per kind of task, and all kinds together', properties: { impose: rateFigures, lift: rateFigures, correct: rateFigures, all: rateFigures } };
const ratesOf = {
  type: 'object',
  properties: {
    now: { type: 'object', description: 'Every task open now, whenever dispatched', properties: { open: { type: 'integer' }, overdue: { type: 'integer' } } },
    total: rateKinds,
    months: { type: 'array', items: { type: 'object', properties: { month: { type: 'string', example: '2026-11' } }, additionalProperties: rateKinds } },
  },
};
const rates = {
  type: 'object',
  properties: {
    from: { type: 'string' },
    to: { type: 'string' },
    months: { type: 'array', items: { type: 'string' } },
    asOf: { type: 'string', format: 'date-time' },
    overall: { ...ratesOf, description: 'The departments reported, together' },
    departments: { type: 'array', items: { ...ratesOf, properties: { departmentCode: { type: 'string' }, nameZh: { type: 'string' }, nameEn: { type: 'string' }, ...ratesOf.properties } } },
  },
};

/**
 * The rule every document exchanged with institutions follows, the courts' notices and the institutions'
 * answers alike (platform/signed-documents.ts).
 */
const SIGNATURE_RULE =
  'A detached signature: `signature` is the base64 signature over the RFC 8785 (JCS) canonical JSON of the document without its `signature` and `keyId` members; `keyId` names the key. ' +
  'An answer is checked with `requestId` added (the request of the path) when the body does not carry it, a control order\'s confirmation with `orderId` (the order of the path), ' +
  'so that neither can be replayed onto another request or order. ' +
  'Ed25519 (the 64-byte signature) by default; SM2 with SM3 (GB/T 32918, user id `1234567812345678`; DER or the raw 64 bytes r‖s) for a key registered with `alg: "SM2"`.';

const uuid = { type: 'string', format: 'uuid' } as const;
const instant = { type: 'string', format: 'date-time' } as const;
const nullableInstant = { type: ['string', 'null'], format: 'date-time' } as const;

const finding = {
  type: 'object',
  description: 'An asset an institution reported; `amountYuan` is stored to the fen (2 decimals)',
  properties: {
    id: uuid,
    kind: { enum: [...ASSET_KINDS] },
    account: { type: 'string' },
    currency: { type: 'string', description: 'ISO 4217; CNY when an amount came without one' },
    amountYuan: { type: 'number' },
    description: { type: 'string' },
  },
  required: ['id', 'kind', 'description'],
};

const assetRequest = {
  type: 'object',
  description: "One institution's part of a search",
  properties: {
    id: uuid,
    institutionCode: { type: 'string' },
    status: { enum: ['open', 'answered', 'overdue', 'closed'], description: '`overdue`: open past `dueAt`; `closed`: the search was closed before an answer' },
    dueAt: instant,
    deliveredAt: nullableInstant,
    deliveredVia: { enum: ['webhook', 'email', null] },
    escalationLevel: { type: 'integer', minimum: 0, description: 'Escalation steps taken (0 = none)' },
    answeredAt: nullableInstant,
    answeredVia: { enum: ['api', 'link', null], description: '`api`: signed by the institution; `link`: through the email link' },
    findings: { type: 'array', items: { $ref: '#/components/schemas/Finding' } },
  },
};

const debtorOfSearch = {
  type: 'object',
  properties: { kind: { enum: ['individual', 'entity'] }, name: { type: 'string' }, idType: { type: 'string' }, idNumber: { type: 'string' } },
};

const assetSearch = {
  type: 'object',
  properties: {
    id: uuid,
    status: { enum: ['open', 'completed', 'closed'], description: '`completed`: every institution answered; `closed`: by the clerk' },
    courtCode: { type: 'string' },
    caseNumber: { type: 'string' },
    debtor: debtorOfSearch,
    directoryVersion: { type: 'integer', description: 'The directory version the search was sent under' },
    createdAt: instant,
    answerDueAt: instant,
    completedAt: nullableInstant,
    closedAt: nullableInstant,
    summary: { type: 'object', properties: { requests: { type: 'integer' }, answered: { type: 'integer' }, overdue: { type: 'integer' }, findings: { type: 'integer' } } },
    requests: { type: 'array', items: { $ref: '#/components/schemas/AssetRequest' } },
  },
};

const assetSearchSummary = {
  type: 'object',
  properties: { id: uuid, status: { enum: ['open', 'completed', 'closed'] }, courtCode: { type: 'string' }, caseNumber: { type: 'string' }, createdAt: instant, completedAt: nullableInstant, requests: { type: 'integer' }, findings: { type: 'integer' } },
};

const assetQueryNotice = {
  type: 'object',
  description: `The court's query notice as sealed with its key (GET /api/signing-keys). ${SIGNATURE_RULE}`,
  properties: {
    type: { const: 'asset-query' },
    requestId: uuid,
    searchId: uuid,
    courtCode: { type: 'string' },
    caseNumber: { type: 'string' },
    debtor: debtorOfSearch,
    institutionCode: { type: 'string' },
    issuedAt: instant,
    dueAt: instant,
    keyId: { type: 'string', example: 'court:FJ-XM-0203:3f9a0c1d2e4b' },
    signature: { type: 'string', contentEncoding: 'base64' },
  },
  required: ['type', 'requestId', 'searchId', 'courtCode', 'caseNumber', 'debtor', 'institutionCode', 'issuedAt', 'dueAt', 'keyId', 'signature'],
};

const publicKeyView = {
  type: 'object',
  properties: { keyId: { type: 'string' }, alg: { enum: ['Ed25519', 'SM2'] }, publicKey: { type: 'string', contentEncoding: 'base64' }, createdAt: instant },
};

const institutionDirectoryView = {
  type: 'object',
  properties: {
    version: { type: ['integer', 'null'], description: 'The newest directory version; null before any was loaded' },
    institutions: {
      type: 'array',
      description: 'Institutions of the newest version, by code; retired ones are left out',
      items: {
        type: 'object',
        properties: {
          code: { type: 'string' },
          name: { type: 'string' },
          kind: { enum: [...INSTITUTION_KINDS] },
          channel: { enum: [...INSTITUTION_CHANNELS], description: '`national`: 总对总, through the Supreme People’s Court’s network; `local`: 点对点, from the region’s courts' },
          capabilities: { type: 'array', items: { enum: [...CONTROL_ACTIONS] } },
          contactEmail: { type: 'string', format: 'email' },
          supervisorEmail: { type: 'string', format: 'email' },
          keys: { type: 'array', description: 'Its public keys (electronic seals) not revoked, oldest first', items: publicKeyView },
        },
      },
    },
  },
};

const courtKey = {
  type: 'object',
  description: "A court's public seal: derived per court from the signing secret (none is stored); a previous secret's key still verifies what it sealed",
  properties: { courtCode: { type: 'string' }, keyId: { type: 'string' }, alg: { const: 'Ed25519' }, publicKey: { type: 'string', contentEncoding: 'base64', description: 'The raw 32-byte Ed25519 key' }, current: { type: 'boolean', description: 'False for a previous secret’s key: it seals nothing new' } },
};

const registeredKey = {
  type: 'object',
  properties: { institutionCode: { type: 'string' }, keyId: { type: 'string' }, alg: { enum: ['Ed25519', 'SM2'] }, publicKey: { type: 'string', contentEncoding: 'base64' }, createdAt: instant },
};

/** The email link's form: up to five rows of findings; a row counts when it has a description. */
const linkAnswerForm = {
  type: 'object',
  description:
    'Rows 0–4; a row counts when its description is filled in (no row: "nothing held"). `kind` defaults to `other`; `amount` is a number in yuan (thousands separators allowed). ' +
    'The rows are checked as the findings of an API answer.',
  patternProperties: {
    '^kind[0-4]$': { enum: [...ASSET_KINDS] },
    '^account[0-4]$': { type: 'string', maxLength: 100 },
    '^amount[0-4]$': { type: 'string', example: '128,000.50' },
    '^description[0-4]$': { type: 'string', maxLength: 2000 },
  },
};

const tokenParam = { name: 'token', in: 'path', required: true, schema: { type: 'string' } };

/** The legal maximum of a freeze, and of each renewal (domain/freeze-periods.ts). */
const FREEZE_PERIODS =
  'A freeze, and each renewal from the current end, lasts at most: a bank deposit 1 year, a vehicle (movable property) 2 years, real estate, securities, insurance and other property rights 3 years ' +
  '(SPC interpretation of the Civil Procedure Law, art. 485); an end beyond it is 400 naming `until` (rule `freeze-period`).';

/** A performance or deletion offers the release of the case's freezes. */
const LIFTING_WITH_FREEZES = 'Lifting: { id, status, accepted }, with `freezesInForce` and `releaseFreezes` (the path to POST: /api/listings/{id}/freeze-releases) when freezes of the case are in force';

const controlOrderStatus = { enum: ['open', 'confirmed', 'void'], description: '`void`: the freeze lapsed before the institution confirmed' } as const;

const controlOrder = {
  type: 'object',
  description: 'One measure ordered on a finding: freeze, renewal, deduction (to the court\'s account) or release; the institution confirms it under its signature',
  properties: {
    id: uuid,
    freezeId: uuid,
    findingId: uuid,
    institutionCode: { type: 'string' },
    action: { enum: [...CONTROL_ORDER_ACTIONS] },
    status: controlOrderStatus,
    amountYuan: { type: ['number', 'null'], description: 'Freeze: the amount ordered frozen; deduction: the amount to transfer' },
    until: { ...nullableInstant, description: 'Freeze and renewal: the end ordered' },
    reason: { enum: [...RELEASE_REASONS, null], description: 'Release only' },
    dueAt: { ...instant, description: 'The confirmation is due by then (`assets.confirm` of the policy), reminded and escalated like an answer' },
    orderedAt: instant,
    deliveredAt: { ...nullableInstant, description: 'When the order reached the institution by email' },
    escalationLevel: { type: 'integer', minimum: 0 },
    confirmedAt: nullableInstant,
    confirmedAmountYuan: { type: ['number', 'null'], description: 'The amount actually frozen, deducted or released, as confirmed' },
    reference: { type: ['string', 'null'], description: 'The institution\'s own reference (a deduction: the transfer\'s)' },
    effectiveAt: { ...nullableInstant, description: 'When the measure took effect, as confirmed' },
  },
};

const controlOrderNotice = {
  type: 'object',
  description: `The court's control order as sealed with its key (GET /api/signing-keys). ${SIGNATURE_RULE}`,
  properties: {
    type: { const: 'control-order' },
    orderId: uuid,
    freezeId: uuid,
    action: { enum: [...CONTROL_ORDER_ACTIONS] },
    courtCode: { type: 'string' },
    caseNumber: { type: 'string' },
    debtor: debtorOfSearch,
    institutionCode: { type: 'string' },
    asset: { type: 'object', properties: { findingId: uuid, kind: { enum: [...ASSET_KINDS] }, account: { type: 'string' } }, required: ['findingId', 'kind'] },
    amountYuan: { type: 'number' },
    until: instant,
    reason: { enum: [...RELEASE_REASONS] },
    issuedAt: instant,
    dueAt: instant,
    keyId: { type: 'string' },
    signature: { type: 'string', contentEncoding: 'base64' },
  },
  required: ['type', 'orderId', 'freezeId', 'action', 'courtCode', 'caseNumber', 'debtor', 'institutionCode', 'asset', 'issuedAt', 'dueAt', 'keyId', 'signature'],
};

const freeze = {
  type: 'object',
  description: 'A freeze in force, by its end',
  properties: {
    id: uuid,
    findingId: uuid,
    searchId: uuid,
    institutionCode: { type: 'string' },
    courtCode: { type: 'string' },
    caseNumber: { type: 'string' },
    assetKind: { enum: [...ASSET_KINDS] },
    account: { type: ['string', 'null'] },
    status: { enum: ['ordered', 'active', 'released', 'deducted', 'lapsed'], description: '`ordered` until the institution confirms; `lapsed`: its end came without a confirmed renewal' },
    amountYuan: { type: 'number', description: 'What the institution froze (as confirmed)' },
    deductedYuan: { type: 'number' },
    frozenAt: nullableInstant,
    until: { ...instant, description: 'The current end: a confirmed renewal moves it' },
    daysLeft: { type: ['integer', 'null'], minimum: 0 },
    renewals: { type: 'integer', minimum: 0 },
    endedAt: nullableInstant,
    renewalOrdered: { type: 'boolean', description: 'A renewal awaits the institution\'s confirmation' },
  },
};

const assetOverdue = {
  type: 'object',
  properties: {
    requests: {
      type: 'array',
      description: 'Asset requests unanswered past their deadline, most overdue first (at most 1,000)',
      items: { type: 'object', properties: { id: uuid, searchId: uuid, caseNumber: { type: 'string' }, courtCode: { type: 'string' }, institutionCode: { type: 'string' }, dueAt: instant, hoursLate: { type: 'integer' }, escalationLevel: { type: 'integer' } } },
    },
    orders: {
      type: 'array',
      description: 'Control orders unconfirmed past their deadline, most overdue first (at most 1,000)',
      items: { type: 'object', properties: { id: uuid, freezeId: uuid, caseNumber: { type: 'string' }, courtCode: { type: 'string' }, institutionCode: { type: 'string' }, action: { enum: [...CONTROL_ORDER_ACTIONS] }, dueAt: instant, hoursLate: { type: 'integer' }, escalationLevel: { type: 'integer' } } },
    },
  },
};

const assetMonth = {
  type: 'object',
  description: 'One month, China time: searches and requests by the month of the search; orders by the month they took effect; lapses by the month of the lapse',
  properties: {
    month: { type: 'string', example: '2026-11' },
    searches: { type: 'integer' },
    requests: { type: 'integer' },
    answeredOnTime: { type: 'integer', description: 'Answered by their deadline' },
    onTimeRate: { type: ['number', 'null'], minimum: 0, maximum: 1, description: 'answeredOnTime / requests answered or past their deadline; null when none is' },
    institutionsAsked: { type: 'integer' },
    institutionsOnTime: { type: 'integer', description: 'Institutions asked that answered every request by its deadline' },
    hits: { type: 'integer', description: 'Requests answered with at least one finding' },
    findings: { type: 'integer' },
    frozen: { type: 'integer', description: 'Freezes confirmed' },
    frozenYuan: { type: 'number' },
    renewed: { type: 'integer' },
    lapsed: { type: 'integer' },
    lapsedYuan: { type: 'number', description: 'Frozen and not deducted when the freeze lapsed' },
    deductedYuan: { type: 'number' },
    released: { type: 'integer' },
  },
};


const listingImport = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    status: { enum: ['queued', 'running', 'completed', 'stopped'], description: '`stopped`: the importing key was revoked or expired; no row after `processed` was recorded' },
    stoppedReason: { enum: ['key-revoked', 'key-expired'], description: 'Only on a stopped import' },
    fileName: { type: ['string', 'null'] },
    format: { enum: ['csv', 'xlsx'] },
    total: { type: 'integer', description: 'Rows in the file' },
    processed: { type: 'integer', description: 'Rows recorded so far' },
    created: { type: 'integer', description: 'Rows that became new listings' },
    existing: { type: 'integer', description: 'Rows listed before (by hand or an earlier import)' },
    failed: { type: 'integer', description: 'Rows refused while recording' },
    completedAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

/** The headers every webhook delivery carries. */
const deliveryHeaders = (deliveryId: string) => [
  { name: 'X-Delivery-Id', in: 'header', required: true, description: deliveryId, schema: { type: 'string' } },
  { name: 'X-Timestamp', in: 'header', required: true, description: 'Unix seconds of the attempt', schema: { type: 'string' } },
  { name: 'X-Signature', in: 'header', required: true, description: '`sha256=<hex HMAC-SHA256 of the raw body with the subscription’s secret>`: compare in constant time', schema: { type: 'string' } },
];

export function openApiDocument(serverUrl: string) {
  return withIdempotencyKeys({
    openapi: '3.1.0',
    info: {
      title: 'Joint Sanctions Coordinator API (联合惩戒协同平台)',
      version: '0.1.0',
      description:
        'Lists dishonest judgment debtors and coordinates the departments that apply and lift credit sanctions; searches debtors\' assets at financial institutions and registries and orders their freeze, deduction and release (网络执行查控). ' +
        'Authenticate with `Authorization: Bearer <key>`; roles: `clerk`, `department`, `supervisor`, `admin`, `institution`. Every error is application/problem+json (RFC 9457). ' +
        'A request without a good key is answered 401 before its body is read; 30 failed authentications a minute from one client address, or with one key, are answered 429 (a good key is never refused for others\' failures). ' +
        'Headers over 16 KB are answered 431.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        CreateListing: jsonSchema(createListingSchema),
        CreateApiKey: jsonSchema(createApiKeySchema),
        Acknowledge: jsonSchema(acknowledgeSchema),
        Complete: jsonSchema(completeSchema),
        Decline: jsonSchema(declineSchema),
        Reassign: jsonSchema(reassignSchema),
        Reason: jsonSchema(reasonSchema),
        Verification: jsonSchema(verificationSchema),
        TaskExtensionRequest: jsonSchema(taskExtensionRequestSchema),
        TaskExtensionDecision: jsonSchema(taskExtensionDecisionSchema),
        Performance: jsonSchema(performanceSchema),
        Revocation: jsonSchema(revocationSchema),
        Extension: jsonSchema(extensionSchema),
        Deletion: jsonSchema(deletionSchema),
        Correction: jsonSchema(correctionSchema),
        CreateObjection: jsonSchema(objectionSchema),
        ObjectionDecision: jsonSchema(objectionDecisionSchema),
        Reconsideration: jsonSchema(reconsiderationSchema),
        Objection: objection,
        HolidayCalendar: jsonSchema(holidayCalendarDataSchema),
        Catalog: jsonSchema(catalogSchema),
        Task: task,
        RestrictionCheck: restrictionCheck,
        RestrictionChange: restrictionChange,
        Webhook: webhook,
        BatchCheck: jsonSchema(restrictionBatchCheckSchema),
        CreateWebhook: jsonSchema(webhookSchema),
        ListingImport: listingImport,
        Rates: rates,
        InstitutionDirectory: jsonSchema(institutionDirectorySchema),
        InstitutionDirectoryView: institutionDirectoryView,
        InstitutionKey: jsonSchema(institutionKeySchema),
        RegisteredKey: registeredKey,
        CourtKey: courtKey,
        CreateAssetSearch: jsonSchema(assetSearchSchema),
        AssetSearch: assetSearch,
        AssetSearchSummary: assetSearchSummary,
        AssetRequest: assetRequest,
        AssetQueryNotice: assetQueryNotice,
        FindingInput: jsonSchema(findingSchema),
        Finding: finding,
        AssetAnswer: { ...jsonSchema(assetAnswerSchema), description: SIGNATURE_RULE },
        AssetRequestWithNotice: {
          allOf: [{ $ref: '#/components/schemas/AssetRequest' }, { type: 'object', properties: { document: { $ref: '#/components/schemas/AssetQueryNotice' } } }],
        },
        CreateControlOrder: { ...jsonSchema(controlOrderSchema), description: FREEZE_PERIODS },
        ControlConfirmation: { ...jsonSchema(controlConfirmationSchema), description: SIGNATURE_RULE },
        FreezeRelease: jsonSchema(freezeReleaseSchema),
        ControlOrder: controlOrder,
        ControlOrderNotice: controlOrderNotice,
        ControlOrderWithNotice: {
          allOf: [{ $ref: '#/components/schemas/ControlOrder' }, { type: 'object', properties: { document: { $ref: '#/components/schemas/ControlOrderNotice' } } }],
        },
        Freeze: freeze,
        AssetOverdue: assetOverdue,
        AssetMonth: assetMonth,
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            status: { type: 'integer' },
            title: { type: 'string' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { field: { type: 'string' }, message: { type: 'string' }, rule: { type: 'string' }, row: { type: 'integer', description: 'Import errors: the spreadsheet row' }, column: { type: 'string', description: 'Import errors: the column header' } },
              },
            },
            freezeId: { type: 'string', format: 'uuid', description: 'Control orders refused 409: the freeze concerned' },
            freezeStatus: { enum: ['ordered', 'active', 'released', 'deducted', 'lapsed'], description: 'Control orders and confirmations refused 409: the freeze as it stands' },
          },
          required: ['status', 'title', 'detail'],
        },
      },
    },
    webhooks: {
      'restriction-change': {
        post: {
          summary: 'What a department’s subscription receives: each change of its feed, in feed order, retried until a 2xx',
          parameters: deliveryHeaders('`<subscription>.<seq>`, the same on every retry: drop duplicates by it'),
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RestrictionChange' } } } },
          responses: { 200: { description: 'Taken (any 2xx); anything else is sent again, and nothing after it meanwhile' } },
        },
      },
      'asset-request': {
        post: {
          summary: 'What an institution’s subscription receives: each new asset request, as the court sealed it',
          parameters: deliveryHeaders('The request id: a repeat is the same request'),
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', properties: { type: { const: 'asset-request' }, request: { $ref: '#/components/schemas/AssetQueryNotice' } }, required: ['type', 'request'] } } },
          },
          responses: { 200: { description: 'Taken (any 2xx); no 2xx within 10 s and the notice goes by email instead' } },
        },
      },
    },
    paths: {
      '/api/api-keys': {
        post: {
          summary: 'Create an API key (admin)',
          description:
            'A `department` key names its `departmentCode`; a `clerk` key may name a `courtCode`; an `institution` key names its `institutionCode`, a code of the directory (GET /api/institutions), ' +
            'and acts for that institution only: its asset requests and answers, its control orders and confirmations, its public keys, its webhook. A scope another role does not take is 400 naming the field.',
          requestBody: body('CreateApiKey'),
          responses: { 201: json('{ id, key, expiresAt }: the key, shown once'), ...errors },
        },
        get: {
          summary: 'Every API key, newest first, without its secret (admin)',
          responses: { 200: json('[{ id, name, role, departmentCode, courtCode, institutionCode, createdAt, expiresAt, revokedAt, status: active | revoked | expired }]'), 401: errors[401], 403: errors[403] },
        },
      },
      '/api/api-keys/{id}': {
        delete: {
          summary: 'Revoke an API key (admin)',
          description: 'From now on the key is answered 401, its dashboard sessions end and the imports it started stop before their next rows. Revoking a revoked key changes nothing.',
          parameters: [idParam()],
          responses: { 204: { description: 'Revoked' }, 401: errors[401], 403: errors[403], 404: errors[404] },
        },
      },
      '/api/catalog': {
        get: { summary: 'The current measures catalog', responses: { 200: json('Categories, measures, departments'), 401: errors[401] } },
        post: { summary: 'Import a catalog as a new version (admin)', requestBody: body('Catalog'), responses: { 201: json('{ version, created, diff }'), 200: json('Imported before'), ...errors } },
      },
      '/api/catalog/versions': { get: { summary: 'The catalog versions imported so far', responses: { 200: json('Versions'), 401: errors[401] } } },
      '/api/listings': {
        post: {
          summary: 'List a debtor and start the sanction (clerk)',
          requestBody: body('CreateListing'),
          responses: { 201: json('Listed; the sanction workflow started'), 200: json('The same listing was posted before'), ...errors, 413: problem('Body too large'), 415: problem('Not JSON') },
        },
        get: { summary: 'Listings, newest first, paged', parameters: queryParameters(listingQuerySchema), responses: { 200: json('{ items, nextCursor }'), ...errors } },
      },
      '/api/listings/import': {
        post: {
          summary: 'List every debtor of a CSV or XLSX file (clerk): checked whole first, then recorded in the background',
          description:
            'Send the file as the request body. Columns as in the template; Chinese headers or API field names. A file with any bad row is refused whole ' +
            '(400, `errors` names the row, column and rule of each). A good file answers 202 with the import to poll at its Location. Rows listed before are found, not listed again.',
          parameters: [
            { name: 'dryRun', in: 'query', required: false, schema: { type: 'boolean' }, description: 'Check the file, import nothing (200)' },
            { name: 'fileName', in: 'query', required: false, schema: { type: 'string', maxLength: 255 } },
          ],
          requestBody: {
            required: true,
            content: {
              'text/csv': { schema: { type: 'string' } },
              [XLSX_MEDIA_TYPE]: { schema: { type: 'string', format: 'binary' } },
            },
          },
          responses: { 202: json('Queued: the import', 'ListingImport'), 200: json('Checked (dryRun), or the same file already being imported'), ...errors, 413: problem('Larger than 10 MB') },
        },
      },
      '/api/listings/import/template.csv': { get: { summary: 'The import template: the header row, UTF-8 with BOM', responses: { 200: { description: 'text/csv' }, 401: errors[401] } } },
      '/api/listings/import/template.xlsx': { get: { summary: 'The import template: a workbook with drop-down lists and a guide sheet', responses: { 200: { description: 'XLSX workbook' }, 401: errors[401] } } },
      '/api/listings/import/{id}': { get: { summary: 'An import and its progress', parameters: [idParam()], responses: { 200: json('The import', 'ListingImport'), ...errors } } },
      '/api/listings/import/{id}/results': { get: { summary: 'Each recorded row: its row number, outcome and listing id', parameters: [idParam()], responses: { 200: json('{ id, status, rows }'), ...errors } } },
      '/api/listings/{id}': { get: { summary: 'A listing with its department tasks', parameters: [idParam()], responses: { 200: json('The listing'), ...errors } } },
      '/api/listings/{id}/events': { get: { summary: 'The audit trail, oldest first', parameters: [idParam()], responses: { 200: json('Events; header X-Audit-Chain'), ...errors } } },
      '/api/listings/{id}/events/verification': { get: { summary: 'Whether the hash chain is intact', parameters: [idParam()], responses: { 200: json('{ intact, brokenAt, length, head }'), ...errors } } },
      '/api/listings/{id}/performance': {
        post: { summary: 'Record performance: lift every sanction (clerk)', parameters: [idParam()], requestBody: body('Performance'), responses: { 202: json(LIFTING_WITH_FREEZES), ...errors, 409: problem('Already lifted') } },
      },
      '/api/listings/{id}/revocation': {
        post: { summary: 'Revoke the listing: lift every sanction (clerk)', parameters: [idParam()], requestBody: body('Revocation'), responses: { 202: json('Lifting'), ...errors, 409: problem('Already lifted') } },
      },
      '/api/listings/{id}/deletion': {
        post: {
          summary: 'Delete the listing on a ground of art. 10 ¶1: lift every sanction, the lift tasks counting from decidedAt (clerk)',
          parameters: [idParam()],
          requestBody: body('Deletion'),
          responses: { 202: json(LIFTING_WITH_FREEZES), ...errors, 409: problem('Already lifted') },
        },
      },
      '/api/listings/{id}/correction': {
        post: {
          summary: 'Correct the listing (art. 9): departments holding tasks get a correction notice and a 3-working-day task (clerk)',
          parameters: [idParam()],
          requestBody: body('Correction'),
          responses: { 200: json('The corrected listing'), ...errors, 409: problem('Not in force, or the corrected case and debtor are listed already') },
        },
      },
      '/api/listings/{id}/objections': {
        post: {
          summary: 'Record a listed person’s written objection (art. 11); the review is due 15 days after receipt (clerk)',
          parameters: [idParam()],
          requestBody: body('CreateObjection'),
          responses: { 201: json('The objection; header Location', 'Objection'), ...errors, 409: problem('The listing is no longer in force') },
        },
        get: { summary: 'The objections to a listing, oldest first (clerk, supervisor)', parameters: [idParam()], responses: { 200: json('Objections'), ...errors } },
      },
      '/api/objections/{id}': { get: { summary: 'An objection, its duty and deadline (clerk, supervisor)', parameters: [idParam()], responses: { 200: json('The objection', 'Objection'), ...errors } } },
      '/api/objections/{id}/decision': {
        post: {
          summary: 'The court’s decision, or the higher court’s on a reconsideration (art. 12): upheld, the remedy is due within 3 working days (clerk)',
          parameters: [idParam()],
          requestBody: body('ObjectionDecision'),
          responses: { 200: json('The objection', 'Objection'), ...errors, 409: problem('Nothing to decide') },
        },
      },
      '/api/objections/{id}/reconsideration': {
        post: {
          summary: 'An application for reconsideration, within 10 days of the rejection; the higher court decides within 15 days (clerk)',
          parameters: [idParam()],
          requestBody: body('Reconsideration'),
          responses: { 200: json('The objection', 'Objection'), ...errors, 409: problem('Not rejected, already reconsidered, or after the 10 days (art. 12)') },
        },
      },
      '/api/calendar': {
        get: { summary: 'The holiday calendar: years, sources, horizon and whether it is near', responses: { 200: json('The calendar'), 401: errors[401] } },
        post: { summary: 'Import holiday years (admin); deadlines counted on incomplete data are counted again', requestBody: body('HolidayCalendar'), responses: { 201: json('The new version'), 200: json('The same data was imported before'), ...errors } },
      },
      '/api/listings/{id}/extension': {
        post: { summary: 'Extend a fixed listing period (clerk)', parameters: [idParam()], requestBody: body('Extension'), responses: { 200: json('The listing'), ...errors, 409: problem('No fixed term, or lifting') } },
      },
      '/api/tasks': {
        get: {
          summary: 'Tasks (a department key sees its own), oldest first, paged',
          description:
            'With `limit` or `cursor` the answer is `{ items, nextCursor }`: pass `nextCursor` back as `cursor` until it is null (pages of 100 unless `limit` says up to 1,000). ' +
            'Without either, the answer is the earlier plain array holding the first 1,000 tasks; when more match, `X-Next-Cursor` and `Link: <…>; rel="next"` lead on.',
          parameters: queryParameters(taskQuerySchema),
          responses: {
            200: {
              description: '{ items: [Task], nextCursor } when paged; [Task] otherwise',
              content: {
                'application/json': {
                  schema: {
                    oneOf: [
                      { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Task' } }, nextCursor: { type: ['string', 'null'] } }, required: ['items', 'nextCursor'] },
                      { type: 'array', items: { $ref: '#/components/schemas/Task' } },
                    ],
                  },
                },
              },
              headers: {
                'X-Next-Cursor': { description: 'Plain form only: the cursor of the next page, when there is one', schema: { type: 'string' } },
                Link: { description: 'Plain form only: `</api/tasks?…&cursor=…>; rel="next"`, when there is a next page', schema: { type: 'string' } },
              },
            },
            ...errors,
          },
        },
      },
      '/api/tasks/{id}/acknowledge': {
        post: { summary: 'Acknowledge a task (department)', parameters: [idParam(), idempotencyKey], requestBody: body('Acknowledge'), responses: { 200: json('The task', 'Task'), ...errors, 409: problem('Cancelled or closed') } },
      },
      '/api/tasks/{id}/complete': {
        post: { summary: 'Report a task done (department)', parameters: [idParam(), idempotencyKey], requestBody: body('Complete'), responses: { 200: json('The task', 'Task'), ...errors, 409: problem('Cancelled or closed') } },
      },
      '/api/tasks/{id}/decline': {
        post: { summary: '"Not ours": the task leaves the department’s deadlines for the supervisors’ queue (department)', parameters: [idParam()], requestBody: body('Decline'), responses: { 200: json('The task', 'Task'), ...errors, 409: problem('Not open') } },
      },
      '/api/tasks/{id}/extension-requests': {
        post: { summary: 'Ask for more time on the open deadline; a supervisor grants or refuses (department)', parameters: [idParam()], requestBody: body('TaskExtensionRequest'), responses: { 201: json('The request'), ...errors, 409: problem('No open deadline, or a request awaits an answer') } },
      },
      '/api/tasks/{id}/reassign': {
        post: { summary: 'Give a declined task to another department: a fresh task with fresh deadlines; offered as a catalog correction (supervisor; also at …/reassignment)', parameters: [idParam()], requestBody: body('Reassign'), responses: { 200: json('{ task, newTask }'), ...errors, 409: problem('Not declined') } },
      },
      '/api/tasks/{id}/verify': {
        post: { summary: 'Sign off (销号) a completed task (supervisor; also at …/verification)', parameters: [idParam()], requestBody: body('Verification'), responses: { 200: json('The task', 'Task'), ...errors, 409: problem('Not completed') } },
      },
      '/api/extension-requests': { get: { summary: 'Requests for more time (supervisor; also at /api/task-extensions)', parameters: queryParameters(taskExtensionQuerySchema), responses: { 200: json('Requests'), ...errors } } },
      '/api/extension-requests/{id}/decision': {
        post: { summary: 'Grant (`granted: true`: the deadline and its ladder move) or refuse a request for more time (supervisor)', parameters: [idParam()], requestBody: body('TaskExtensionDecision'), responses: { 200: json('The request'), ...errors, 409: problem('Answered already, or the task moved on') } },
      },
      '/api/tasks/{id}/reassignment': {
        post: { summary: 'Give a declined task to another department: a fresh task with fresh deadlines; offered as a catalog correction (supervisor)', parameters: [idParam()], requestBody: body('Reassign'), responses: { 200: json('{ task, newTask }'), ...errors, 409: problem('Not declined') } },
      },
      '/api/tasks/{id}/return': {
        post: { summary: 'Return a declined task to its department, its open deadline counted afresh (supervisor)', parameters: [idParam()], requestBody: body('Reason'), responses: { 200: json('The task', 'Task'), ...errors, 409: problem('Not declined') } },
      },
      '/api/tasks/{id}/verification': {
        post: { summary: 'Sign off (销号) a completed task (supervisor)', parameters: [idParam()], requestBody: body('Verification'), responses: { 200: json('The task', 'Task'), ...errors, 409: problem('Not completed') } },
      },
      '/api/tasks/{id}/send-back': {
        post: { summary: 'Send a completion back: open again with a new completion deadline (supervisor)', parameters: [idParam()], requestBody: body('Reason'), responses: { 200: json('The task', 'Task'), ...errors, 409: problem('Not completed, or verified') } },
      },
      '/api/task-extensions': { get: { summary: 'Requests for more time (supervisor)', parameters: queryParameters(taskExtensionQuerySchema), responses: { 200: json('Requests'), ...errors } } },
      '/api/task-extensions/{id}/decision': {
        post: { summary: 'Grant (the deadline and its ladder move) or refuse a request for more time (supervisor)', parameters: [idParam()], requestBody: body('TaskExtensionDecision'), responses: { 200: json('The request'), ...errors, 409: problem('Answered already, or the task moved on') } },
      },
      '/api/supervision/declined': { get: { summary: 'Tasks declined as "not ours", oldest first (supervisor)', responses: { 200: json('Tasks with their reasons'), ...errors } } },
      '/api/supervision/awaiting-verification': { get: { summary: 'Completed tasks awaiting sign-off (supervisor)', responses: { 200: json('Tasks with their feedback'), ...errors } } },
      '/api/catalog/suggestions': { get: { summary: 'Catalog corrections offered by reassignments (supervisor, admin)', responses: { 200: json('Suggestions'), ...errors } } },
      '/api/catalog/suggestions/{id}/acceptance': {
        post: { summary: 'Accept a suggestion: the newest catalog with the measures moved becomes a new version (admin)', parameters: [idParam()], responses: { 201: json('The new version'), 200: json('The same catalog existed'), ...errors, 409: problem('Accepted or dismissed already') } },
      },
      '/api/catalog/suggestions/{id}/dismissal': {
        post: { summary: 'Dismiss a suggestion (admin)', parameters: [idParam()], responses: { 200: json('The suggestion'), ...errors, 409: problem('Accepted or dismissed already') } },
      },
      '/api/supervision/overdue': {
        get: {
          summary: 'Overdue tasks, most overdue first, paged (supervisor)',
          description:
            'Ordered by the deadline that passed, then id. With `limit` or `cursor` the answer is `{ items, nextCursor }`: pass `nextCursor` back as `cursor` until it is null (pages of 100 unless `limit` says up to 1,000). ' +
            'Without either, the answer is the earlier plain array holding the 1,000 most overdue tasks; when more are overdue, `X-Next-Cursor` and `Link: <…>; rel="next"` lead on.',
          parameters: queryParameters(overdueQuerySchema),
          responses: {
            200: {
              description: '{ items: [task with overdueSeconds, caseNumber, courtCode], nextCursor } when paged; the array of them otherwise',
              content: {
                'application/json': {
                  schema: {
                    oneOf: [
                      { type: 'object', properties: { items: { type: 'array', items: { type: 'object' } }, nextCursor: { type: ['string', 'null'] } }, required: ['items', 'nextCursor'] },
                      { type: 'array', items: { type: 'object' } },
                    ],
                  },
                },
              },
              headers: {
                'X-Next-Cursor': { description: 'Plain form only: the cursor of the next page, when there is one', schema: { type: 'string' } },
                Link: { description: 'Plain form only: `</api/supervision/overdue?…&cursor=…>; rel="next"`, when there is a next page', schema: { type: 'string' } },
              },
            },
            ...errors,
          },
        },
      },
      '/api/supervision/overdue-objections': { get: { summary: 'Objections whose review, remedy or reconsideration is overdue, most overdue first (supervisor)', responses: { 200: json('Objections with caseNumber and overdueSeconds'), ...errors } } },
      '/api/supervision/stats': {
        get: {
          summary: 'Per-department figures (supervisor); with `month` or `by=month`, one row per department and kind (impose, lift): tasks, open, overdue, responseRate, feedbackRate, onTimeCompletionRate, medianSecondsToAcknowledge',
          description:
            'Without parameters: per department tasks, open, acknowledged, acknowledgedOnTime, completed, overdue and medianSecondsToAcknowledge, read from counters the database keeps as tasks are written (overdue is counted at the time of the request). ' +
            'That median comes from a histogram of seconds to acknowledge: exact to the second below 100 s, within 1% above.',
          parameters: queryParameters(statsQuerySchema),
          responses: { 200: json('Rows per department (and kind and month)'), ...errors },
        },
      },
      '/api/rates': {
        get: {
          summary: 'Response, feedback and on-time rates per department and month of dispatch, China time (supervisor: every department; department: its own)',
          parameters: queryParameters(ratesQuerySchema),
          responses: { 200: json('Rates per department, per month and over the range, and all departments together', 'Rates'), ...errors },
        },
      },
      '/api/supervision/disclosures': {
        get: {
          summary: 'Who was shown which subject in full, when and why, newest first; the subject as a keyed hash (supervisor)',
          parameters: queryParameters(disclosureQuerySchema),
          responses: { 200: json('Disclosures: at, departmentCode, keyId, subjectHash, purpose (check, feed, webhook, listing-view), listingId'), ...errors },
        },
      },
      '/api/ledger': {
        get: {
          summary: "The coordinating office's ledger (台账): one row per task dispatched in the period, with a summary per department (supervisor)",
          description:
            `Tasks dispatched from \`from\` to \`to\` (China dates, both inclusive; either may be left open), ordered by dispatch time, then department. ` +
            `\`format\` chooses the answer (${LEDGER_FORMATS.join(', ')}): JSON { from, to, generatedAt, rows, summary, totals }; CSV (UTF-8 with BOM, Chinese headers); ` +
            'XLSX with the sheets 台账 (header frozen and filtered, instants as Excel dates in China time) and 汇总 (per department, and the totals). ' +
            `Debtor identifiers are never included. A period of more than ${MAX_LEDGER_ROWS.toLocaleString('en')} tasks is refused (400 naming from and to): narrow it.`,
          parameters: queryParameters(ledgerQuerySchema),
          responses: {
            200: {
              description: 'The ledger; CSV and XLSX as an attachment (Content-Disposition names ledger-<from>-<to>.<format>)',
              content: {
                'application/json': { schema: { type: 'object', properties: { from: { type: ['string', 'null'], format: 'date' }, to: { type: ['string', 'null'], format: 'date' }, generatedAt: { type: 'string', format: 'date-time' }, rows: { type: 'array', items: { type: 'object' } }, summary: { type: 'array', items: { type: 'object' } }, totals: { type: 'object' } } } },
                'text/csv': { schema: { type: 'string' } },
                [XLSX_MEDIA_TYPE]: { schema: { type: 'string', format: 'binary' } },
              },
            },
            ...errors,
          },
        },
      },
      '/api/restrictions/check': {
        get: {
          summary: "Is this person or entity restricted for the caller's measures? (department; supervisor: every measure)",
          parameters: queryParameters(restrictionCheckQuerySchema).map((parameter) => ({ ...parameter, required: true })),
          responses: { 200: json('The answer; an unknown identifier is simply not restricted', 'RestrictionCheck'), ...errors },
        },
        post: {
          summary: 'The same for up to 1,000 identifiers, answered in request order',
          requestBody: body('BatchCheck'),
          responses: { 200: { description: '{ results: [RestrictionCheck] }', content: { 'application/json': { schema: { type: 'object', properties: { results: { type: 'array', items: { $ref: '#/components/schemas/RestrictionCheck' } } } } } } }, ...errors },
        },
      },
      '/api/restrictions/changes': {
        get: {
          summary: "The change feed of the caller's measures: gap-free, in commit order, each change once (department; supervisor: every change)",
          parameters: queryParameters(restrictionChangesQuerySchema),
          responses: { 200: { description: '{ items: [RestrictionChange], nextCursor }: pass nextCursor as `after` to read on', content: { 'application/json': { schema: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/RestrictionChange' } }, nextCursor: { type: 'string' } } } } } }, ...errors },
        },
      },
      '/api/webhooks': {
        post: {
          summary: 'Subscribe a system: a department key to its change feed, an institution key to its asset requests (department, institution)',
          description:
            'A department’s subscription gets each change of its feed (the `restriction-change` webhook), retried until a 2xx. ' +
            'An institution’s gets each new asset request as the court sealed it (the `asset-request` webhook): a receiver that does not answer 2xx within 10 s gets the notice by email instead. ' +
            'Its newest subscription is used.',
          requestBody: body('CreateWebhook'),
          responses: { 201: json('The subscription with its secret, shown once', 'Webhook'), ...errors },
        },
        get: { summary: 'The caller’s subscriptions, without secrets (department, institution)', responses: { 200: { description: 'Subscriptions', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Webhook' } } } } }, ...errors } },
      },
      '/api/webhooks/{id}': {
        delete: { summary: 'Unsubscribe (department, institution: its own subscriptions)', parameters: [idParam()], responses: { 204: { description: 'Deleted; deliveries stop' }, ...errors } },
      },
      '/api/webhooks/{id}/deliveries': {
        get: {
          summary: 'Deliveries, newest first: pending, delivered or failing, with the last error (department)',
          description: 'An institution key is answered 403: how each asset request reached it is in GET /api/asset-requests (`deliveredVia`).',
          parameters: [idParam()],
          responses: { 200: json('Deliveries'), ...errors },
        },
      },
      '/api/institutions': {
        get: {
          summary: 'The directory of institutions (网络执行查控): code, name, kind, channel, capabilities, addresses and public keys (clerk, supervisor, admin, institution)',
          responses: { 200: json('The newest directory version', 'InstitutionDirectoryView'), ...errors },
        },
        post: {
          summary: 'Import a directory as a new version (admin): institutions it no longer lists are retired; searches keep the version they were sent under',
          description: 'The shape of `domain/institution-data/directory.json`, up to 2 MB. A bad directory is 400 naming `institutions`, its message listing each offending path.',
          requestBody: body('InstitutionDirectory'),
          responses: {
            201: json('{ version, created: true, institutions }: the new version'),
            200: json('{ version, created: false, institutions }: this directory is the newest version already'),
            ...errors,
            413: problem('Larger than 2 MB'),
          },
        },
      },
      '/api/institutions/{code}/keys': {
        post: {
          summary: 'Register a public key an institution signs its answers with (admin, or the institution’s own key)',
          description:
            'Ed25519 (default): base64 of the raw 32-byte key; SM2: base64 of the 65-byte uncompressed point. A key id names one key for good: ' +
            'the same key again is 200 and changes nothing, another key under the same id is 409. An institution key registering for another institution is 403.',
          parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'string', example: 'ICBC' } }],
          requestBody: body('InstitutionKey'),
          responses: {
            201: json('The key registered', 'RegisteredKey'),
            200: json('The same key was registered before', 'RegisteredKey'),
            ...errors,
            404: problem('No such institution in the directory (or retired)'),
            409: problem('The key id is registered already with another key'),
          },
        },
      },
      '/api/signing-keys': {
        get: {
          summary: 'The courts’ public keys, which seal every query notice: each court that has searched, and the one asked for (any role)',
          description:
            'Derived per court from `ACK_TOKEN_SECRET` (HKDF-SHA256), so no private key is stored. After a rotation the keys of `ACK_TOKEN_PREVIOUS_SECRETS` are listed too (`current: false`): what they sealed still verifies.',
          parameters: [{ name: 'courtCode', in: 'query', required: false, schema: { type: 'string', example: 'FJ-XM-0203' }, description: 'Also list this court’s keys' }],
          responses: { 200: { description: 'Keys, by court', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/CourtKey' } } } } }, ...errors },
        },
      },
      '/api/asset-searches': {
        post: {
          summary: 'Search a debtor’s assets at every institution chosen (clerk): one court-sealed query notice per institution, delivered by webhook or email',
          description:
            '`institutions` is `"all"` (every institution of the newest directory) or a list of codes; an unknown or repeated code is 400 naming `institutions.<n>`. ' +
            'A clerk key bound to a court searches for that court; another key names `courtCode`. Answers are due `assets.answer` of the policy after the search, reminded and escalated like tasks.',
          requestBody: body('CreateAssetSearch'),
          responses: { 201: json('The search with its requests', 'AssetSearch'), ...errors, 409: problem('No directory is loaded, or it lists no institution to ask') },
        },
        get: {
          summary: 'Searches, newest first, at most 200, without their requests (clerk: its court’s; supervisor)',
          parameters: queryParameters(assetSearchQuerySchema),
          responses: { 200: { description: 'Searches', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/AssetSearchSummary' } } } } }, ...errors },
        },
      },
      '/api/asset-searches/{id}': {
        get: { summary: 'A search as it stands: each request’s status, deadline, escalation level and findings (clerk: its court’s; supervisor)', parameters: [idParam()], responses: { 200: json('The search', 'AssetSearch'), ...errors } },
      },
      '/api/asset-searches/{id}/close': {
        post: {
          summary: 'Close a search (clerk): no more answers are awaited, reminders and escalations stop; what was found stays. A closed or completed search is answered as it stands',
          parameters: [idParam()],
          responses: { 200: json('The search', 'AssetSearch'), ...errors },
        },
      },
      '/api/asset-requests': {
        get: {
          summary: 'The calling institution’s requests, due first, at most 1,000, each with the court’s sealed notice (institution)',
          parameters: queryParameters(assetRequestQuerySchema),
          responses: { 200: { description: 'Requests', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/AssetRequestWithNotice' } } } } }, ...errors },
        },
      },
      '/api/asset-requests/{id}/answer': {
        post: {
          summary: 'Answer a request with the findings, signed (institution); an empty list when nothing is held',
          description:
            `${SIGNATURE_RULE} A signature that does not verify is 400 naming \`signature\` (rule \`bad-signature\`), an unregistered key 400 naming \`keyId\` (rule \`unknown-key\`); ` +
            'nothing is recorded of the answer, but the refusal is kept in the search’s audit trail. An answer is final: the same findings again are 200 and change nothing, other findings 409. A late answer is taken.',
          parameters: [idParam()],
          requestBody: body('AssetAnswer'),
          responses: {
            201: json('Recorded: the request with its findings', 'AssetRequest'),
            200: json('The same findings were recorded before', 'AssetRequest'),
            ...errors,
            403: problem('Not an institution key, or the request is addressed to another institution'),
            409: problem('Answered before with other findings, or the search was closed'),
          },
        },
      },
      '/api/control-orders': {
        post: {
          summary: 'Order a freeze, renewal, deduction or release of a finding (clerk): a court-sealed order to the institution, which confirms it under its signature',
          description:
            `\`findingId\` names a finding of an answered request (a clerk bound to a court: of its court's searches; another court's is 403, an unknown one 400 naming \`findingId\`). ` +
            '`freeze` freezes `amountYuan` (default: the finding\'s balance) until `until` (default: the legal maximum); `renew` moves the end of a freeze in force; `deduct` transfers `amountYuan` (required, at most what is frozen and not yet deducted or ordered) to the court\'s account; ' +
            '`release` ends the freeze (`reason`, default `order`). An action the institution does not take online (its `capabilities`) is 400 naming `action` (rule `capability`). ' +
            `${FREEZE_PERIODS} The order reaches the institution by email (and in GET /api/control-orders); its confirmation is due \`assets.confirm\` of the policy after the order, reminded and escalated like an answer. ` +
            'A freeze\'s workflow follows it to its end: the officer (`officerEmail`) is reminded, the coordinating office told when no renewal is ordered in time, and a freeze not renewed lapses at its end.',
          requestBody: body('CreateControlOrder'),
          responses: {
            201: json('The order', 'ControlOrder'),
            ...errors,
            403: problem('Not a clerk key, or the finding belongs to another court\'s search'),
            409: problem('A freeze of a finding frozen already (`freezeId`); a renewal, deduction or release of a finding not frozen, of a freeze awaiting its confirmation, ended or lapsed (`freezeStatus`); or the same measure awaiting confirmation'),
          },
        },
        get: {
          summary: 'Control orders, newest first, at most 1,000 (clerk: its court\'s; supervisor; institution: those addressed to it, each with the court\'s sealed order)',
          parameters: queryParameters(controlOrderQuerySchema),
          responses: { 200: { description: 'Orders; an institution\'s carry `document`', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/ControlOrderWithNotice' } } } } }, ...errors },
        },
      },
      '/api/control-orders/{id}/confirm': {
        post: {
          summary: 'Confirm an order, signed (institution): the amount actually frozen, deducted or released, its reference and when it took effect',
          description:
            `${SIGNATURE_RULE} A signature that does not verify is 400 naming \`signature\` (rule \`bad-signature\`), an unregistered key 400 naming \`keyId\` (rule \`unknown-key\`); ` +
            'nothing is recorded of the confirmation, but the refusal is kept in the search\'s audit trail (`confirmation-refused`). A body naming another order is 400 naming `orderId`. ' +
            'A freeze as confirmed (`until`, from `effectiveAt`) and a renewal are held to the legal maximum (400 naming `until`); a deduction beyond what is frozen is 400 naming `amountYuan`. ' +
            'A confirmation is final: the same amount and reference again are 200 and change nothing, others 409. A confirmation of a measure on a freeze that lapsed or ended is refused (409).',
          parameters: [idParam()],
          requestBody: body('ControlConfirmation'),
          responses: {
            201: json('Recorded: the order as confirmed', 'ControlOrder'),
            200: json('The same confirmation was recorded before', 'ControlOrder'),
            ...errors,
            403: problem('Not an institution key, or the order is addressed to another institution'),
            409: problem('Confirmed before otherwise, or the freeze lapsed or ended before this confirmation (`freezeStatus`)'),
          },
        },
      },
      '/api/listings/{id}/freeze-releases': {
        post: {
          summary: 'Release every freeze in force of the listing\'s case and debtor (clerk): one release order each, those whose release is ordered already left out',
          description: 'What a performance or a deletion offers (its answer names this path and the freezes in force). The body may be left out: `reason` defaults to `performance`.',
          parameters: [idParam()],
          requestBody: { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/FreezeRelease' } } } },
          responses: {
            201: { description: 'The release orders made, possibly none', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/ControlOrder' } } } } },
            ...errors,
            403: problem('Not a clerk key, or the listing belongs to another court'),
            409: problem('A freeze of the case ended or lapsed meanwhile'),
          },
        },
      },
      '/api/supervision/freezes': {
        get: {
          summary: 'Freezes in force by their end, most urgent first, at most 1,000, each with whether a renewal is ordered (clerk: its court\'s; supervisor)',
          parameters: queryParameters(freezeQuerySchema),
          responses: { 200: { description: 'Freezes', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Freeze' } } } } }, ...errors },
        },
      },
      '/api/supervision/asset-overdue': {
        get: {
          summary: 'Asset requests unanswered and control orders unconfirmed past their deadline, most overdue first (clerk: its court\'s; supervisor)',
          responses: { 200: json('Overdue answers and confirmations', 'AssetOverdue'), ...errors },
        },
      },
      '/api/supervision/asset-stats': {
        get: {
          summary: 'Monthly figures of asset searches and control, China time, newest first: searches, on-time answers, hits, amounts frozen, renewed, lapsed and deducted (clerk: its court\'s; supervisor)',
          parameters: queryParameters(assetStatsQuerySchema),
          responses: { 200: { description: 'One row per month', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/AssetMonth' } } } } }, ...errors },
        },
      },
      '/ack/{token}': {
        get: { summary: 'The page of a one-click link (changes nothing)', security: [], parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'HTML page' }, 404: { description: 'Unknown or forged' }, 410: { description: 'Used or expired' } } },
        post: { summary: 'Act on a one-click link', security: [], parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'Done' }, 404: { description: 'Unknown or forged' }, 409: { description: 'Task cancelled' }, 410: { description: 'Used or expired' } } },
      },
      '/asset-answers/{token}': {
        get: {
          summary: 'The page of an asset request’s email link: the request and a form for the findings (changes nothing)',
          description: 'For institutions without a system of their own. The link is signed and answers until 60 days after the deadline; it works until the request is answered.',
          security: [],
          parameters: [tokenParam],
          responses: { 200: { description: 'HTML page' }, 404: { description: 'Unknown or forged' }, 409: { description: 'Expired' } },
        },
        post: {
          summary: 'Answer an asset request through its email link: the signed link stands for the institution',
          security: [],
          parameters: [tokenParam],
          requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: linkAnswerForm } } },
          responses: {
            200: { description: 'Recorded, or the same answer was recorded before (HTML page)' },
            400: { description: 'A finding is not valid: the page names it' },
            404: { description: 'Unknown or forged' },
            409: { description: 'Expired, answered before with other findings, or the search was closed' },
          },
        },
      },
      '/codec/decode': { post: codecOperation('The clear text of payloads the coordinator encrypted for Temporal, for the Temporal UI and CLI (admin)') },
      '/codec/encode': { post: codecOperation('Encrypt payloads under the current TEMPORAL_PAYLOAD_KEY (admin)') },
      '/healthz': {
        get: {
          summary: 'Database and Temporal reachable',
          description: 'A 503 names each part that is down in `down` (`part`, `since`, `seconds`, `cause`) and carries `Retry-After`.',
          security: [],
          responses: { 200: json('Healthy'), 503: problem('A dependency is unreachable') },
        },
      },
      '/readyz': {
        get: {
          summary: 'Ready for traffic: dependencies reachable and not shutting down',
          description:
            'Also lists every part the process knows under `parts` (`database`, `temporal`, and under the all-in-one start `temporalDevServer`), ' +
            'each with `status`, `since`, `cause` and `restarts`; the working-day calendar\'s horizon under `calendar`.',
          security: [],
          responses: { 200: json('Ready'), 503: problem('A dependency is down (named in `down`), or the instance is shutting down (`draining`)') },
        },
      },
    },
  });
}
