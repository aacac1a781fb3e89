import { readFileSync } from 'node:fs'
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { sha256 } from '../../simulators/clari/index.js'
import { clariErrorBody } from '../../simulators/clari/clari-errors.js'
import { folderSource } from '../../../src/engine/reruns/earlier-files.js'
import { mulberry32 } from '../../simulators/clari/prng.js'
import { defaultPollSchedule } from '../../../src/engine/job/poll-schedule.js'
import { watchClientEnds } from '../../helpers/client-ends.js'
import { startHarness, TEST_API_KEY, type Harness } from '../../helpers/engine-harness.js'

let h: Harness
afterEach(async () => h?.close())

const MINUTE = 60_000

function statusRequests(h: Harness) {
  return h.sim.requests.filter(r => r.endpoint === 'status')
}

describe('runExport against the Clari simulator', () => {
  it('exports each period in order, writes payloads that match what Clari served, and a manifest', async () => {
    h = await startHarness({ plan: { durationMs: 4 * MINUTE, queuedMs: 20_000 } })
    const periods = ['2025_Q4', '2026_Q1', '2026_Q2']
    const { report } = await h.run(h.config({ periods }))

    expect(report.failed).toEqual([])
    expect(report.manifest.exports.map(o => [o.period, o.status])).toEqual(
      periods.map(p => [p, 'DONE'])
    )
    expect(h.sim.jobs.map(j => j.period)).toEqual(periods)
    for (const [i, outcome] of report.manifest.exports.entries()) {
      const bytes = await readFile(path.join(h.dir, outcome.file!))
      expect(outcome.file).toBe(`net_arr_${periods[i]}.json`)
      expect(outcome.bytes).toBe(bytes.length)
      expect(outcome.sha256).toBe(sha256(bytes))
      expect(outcome.sha256).toBe(h.sim.jobs[i]!.payloadSha256)
      expect(outcome.jobId).toBe(h.sim.jobs[i]!.jobId)
    }
    const onDisk = JSON.parse(await readFile(report.manifestPath, 'utf8'))
    expect(onDisk).toEqual(report.manifest)
    // No temporary files left behind.
    expect((await readdir(h.dir)).sort()).toEqual([
      'manifest.json',
      'net_arr_2025_Q4.json',
      'net_arr_2026_Q1.json',
      'net_arr_2026_Q2.json'
    ])
  })

  it('records when an ordinary export was created, ran, ended and how long it took, with no truncation', async () => {
    h = await startHarness({ plan: { durationMs: 4 * MINUTE, queuedMs: 20_000 } })
    // The job's own time counts from its create, not from the run's start a minute before.
    const { report, events } = await h.run(h.config(), { startDelayMs: MINUTE })
    const outcome = report.manifest.exports[0]!
    expect(outcome).toMatchObject({ status: 'DONE', rowsTruncated: false, cellsTruncated: false })
    expect(events.filter(e => e.type === 'warning')).toEqual([])
    const job = h.sim.jobs[0]!
    const at = (iso: string | undefined): number => Date.parse(iso!)
    const { createdAt, runningAt, doneAt, downloadedAt, endedAt } = outcome.timeline
    // Clari queued the job 20 s, ran it until 4 minutes after the create.
    expect(at(createdAt)).toBeGreaterThanOrEqual(job.createdAt)
    expect(at(runningAt)).toBeGreaterThanOrEqual(job.createdAt + 20_000)
    expect(at(runningAt)).toBeLessThan(at(doneAt))
    expect(at(doneAt)).toBeGreaterThanOrEqual(job.createdAt + 4 * MINUTE)
    expect(at(downloadedAt)).toBeGreaterThanOrEqual(at(doneAt))
    expect(at(endedAt)).toBeGreaterThanOrEqual(at(downloadedAt))
    expect(outcome.durationMs).toBeGreaterThanOrEqual(4 * MINUTE - 1_000)
    expect(outcome.durationMs).toBeLessThanOrEqual(at(endedAt) - job.createdAt + 1_000)
  })

  it('records a job first seen already DONE as running from that check, so its timeline has no gap', async () => {
    h = await startHarness({ plan: { durationMs: 3_000 } })
    const { report } = await h.run(h.config())
    const { runningAt, doneAt } = report.manifest.exports[0]!.timeline
    expect(statusRequests(h).length).toBe(1)
    expect(runningAt).toBeDefined()
    expect(runningAt).toBe(doneAt)
  })

  it('reuses one keep-alive connection for all its requests', async () => {
    h = await startHarness({ plan: { durationMs: 3 * MINUTE } })
    await h.run(h.config({ periods: ['2026_Q1', '2026_Q2', '2026_Q3'] }))
    expect(h.sim.requests.length).toBeGreaterThan(20)
    expect(h.sim.connections).toBe(1)
  })

  // A connection or a timer left behind would keep the action's process waiting after the run.
  it('ends its connection to Clari when the run ends', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    const watch = await watchClientEnds(h.sim.url)
    try {
      const config = h.config()
      await h.run({ ...config, clari: { ...config.clari, apiUrl: watch.url } })
      // One, or more where the server's keep-alive timeout ended one on a slow machine: each ends.
      expect(watch.ends.length).toBeGreaterThan(0)
      await Promise.all(watch.ends)
    } finally {
      await watch.close()
    }
  })

  it('leaves no timer behind when it returns, though its watch for free slots was due later', async () => {
    // The second period waits for the first's slot, and the watch reads every 8-10 minutes: it
    // still sleeps when the run ends, 3 minutes in.
    h = await startHarness({
      plan: req => ({ durationMs: req.timePeriod === '2026_Q1' ? 2 * MINUTE : 1000 })
    })
    const config = h.config({ periods: ['2026_Q1', '2026_Q2'] })
    const { report } = await h.run({
      ...config,
      timing: { ...config.timing, maxPollIntervalMs: 10 * MINUTE }
    })
    expect(report.failed).toEqual([])
    await new Promise(resolve => setTimeout(resolve, 50))
    // No wait of the run's woke after the manifest's last write: time stood still since
    // (finishedAt is to the millisecond.)
    expect(h.clock.wallNow() - Date.parse(report.manifest.finishedAt)).toBeLessThan(1)
  })

  it('never checks status at t = 0 and notices a finished job within one capped interval', async () => {
    h = await startHarness({ plan: { durationMs: 10 * MINUTE } })
    const { report } = await h.run(h.config())
    const created = h.sim.requests.find(r => r.endpoint === 'create')!
    const polls = statusRequests(h)
    // First check after poll-interval (5 s, jitter down to 0.8x), never at once.
    expect(polls[0]!.at - created.at).toBeGreaterThanOrEqual(4_000)
    const doneAt = h.sim.jobs[0]!.createdAt + 10 * MINUTE
    const lastPoll = polls[polls.length - 1]!
    expect(lastPoll.at).toBeGreaterThanOrEqual(doneAt)
    expect(lastPoll.at - doneAt).toBeLessThanOrEqual(30_000)
    // Capped at max-poll-interval (30 s): never a wider gap between checks.
    for (let i = 1; i < polls.length; i++) {
      expect(polls[i]!.at - polls[i - 1]!.at).toBeLessThanOrEqual(30_000 + 1_000)
    }
    expect(report.manifest.exports[0]!.statusPolls).toBe(polls.length)
  })

  it('counts the status checks Clari answered, the same in the events and the outcome', async () => {
    // Two checks throttled: missed, not answered, and counted as throttle waits; a third fails
    // with a 502, retried too but no throttle.
    h = await startHarness({
      plan: { durationMs: 2 * MINUTE },
      faults: [
        {
          endpoint: 'status',
          times: 2,
          fault: { kind: 'http', status: 429, headers: { 'Retry-After': '3' } }
        },
        { endpoint: 'status', times: 1, fault: { kind: 'http', status: 502 } }
      ]
    })
    const { report, events } = await h.run(h.config())
    const [outcome] = report.manifest.exports
    const answered = statusRequests(h).filter(r => r.status === 200).length
    const seen = events.flatMap(e => (e.type === 'status' ? [e.poll] : []))
    expect(outcome!.throttleWaits).toBe(2)
    expect(outcome!.statusPolls).toBe(answered)
    expect(seen).toEqual(Array.from({ length: answered }, (_, i) => i + 1))
  })

  it.each([
    ['flat', 200],
    ['wrapped', 202],
    ['alternate', 200]
  ] as const)(
    'reads the status from a %s envelope (create answers %i)',
    async (envelope, createStatus) => {
      h = await startHarness({ envelope, createStatus, plan: { durationMs: MINUTE } })
      const { report } = await h.run(h.config({ periods: ['2026_Q1', '2026_Q2'] }))
      expect(report.exported.map(o => o.period)).toEqual(['2026_Q1', '2026_Q2'])
    }
  )

  it('keeps the finished periods when one job fails, and reports the failed one with its job id', async () => {
    h = await startHarness({
      plan: req => ({
        durationMs: 2 * MINUTE,
        outcome: req.timePeriod === '2026_Q2' ? 'FAILED' : 'DONE'
      })
    })
    const { report } = await h.run(h.config({ periods: ['2026_Q1', '2026_Q2', '2026_Q3'] }))
    expect(report.manifest.exports.map(o => o.status)).toEqual(['DONE', 'FAILED', 'DONE'])
    const failed = report.failed[0]!
    expect(failed.jobId).toBe(h.sim.jobs[1]!.jobId)
    expect(failed.error).toContain('FAILED')
    expect(failed.file).toBeUndefined()
    expect(await readdir(h.dir)).not.toContain('net_arr_2026_Q2.json')
  })

  it.each(['CANCELLED', 'ABORTED'] as const)(
    'records a job that ends %s as such',
    async outcome => {
      h = await startHarness({ plan: { durationMs: MINUTE, outcome } })
      const { report } = await h.run(h.config())
      expect(report.manifest.exports[0]!.status).toBe(outcome)
    }
  )

  it('ends a job Clari reports in ERROR at that check, as failed, instead of polling to job-timeout', async () => {
    h = await startHarness({ plan: { statuses: ['STARTED', 'ERROR'] } })
    const { report } = await h.run(h.config())
    const [outcome] = report.manifest.exports
    expect(outcome!.status).toBe('FAILED')
    expect(outcome!.error).toContain('ERROR')
    expect(statusRequests(h)).toHaveLength(2)
    expect(h.sim.requests.filter(r => r.endpoint === 'results')).toEqual([])
    expect(outcome!.durationMs).toBeLessThan(h.config().timing.jobTimeoutMs / 2)
  })

  it("learns how long a job takes only from the run's jobs that finished DONE", async () => {
    h = await startHarness({
      plan: req => ({
        durationMs: (req.timePeriod === '2026_Q2' ? 3 : 2) * MINUTE,
        outcome: req.timePeriod === '2026_Q2' ? 'FAILED' : 'DONE'
      })
    })
    const config = h.config({ periods: ['2026_Q1', '2026_Q2', '2026_Q3'] })
    const { pollIntervalMs: initialMs, maxPollIntervalMs: maxMs } = config.timing
    const schedules = defaultPollSchedule({ initialMs, factor: 1.5, maxMs }, mulberry32(7))
    // What each period's schedule was told the run's finished jobs took.
    const told: number[][] = []
    const { report } = await h.run(config, {
      pollSchedule: (history, ...rest) => (told.push([...history]), schedules(history, ...rest))
    })
    const q1 = report.manifest.exports[0]!.durationMs
    expect(report.manifest.exports.map(o => o.status)).toEqual(['DONE', 'FAILED', 'DONE'])
    expect(told).toEqual([[], [q1], [q1]])
  })

  it('writes the manifest as each period ends: period 1 is on disk while period 2 still polls', async () => {
    h = await startHarness({ plan: { durationMs: 3 * MINUTE } })
    const config = h.config({ periods: ['2026_Q1', '2026_Q2'] })
    let onDisk: { exports: { period: string; status: string }[] } | undefined
    await h.run(config, {
      onEvent: event => {
        if (onDisk || event.type !== 'status' || event.period !== '2026_Q2') return
        onDisk = JSON.parse(readFileSync(path.join(h.dir, 'manifest.json'), 'utf8'))
      }
    })
    expect(onDisk?.exports.map(o => [o.period, o.status])).toEqual([['2026_Q1', 'DONE']])
  })

  it('stops at the first failure with fail-fast and creates no further job', async () => {
    h = await startHarness({
      plan: req => ({
        durationMs: MINUTE,
        outcome: req.timePeriod === '2026_Q1' ? 'FAILED' : 'DONE'
      })
    })
    const { report } = await h.run(h.config({ periods: ['2026_Q1', '2026_Q2'], failFast: true }))
    expect(h.sim.jobs).toHaveLength(1)
    expect(report.manifest.exports.map(o => o.status)).toEqual(['FAILED', 'CANCELLED'])
    expect(report.manifest.exports[1]!.error).toMatch(/fail-fast/)
  })

  it('times a job out at job-timeout, cancels it to free the slot, and goes on', async () => {
    h = await startHarness({
      plan: req => ({ durationMs: req.timePeriod === '2026_Q1' ? 120 * MINUTE : MINUTE })
    })
    const { report } = await h.run(
      h.config({
        periods: ['2026_Q1', '2026_Q2'],
        timing: { ...h.config().timing, jobTimeoutMs: 10 * MINUTE }
      })
    )
    const [timedOut, done] = report.manifest.exports
    expect(timedOut!.status).toBe('TIMED_OUT')
    expect(timedOut!.durationMs).toBeLessThanOrEqual(10 * MINUTE + 1_000)
    expect(done!.status).toBe('DONE')
    const cancels = h.sim.requests.filter(r => r.endpoint === 'cancel')
    expect(cancels.map(r => [r.jobId, r.body])).toEqual([[timedOut!.jobId, { type: 'CANCEL' }]])
    expect(h.sim.jobs[0]!.cancelled).toBe(true)
  })

  it('records a timed-out job as not cancelled when Clari answers it had already finished', async () => {
    h = await startHarness({
      plan: { durationMs: 120 * MINUTE },
      faults: [
        {
          endpoint: 'cancel',
          fault: {
            kind: 'http',
            status: 400,
            body: clariErrorBody('export_failed_to_cancel', '00000000-0000-0000-0000-000000000000')
          }
        }
      ]
    })
    const config = h.config()
    const { report, events } = await h.run({
      ...config,
      timing: { ...config.timing, jobTimeoutMs: 10 * MINUTE }
    })
    const outcome = report.manifest.exports[0]!
    expect(outcome.status).toBe('TIMED_OUT')
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'job-cancelled', result: 'already-finished' })
    )
    expect(outcome.jobCancelled).toBe(false)
  })

  it('leaves a timed-out job running when cancel-on-timeout is false', async () => {
    h = await startHarness({ plan: { durationMs: 120 * MINUTE } })
    const base = h.config()
    const { report } = await h.run({
      ...base,
      cancelOnTimeout: false,
      timing: { ...base.timing, jobTimeoutMs: 5 * MINUTE }
    })
    expect(report.manifest.exports[0]!.status).toBe('TIMED_OUT')
    expect(h.sim.requests.filter(r => r.endpoint === 'cancel')).toEqual([])
  })

  it('exports CSV as it is served', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    const { report } = await h.run(
      h.config({ exportFormat: 'CSV', request: { exportFormat: 'CSV' } })
    )
    const outcome = report.manifest.exports[0]!
    expect(outcome.file).toBe('net_arr_2026_Q1.csv')
    const text = await readFile(path.join(h.dir, outcome.file!), 'utf8')
    expect(text.split('\n')[0]).toContain('Data Value')
    expect(h.sim.jobs[0]!.body).toEqual({ timePeriod: '2026_Q1', exportFormat: 'CSV' })
  })

  it('sends only the fields the user set, plus timePeriod', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    await h.run(
      h.config({
        request: { typesToExport: ['forecast', 'quota'], currency: 'USD', includeHistorical: true }
      })
    )
    expect(h.sim.jobs[0]!.body).toEqual({
      timePeriod: '2026_Q1',
      typesToExport: ['forecast', 'quota'],
      currency: 'USD',
      includeHistorical: true
    })
  })

  it("fails a period whose payload names another quarter (Clari's silent fallback)", async () => {
    h = await startHarness({ plan: { durationMs: MINUTE, periodOverride: '2026_Q4' } })
    const { report } = await h.run(h.config())
    const outcome = report.manifest.exports[0]!
    expect(outcome.status).toBe('ERROR')
    expect(outcome.error).toMatch(/2026_Q4, not 2026_Q1/)
    expect(await readdir(h.dir)).toEqual(['manifest.json'])
  })

  it('warns and records truncation flags', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE, rowsTruncated: true } })
    const { report, events } = await h.run(h.config())
    expect(report.manifest.exports[0]).toMatchObject({
      status: 'DONE',
      rowsTruncated: true,
      cellsTruncated: false
    })
    expect(events.some(e => e.type === 'warning' && /truncated/.test(e.message))).toBe(true)
  })

  it('warns of a truncation of cells only', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE, cellsTruncated: true } })
    const { report, events } = await h.run(h.config())
    expect(report.manifest.exports[0]).toMatchObject({ rowsTruncated: false, cellsTruncated: true })
    expect(events.some(e => e.type === 'warning' && /truncated/.test(e.message))).toBe(true)
  })

  it("carries Clari's code and errorId for a fatal 400, with no retry", async () => {
    h = await startHarness({ forecasts: ['renewals'] })
    const { report } = await h.run(h.config())
    const outcome = report.manifest.exports[0]!
    expect(outcome.status).toBe('ERROR')
    expect(outcome).toMatchObject({ rowsTruncated: false, cellsTruncated: false })
    expect(outcome.errorCode).toBe('no_such_forecast_config')
    expect(outcome.errorId).toBeTruthy()
    expect(outcome.error).toContain(outcome.errorId)
    expect(h.sim.requests.filter(r => r.endpoint === 'create')).toHaveLength(1)
  })

  // Only an earlier run's job is exported anew on a 404: this run's own job was just seen DONE.
  it('fails a period whose own DONE job Clari then says it does not know (404), with no second job', async () => {
    h = await startHarness({
      plan: { durationMs: MINUTE },
      faults: [{ endpoint: 'results', fault: { kind: 'http', status: 404 } }]
    })
    const { report } = await h.run(h.config())
    expect(report.manifest.exports[0]!.status).toBe('ERROR')
    expect(report.manifest.exports[0]!.anewBecause).toBeUndefined()
    expect(h.sim.jobs).toHaveLength(1)
  })

  it('treats an undocumented status as still running and reports it once', async () => {
    h = await startHarness({
      plan: { statuses: ['SCHEDULED', 'RUNNING', 'RUNNING', 'RUNNING', 'DONE'] }
    })
    const { report, events } = await h.run(h.config())
    expect(report.manifest.exports[0]!.status).toBe('DONE')
    expect(events.filter(e => e.type === 'unknown-status')).toHaveLength(1)
  })

  it('never writes the API key into any file', async () => {
    h = await startHarness({
      plan: req => ({
        durationMs: MINUTE,
        outcome: req.timePeriod === '2026_Q2' ? 'FAILED' : 'DONE'
      })
    })
    await h.run(h.config({ periods: ['2026_Q1', '2026_Q2'] }))
    for (const name of await readdir(h.dir)) {
      expect(await readFile(path.join(h.dir, name), 'utf8')).not.toContain(TEST_API_KEY)
    }
  })
})

