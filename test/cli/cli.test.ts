import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { CLI_FLAGS } from '../../src/cli/flags.js'
import { SETTINGS } from '../../src/settings/definitions.js'
import { TEST_API_KEY } from '../helpers/engine-harness.js'
import {
  forecastPayload,
  sha256,
  startClariSimulator,
  type ClariSimulator,
  type ClariSimulatorOptions
} from '../simulators/clari/index.js'
import { startCli, stopAll, type CliResult } from './cli-process.js'

// Real time: jobs of about a second, checked every second.
const FAST = ['--poll-interval', '1', '--max-poll-interval', '1', '--request-timeout', '5']

// The bundle users run (shebang, ESM, bundled dependencies), of the current source.
const CLI_ENTRY = inject('bundles').cli
let sim: ClariSimulator | undefined
let cwd: string

afterEach(async () => {
  await stopAll()
  await sim?.close()
  sim = undefined
  await rm(cwd, { recursive: true, force: true })
})

async function startSim(options: ClariSimulatorOptions = {}): Promise<ClariSimulator> {
  sim = await startClariSimulator({ apiKey: TEST_API_KEY, ...options })
  return sim
}

async function run(args: string[], env: Record<string, string> = { CLARI_API_KEY: TEST_API_KEY }) {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'clari-cli-run-'))
  return startCli(CLI_ENTRY, args, { cwd, env })
}

function expectNoKey(result: CliResult): void {
  expect(result.stdout).not.toContain(TEST_API_KEY)
  expect(result.stderr).not.toContain(TEST_API_KEY)
}

