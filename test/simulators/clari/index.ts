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
export { forecastCsv, forecastPayload, CSV_COLUMNS } from './payload.js'
export { generatedPayloadSize, generatedPayloadStream } from './generated-payload.js'
export { sha256, sha256Stream } from './hash.js'
export { mostJobsAtOnce } from './overlap.js'