describe('start delay', () => {
  it('waits startDelayMs before the first request (scheduled runs spread the herd)', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    const started = h.clock.wallNow()
    await h.run(h.config(), { startDelayMs: 7_000 })
    expect(h.sim.requests[0]!.at - started).toBeGreaterThanOrEqual(7_000)
  })
})

describe('run-wide failures', () => {
  it.each([
    { name: 'with no workflow run: attempt 1', run: undefined, expected: { runAttempt: 1 } },
    {
      name: "with the workflow run's id and attempt",
      run: { id: '4242', attempt: 3 },
      expected: { runId: '4242', runAttempt: 3 }
    }
  ])('names the run in the manifest, $name', async ({ run, expected }) => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    const { report } = await h.run(h.config({ run }))
    const onDisk = JSON.parse(await readFile(report.manifestPath, 'utf8'))
    expect({ runId: onDisk.runId, runAttempt: onDisk.runAttempt }).toEqual({
      runId: undefined,
      ...expected
    })
  })

  it('a run cancelled before it starts reports every period not started and creates no job', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    const controller = new AbortController()
    controller.abort()
    const { report, events } = await h.run(
      h.config({ periods: ['2026_Q1', '2026_Q2'], concurrency: 'auto' }),
      { signal: controller.signal }
    )
    expect(report.manifest.exports.map(o => [o.period, o.status, o.error])).toEqual([
      ['2026_Q1', 'CANCELLED', 'not started: the run was cancelled'],
      ['2026_Q2', 'CANCELLED', 'not started: the run was cancelled']
    ])
    expect(events.filter(e => e.type === 'concurrency')).toEqual([])
    expect(h.sim.requests.filter(r => r.endpoint === 'create')).toEqual([])
  })

  it('a cancelled re-run of an earlier run it cannot use says nothing of the resume (the cancel is the news)', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    await h.run(h.config({ request: { currency: 'EUR' } }))
    const { report, events } = await h.run(
      h.config(),
      { signal: AbortSignal.abort() },
      folderSource(h.dir)
    )
    expect(report.manifest.exports.map(o => [o.status, o.error])).toEqual([
      ['CANCELLED', 'not started: the run was cancelled']
    ])
    expect(events.filter(e => e.type === 'resume')).toEqual([])
  })

  it('stops after Clari rejects the key: one create, the other periods not started', async () => {
    h = await startHarness({ apiKey: 'another-key', plan: { durationMs: MINUTE } })
    const { report } = await h.run(h.config({ periods: ['2026_Q1', '2026_Q2', '2026_Q3'] }))
    // The job-list read for history is refused too, but only a refused create stops the run.
    expect(h.sim.requests.map(r => r.endpoint)).toEqual(['list', 'create'])
    const [first, ...rest] = report.manifest.exports
    expect(first!.error).toMatch(/HTTP 401/)
    for (const outcome of rest) {
      expect(outcome).toMatchObject({
        status: 'ERROR',
        error: expect.stringMatching(/^not started: Clari rejected the API key/)
      })
    }
  })

  it('goes on after a 401 no_optin, which concerns one scope, not the key', async () => {
    h = await startHarness({
      plan: { durationMs: MINUTE },
      faults: [
        {
          endpoint: 'create',
          period: '2026_Q1',
          fault: { kind: 'clari-error', status: 401, code: 'no_optin' }
        }
      ]
    })
    const { report } = await h.run(h.config({ periods: ['2026_Q1', '2026_Q2'] }))
    expect(report.manifest.exports.map(o => o.status)).toEqual(['ERROR', 'DONE'])
    expect(report.manifest.exports[0]!.errorCode).toBe('no_optin')
  })
})
