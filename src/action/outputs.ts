import * as core from '@actions/core'

export interface OutputDefinition {
  name: string
  description: string
}

/**
 * The action's outputs: `npm run generate` writes action.yml's outputs section and the README's
 * outputs table from this table, and run.ts sets outputs only through `setOutput` below. The
 * outputs live with the action rather than beside the inputs in src/settings/: only the action
 * has them (clari-export prints a table instead).
 */
export const OUTPUTS = [
  {
    name: 'output-dir',
    description: 'Absolute path of the folder holding the payloads and `manifest.json`'
  },
  { name: 'manifest', description: 'Absolute path of `manifest.json`' },
  {
    name: 'periods',
    description: 'JSON array of the resolved periods (usable with `fromJSON` in a matrix)'
  },
  { name: 'exported', description: 'JSON array of the periods that finished `DONE`' },
  { name: 'failed', description: 'JSON array of the periods that did not' },
  {
    name: 'job-ids',
    description: 'JSON object mapping each period to its Clari job id'
  },
  {
    name: 'artifact-name',
    description:
      'Name the artifact was uploaded under: artifact-name on the first attempt, artifact-name-attempt-N on attempt N of a re-run (take the artifact by this or artifact-id, never by a fixed name)'
  },
  {
    name: 'artifact-id',
    description: 'ID of the uploaded artifact (for download-artifact `artifact-ids`)'
  },
  { name: 'artifact-url', description: 'URL of the uploaded artifact' },
  {
    name: 'artifact-digest',
    description: 'SHA-256 digest of the uploaded artifact (`sha256:<hex>`)'
  }
] as const satisfies readonly OutputDefinition[]

export type OutputName = (typeof OUTPUTS)[number]['name']

/** Sets one of the outputs above: a name action.yml does not declare does not compile. */
export function setOutput(name: OutputName, value: string | number): void {
  core.setOutput(name, value)
}
