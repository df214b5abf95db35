import { z } from 'zod';
import { CIRCUMSTANCE_CODES } from '../domain/circumstances.js';
import { residentIdProblem, socialCreditCodeProblem } from '../domain/identifiers.js';
import { isStorableText } from '../domain/text.js';
import { ROLES } from '../domain/access.js';

/**
 * Request schemas: the single source for request checking and for the
 * OpenAPI document. Unknown fields are refused, so a misspelt field is an
 * error instead of silently ignored.
 */
const text = (max: number) =>
  z.string().trim().min(1).max(max).refine(isStorableText, 'must not contain NUL characters or unpaired surrogates');

const checked = (problemOf: (value: string) => string | null) =>
  z
    .string()
    .trim()
    .toUpperCase()
    .superRefine((value, ctx) => {
      const problem = problemOf(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

export const residentIdNumber = checked(residentIdProblem).meta({
  description: 'Resident ID number (GB 11643-1999), 18 characters, check character verified',
  example: '11010519491231002X',
});

export const socialCreditCode = checked(socialCreditCodeProblem).meta({
  description: 'Unified social credit code (GB 32100-2015), 18 characters, check character verified',
  example: '91350100M000100Y43',
});

const person = z.strictObject({ name: text(200), idNumber: residentIdNumber });

export const debtorSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('individual'), name: text(200), idNumber: residentIdNumber }),
  z.strictObject({
    kind: z.literal('entity'),
    name: text(200),
    idNumber: socialCreditCode,
    legalRepresentative: person.optional(),
  }),
]);

export const createListingSchema = z.strictObject({
  caseNumber: text(100).meta({ example: '（2026）宁01执123号' }),
  courtCode: text(50).optional(),
  debtor: debtorSchema,
  circumstance: z.enum(CIRCUMSTANCE_CODES),
  obligation: z.strictObject({
    description: text(2000),
    amountYuan: z.number().nonnegative().max(1e15).optional(),
  }),
  periodYears: z.number().int().positive().optional().meta({
    description: 'Listing period in years for circumstances with a fixed term: 2, or 3–5 with an extension of 1–3 years',
  }),
});
export type CreateListingRequest = z.infer<typeof createListingSchema>;

export const createApiKeySchema = z.strictObject({
  name: text(200),
  role: z.enum(ROLES),
  departmentCode: text(20).optional(),
  courtCode: text(50).optional(),
});

export const listingIdParam = z.uuid();

export const acknowledgeSchema = z.strictObject({
  by: text(200).meta({ description: 'Who acknowledges, e.g. a name or staff number' }),
  note: text(2000).optional(),
});

export const completeSchema = z.strictObject({
  by: text(200),
  reference: text(200).optional().meta({ description: "The department's own reference for the implementation" }),
  note: text(2000).optional(),
});

export const performanceSchema = z.strictObject({
  note: text(2000),
  performedAt: z.iso
    .datetime({ offset: true })
    .refine((value) => {
      const at = Date.parse(value);
      return at >= EARLIEST_PERFORMANCE && at <= Date.now() + 24 * 3600 * 1000;
    }, 'must be a time from 2000 on, and not in the future')
    .optional(),
});

/** Performance recorded before the listing system existed is a typo, as is one in the future. */
const EARLIEST_PERFORMANCE = Date.UTC(2000, 0, 1);

export const revocationSchema = z.strictObject({ reason: text(2000) });

export const extensionSchema = z.strictObject({
  extensionYears: z.number().int().min(1).max(3),
  reason: text(2000),
});

const TASK_STATUSES = ['pending', 'acknowledged', 'completed', 'cancelled'] as const;
const LISTING_STATUSES = ['active', 'lifting', 'lifted', 'revoked'] as const;

export const taskQuerySchema = z.strictObject({
  departmentCode: text(20).optional(),
  status: z.enum(TASK_STATUSES).optional(),
  kind: z.enum(['impose', 'lift']).optional(),
  overdue: z.enum(['true', 'false']).optional(),
});

export const overdueQuerySchema = z.strictObject({
  departmentCode: text(20).optional(),
  kind: z.enum(['impose', 'lift']).optional(),
  level: z.coerce.number<string>().int().min(0).max(10).optional(),
});

export const listingQuerySchema = z.strictObject({
  status: z.enum(LISTING_STATUSES).optional(),
  q: text(200).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number<string>().int().min(1).max(200).optional(),
});

export const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9._:-]{8,128}$/, 'use 8–128 letters, digits or . _ : -');

/** An 18-character identifier of either kind: a resident ID number or a unified social credit code, check character verified. */
export const subjectIdNumber = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((value, ctx) => {
    const asPerson = residentIdProblem(value);
    const asEntity = socialCreditCodeProblem(value);
    if (asPerson && asEntity) ctx.addIssue({ code: 'custom', message: `not a valid identifier: as a resident ID number, ${asPerson}; as a unified social credit code, ${asEntity}` });
  })
  .meta({ description: 'Resident ID number (GB 11643-1999) or unified social credit code (GB 32100-2015)', example: '11010519491231002X' });

export const restrictionCheckQuerySchema = z.strictObject({ idNumber: subjectIdNumber });

/** Up to 1,000 identifiers a call; the answer keeps their order. */
export const MAX_BATCH_CHECK = 1_000;
export const restrictionBatchCheckSchema = z.strictObject({ idNumbers: z.array(subjectIdNumber).min(1).max(MAX_BATCH_CHECK) });

export const restrictionChangesQuerySchema = z.strictObject({
  after: z.string().regex(/^\d{1,18}$/, 'use the nextCursor of a previous page, or 0').optional().meta({ description: 'The nextCursor of the previous page; 0 or absent for the beginning' }),
  limit: z.coerce.number<string>().int().min(1).max(1000).optional(),
});

/** Where a department's system receives the change feed: http(s) only, never with credentials in the URL. */
export const webhookSchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .max(2000)
    .refine((value) => {
      const url = URL.parse(value);
      return url === null || (url.username === '' && url.password === '');
    }, 'must not carry credentials; authenticate deliveries by their signature')
    .meta({ example: 'https://booking.d19.departments.example/sanctions/hook' }),
  description: text(500).optional(),
});

export const disclosureQuerySchema = z.strictObject({
  departmentCode: text(20).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
