export { startClariSimulator } from './server.js'
export type {
  ClariSimulator,
  ClariSimulatorOptions,
  Endpoint,
  Fault,
  FaultRule,
  JobOutcome,
  JobPlan,
  PlanRequest,
  RecordedRequest,
  SimClock,
  SimJob
} from './types.js'
export { forecastPayload } from './payload.js'
export { CSV_COLUMNS, forecastCsv } from './payload-csv.js'
export type { CurrencyShape, ForecastExportOptions } from './forecast-export.js'
export {
  generatedPayloadSize,
  generatedPayloadStream,
  type GeneratedPayloadOptions
} from './generated-payload.js'
export { sha256, sha256Stream } from './hash.js'
export { mostJobsAtOnce } from './overlap.js'
