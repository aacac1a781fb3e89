import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { errorMessages, parseWorkflowCommand } from '../../scripts/demo/workflow-commands.js'
import { summaryTables } from '../../scripts/demo/summary-text.js'
import { TEST_API_KEY } from '../helpers/test-api-key.js'
import { disposeBundles, runBundle, type NodeRuntime } from '../helpers/run-bundle.js'
import { sha256, startClariSimulator, type ClariSimulator } from '../simulators/clari/index.js'
import { expectKeyNowhere, expectNoKeyFragment, readFolder } from './bundle-checks.js'

const PERIODS = ['2026_Q1', '2026_Q2', '2026_Q3']

let sim: ClariSimulator | undefined
async function cleanUp(): Promise<void> {
  await disposeBundles()
  await sim?.close()
  sim = undefined
}

function inputs(url: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'api-key': TEST_API_KEY,
    'forecast-id': 'net_arr',
    periods: PERIODS.join(', '),
    'api-url': url,
    upload: 'false',
    'poll-interval': '1',
    'max-poll-interval': '1',
    ...overrides
  }
}

/**
 * Exports under `runtime`: bundle.machine-node.test.ts and bundle.node24.test.ts run them, a file
 * per runtime so that the two legs run side by side.
 */
export function bundleScenarios(runtime: NodeRuntime): void {
  describe(`dist/index.js under ${runtime.label}`, () => {
    afterEach(cleanUp)
    it('is the Node it claims to be', () => {
      expect(runtime.version, `no binary at ${runtime.nodePath}`).toBeDefined()
      if (runtime.expectedMajor !== undefined) {
        expect(runtime.version!.split('.')[0]).toBe(String(runtime.expectedMajor))
      }
    })

    it('exports three periods, keeps the two that finish when one fails, and exits 1', async () => {
      sim = await startClariSimulator({
        apiKey: TEST_API_KEY,
        plan: req => ({
          durationMs: 1_000,
          outcome: req.timePeriod === '2026_Q2' ? 'FAILED' : 'DONE'
        })
      })
      const result = await runBundle({ runtime, inputs: inputs(sim.url) })
      const jobs = sim.jobs
      const outputDir = path.join(result.workspace, 'clari-export')

      expect(result.exitCode).toBe(1)
      expect(jobs.map(j => j.period)).toEqual(PERIODS)
      const files = await readFolder(outputDir)
      expect([...files.keys()]).toEqual([
        'manifest.json',
        'net_arr_2026_Q1.json',
        'net_arr_2026_Q3.json'
      ])
      expect(sha256(files.get('net_arr_2026_Q1.json')!)).toBe(jobs[0]!.payloadSha256)
      expect(sha256(files.get('net_arr_2026_Q3.json')!)).toBe(jobs[2]!.payloadSha256)

      const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'))
      expect(manifest.forecastId).toBe('net_arr')
      expect(Date.parse(manifest.finishedAt)).toBeGreaterThanOrEqual(Date.parse(manifest.startedAt))
      expect(manifest.exports).toMatchObject([
        {
          period: '2026_Q1',
          jobId: jobs[0]!.jobId,
          status: 'DONE',
          file: 'net_arr_2026_Q1.json',
          bytes: files.get('net_arr_2026_Q1.json')!.length,
          sha256: jobs[0]!.payloadSha256
        },
        { period: '2026_Q2', jobId: jobs[1]!.jobId, status: 'FAILED' },
        {
          period: '2026_Q3',
          jobId: jobs[2]!.jobId,
          status: 'DONE',
          file: 'net_arr_2026_Q3.json',
          sha256: jobs[2]!.payloadSha256
        }
      ])
      expect(manifest.exports[1].file).toBeUndefined()
      expect(manifest.exports[1].error).toContain('FAILED')

      expect(result.outputs).toEqual({
        periods: JSON.stringify(PERIODS),
        'output-dir': outputDir,
        manifest: path.join(outputDir, 'manifest.json'),
        exported: '["2026_Q1","2026_Q3"]',
        failed: '["2026_Q2"]',
        'job-ids': JSON.stringify(Object.fromEntries(jobs.map(j => [j.period, j.jobId])))
      })
      expect(JSON.parse(await readFile(result.outputs.manifest!, 'utf8'))).toEqual(manifest)

      // One summary row per period, in order, with its status.
      const [table] = summaryTables(result.summary)
      expect(table!.slice(1).map(row => [row[0], row[1]])).toEqual([
        ['2026_Q1', '✅ DONE'],
        ['2026_Q2', '❌ FAILED'],
        ['2026_Q3', '✅ DONE']
      ])

      // The step fails with exactly one line per failed period: period, job id, status.
      const [error, ...more] = errorMessages(result.stdout)
      expect(more).toEqual([])
      const periodLines = error!.split('\n').filter(line => /^\d{4}_Q\d: /.test(line))
      expect(periodLines).toHaveLength(1)
      expect(periodLines[0]).toMatch(new RegExp(`^2026_Q2: FAILED \\(job ${jobs[1]!.jobId}\\)`))

      await expectKeyNowhere(result, TEST_API_KEY)
    })

    it('with max-concurrent-jobs auto, runs as many jobs at once as Clari has slots free, in input order', async () => {
      sim = await startClariSimulator({
        apiKey: TEST_API_KEY,
        limits: { concurrentLimit: 2 },
        plan: req => ({ durationMs: req.timePeriod === '2026_Q1' ? 6_000 : 1_500 })
      })
      const result = await runBundle({
        runtime,
        inputs: inputs(sim.url, { 'max-concurrent-jobs': 'auto' })
      })
      const jobs = sim.jobs

      expect(result.exitCode).toBe(0)
      expect(sim.requests.filter(r => r.endpoint === 'create' && r.status === 400)).toEqual([])
      // Q2 ran alongside Q1, and Q3 took Q2's slot while Q1 still ran.
      const q1 = jobs.find(j => j.period === '2026_Q1')!
      const q3 = jobs.find(j => j.period === '2026_Q3')!
      expect(jobs.find(j => j.period === '2026_Q2')!.createdAt).toBeLessThan(q1.createdAt + 6_000)
      expect(q3.createdAt).toBeLessThan(q1.createdAt + 6_000)
      const manifest = JSON.parse(await readFile(result.outputs.manifest!, 'utf8'))
      expect(
        manifest.exports.map((o: { period: string; status: string }) => [o.period, o.status])
      ).toEqual(PERIODS.map(p => [p, 'DONE']))
      expect(result.outputs.exported).toBe(JSON.stringify(PERIODS))
      // The log names the jobs in flight whenever one starts or ends, each line led by its period.
      expect(result.stdout).toMatch(/Exporting up to 2 periods at once \(max-concurrent-jobs auto/)
      expect(result.stdout).toMatch(/^2026_Q2: job \w+ started; in flight: 2026_Q1, 2026_Q2$/m)
      const [table] = summaryTables(result.summary)
      expect(table!.slice(1).map(row => row[0])).toEqual(PERIODS)
      await expectKeyNowhere(result, TEST_API_KEY)
    })

    it('fails on a rejected key (401) without printing the key anywhere', async () => {
      sim = await startClariSimulator({ apiKey: 'the-right-key' })
      const result = await runBundle({ runtime, inputs: inputs(sim.url, { periods: '2026_Q1' }) })

      expect(result.exitCode).toBe(1)
      expect(sim.requests.map(r => r.status)).toContain(401)
      expect(errorMessages(result.stdout).join('\n')).toMatch(
        /2026_Q1: ERROR: Clari rejected the API key \(HTTP 401.*check the api-key secret/
      )
      await expectKeyNowhere(result, TEST_API_KEY)
    })

    it('rejects a bad input by name before any request, without printing the key', async () => {
      sim = await startClariSimulator({ apiKey: TEST_API_KEY })
      const result = await runBundle({ runtime, inputs: inputs(sim.url, { periods: '2026-Q1' }) })

      expect(result.exitCode).toBe(1)
      expect(errorMessages(result.stdout)).toEqual([expect.stringMatching(/^Input 'periods' /)])
      expect(sim.requests).toEqual([])
      expect(await readFolder(result.workspace)).toEqual(new Map())
      await expectKeyNowhere(result, TEST_API_KEY)
    })
  })
}

/** Lines a runner would read as a workflow command: only the action's own may be there. */
function commandLines(stdout: string): string[] {
  return stdout.split(/\r?\n/).filter(line => line.startsWith('::'))
}

// The machine's Node is enough here (bundle.machine-node.test.ts): what is checked is the
// action's own text handling.
export function hostileClariScenarios(runtime: NodeRuntime): void {
  describe('dist/index.js against a hostile Clari', () => {
    afterEach(cleanUp)
    it('a dry run with limits that are not numbers puts no command on the log and fails cleanly', async () => {
      sim = await startClariSimulator({
        apiKey: TEST_API_KEY,
        faults: [
          {
            endpoint: 'limits',
            fault: {
              kind: 'http',
              status: 200,
              body: {
                jobs: {
                  monthlyQuota: '100\n::warning title=X::y',
                  availableMonthlyQuota: '5\r\n::set-output name=pwned::1',
                  concurrentLimit: 3,
                  availableConcurrentLimit: 1
                }
              }
            }
          }
        ]
      })
      const result = await runBundle({
        runtime,
        inputs: inputs(sim.url, { 'dry-run': 'true' })
      })

      expect(result.exitCode).toBe(1)
      for (const line of commandLines(result.stdout)) {
        const command = parseWorkflowCommand(line)
        // The action's own commands carry no properties; an injected one would (title=X).
        expect(command?.properties, line).toEqual({})
        expect(['add-mask', 'error', 'warning', 'debug', 'group', 'endgroup']).toContain(
          command?.name
        )
      }
      expect(result.stdout).not.toMatch(/^::(warning title|set-output)/m)
      expect(errorMessages(result.stdout)).toEqual([
        expect.stringMatching(
          /^read export limits: \w+ is not a whole number; the answer is unusable$/
        )
      ])
      expect(sim.jobs).toEqual([])
      expect(await readFolder(result.workspace)).toEqual(new Map())
    })

    it('shows no 8-character part of the key anywhere, whatever field the server hides it in', async () => {
      const inKey = { [TEST_API_KEY]: 1 }
      sim = await startClariSimulator({
        apiKey: TEST_API_KEY,
        plan: { durationMs: 1_500 },
        faults: [
          // The key as an object key of a status value, and parts of it in a transient error.
          {
            endpoint: 'status',
            period: '2026_Q1',
            times: 1,
            fault: { kind: 'http', status: 200, body: { job: { status: inKey } } }
          },
          {
            endpoint: 'status',
            period: '2026_Q1',
            times: 1,
            fault: {
              kind: 'http',
              status: 500,
              body: {
                code: inKey,
                message: `echo ${TEST_API_KEY.slice(3, 30)}`,
                errorId: TEST_API_KEY.slice(-20)
              }
            }
          },
          // A final error whose code and message are made of parts of the key.
          {
            endpoint: 'status',
            period: '2026_Q2',
            fault: {
              kind: 'http',
              status: 400,
              body: {
                code: `${TEST_API_KEY.slice(0, 24)}::x`,
                message: { [`${TEST_API_KEY.slice(5)}`]: [TEST_API_KEY.slice(1, 12)] },
                errorId: TEST_API_KEY.slice(10, 40)
              }
            }
          },
          // A quota answer whose limits are parts of the key.
          {
            endpoint: 'create',
            period: '2026_Q3',
            times: 1,
            fault: { kind: 'clari-error', status: 400, code: 'export_monthly_quota_reached' }
          },
          {
            endpoint: 'limits',
            times: 1,
            fault: {
              kind: 'http',
              status: 200,
              body: { jobs: { monthlyQuota: TEST_API_KEY.slice(2, 20), availableMonthlyQuota: 0 } }
            }
          }
        ]
      })
      const result = await runBundle({
        runtime,
        inputs: inputs(sim.url),
        timeoutMs: 40_000
      })

      expect(result.exitCode).toBe(1)
      expect(JSON.parse(result.outputs.failed!)).toEqual(['2026_Q2'])
      await expectNoKeyFragment(result, TEST_API_KEY, 8)
    }, 60_000)
  })
}
