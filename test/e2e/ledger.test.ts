import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseWorkflowCommand } from '../../scripts/demo/workflow-commands.js'
import { useBundleStage } from '../helpers/bundle-stage.js'
import { TEST_API_KEY } from '../helpers/test-api-key.js'
import {
  nodeRuntimes,
  runBundle,
  startBundle,
  type BundleOptions,
  type BundleResult
} from '../helpers/run-bundle.js'
import type { ArtifactStack, GitHubPlatform, WorkflowRun } from '../simulators/artifact/index.js'
import type { ClariSimulator } from '../simulators/clari/index.js'
import { expectKeyNowhere } from './bundle-checks.js'

// What is checked is the action's use of the cache service: the machine's Node will do.
const [runtime] = await nodeRuntimes()
const PERIODS = ['2026_Q1', '2026_Q2']
const LEDGER_KEY = /^clari-export-ledger-net_arr-[0-9a-f]{16}-[0-9a-f]{16}-(\d+)-(\d+)$/

const commands = (result: BundleResult, name: 'warning' | 'error'): string[] =>
  result.stdout
    .split(/\r?\n/)
    .map(parseWorkflowCommand)
    .filter(c => c?.name === name)
    .map(c => c!.message)
const warnings = (result: BundleResult): string[] => commands(result, 'warning')

/**
 * The ledger in the Actions cache, through the bundle and the real `@actions/cache` (tar and
 * zstd included) against the fake cache service: v2 on github.com, v1 on GitHub Enterprise
 * Server, and a server without it.
 */
describe.each([
  { platform: 'github.com' as const, upload: 'true' },
  { platform: 'ghes' as const, upload: 'false' }
])('the ledger on $platform', ({ platform, upload }) => {
  const t = useStack(platform)

  it(
    'keeps every run’s ledger, a failed one’s too, and the next run learns its job durations from it',
    { timeout: 90_000 },
    async () => {
      await t.startSim({
        plan: req => ({
          durationMs: 1_200,
          outcome: req.timePeriod === '2026_Q2' ? 'FAILED' : 'DONE'
        })
      })
      const first = await t.attempt(t.run(), 1, { upload })
      expect(first.exitCode).toBe(1)
      const saved = t.stack.cache.entries.filter(e => LEDGER_KEY.test(e.key))
      expect(saved).toEqual([
        expect.objectContaining({ finalized: true, scope: 'refs/heads/main' })
      ])
      expect(LEDGER_KEY.exec(saved[0]!.key)!.slice(1)).toEqual([t.lastRun!.githubRunId, '1'])
      expect(first.stdout).toContain(
        `Kept the ledger of this run's Clari jobs in the Actions cache (${saved[0]!.key})`
      )
      expect(warnings(first)).toEqual([])
      // The folder the cache was given the ledger in is gone again.
      expect(existsSync(path.join(first.workspace, '.clari-export-ledger'))).toBe(false)

      // A later run of the same export, its job list left out: the ledger alone teaches it.
      const second = await t.attempt(t.run(), 1, { upload, history: 'runs' })
      expect(second.stdout).toMatch(
        /^Job durations from earlier runs: 2026_Q1 about \d+ s \(± [^)]*, 1 job\); none for 2026_Q2/m
      )
      expect(warnings(second)).toEqual([])
      const protocolCalls =
        platform === 'github.com' ? t.stack.cache.calls.length : t.stack.cache.v1Calls.length
      expect(protocolCalls).toBeGreaterThan(0)
    }
  )

  it('on SIGINT, keeps the cancelled run’s ledger and exits within the runner’s 7.5 s', async () => {
    await t.startSim({ plan: { durationMs: 60_000 } })
    const run = t.run()
    const live = await startBundle(t.options(run, 1, { upload }))
    await until(() => t.sim.jobs.length > 0)
    const signalledAt = performance.now()
    live.signal('SIGINT')
    const result = await live.result

    expect(performance.now() - signalledAt).toBeLessThan(7_500)
    expect(result.exitCode).not.toBe(0)
    const saved = t.stack.cache.entries.filter(e => LEDGER_KEY.exec(e.key)?.[1] === run.githubRunId)
    expect(saved).toEqual([expect.objectContaining({ finalized: true })])
  })
})

describe('the ledger where the cache fails', () => {
  const t = useStack('github.com')

  it.each([
    {
      fault: 'not-found' as const,
      warning: /^The Actions cache refused a (restore|save): /
    },
    {
      fault: 'unavailable' as const,
      warning: /^The Actions cache did not answer a restore: gave up after 2 s\./
    }
  ])(
    'warns once when the service answers $fault, and exports as usual',
    async ({ fault, warning }) => {
      await t.startSim({ plan: { durationMs: 500 } })
      t.stack.cache.fault = fault
      try {
        const startedAt = performance.now()
        const result = await t.attempt(
          t.run(),
          1,
          { upload: 'false' },
          { CLARI_EXPORT_CACHE_BOUND_MS: '2000' }
        )
        const tookMs = performance.now() - startedAt

        expect(result.exitCode).toBe(0)
        expect(result.outputs.exported).toBe(JSON.stringify(PERIODS))
        expect(warnings(result)).toEqual([expect.stringMatching(warning)])
        // The toolkit's own `::error::` for a 5xx would flag the step: taken like its warnings.
        expect(commands(result, 'error')).toEqual([])
        // Two bounded calls at most (the lookup, the save), whatever the toolkit's retries.
        expect(tookMs).toBeLessThan(20_000)
      } finally {
        t.stack.cache.fault = undefined
      }
    }
  )
})

describe('the ledger on GitHub Enterprise Server without the Actions cache', () => {
  const t = useStack('ghes-without-cache')

  it('warns once and exports as usual', async () => {
    await t.startSim({ plan: { durationMs: 500 } })
    const result = await t.attempt(t.run(), 1, { upload: 'false' })

    expect(result.exitCode).toBe(0)
    expect(result.outputs.exported).toBe(JSON.stringify(PERIODS))
    expect(warnings(result)).toEqual([
      "The Actions cache is not available on this runner: neither ACTIONS_CACHE_URL nor the results service is set. The ledger of Clari's jobs is not kept there for this run; a re-run that finds no earlier artifact exports every period again."
    ])
  })
})

function useStack(platform: GitHubPlatform) {
  const stage = useBundleStage({ platform })
  const t = {
    get stack(): ArtifactStack {
      return stage.stack
    },
    get sim(): ClariSimulator {
      return stage.sim
    },
    lastRun: undefined as WorkflowRun | undefined,
    startSim: stage.startSim,
    run(): WorkflowRun {
      t.lastRun = t.stack.newRun()
      return t.lastRun
    },
    options(
      run: WorkflowRun,
      attempt: number,
      inputs: Record<string, string>,
      env: Record<string, string> = {}
    ): BundleOptions {
      return {
        runtime: runtime!,
        inputs: {
          'api-key': TEST_API_KEY,
          'forecast-id': 'net_arr',
          periods: PERIODS.join(','),
          'api-url': t.sim.url,
          'poll-interval': '1',
          'max-poll-interval': '1',
          'github-token': t.stack.githubToken,
          ...inputs
        },
        env: { ...run.attempt(attempt).env, ...env },
        timeoutMs: 40_000
      }
    },
    async attempt(
      run: WorkflowRun,
      attempt: number,
      inputs: Record<string, string>,
      env: Record<string, string> = {}
    ): Promise<BundleResult> {
      const result = await runBundle(t.options(run, attempt, inputs, env))
      await expectKeyNowhere(result, TEST_API_KEY)
      return result
    }
  }
  return t
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
