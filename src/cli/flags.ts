import { SETTINGS, type SettingName } from '../settings/definitions.js'

/** One command-line flag, derived from the inputs table so the two never drift apart. */
export interface CliFlag {
  name: SettingName
  description: string
  default?: string
  /** A true/false input: `--name` sets it, `--no-name` clears a default of true. */
  boolean: boolean
}

/** Inputs about the workflow artifact: only the action uploads. */
export const UPLOAD_INPUTS: readonly SettingName[] = [
  'upload',
  'artifact-name',
  'retention-days',
  'compression-level',
  'overwrite'
]

// The key never becomes a flag (it would land in shell history), and the upload inputs have no
// meaning outside a workflow run.
const NOT_FLAGS: readonly SettingName[] = ['api-key', ...UPLOAD_INPUTS]

export const CLI_FLAGS: readonly CliFlag[] = SETTINGS.filter(s => !NOT_FLAGS.includes(s.name)).map(
  s => {
    const fallback = 'default' in s ? s.default : undefined
    return {
      name: s.name,
      description: s.description,
      default: fallback,
      boolean: fallback === 'true' || fallback === 'false'
    }
  }
)

export const API_KEY_ENV = 'CLARI_API_KEY'