describe('clari-export against the Clari simulator', () => {
  it('exports each period to ./clari-export, shows progress and a summary table, exits 0', async () => {
    const s = await startSim({ plan: { durationMs: 1_500, queuedMs: 300 } })
    const r = await run([
      '--forecast-id',
      'net_arr',
      '--periods',
      '2026_Q1..2026_Q2',
      '--api-url',
      s.url,
      ...FAST
    ])
    const result = await r.result

    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const dir = path.join(cwd, 'clari-export')
    expect((await readdir(dir)).sort()).toEqual([
      'manifest.json',
      'net_arr_2026_Q1.json',
      'net_arr_2026_Q2.json'
    ])
    for (const [i, job] of s.jobs.entries()) {
      const file = await readFile(path.join(dir, `net_arr_${job.period}.json`))
      expect(sha256(file)).toBe(job.payloadSha256)
      expect(job.period).toBe(['2026_Q1', '2026_Q2'][i])
    }
    // Progress: not a terminal here, so plain lines with state, elapsed and next check.
    expect(result.stdout).toMatch(/\[1\/2\] 2026_Q1 \w+, \d+ s elapsed, next check in \d+ s/)
    expect(result.stdout).toContain(`2026_Q1: created job ${s.jobs[0]!.jobId}`)
    expect(result.stdout).not.toContain('\x1b')
    // The summary table, then the totals.
    expect(result.stdout).toMatch(
      /Period\s+Status\s+Job\s+Size\s+Duration\s+Status checks\s+Throttle waits/
    )
    expect(result.stdout).toMatch(new RegExp(`2026_Q2\\s+DONE\\s+${s.jobs[1]!.jobId}`))
    expect(result.stdout).toContain(`2 of 2 periods exported`)
    expect(result.stdout).toContain(`Files in ${dir}`)
    expectNoKey(result)
  })

  it('keeps the other periods when one job FAILS, names it, and exits 1', async () => {
    const s = await startSim({
      plan: req => ({ durationMs: 800, outcome: req.timePeriod === '2026_Q2' ? 'FAILED' : 'DONE' })
    })
    const r = await run([
      '--forecast-id',
      'net_arr',
      '--periods',
      '2026_Q1',
      '--periods',
      '2026_Q2, 2026_Q3',
      '--api-url',
      s.url,
      '--output-dir',
      'out',
      ...FAST
    ])
    const result = await r.result

    expect(result.code).toBe(1)
    expect(s.jobs.map(j => j.period)).toEqual(['2026_Q1', '2026_Q2', '2026_Q3'])
    const dir = path.join(cwd, 'out')
    expect((await readdir(dir)).sort()).toEqual([
      'manifest.json',
      'net_arr_2026_Q1.json',
      'net_arr_2026_Q3.json'
    ])
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'))
    expect(manifest.exports.map((o: { status: string }) => o.status)).toEqual([
      'DONE',
      'FAILED',
      'DONE'
    ])
    expect(result.stdout).toContain(`failed: 2026_Q2: FAILED (job ${s.jobs[1]!.jobId})`)
    expect(result.stdout).toContain('2 of 3 periods exported')
    expectNoKey(result)
  })

  it.each([
    ['fails (exit 1) on a truncated export, keeping the file', [], 1],
    ['accepts a truncated export with --allow-truncated (exit 0)', ['--allow-truncated'], 0]
  ])('%s', async (_name, flags, code) => {
    const s = await startSim({ plan: { durationMs: 500, rowsTruncated: true } })
    const r = await run([
      '--forecast-id',
      'net_arr',
      '--periods',
      '2026_Q1',
      '--api-url',
      s.url,
      ...FAST,
      ...flags
    ])
    const result = await r.result

    expect(result.code).toBe(code)
    expect(await readdir(path.join(cwd, 'clari-export'))).toContain('net_arr_2026_Q1.json')
    expect(result.stdout).toContain('2026_Q1: warning: Clari truncated this export')
    const problem = `failed: 2026_Q1: DONE but incomplete (job ${s.jobs[0]!.jobId}): Clari truncated this export (rows)`
    if (code === 1) expect(result.stdout).toContain(problem)
    else expect(result.stdout).not.toContain('failed: ')
    expectNoKey(result)
  })

  it.each([
    {
      name: 'a malformed period',
      args: ['--forecast-id', 'net_arr', '--periods', '2026_Q5'],
      message: /--periods is not valid .*Accepted: "2026_Q1", "2025_Q3\.\.2026_Q2"/
    },
    {
      name: 'a missing forecast id',
      args: ['--periods', 'current'],
      message: /--forecast-id is required but empty\. Accepted: the forecast tab ID/
    },
    {
      name: 'an invalid boolean-looking number',
      args: ['--forecast-id', 'net_arr', '--periods', 'current', '--poll-interval', 'soon'],
      message: /--poll-interval is "soon"\. Accepted: a number of seconds from 1 to 600/
    },
    {
      name: 'an upload flag, which only the action has',
      args: ['--forecast-id', 'net_arr', '--periods', 'current', '--artifact-name', 'x'],
      message: /--artifact-name applies only to the GitHub Action.*clari-export --help/
    },
    {
      name: 'the key as a flag',
      args: ['--forecast-id', 'net_arr', '--periods', 'current', `--api-key=${TEST_API_KEY}`],
      message: /--api-key is not accepted.*Set the CLARI_API_KEY environment variable/
    }
  ])(
    'refuses $name before any request, with a clear message (exit 1)',
    async ({ args, message }) => {
      const s = await startSim()
      const result = await (await run([...args, '--api-url', s.url])).result
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(message)
      expect(result.stdout).toBe('')
      expect(s.requests).toEqual([])
      expectNoKey(result)
    }
  )

  it('refuses to run without CLARI_API_KEY', async () => {
    const s = await startSim()
    const result = await (
      await run(['--forecast-id', 'net_arr', '--periods', 'current', '--api-url', s.url], {})
    ).result
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^clari-export: CLARI_API_KEY is not set/)
    expect(s.requests).toEqual([])
  })

  it('--dry-run reports the quota and concurrency left and creates no job', async () => {
    const s = await startSim({ limits: { monthlyQuota: 30, concurrentLimit: 1 } })
    s.setMonthlyQuotaLeft(12)
    const result = await (
      await run([
        '--forecast-id',
        'net_arr',
        '--periods',
        'current-3..current',
        '--api-url',
        s.url,
        '--dry-run'
      ])
    ).result
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(
      /^Plan: export net_arr for \d{4}_Q\d(, \d{4}_Q\d){3} \(4 export jobs/
    )
    expect(result.stdout).toContain('Clari export quota left: 12 of 30 per 30 days')
    expect(result.stdout).toContain('concurrency slots free: 1 of 1')
    expect(s.jobs).toEqual([])
    expect(s.requests.map(r => r.endpoint)).toEqual(['limits'])
    expectNoKey(result)
  })

  it('--dry-run fails when the run needs more jobs than the quota has left', async () => {
    const s = await startSim()
    s.setMonthlyQuotaLeft(1)
    const result = await (
      await run([
        '--forecast-id',
        'net_arr',
        '--periods',
        '2026_Q1,2026_Q2',
        '--api-url',
        s.url,
        '--dry-run'
      ])
    ).result
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      "dry run: the run needs 2 export jobs but Clari's quota has 1 left (of 1000 per 30 days)"
    )
    expect(s.jobs).toEqual([])
  })

  it('--dry-run with a refused key fails with Clari’s message and never prints the key', async () => {
    const s = await startSim()
    const wrongKey = 'ck_wrong_0123456789abcdef'
    const result = await (
      await run(
        ['--forecast-id', 'net_arr', '--periods', 'current', '--api-url', s.url, '--dry-run'],
        {
          CLARI_API_KEY: wrongKey
        }
      )
    ).result
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^clari-export: .*401.*Invalid authentication credentials/)
    expect(result.stdout + result.stderr).not.toContain(wrongKey)
    expect(s.jobs).toEqual([])
  })

  it('on Ctrl-C cancels the job in flight, prints what finished, and exits 130', async () => {
    const s = await startSim({ plan: { durationMs: 60_000 } })
    const r = await run([
      '--forecast-id',
      'net_arr',
      '--periods',
      '2026_Q1,2026_Q2',
      '--api-url',
      s.url,
      ...FAST
    ])
    await expect.poll(() => r.stdout(), { timeout: 10_000 }).toContain('created job')
    r.signal('SIGINT')
    const result = await r.result

    expect(result.code).toBe(130)
    expect(s.jobs).toHaveLength(1)
    expect(s.jobs[0]!.cancelled).toBe(true)
    expect(result.stdout).toMatch(/2026_Q1\s+CANCELLED/)
    expect(result.stdout).toMatch(/2026_Q2\s+CANCELLED/)
    expect(result.stdout).toContain('0 of 2 periods exported')
  })
})

