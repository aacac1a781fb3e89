/**
 * Runs the Clari API simulator on its own until SIGINT/SIGTERM: for the self-test workflow
 * (a background step), or to point clari-export or a hand-made `node dist/index.js` run at it.
 * `--help` says how.
 */
import { rename, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { errorMessage } from '../src/base/error-message.js'
import { startClariSimulator } from '../test/simulators/clari/index.js'
import { isScenarioName, SCENARIOS } from './demo/scenarios.js'

const USAGE = `Usage: npx tsx scripts/simulator.ts [options]

Runs a simulated Clari API on 127.0.0.1 until Ctrl-C, and prints its base URL. It accepts one
API key, runs export jobs of a few seconds, and answers as the scenario says.

Options:
  --scenario <name>   ${Object.keys(SCENARIOS).join(', ')} (default: happy; see npm run demo -- --help)
  --api-key <key>     the only key it accepts (default: sim-key)
  --port <port>       listen on this port (default: a free one)
  --url-file <path>   also write the base URL to this file once it listens, for a script to wait on
  -h, --help          show this help

Try clari-export against it, in a second terminal:
  npx tsx scripts/simulator.ts --port 8787
  CLARI_API_KEY=sim-key node dist/cli/index.js --api-url http://127.0.0.1:8787/v4 \\
    --forecast-id net_arr --periods 2026_Q1..2026_Q2
`

function readArgs() {
  try {
    return parseArgs({
      options: {
        scenario: { type: 'string', default: 'happy' },
        'api-key': { type: 'string', default: 'sim-key' },
        port: { type: 'string', default: '0' },
        'url-file': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false }
      }
    }).values
  } catch (error) {
    return usageError(errorMessage(error))
  }
}

function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`)
  process.exit(2)
}

const values = readArgs()
if (values.help) {
  process.stdout.write(USAGE)
  process.exit(0)
}
const scenario = values.scenario
if (!isScenarioName(scenario)) {
  usageError(`--scenario must be one of ${Object.keys(SCENARIOS).join(', ')}, not "${scenario}"`)
}
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  usageError(`--port must be a port number (0-65535), not "${values.port}"`)
}

const sim = await startClariSimulator({
  ...SCENARIOS[scenario].simulator,
  apiKey: values['api-key'],
  port
}).catch((error: unknown) => {
  process.stderr.write(`The simulator could not start: ${errorMessage(error)}\n`)
  process.exit(1)
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
