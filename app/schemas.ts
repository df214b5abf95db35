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
