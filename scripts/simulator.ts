/**
 * Runs the Clari API simulator on its own until SIGINT/SIGTERM: for the self-test workflow
 * (a background step), or to point a hand-made `node dist/index.js` run at it.
 *
 *   tsx scripts/simulator.ts [--scenario happy|failure] [--api-key KEY] [--url-file PATH]
 *
 * It listens on a free loopback port (the simulator picks it), prints the base URL and, with
 * --url-file, also writes it to that file once it is ready, for a script to wait on.
 */
import { rename, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { startClariSimulator } from '../test/simulators/clari/index.js'
import { isScenarioName, SCENARIOS } from './demo/scenarios.js'

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'happy' },
    'api-key': { type: 'string', default: 'sim-key' },
    'url-file': { type: 'string' }
  }
})
const scenario = values.scenario
if (!isScenarioName(scenario)) {
  process.stderr.write(`--scenario must be one of ${Object.keys(SCENARIOS).join(', ')}\n`)
  process.exit(2)
}

const sim = await startClariSimulator({
  ...SCENARIOS[scenario].simulator,
  apiKey: values['api-key']
})
const urlFile = values['url-file']
if (urlFile) {
  // Written whole, then renamed: a reader polling for the file never sees half a URL.
  await writeFile(`${urlFile}.partial`, sim.url)
  await rename(`${urlFile}.partial`, urlFile)
}
process.stdout.write(`Clari simulator (scenario "${scenario}") listening at ${sim.url}\n`)

const stop = (): void => {
  void sim.close().then(() => process.exit(0))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
