import { z } from 'zod';
import { CIRCUMSTANCE_CODES } from '../domain/circumstances.js';
import { normalizeCaseNumber } from '../domain/case-numbers.js';
import { DELETION_GROUNDS } from '../domain/listings.js';
import { FEEDBACK_RESULTS, TASK_STATUSES } from '../domain/tasks.js';
import { OBJECTION_GROUNDS, OBJECTION_OUTCOMES } from '../domain/objections.js';
import { organizationCodeProblem, residentIdProblem, socialCreditCodeProblem } from '../domain/identifiers.js';
import { isStorableText } from '../domain/text.js';
import { ROLES } from '../domain/access.js';

/**
 * Request schemas: the single source for request checking and for the
 * OpenAPI document. Unknown fields are refused, so a misspelt field is an
 * error instead of silently ignored.
 */
export const text = (max: number) =>
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

/** The persons an entity's listing binds besides the entity (consumption restriction; listing rules art. 6). */
export const BOUND_PERSON_ROLES = ['legal-representative', 'principal', 'directly-responsible', 'actual-controller'] as const;
const boundPerson = z.strictObject({ role: z.enum(BOUND_PERSON_ROLES), name: text(200), idNumber: residentIdNumber });

/** Art. 8: the debtor is a state employee, an NPC deputy or a CPPCC member; the court notifies the unit or body named. */
const publicRole = z.strictObject({
  role: z.enum(['state-employee', 'npc-deputy', 'cppcc-member']),
  unitName: text(200),
  unitEmail: z.email().max(254),
});

const passportLike = /^[A-Z0-9][A-Z0-9-]{3,31}$/;

/** An identifier read by its type: checked with its check character where the type has one. */
const identifierOf = (types: Record<string, (value: string) => string | null>) => (debtor: { idType: string; idNumber: string; country?: string | undefined }, ctx: z.RefinementCtx) => {
  const problem = types[debtor.idType]!(debtor.idNumber);
  if (problem) ctx.addIssue({ code: 'custom', path: ['idNumber'], message: problem });
  if ((debtor.idType === 'passport' || debtor.idType === 'other') && !debtor.country) {
    ctx.addIssue({ code: 'custom', path: ['country'], message: 'name the issuing country of a passport or other foreign identifier' });
  }
};
const foreignIdProblem = (value: string) => (passportLike.test(value) ? null : 'must be 4–32 letters, digits or hyphens');

export const debtorSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('individual'),
      name: text(200),
      idType: z.enum(['resident-id', 'passport', 'other']).default('resident-id'),
      idNumber: z.string().trim().toUpperCase().meta({ description: 'Resident ID number (GB 11643-1999, check character verified), or the passport or other number', example: '11010519491231002X' }),
      country: text(60).optional().meta({ description: 'Issuing country of a passport or other foreign identifier' }),
      publicRole: publicRole.optional(),
    })
    .superRefine(identifierOf({ 'resident-id': residentIdProblem, passport: foreignIdProblem, other: foreignIdProblem })),
  z
    .strictObject({
      kind: z.literal('entity'),
      name: text(200),
      idType: z.enum(['uscc', 'organization-code']).default('uscc'),
      idNumber: z.string().trim().toUpperCase().meta({ description: 'Unified social credit code (GB 32100-2015) or, for an entity registered before it, the 9-character organisation code (GB 11714)', example: '91350100M000100Y43' }),
      legalRepresentative: person.optional().meta({ description: 'Shorthand for a bound person with the role legal-representative' }),
      boundPersons: z.array(boundPerson).max(20).optional(),
    })
    .superRefine(identifierOf({ uscc: socialCreditCodeProblem, 'organization-code': organizationCodeProblem })),
]);

/** A date (China-local midnight) or an instant. */
const dateOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).meta({ example: '2026-11-20' });

export const createListingSchema = z.strictObject({
  caseNumber: text(100).transform(normalizeCaseNumber).meta({ example: '（2026）宁01执123号', description: 'Compared in one written form: full-width brackets, no spaces' }),
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
  enforcementBasis: z.strictObject({ issuer: text(200), documentNumber: text(200) }).optional().meta({ description: 'The enforcement basis (art. 6): the body that issued it and its document number' }),
  filedAt: dateOrInstant.optional().meta({ description: 'When the enforcement case was filed' }),
  decidedAt: dateOrInstant.optional().meta({ description: 'The decision to list; a fixed period counts from it. Not in the future, not before filing' }),
  securityProvided: z.boolean().optional().meta({ description: 'Circumstance refuses-despite-ability only: must be false (art. 3)' }),
  seizedAssetsSufficient: z.boolean().optional().meta({ description: 'Circumstance refuses-despite-ability only: must be false (art. 3)' }),
});
export type CreateListingRequest = z.infer<typeof createListingSchema>;

