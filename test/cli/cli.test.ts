import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { CLI_FLAGS } from '../../src/cli/flags.js'
import { SETTINGS } from '../../src/settings/definitions.js'
import { TEST_API_KEY } from '../helpers/test-api-key.js'
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
    // Scripted by status check, not by time: on a busy machine a timed job may be done by the
    // first check, and there would be no progress line to see.
    const s = await startSim({ plan: { statuses: ['STARTED', 'DONE'] } })
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
    // Paths as typed: relative to the current folder.
    expect(result.stdout).toContain('Exporting net_arr for 2026_Q1, 2026_Q2 to clari-export\n')
    expect(result.stdout).toContain('Files in clari-export (manifest.json lists every period)')
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
    // The job named once, and, at the end, how to export only what is missing.
    expect(result.stdout).toContain(
      `failed: 2026_Q2: FAILED (job ${s.jobs[1]!.jobId}): the job ended FAILED at Clari, which gives no reason\n`
    )
    expect(result.stdout).toContain('2 of 3 periods exported')
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(
      'Add --resume to the same command to export only 2026_Q2 and keep the 2 periods exported.'
    )
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
    expect(result.stderr).toBe(
      'clari-export: Clari rejected the API key (HTTP 401: Invalid authentication credentials): check CLARI_API_KEY; the key may be mistyped, expired or revoked\n'
    )
    expect(result.stdout + result.stderr).not.toContain(wrongKey)
    expect(s.jobs).toEqual([])
  })

  it('with a refused key, says at the first period what to check, and creates nothing more', async () => {
    const s = await startSim()
    const wrongKey = 'ck_wrong_0123456789abcdef'
    const args = ['--forecast-id', 'net_arr', '--periods', '2026_Q1,2026_Q2', '--api-url', s.url]
    const result = await (await run(args, { CLARI_API_KEY: wrongKey })).result

    expect(result.code).toBe(1)
    expect(result.stdout).toContain(
      '\n2026_Q1: ERROR: Clari rejected the API key (HTTP 401: Invalid authentication credentials): check CLARI_API_KEY; the key may be mistyped, expired or revoked\n'
    )
    expect(result.stdout).toContain('\n2026_Q2: ERROR: not started: Clari rejected the API key\n')
    expect(result.stdout).not.toContain('api-key secret')
    expect(result.stdout).not.toContain('--resume')
    // The job list read for durations at the start, then one create: nothing after the refusal.
    expect(s.requests.map(r => r.endpoint)).toEqual(['list', 'create'])
    expect(result.stdout + result.stderr).not.toContain(wrongKey)
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
    // One line per period, saying what became of its job; no list of failures after it.
    const lines = result.stdout.split('\n')
    const periodLines = lines.filter(line => /^2026_Q\d: /.test(line) && !/created job/.test(line))
    // In the order they ended: the cancel of Q1's job takes a request, Q2 had nothing to cancel.
    expect(periodLines.sort()).toEqual([
      `2026_Q1: CANCELLED (job ${s.jobs[0]!.jobId}): the run was cancelled; its job was cancelled at Clari`,
      '2026_Q2: CANCELLED: not started: the run was cancelled'
    ])
    expect(lines.filter(line => line.startsWith('failed:'))).toEqual([])
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
    expect(result.stdout).toMatch(
      /Resuming from .*manifest\.json: reusing 2026_Q1 \(no request to Clari\); exporting 2026_Q2 anew/
    )
    // A terminal has no attempts: the earlier run is the one in the same folder.
    expect(result.stdout).toMatch(/2026_Q1\s+DONE \(reused from the earlier run in clari-export\)/)
    expect(result.stdout).not.toMatch(/attempt/i)
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
  /** An export by clari-export itself: clari-export/ with its payloads and manifest.json. */
  async function exported(periods: string[]): Promise<Record<string, unknown>> {
    const s = await startSim({ plan: { durationMs: 500 } })
    const r = await run([
      '--forecast-id',
      'net_arr',
      '--periods',
      periods.join(','),
      '--api-url',
      s.url,
      ...FAST
    ])
    expect((await r.result).code).toBe(0)
    return JSON.parse(await readFile(path.join(cwd, 'clari-export', 'manifest.json'), 'utf8'))
  }

  it('converts every payload of an export folder, each named by the snapshot its manifest records, without a key', async () => {
    const manifest = (await exported(['2026_Q1', '2026_Q2'])) as {
      exports: { period: string; jobId: string; snapshotAt: string }[]
    }
    const manifestBefore = await readFile(path.join(cwd, 'clari-export', 'manifest.json'))
    const result = await startCli(CLI_ENTRY, ['tables', '--tables', 'parquet', 'clari-export'], {
      cwd,
      env: {}
    }).result

    // Nothing but progress, which a conversion slower than a second (a busy machine) shows.
    const notProgress = (line: string) => line !== '' && !/^\S+: \d+ % of .+ read$/.test(line)
    expect(result.stderr.split('\n').filter(notProgress)).toEqual([])
    expect(result.code).toBe(0)
    for (const { period, jobId, snapshotAt } of manifest.exports) {
      const lists = JSON.parse(forecastPayload(period, 'net_arr')) as Record<string, unknown[]>
      expect(result.stdout).toContain(
        `clari-export/net_arr_${period}.json: tables: entries ${lists.entries!.length} rows, users ${lists.users!.length}, fields ${lists.fields!.length}, time_periods 1, time_frames ${lists.timeFrames!.length} (in clari-export/tables)\n`
      )
      const file = path.join(
        cwd,
        'clari-export/tables/entries',
        `snapshot_date=${snapshotAt.slice(0, 10)}`,
        `net_arr_${period}_${jobId}.parquet`
      )
      expect((await readFile(file)).subarray(0, 4).toString()).toBe('PAR1')
    }
    // The manifest is read, never written.
    expect(await readFile(path.join(cwd, 'clari-export', 'manifest.json'))).toEqual(manifestBefore)
  })

  it('given files (a shell glob), skips manifest.json and names the ones it cannot convert', async () => {
    const manifest = (await exported(['2026_Q1'])) as { exports: { jobId: string }[] }
    await mkdir(path.join(cwd, 'elsewhere'))
    await writeFile(
      path.join(cwd, 'elsewhere', 'net_arr_2026_Q2.json'),
      forecastPayload('2026_Q2', 'net_arr')
    )
    const args = [
      'tables',
      '--tables',
      'csv',
      'clari-export/manifest.json',
      'clari-export/net_arr_2026_Q1.json',
      'elsewhere/net_arr_2026_Q2.json'
    ]
    const result = await startCli(CLI_ENTRY, args, { cwd, env: {} }).result

    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/^clari-export\/net_arr_2026_Q1\.json: tables: entries \d+ rows/)
    expect(result.stderr).toBe(
      `clari-export: elsewhere/net_arr_2026_Q2.json: its snapshot is unknown: there is no manifest.json in ${path.join(cwd, 'elsewhere')} (it tells each payload's job and snapshot time: convert a folder as the export wrote it)\n`
    )
    const entries = await readdir(path.join(cwd, 'clari-export/tables/entries'), {
      recursive: true
    })
    expect(entries.filter(name => name.endsWith('.csv'))).toHaveLength(1)
    expect(entries.join()).toContain(manifest.exports[0]!.jobId)
  })

  it('has help of its own', async () => {
    const result = await (await run(['tables', '--help'], {})).result
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(
      /^Usage: clari-export tables \[options\] <export-folder \| payload\.json>\.\.\./
    )
    expect(result.stdout).toContain('--no-csv-formula-guard')
    expect(result.stdout).not.toContain('--periods')
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
    // Written for a terminal: --resume is the plain switch it is, paths are the current folder's.
    expect(result.stdout).not.toContain('--no-resume')
    expect(result.stdout).not.toMatch(/attempt|workspace|workflow|the step/i)
    expect(result.stdout).toMatch(/--output-dir <value> +Folder .*relative to the current\s+folder/)
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

  it('with no arguments prints the usage and exits 1; --version prints the version', async () => {
    const bare = await (await run([], {})).result
    expect(bare.code).toBe(1)
    expect(bare.stdout).toBe('')
    expect(bare.stderr).toMatch(/^Usage: clari-export --forecast-id <id> --periods <list>/)
    expect(bare.stderr).toContain('clari-export --help lists every flag')

    const version = await (await run(['--version'], {})).result
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'))
    expect(version).toMatchObject({ code: 0, stdout: `clari-export ${pkg.version}\n`, stderr: '' })
  })

  it('gives each command its own help, and a mistyped flag the one it meant', async () => {
    const tables = await (await run(['tables', '--help'], {})).result
    expect(tables.code).toBe(0)
    expect(tables.stdout).toMatch(/^Usage: clari-export tables /)
    expect(tables.stdout).not.toContain('--forecast-id')

    const typo = await (await run(['--period', '2026_Q1'], {})).result
    expect(typo).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        "clari-export: Unknown option '--period'. Did you mean --periods? Run clari-export --help to see every flag.\n"
    })
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
