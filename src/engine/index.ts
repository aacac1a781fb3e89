/**
 * What the rooms above the engine (settings, action, cli) take from the rooms below it. They may
 * not import src/clari/ or src/retry/ themselves (eslint.config.js): the engine passes on this
 * much, and its own modules are imported directly.
 */
export {
  EXPORT_FORMATS,
  EXPORT_SCHEDULES,
  EXPORT_TYPES,
  type CreateExportBody,
  type ExportType
} from '../clari/types.js'
export {
  cleanServerText,
  describeError,
  withoutControls,
  withoutSecret
} from '../clari/untrusted-text.js'
export { isRecord } from '../clari/answers.js'
// The earlier-attempt lookup's requests go through the same bounded transport as Clari's.
export { Transport } from '../clari/transport.js'
