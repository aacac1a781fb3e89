import { parseArgs } from 'node:util'
import { errorMessage } from '../../src/base/error-message.js'
import { isScenarioName, SCENARIOS, type ScenarioName } from './scenarios.js'

export interface DemoArgs {
  scenario: ScenarioName
  verbose: boolean
  node24: boolean
  help: boolean
}

export function usage(): string {
  const scenarios = Object.entries(SCENARIOS)
    .map(([name, s]) => `      ${name.padEnd(8)} ${s.description}`)
    .join('\n')
  return `Usage: npm run demo [-- options]

Runs the bundled action (dist/index.js) the way a GitHub runner does, against a local Clari
API simulator and a local artifact store (a blob store + a results-service stand-in). Nothing leaves
this machine; no Clari account or GitHub token is needed.

Options:
  --scenario <name>  what the simulated Clari does (default: happy)
${scenarios}
  --verbose          also show the action's debug lines (every status check)
  --node24           run the action under the Node 24 binary from node_modules (the runner's runtime)
                     instead of the Node that runs npm
  --help             show this help

Exit code: the action's (0 all periods exported, 1 otherwise); 130 after Ctrl-C.`
}

export class UsageError extends Error {}

export function parseDemoArgs(argv: string[]): DemoArgs {
  const { scenario, verbose, node24, help } = readFlags(argv)
  if (!isScenarioName(scenario)) {
    throw new UsageError(
      `--scenario must be one of ${Object.keys(SCENARIOS).join(', ')}, not "${scenario}"`
    )
  }
  return { scenario, verbose, node24, help }
}

function readFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string', default: 'happy' },
        verbose: { type: 'boolean', default: false },
        node24: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false }
      }
    }).values
  } catch (error) {
    // parseArgs' own message already names the option, e.g. "Unknown option '--foo'".
    throw new UsageError(errorMessage(error))
  }
}