export const createApiKeySchema = z.strictObject({
  name: text(200),
  role: z.enum(ROLES),
  departmentCode: text(20).optional(),
  courtCode: text(50).optional(),
  institutionCode: text(32).optional().meta({ description: 'Role institution only: the financial institution or registry the key acts for' }),
  expiresAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'From this instant on the key is refused (401); without it the key works until revoked' }),
});

export const listingIdParam = z.uuid();

export const acknowledgeSchema = z.strictObject({
  by: text(200).meta({ description: 'Who acknowledges, e.g. a name or staff number' }),
  note: text(2000).optional(),
});

export const feedbackEntrySchema = z.strictObject({
  measure: z.string().regex(/^M\d{2,3}$/, 'a measure code such as M01'),
  result: z.enum(FEEDBACK_RESULTS),
  reference: text(200).optional(),
  detail: text(2000).optional(),
});

export const completeSchema = z.strictObject({
  by: text(200),
  reference: text(200).optional().meta({ description: "The department's own reference for the implementation" }),
  note: text(2000).optional(),
  outcomes: z.array(feedbackEntrySchema).max(100).optional().meta({ description: 'Per measure of the task: what the department did' }),
  feedback: z.array(feedbackEntrySchema).max(100).optional().meta({ description: 'The same as `outcomes`, under its earlier name' }),
});

export const declineSchema = z.strictObject({
  by: text(200),
  reason: text(2000),
  suggestedDepartment: z.string().regex(/^D\d{2,3}$/, 'a department code such as D07').optional(),
  suggestedDepartmentCode: z.string().regex(/^D\d{2,3}$/, 'a department code such as D07').optional().meta({ description: 'The same as `suggestedDepartment`' }),
});

export const reassignSchema = z.strictObject({
  departmentCode: z.string().regex(/^D\d{2,3}$/, 'a department code such as D07'),
  reason: text(2000),
});

export const reasonSchema = z.strictObject({ reason: text(2000) });

export const verificationSchema = z.strictObject({ note: text(2000).optional() });

export const taskExtensionRequestSchema = z.strictObject({
  by: text(200),
  until: z.union([z.iso.date(), z.iso.datetime({ offset: true })]).meta({ description: 'A date (the deadline falls at 17:00 China time that day) or an instant' }),
  reason: text(2000),
});

export const taskExtensionDecisionSchema = z
  .strictObject({
    granted: z.boolean().optional(),
    outcome: z.enum(['granted', 'refused']).optional().meta({ description: 'The same as `granted`, in words' }),
    reason: text(2000).optional(),
  })
  .refine((decision) => (decision.granted === undefined) !== (decision.outcome === undefined), { message: 'give `granted` (true or false) or `outcome`', path: ['granted'] });

