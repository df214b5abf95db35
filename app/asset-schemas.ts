import { z } from 'zod';
import { normalizeCaseNumber } from '../domain/case-numbers.js';
import { ASSET_KINDS } from '../domain/freeze-periods.js';
import { INSTITUTION_CODE } from '../domain/institutions.js';
import { SIGNATURE_ALGORITHMS } from '../platform/signed-documents.js';
import { debtorSchema, text } from './schemas.js';

/** Request schemas of online asset query and control (网络执行查控); unknown fields are refused. */

const institutionCode = z.string().trim().regex(INSTITUTION_CODE, 'must be an institution code from the directory (GET /api/institutions)');

export const assetSearchSchema = z.strictObject({
  caseNumber: text(100).transform(normalizeCaseNumber).meta({ example: '（2026）闽0203执123号' }),
  courtCode: text(50).optional().meta({ description: 'The searching court; a clerk key bound to a court searches for it' }),
  debtor: debtorSchema,
  institutions: z.union([z.literal('all'), z.array(institutionCode).min(1).max(10_000)]).meta({ description: '"all" for every institution of the directory that answers queries, or the codes of those to ask' }),
});
export type AssetSearchRequest = z.infer<typeof assetSearchSchema>;

const base64 = z.string().trim().min(1).max(512).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');

export const findingSchema = z.strictObject({
  kind: z.enum(ASSET_KINDS),
  account: text(100).optional(),
  currency: z.string().trim().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY').optional(),
  amountYuan: z.number().nonnegative().max(1e15).optional().meta({ description: 'The balance or value, in yuan' }),
  description: text(2000),
});
export type FindingInput = z.infer<typeof findingSchema>;

/** The institution's answer as it signs it: the signature covers the request id and the findings. */
export const assetAnswerSchema = z.strictObject({
  requestId: z.uuid().optional().meta({ description: 'The request answered; part of what is signed. Defaults to the request of the path' }),
  findings: z.array(findingSchema).max(500).meta({ description: 'What the institution holds of the debtor; an empty list when it holds nothing' }),
  answeredAt: z.iso.datetime({ offset: true }).optional(),
  signature: base64.meta({ description: 'Base64 signature over the RFC 8785 canonical JSON of this body without `signature` and `keyId`' }),
  keyId: text(200),
});

export const institutionKeySchema = z.strictObject({
  keyId: z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits, dot, colon, underscore and hyphen only'),
  publicKey: base64.meta({ description: 'Ed25519: base64 of the raw 32-byte key; SM2: base64 of the 65-byte uncompressed point' }),
  alg: z.enum(SIGNATURE_ALGORITHMS).default('Ed25519'),
});

export const assetRequestQuerySchema = z.strictObject({
  status: z.enum(['open', 'answered', 'overdue']).optional(),
});

export const assetSearchQuerySchema = z.strictObject({
  caseNumber: text(100).transform(normalizeCaseNumber).optional(),
});

/** The email link's page: no findings, or what the institution typed in. */
export const linkAnswerSchema = z.strictObject({
  findings: z.array(findingSchema).max(50),
});

export const CONTROL_ORDER_ACTIONS = ['freeze', 'renew', 'deduct', 'release'] as const;

/** An instant PostgreSQL stores and gives back: years 0001 to 9999. */
const storableInstant = z.iso.datetime({ offset: true }).refine((value) => {
  const at = Date.parse(value);
  return at >= Date.parse('0001-01-01T00:00:00Z') && at <= Date.parse('9999-12-31T23:59:59.999Z');
}, 'must fall between the years 0001 and 9999');
export const RELEASE_REASONS = ['performance', 'deletion', 'order'] as const;

export const controlOrderSchema = z.strictObject({
  findingId: z.uuid(),
  action: z.enum(CONTROL_ORDER_ACTIONS),
  amountYuan: z.number().positive().max(1e15).optional().meta({ description: 'Freeze: the amount to freeze (default: the finding\'s balance); deduction: the amount to transfer to the court\'s account' }),
  until: storableInstant.optional().meta({ description: 'Freeze and renewal: the end ordered, within the legal maximum for the kind of asset (default: that maximum)' }),
  reason: z.enum(RELEASE_REASONS).optional().meta({ description: 'Release: why (default order)' }),
  officerEmail: z.email().max(254).optional().meta({ description: 'The enforcement officer who hears of the freeze\'s expiry (default: the coordinating office)' }),
});

/** The institution's confirmation as it signs it: the signature covers the body and the order id. */
export const controlConfirmationSchema = z.strictObject({
  orderId: z.uuid().optional().meta({ description: 'The order confirmed; part of what is signed. Defaults to the order of the path' }),
  amountYuan: z.number().nonnegative().max(1e15).meta({ description: 'The amount actually frozen, deducted or released' }),
  reference: text(200).meta({ description: 'The institution\'s own reference (for a deduction: the transfer\'s)' }),
  effectiveAt: storableInstant,
  until: storableInstant.optional().meta({ description: 'Freeze and renewal: the end as the institution recorded it (default: as ordered)' }),
  signature: base64,
  keyId: text(200),
});

export const freezeQuerySchema = z.strictObject({
  expiringWithinDays: z.coerce.number().int().min(0).max(3650).optional(),
  caseNumber: text(100).transform(normalizeCaseNumber).optional(),
});

export const controlOrderQuerySchema = z.strictObject({
  status: z.enum(['open', 'confirmed', 'void']).optional(),
});

/** A performance or deletion on a listing: release every freeze in force of its case and debtor. */
export const freezeReleaseSchema = z.strictObject({
  reason: z.enum(RELEASE_REASONS).default('performance'),
});

export const assetStatsQuerySchema = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM').optional().meta({ description: 'One month (China time); without it every month with activity, newest first' }),
});

/** A court code as listings carry it. */
export const signingKeyQuerySchema = z.strictObject({
  courtCode: text(50).optional(),
});