describe('clari-export --resume', () => {
  it('after Ctrl-C, reuses what finished from output-dir and exports only the rest', async () => {
    const s = await startSim({
      plan: req => ({ durationMs: req.timePeriod === '2026_Q1' ? 1_000 : 60_000 })
    })
    const args = ['--forecast-id', 'net_arr', '--periods', '2026_Q1,2026_Q2', '--api-url', s.url]
    const first = await run([...args, ...FAST])
    await expect.poll(() => first.stdout(), { timeout: 15_000 }).toMatch(/2026_Q2: created job/)
    first.signal('SIGINT')
    expect((await first.result).code).toBe(130)
    const requestsBefore = s.requests.length

    // The second run finds the first one's manifest in the same folder.
    const second = await startCli(CLI_ENTRY, [...args, ...FAST, '--resume'], {
      cwd,
      env: { CLARI_API_KEY: TEST_API_KEY }
    })
    await expect.poll(() => second.stdout(), { timeout: 15_000 }).toMatch(/2026_Q2: created job/)
    second.signal('SIGINT')
    const result = await second.result

    const again = s.requests.slice(requestsBefore)
    expect(again.some(r => r.period === '2026_Q1')).toBe(false)
    expect(again.filter(r => r.endpoint === 'create').map(r => r.period)).toEqual(['2026_Q2'])
    expect(result.stdout).toMatch(/Resuming from .*manifest\.json: reused 1/)
    expect(result.stdout).toMatch(/2026_Q1\s+DONE \(reused from attempt 1\)/)
    const manifest = JSON.parse(
      await readFile(path.join(cwd, 'clari-export', 'manifest.json'), 'utf8')
    )
    expect(manifest.runAttempt).toBe(2)
    expect(manifest.exports[0]).toMatchObject({
      period: '2026_Q1',
      status: 'DONE',
      reusedFromAttempt: 1
    })
  })

  it('says there is nothing to resume in an empty output-dir, and exports every period', async () => {
    const s = await startSim({ plan: { durationMs: 1_000 } })
    const result = await (
      await run([
        '--forecast-id',
        'net_arr',
        '--periods',
        '2026_Q1',
        '--api-url',
        s.url,
        ...FAST,
        '--resume'
      ])
    ).result
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(
      /Not resuming from output-dir's manifest\.json: there is no manifest\.json in .*; exporting every period/
    )
    expect(s.jobs).toHaveLength(1)
  })
})

