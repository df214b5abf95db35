import { z } from 'zod';
import { CIRCUMSTANCE_CODES } from '../domain/circumstances.js';
import { residentIdProblem, socialCreditCodeProblem } from '../domain/identifiers.js';
import { ROLES } from './auth.js';

/**
 * Request schemas: the single source for request checking and for the
 * OpenAPI document. Unknown fields are refused, so a misspelt field is an
 * error instead of silently ignored.
 */
const text = (max: number) => z.string().trim().min(1).max(max);

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
