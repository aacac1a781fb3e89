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

/**
 * A flag's own words where the input's speak of a workflow run (its workspace, its attempts, the
 * step) or its default differs on a terminal. resume is `auto` for the action (a re-run resumes);
 * a terminal has no re-runs, so --resume is a plain switch.
 */
const ON_A_TERMINAL: Partial<Record<SettingName, { description: string; default?: string }>> = {
  'output-dir': {
    description: 'Folder for the payloads and manifest.json, relative to the current folder'
  },
  resume: {
    default: 'false',
    description:
      'Finish an interrupted run in --output-dir: keep the payloads its manifest.json records as exported (checked by sha256, no request to Clari), ask Clari again about its unfinished jobs, export the rest'
  },
  'cancel-on-timeout': {
    description:
      'Cancel a job clari-export gives up on while Clari runs it (timed out, or ended by an error), to free quota and its slot'
  },
  'request-timeout': { description: 'Seconds each HTTP request may take, every retry anew' },
  'allow-truncated': {
    description:
      'Accept an export Clari truncated (rows or cells) with a warning, instead of exiting 1'
  }
}

export const CLI_FLAGS: readonly CliFlag[] = SETTINGS.filter(s => !NOT_FLAGS.includes(s.name)).map(
  s => {
    const own = ON_A_TERMINAL[s.name]
    const fallback = own?.default ?? ('default' in s ? s.default : undefined)
    return {
      name: s.name,
      description: own?.description ?? s.description,
      default: fallback,
      boolean: fallback === 'true' || fallback === 'false' || fallback === 'auto'
    }
  }
)

export const API_KEY_ENV = 'CLARI_API_KEY'
