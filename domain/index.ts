export {
  ADULT_AGE, ageOn, birthDateOfResidentId, isMinorOn, isValidResidentId, isValidSocialCreditCode,
  residentIdProblem, socialCreditCodeProblem,
} from './identifiers.js';
export { maskIdentifier } from './disclosure.js';
export {
  CIRCUMSTANCE_CODES, CIRCUMSTANCES, LISTING_EXTENSION_YEARS, LISTING_PERIOD_YEARS, expiryOf, isCircumstanceCode,
  listingPeriodYears, type Circumstance, type CircumstanceCode,
} from './circumstances.js';
export {
  DEBTOR_KINDS, MEASURE_SUBJECTS, catalogSchema, defaultCatalog, dispatchPlan, parseCatalog, subjectsFor,
  type Catalog, type Category, type DebtorKind, type Department, type DispatchPlanEntry, type DispatchSubject,
  type Measure, type MeasureSubject,
} from './catalog.js';
export {
  CHINA_UTC_OFFSET_MINUTES, chinaCalendarDate, chinaDateTime, chinaLocalDate, type CalendarDate, type LocalDate,
} from './china-time.js';
export {
  CalendarYearMissingError, WORKING_DAY_END_HOUR, WORKING_DAY_START_HOUR, addWorkingDays, chinaWorkingCalendar,
  createWorkingCalendar, isWorkingDay, subtractWorkingDays, type CalendarYear, type HolidayCalendarData,
  type WorkingCalendar,
} from './calendar.js';
export {
  ESCALATION_TARGETS, TASK_PHASES, addDuration, defaultPolicy, parseDuration, parsePolicy, policySchema,
  subtractDuration, taskSchedule, type Duration, type EscalationTarget, type Policy, type PolicyInput,
  type ScheduledEscalation, type TaskPhase, type TaskSchedule,
} from './policy.js';
