/**
 * `npm run demo`: the whole job on this machine. A Clari API simulator and a local artifact
 * store stand in for Clari and GitHub; the bundled action runs exactly as the e2e tests run it.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { formatBytes } from '../src/engine/units.js'
import { errorMessage } from '../src/base/error-message.js'
import { startArtifactStack, type ArtifactStack } from '../test/simulators/artifact/index.js'
import { startClariSimulator, type ClariSimulator } from '../test/simulators/clari/index.js'
import {
  disposeBundles,
  nodeRuntimes,
  startBundle,
  type BundleResult,
  type BundleRun
} from '../test/helpers/run-bundle.js'
import { parseDemoArgs, usage, UsageError, type DemoArgs } from './demo/args.js'
import { ensureBundle } from './demo/ensure-bundle.js'
import { createLogRenderer, paint } from './demo/log-renderer.js'
import { folderListing, zipListing } from './demo/report.js'
import { scenarioOf } from './demo/scenarios.js'
import { summaryToText } from './demo/summary-text.js'

// Not a secret: the simulator accepts only this key, and the action masks it like any other.
const DEMO_API_KEY = 'demo-clari-key-0c7e4b1a'
const ACTION_TIMEOUT_MS = 120_000
const INTERRUPTED_EXIT_CODE = 130

const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR
const say = (line = ''): void => {
  process.stdout.write(`${line}\n`)
}
const heading = (title: string): void => say(`\n${paint(color, 'bold', `── ${title} ──`)}`)

interface Started {
  sim?: ClariSimulator
  stack?: ArtifactStack
  run?: BundleRun
}

async function main(): Promise<number> {
  let args: DemoArgs
  try {
    args = parseDemoArgs(process.argv.slice(2))
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`${error.message}\n\n${usage()}\n`)
    return 2
  }
  if (args.help) {
    say(usage())
    return 0
  }

  const started: Started = {}
  let interrupts = 0
  const onInterrupt = (): void => {
    interrupts++
    if (interrupts === 1) {
      say(paint(color, 'yellow', '\nInterrupted: cancelling the action the way the runner does'))
      started.run?.signal('SIGINT')
    } else {
      say(paint(color, 'yellow', 'Interrupted again: stopping everything now'))
      void stopAll(started).finally(() => process.exit(INTERRUPTED_EXIT_CODE))
    }
  }
  process.on('SIGINT', onInterrupt)
  process.on('SIGTERM', onInterrupt)

  const startedAt = performance.now()
  try {
    const result = await demo(args, started, () => interrupts > 0)
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1)
    say(`\nDemo finished in ${seconds} s; the action exited with ${result?.exitCode ?? 'nothing'}.`)
    if (interrupts > 0 || !result) return INTERRUPTED_EXIT_CODE
    return result.exitCode ?? 1
  } finally {
    await stopAll(started)
    process.off('SIGINT', onInterrupt)
    process.off('SIGTERM', onInterrupt)
  }
}

async function demo(
  args: DemoArgs,
  started: Started,
  interrupted: () => boolean
): Promise<BundleResult | undefined> {
  const scenario = scenarioOf(args.scenario)
  say(
    paint(color, 'bold', `Clari forecast export action: local demo (scenario "${args.scenario}")`)
  )
  say(scenario.description)

  await ensureBundle(say)
  say('Starting the Clari simulator and the local artifact store (blob store + results service)…')
  const [sim, stack] = await Promise.allSettled([
    startClariSimulator({ ...scenario.simulator, apiKey: DEMO_API_KEY }),
    startArtifactStack()
  ])
  if (sim.status === 'fulfilled') started.sim = sim.value
  if (stack.status === 'fulfilled') started.stack = stack.value
  if (sim.status === 'rejected') throw sim.reason
  if (stack.status === 'rejected') throw stack.reason
  if (interrupted()) return undefined

  const runtimes = await nodeRuntimes()
  const runtime = runtimes[args.node24 ? 1 : 0]!
  let result: BundleResult | undefined
  const outputDirs: string[] = []
  // Attempts re-run one workflow run; nights are workflow runs of their own, one after another.
  const runs = scenario.attempts ?? scenario.nights ?? 1
  for (let attempt = 1; attempt <= runs; attempt++) {
    if (interrupted()) return result
    const workspace = await mkdtemp(path.join(os.tmpdir(), 'clari-demo-'))
    const seen = sim.value.requests.length
    const attemptNote = scenario.attempts
      ? `, attempt ${attempt} of the workflow run`
      : scenario.nights
        ? `, night ${attempt} of ${scenario.nights}`
        : ''
    const workflowRun =
      scenario.nights && attempt > 1
        ? stack.value.newRun().attempt(1)
        : stack.value.run.attempt(attempt, { fullRerun: scenario.fullRerun === true })
    heading(`node dist/index.js under ${runtime.label}, as the runner starts it${attemptNote}`)
    const render = createLogRenderer({ write: say, color, verbose: args.verbose })
    const run = await startBundle({
      runtime,
      inputs: {
        ...scenario.inputs,
        'api-key': DEMO_API_KEY,
        'api-url': sim.value.url,
        // The runner fills in action.yml's default, ${{ github.token }}.
        'github-token': stack.value.githubToken
      },
      env: workflowRun.env,
      workspace,
      timeoutMs: ACTION_TIMEOUT_MS,
      onLine: (line, stream) =>
        stream === 'stdout' ? render(line) : say(paint(color, 'dim', line))
    })
    started.run = run
    result = await run.result

    // Kept beside the output folder: the Markdown GitHub would render on the run's page.
    const summaryFile = path.join(workspace, 'job-summary.md')
    await writeFile(summaryFile, result.summary)
    heading(`Job summary, as text (its Markdown: ${summaryFile})`)
    say(summaryToText(result.summary) || '(the action wrote no summary)')
    // A dry run uploads and writes nothing.
    if (scenario.inputs['dry-run'] !== 'true') {
      await showArtifact(stack.value, result.outputs['artifact-id'])
      const outputDir = result.outputs['output-dir'] ?? path.join(workspace, 'clari-export')
      heading(`Output folder (kept): ${outputDir}`)
      say(await folderListing(outputDir))
      outputDirs.push(outputDir)
      if (scenario.report && attempt === runs) {
        heading(scenario.report.title)
        say(
          await scenario.report
            .text(outputDirs, sim.value)
            .catch((error: unknown) => `(failed: ${errorMessage(error)})`)
        )
      }
    }
    const requests = sim.value.requests.slice(seen)
    const creates = requests.filter(r => r.endpoint === 'create').length
    say(
      paint(
        color,
        'bold',
        `Clari saw ${creates} export job${creates === 1 ? '' : 's'} created and ${requests.length} requests${scenario.attempts ? ` in attempt ${attempt}` : scenario.nights ? ` on night ${attempt}` : ''}.`
      )
    )
  }
  return result
}

async function showArtifact(stack: ArtifactStack, id: string | undefined): Promise<void> {
  const record = stack.service.artifacts.find(a => a.id === id && !a.deleted)
  if (!record) {
    heading('Artifact')
    say('(none uploaded)')
    return
  }
  heading(`Artifact "${record.name}": id ${record.id}, ${formatBytes(record.size)} zip`)
  say(zipListing(await stack.downloadArtifactZip(record.name)))
  say(`digest ${record.hash}`)
  say(`held by the local blob store at ${stack.blobUrl} until the demo ends`)
}

async function stopAll(started: Started): Promise<void> {
  const results = await Promise.allSettled([
    disposeBundles(),
    started.sim?.close(),
    started.stack?.stop()
  ])
  for (const r of results) {
    if (r.status === 'rejected') process.stderr.write(`cleanup: ${String(r.reason)}\n`)
  }
}

main().then(
  code => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`)
    process.exitCode = 1
  }
)
