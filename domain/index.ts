export {
  ADULT_AGE, ageOn, birthDateOfResidentId, isMinorOn, isValidResidentId, isValidSocialCreditCode,
  residentIdProblem, socialCreditCodeProblem,
} from './identifiers.js';
export { disclosedIdentifier, maskIdentifier, maskIdentifiersIn, type Audience } from './disclosure.js';
export { PERMISSIONS, ROLES, actorOf, may, type Permission, type Principal, type Role } from './access.js';
export {
  DEADLINE_KINDS, TASK_KINDS, TASK_STATUSES, isDeadlineOpen, isOverdue, openDeadlineAt, openDeadlineOf, scheduleToIso,
  type DeadlineKind, type EscalationStep, type NoticeType, type PlannedTask, type TaskAction, type TaskKind, type TaskSchedule,
  type TaskStatus,
} from './tasks.js';
export { LIFT_REASONS, LISTING_STATUSES, isClosedStatus, type LiftReason, type ListingStatus } from './listings.js';
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
  ESCALATION_TARGETS, addDuration, answerSchedule, type AnswerSchedule, defaultPolicy, parseDuration, parsePolicy, policySchema,
  subtractDuration, taskSchedule, type Duration, type EscalationTarget, type Policy, type PolicyInput,
} from './policy.js';
