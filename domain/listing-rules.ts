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
  debtor: { kind: 'individual' | 'entity'; idNumber: string };
  circumstance: CircumstanceCode;
  /** The whole period asked for: 2 years, or 3–5 with an extension. */
  periodYears?: number | undefined;
}

const longestPeriod = LISTING_PERIOD_YEARS + LISTING_EXTENSION_YEARS.max;

export function listingRuleViolations(intake: ListingIntake, listedAt: Date): RuleViolation[] {
  const violations: RuleViolation[] = [];
  if (intake.debtor.kind === 'individual' && isMinorOn(intake.debtor.idNumber, listedAt)) {
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
  return violations;
}

/** The listing period in years of an intake that passed the rules, or null for no fixed term. */
export function periodOf(intake: ListingIntake): number | null {
  const extension = CIRCUMSTANCES[intake.circumstance].fixedPeriod ? (intake.periodYears ?? LISTING_PERIOD_YEARS) - LISTING_PERIOD_YEARS : 0;
  return listingPeriodYears(intake.circumstance, extension);
}