export const taskExtensionQuerySchema = z.strictObject({
  status: z.enum(['requested', 'granted', 'refused', 'lapsed']).optional(),
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

/**
 * A correction (art. 9): the listing body's fields that change, nothing else.
 * Objects merge field by field; `boundPersons` replaces the list; null removes
 * an optional value. The court and the kind of debtor cannot change: that is
 * a revocation and a new listing.
 */
export const correctionSchema = z.strictObject({
  changes: z
    .strictObject({
      caseNumber: text(100).optional(),
      debtor: z
        .strictObject({
          name: text(200).optional(),
          idType: z.enum(['resident-id', 'passport', 'other', 'uscc', 'organization-code']).optional(),
          idNumber: z.string().trim().toUpperCase().min(1).max(40).optional(),
          country: text(60).nullable().optional(),
          publicRole: publicRole.nullable().optional(),
          legalRepresentative: person.nullable().optional(),
          boundPersons: z.array(boundPerson).max(20).optional(),
        })
        .optional(),
      circumstance: z.enum(CIRCUMSTANCE_CODES).optional(),
      obligation: z.strictObject({ description: text(2000).optional(), amountYuan: z.number().nonnegative().max(1e15).nullable().optional() }).optional(),
      periodYears: z.number().int().positive().nullable().optional(),
      enforcementBasis: z.strictObject({ issuer: text(200), documentNumber: text(200) }).nullable().optional(),
      filedAt: dateOrInstant.nullable().optional(),
      decidedAt: dateOrInstant.nullable().optional(),
      securityProvided: z.boolean().optional(),
      seizedAssetsSufficient: z.boolean().optional(),
    })
    .refine((changes) => Object.keys(changes).length > 0, 'name at least one field to correct')
    .meta({ description: 'The fields that change, in the shape of the listing body, e.g. { "debtor": { "name": "…" } }' }),
  reason: text(2000),
});
export type CorrectionRequest = z.infer<typeof correctionSchema>;

/** Art. 11: a listed person's written application, as the clerk records it. */
export const objectionSchema = z.strictObject({
  ground: z.enum(OBJECTION_GROUNDS),
  receivedAt: dateOrInstant.meta({ description: 'When the court received the written application; the 15-day review counts from it' }),
  statement: text(4000),
});

/** Art. 12: the court's decision on an objection, or the higher court's on a reconsideration. */
export const objectionDecisionSchema = z.strictObject({
  outcome: z.enum(OBJECTION_OUTCOMES),
  reason: text(2000),
  decidedAt: dateOrInstant.optional().meta({ description: 'When the court decided; now when absent. Not in the future, not before the application' }),
});

/** Art. 12: the application for reconsideration to the court one level up, within 10 days of service of the rejection. */
export const reconsiderationSchema = z.strictObject({
  receivedAt: dateOrInstant.meta({ description: 'When the application was received; the higher court decides within 15 days of it' }),
  statement: text(4000),
});

export const objectionIdParam = z.uuid();

export const extensionSchema = z
  .strictObject({
    periodYears: z.number().int().min(3).max(5).optional().meta({ description: 'The period in years once extended (3–5): the target, so that sending it again changes nothing' }),
    extensionYears: z.number().int().min(1).max(3).optional().meta({ description: 'Years added to the current period; sent again it extends again (send an Idempotency-Key, or use `periodYears`)' }),
    reason: text(2000),
  })
  .refine((extension) => (extension.periodYears === undefined) !== (extension.extensionYears === undefined), { message: 'give `periodYears` (the period once extended) or `extensionYears`', path: ['periodYears'] });

const LISTING_STATUSES = ['active', 'lifting', 'lifted', 'revoked'] as const;

export const taskQuerySchema = z.strictObject({
  departmentCode: text(20).optional(),
  status: z.enum(TASK_STATUSES).optional(),
  kind: z.enum(['impose', 'lift', 'correct']).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  cursor: z.string().max(200).optional().meta({ description: 'The nextCursor of the previous page; empty or absent for the first' }),
  limit: z.coerce.number<string>().int().min(1).max(1000).optional().meta({ description: 'Tasks a page, 1–1000; 100 unless given' }),
});

/** GET /api/tasks pages: 100 tasks unless the caller asks for up to 1,000. */
export const TASK_PAGE = { default: 100, max: 1000 } as const;

export const statsQuerySchema = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM').optional(),
  by: z.literal('month').optional().meta({ description: 'one row per department, kind and month: the twelve months through `month`' }),
});

export const overdueQuerySchema = z.strictObject({
  departmentCode: text(20).optional(),
  kind: z.enum(['impose', 'lift', 'correct']).optional(),
  level: z.coerce.number<string>().int().min(0).max(10).optional(),
  cursor: z.string().max(200).optional().meta({ description: 'The nextCursor of the previous page; empty or absent for the first' }),
  limit: z.coerce.number<string>().int().min(1).max(1000).optional().meta({ description: 'Overdue tasks a page, 1–1000; 100 unless given' }),
});

/** GET /api/supervision/overdue pages: 100 tasks unless the caller asks for up to 1,000. */
export const OVERDUE_PAGE = { default: 100, max: 1000 } as const;

export const listingQuerySchema = z.strictObject({
  status: z.enum(LISTING_STATUSES).optional(),
  q: text(200).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number<string>().int().min(1).max(200).optional(),
});

/** The `Idempotency-Key` header: 1–255 printable ASCII characters (a UUID is a good choice). */
export const idempotencyKeySchema = z.string().regex(/^[\x20-\x7E]{1,255}$/, 'use 1–255 printable ASCII characters');

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

/**
 * A deletion on one of the seven grounds of art. 10 ¶1; the lift tasks' 3
 * working days count from `decidedAt`. Ground no-assets-found cites the
 * platform's own completed searches of the case for the debtor that found
 * nothing; `networkSearches` adds searches made outside the platform.
 */
export const deletionSchema = z.strictObject({
  ground: z.enum(DELETION_GROUNDS).meta({
    description:
      "The ground of art. 10 ¶1. no-assets-found (4) holds when the platform's completed network searches of the listing's case for its debtor that found nothing, with the dates in networkSearches, come to two or more, and the latest completed search found no assets",
  }),
  decidedAt: dateOrInstant.meta({ description: "The court's decision to delete: not in the future, not before the listing" }),
  note: text(2000),
  networkSearches: z
    .array(dateOrInstant)
    .max(20)
    .optional()
    .meta({ description: "Ground no-assets-found: the dates of network searches made outside the platform that found nothing; they count with the platform's own searches, which are cited without being named here (art. 10 ¶1 (4))" }),
});
