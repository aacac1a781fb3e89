export {
  addQuarters,
  compareQuarters,
  formatQuarter,
  parseQuarterLabel,
  type FiscalQuarter
} from './fiscal-quarter.js'
export {
  DEFAULT_CALENDAR,
  fiscalQuarterAt,
  isValidTimeZone,
  type FiscalCalendar
} from './fiscal-calendar.js'
export {
  ACCEPTED_PERIOD_FORMS,
  PeriodExpressionError,
  resolvePeriods,
  type ResolvePeriodsOptions
} from './period-expression.js'
