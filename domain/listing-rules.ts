import { chinaDateTime, parseLocalDate } from './china-time.js';
import { ADULT_AGE, isMinorOn } from './identifiers.js';
import {
  CIRCUMSTANCES,
  LISTING_EXTENSION_YEARS,
  LISTING_PERIOD_YEARS,
  listingPeriodYears,
  type CircumstanceCode,
} from './circumstances.js';

/**
 * The intake rules of the SPC listing provisions (2017) that a well-formed
 * request can still break. Each violation names the field and the rule.
 */
export interface RuleViolation {
  field: string;
  rule: string;
  message: string;
}

export interface ListingIntake {
  debtor: { kind: 'individual' | 'entity'; idNumber: string; idType?: string | undefined };
  circumstance: CircumstanceCode;
  /** The whole period asked for: 2 years, or 3–5 with an extension. */
  periodYears?: number | undefined;
  filedAt?: string | undefined;
  decidedAt?: string | undefined;
  securityProvided?: boolean | undefined;
  seizedAssetsSufficient?: boolean | undefined;
}

/** A date as China-local midnight, or an instant as written. */
export function instantOf(value: string): Date {
  const date = parseLocalDate(value);
  return date ? chinaDateTime(date, 0) : new Date(value);
}

const longestPeriod = LISTING_PERIOD_YEARS + LISTING_EXTENSION_YEARS.max;

export function listingRuleViolations(intake: ListingIntake, listedAt: Date): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const readsAge = intake.debtor.kind === 'individual' && (intake.debtor.idType ?? 'resident-id') === 'resident-id';
  if (readsAge && isMinorOn(intake.debtor.idNumber, listedAt)) {
    violations.push({
      field: 'debtor.idNumber',
      rule: 'minor',
      message: `the debtor is under ${ADULT_AGE} on the listing date; minors are never listed (art. 4)`,
    });
  }
  if (intake.periodYears !== undefined) {
    if (!CIRCUMSTANCES[intake.circumstance].fixedPeriod) {
      violations.push({
        field: 'periodYears',
        rule: 'no-fixed-term',
        message: `circumstance ${intake.circumstance} has no fixed term: the listing lasts until performance (art. 2)`,
      });
    } else if (intake.periodYears < LISTING_PERIOD_YEARS || intake.periodYears > longestPeriod) {
      violations.push({
        field: 'periodYears',
        rule: 'period-range',
        message: `the period is ${LISTING_PERIOD_YEARS} years, or ${LISTING_PERIOD_YEARS + LISTING_EXTENSION_YEARS.min}–${longestPeriod} with an extension (art. 2)`,
      });
    }
  }
  if (intake.circumstance === 'refuses-despite-ability') {
    // Art. 3: a debtor who gave adequate security, or whose seized assets suffice, is not listed for refusing.
    if (intake.securityProvided !== false) {
      violations.push({ field: 'securityProvided', rule: 'art-3-security', message: 'circumstance 1 needs securityProvided: false: a debtor who provided adequate security is not listed (art. 3)' });
    }
    if (intake.seizedAssetsSufficient !== false) {
      violations.push({ field: 'seizedAssetsSufficient', rule: 'art-3-seized-assets', message: 'circumstance 1 needs seizedAssetsSufficient: false: a debtor whose seized assets suffice is not listed (art. 3)' });
    }
  }
  const filed = intake.filedAt === undefined ? null : instantOf(intake.filedAt);
  const decided = intake.decidedAt === undefined ? null : instantOf(intake.decidedAt);
  if (filed && filed.getTime() > listedAt.getTime()) violations.push({ field: 'filedAt', rule: 'not-in-future', message: 'the case cannot be filed in the future' });
  if (decided && decided.getTime() > listedAt.getTime()) violations.push({ field: 'decidedAt', rule: 'not-in-future', message: 'the decision to list cannot be in the future' });
  if (filed && decided && decided.getTime() < filed.getTime()) violations.push({ field: 'decidedAt', rule: 'after-filing', message: 'the decision to list cannot precede the filing of the case (art. 6)' });
  return violations;
}

/** The listing period in years of an intake that passed the rules, or null for no fixed term. */
export function periodOf(intake: ListingIntake): number | null {
  const extension = CIRCUMSTANCES[intake.circumstance].fixedPeriod ? (intake.periodYears ?? LISTING_PERIOD_YEARS) - LISTING_PERIOD_YEARS : 0;
  return listingPeriodYears(intake.circumstance, extension);
}