describe('clari-export tables', () => {
  it('writes the tables of payloads on disk next to them, without a key, and names the ones it cannot read', async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), 'clari-cli-run-'))
    await mkdir(path.join(cwd, 'clari-export'))
    const payload = forecastPayload('2026_Q1', 'net_arr')
    await writeFile(path.join(cwd, 'clari-export', 'net_arr_2026_Q1.json'), payload)
    await writeFile(path.join(cwd, 'notes.json'), '{}')
    const args = ['tables', '--tables', 'csv', 'clari-export/net_arr_2026_Q1.json', 'notes.json']
    const result = await startCli(CLI_ENTRY, args, { cwd, env: {} }).result

    expect(result.code).toBe(1)
    const lists = JSON.parse(payload) as Record<string, unknown[]>
    expect(result.stdout).toBe(
      `clari-export/net_arr_2026_Q1.json: tables: entries ${lists.entries!.length} rows, users ${lists.users!.length}, fields ${lists.fields!.length}, time_periods 1, time_frames ${lists.timeFrames!.length} (in clari-export/tables)\n`
    )
    expect(result.stderr).toBe(
      'clari-export: notes.json: not a payload name: tables need <forecast-id>_<YYYY_QN>.json, as an export writes it\n'
    )
    const entries = await readFile(
      path.join(cwd, 'clari-export', 'tables', 'entries', 'net_arr_2026_Q1.csv'),
      'utf8'
    )
    expect(entries.split('\r\n').length).toBe(lists.entries!.length + 2)
  })
})

describe('clari-export --help', () => {
  it('lists every flag generated from the inputs table, and none of the action-only inputs', async () => {
    const result = await (await run(['--help'], {})).result
    expect(result.code).toBe(0)
    for (const flag of CLI_FLAGS) {
      expect(result.stdout).toContain(`--${flag.name}`)
      expect(result.stdout).toContain(flag.description.split(' ').slice(0, 3).join(' '))
    }
    expect(result.stdout).toContain('--no-cancel-on-timeout')
    expect(result.stdout).toContain('--no-resume')
    expect(result.stdout).toContain('CLARI_API_KEY')
    const cliNames = new Set<string>(CLI_FLAGS.map(f => f.name))
    const actionOnly = SETTINGS.map(s => s.name).filter(name => !cliNames.has(name))
    expect(actionOnly.sort()).toEqual(
      [
        'allow-output-outside-workspace',
        'api-key',
        'artifact-name',
        'compression-level',
        'github-token',
        'overwrite',
        'retention-days',
        'upload'
      ].sort()
    )
    for (const name of actionOnly.filter(n => n !== 'api-key')) {
      expect(result.stdout).not.toContain(`--${name}`)
    }
    expect(result.stdout).not.toContain('--api-key')
  })

  it('is a bundled ESM file that runs as an executable (#!/usr/bin/env node)', async () => {
    const source = await readFile(CLI_ENTRY, 'utf8')
    expect(source.startsWith('#!/usr/bin/env node\n')).toBe(true)
    const pkg = JSON.parse(
      await readFile(path.join(path.dirname(CLI_ENTRY), 'package.json'), 'utf8')
    )
    expect(pkg.type).toBe('module')
  })
})
