import { SETTINGS, type SettingName } from '../settings/definitions.js'

/** One command-line flag, derived from the inputs table so the two never drift apart. */
export interface CliFlag {
  name: SettingName
  description: string
  default?: string
  /**
   * A switch (default true, false or auto): `--name` sets it to true, `--no-name` to false
   * (offered when the default is not already false).
   */
  boolean: boolean
}

/**
 * Inputs that only the action reads: the upload's, the token that lists the run's artifacts, and
 * the workspace's fence (a terminal has no workspace).
 */
export const ACTION_ONLY_INPUTS: readonly SettingName[] = [
  'allow-output-outside-workspace',
  'upload',
  'artifact-name',
  'retention-days',
  'compression-level',
  'overwrite',
  'github-token'
]

// The key never becomes a flag (it would land in shell history), and the action-only inputs have
// no meaning outside a workflow run.
const NOT_FLAGS: readonly SettingName[] = ['api-key', ...ACTION_ONLY_INPUTS]

export const CLI_FLAGS: readonly CliFlag[] = SETTINGS.filter(s => !NOT_FLAGS.includes(s.name)).map(
  s => {
    const fallback = 'default' in s ? s.default : undefined
    return {
      name: s.name,
      description: s.description,
      default: fallback,
      boolean: fallback === 'true' || fallback === 'false' || fallback === 'auto'
    }
  }
)

export const API_KEY_ENV = 'CLARI_API_KEY'
