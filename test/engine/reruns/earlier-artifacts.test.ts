import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ExportConfig } from '../../../src/engine/config.js'
import {
  candidateNames,
  earlierAttemptSource,
  type EarlierArtifacts,
  type ListedArtifact
} from '../../../src/engine/reruns/earlier-artifacts.js'
import type { EarlierRun, NoEarlierRun } from '../../../src/engine/reruns/earlier-run.js'
import { TEST_API_KEY } from '../../helpers/engine-harness.js'
import { shippedConfig } from '../../helpers/shipped-config.js'
import { emptyEntries, hostileZip, type HostileEntry } from '../../simulators/artifact/index.js'

const NAME = 'clari-forecast-net_arr'
const PAYLOAD = 'net_arr_2026_Q1.json'
const MIB = 1024 * 1024

const config = (overrides: Partial<ExportConfig> = {}): ExportConfig => ({
  ...shippedConfig({ 'api-key': TEST_API_KEY, 'forecast-id': 'net_arr', periods: '2026_Q1' }),
  ...overrides
})

const payloadOf = (attempt: number): Buffer =>
  Buffer.from(
    JSON.stringify({ timePeriods: [{ timePeriodId: '2026_Q1' }], entries: [{ attempt }] })
  )

const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

function manifestOf(runAttempt: number, overrides: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      tool: 'clari-forecast-export-action',
      manifestVersion: 2,
      forecastId: 'net_arr',
      runAttempt,
      request: { exportFormat: 'JSON' },
      exports: [
        {
          period: '2026_Q1',
          status: 'DONE',
          jobId: `job${runAttempt}`,
          file: PAYLOAD,
          sha256: sha(payloadOf(runAttempt))
        }
      ],
      ...overrides
    })
  )
}

/** What attempt `n` of the action uploads, plus whatever else a test puts in the zip. */
const exportZip = (n: number, extra: HostileEntry[] = []): Buffer =>
  hostileZip([
    { name: 'manifest.json', data: manifestOf(n) },
    { name: PAYLOAD, data: payloadOf(n) },
    ...extra
  ])

interface Stored {
  listed: ListedArtifact
  /** The zip, or a stream of it made anew for each download. */
  zip: Buffer | (() => Readable)
  /** Why its download fails, if it does. */
  fails?: string
}

/** An `EarlierArtifacts` port over artifacts in memory, recording what it was asked. */
function memoryPort(label: string, stored: Stored[], hang: 'list' | 'never' = 'never') {
  const signals: AbortSignal[] = []
  const downloads: number[] = []
  const port: EarlierArtifacts = {
    label,
    async list(name, signal) {
      signals.push(signal)
      if (hang === 'list') {
        await new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason), { once: true })
        )
      }
      return stored.filter(s => s.listed.name === name).map(s => s.listed)
    },
    async download(artifact, signal) {
      signals.push(signal)
      downloads.push(artifact.id)
      const found = stored.find(s => s.listed.id === artifact.id)!
      if (found.fails) throw new Error(found.fails)
      return typeof found.zip === 'function' ? found.zip() : Readable.from([found.zip])
    }
  }
  return { port, signals, downloads }
}

const listed = (id: number, zip: Buffer, extra: Partial<ListedArtifact> = {}): ListedArtifact => ({
  id,
  name: NAME,
  digest: `sha256:${sha(zip)}`,
  createdAt: 1_000 + id,
  expired: false,
  ...extra
})

let tempDir = ''
beforeEach(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'clari-search-'))
})
afterEach(async () => {
  await rm(tempDir, { recursive: true, force: true })
})

async function find(
  sources: (EarlierArtifacts | string)[],
  options: {
    runAttempt?: number
    timeoutMs?: number
    signal?: AbortSignal
    config?: ExportConfig
    tempDir?: string
  } = {}
): Promise<EarlierRun | NoEarlierRun> {
  const runAttempt = options.runAttempt ?? 2
  const source = earlierAttemptSource({
    sources,
    runAttempt,
    artifactNames: Array.from({ length: runAttempt - 1 }, () => NAME),
    tempDir: options.tempDir ?? tempDir,
    timeoutMs: options.timeoutMs
  })
  return source.find(options.config ?? config(), options.signal ?? new AbortController().signal)
}

function expectFound(result: EarlierRun | NoEarlierRun): EarlierRun {
  if ('reason' in result) throw new Error(`expected an earlier run, got: ${result.reason}`)
  return result
}

/** Bytes under `dir`, every file counted. */
async function bytesUnder(dir: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size
  }
  return total
}

describe('candidateNames', () => {
  it.each<[string, string[], number, string[]]>([
    ['the first attempt has none', [], 1, []],
    [
      'one template name: suffixed by the attempt that clashed, or as is; newest first',
      ['x', 'x'],
      3,
      ['x-attempt-2', 'x', 'x-attempt-1']
    ],
    ['{run-attempt} names', ['x-1', 'x-2'], 3, ['x-2-attempt-2', 'x-2', 'x-1-attempt-1', 'x-1']],
    ['only attempts before this one', ['x-1', 'x-2'], 2, ['x-1-attempt-1', 'x-1']],
    [
      'the ten newest attempts only',
      Array.from({ length: 50 }, (_, i) => `x-${i + 1}`),
      51,
      Array.from({ length: 10 }, (_, i) => [`x-${50 - i}-attempt-${50 - i}`, `x-${50 - i}`]).flat()
    ]
  ])('%s', (_, artifactNames, runAttempt, names) => {
    expect(candidateNames(artifactNames, runAttempt)).toEqual(names)
  })
})

describe('the earlier attempt, found through EarlierArtifacts ports', () => {
  it('keeps the newest attempt by its manifest, whatever the ids say, with its payload unpacked', async () => {
    const first = exportZip(1)
    const second = exportZip(2)
    // Ids do not follow attempts on GitHub: attempt 2's is lower.
    const { port } = memoryPort('the runtime listing', [
      { listed: listed(9, first), zip: first },
      { listed: listed(3, second, { name: `${NAME}-attempt-2`, createdAt: 5_000 }), zip: second }
    ])
    const earlier = expectFound(await find([port], { runAttempt: 3 }))
    expect(earlier.manifest.runAttempt).toBe(2)
    expect(earlier.source).toBe(`artifact ${NAME}-attempt-2 of attempt 2`)
    expect(await readdir(earlier.dir)).toEqual([PAYLOAD])
    await earlier.dispose()
    expect(await readdir(tempDir)).toEqual([])
  })

  it('keeps the newest attempt by its manifest when an older attempt’s upload is listed as newer', async () => {
    const first = exportZip(1)
    const second = exportZip(2)
    const { port } = memoryPort('the runtime listing', [
      { listed: listed(1, first, { createdAt: 9_000 }), zip: first },
      // Listed without a digest, as artifacts uploaded before GitHub kept digests are.
      {
        listed: listed(2, second, {
          name: `${NAME}-attempt-2`,
          createdAt: 5_000,
          digest: undefined
        }),
        zip: second
      }
    ])
    const earlier = expectFound(await find([port], { runAttempt: 3 }))
    expect(earlier.manifest.runAttempt).toBe(2)
    await earlier.dispose()
  })

  it('keeps the newest attempt and, of two uploads of it, the later, trying candidates newest first and no expired one', async () => {
    const [q1] = (JSON.parse(manifestOf(2).toString()) as { exports: object[] }).exports
    const laterUpload = exportZip(2)
    const earlierUpload = hostileZip([
      { name: 'manifest.json', data: manifestOf(2, { exports: [{ ...q1, jobId: 'jobB' }] }) },
      { name: PAYLOAD, data: payloadOf(2) }
    ])
    const first = exportZip(1)
    const expired = exportZip(3)
    const attempt2 = `${NAME}-attempt-2`
    // Listed oldest first: the search orders them itself.
    const { port, downloads } = memoryPort('the runtime listing', [
      { listed: listed(3, first, { createdAt: 5_000 }), zip: first },
      {
        listed: listed(2, earlierUpload, { name: attempt2, createdAt: 7_000 }),
        zip: earlierUpload
      },
      { listed: listed(1, laterUpload, { name: attempt2, createdAt: 9_000 }), zip: laterUpload },
      {
        listed: listed(4, expired, { name: `${NAME}-attempt-3`, createdAt: 10_000, expired: true }),
        zip: expired
      }
    ])
    const earlier = expectFound(await find([port], { runAttempt: 4 }))
    expect(earlier.manifest.runAttempt).toBe(2)
    expect(earlier.manifest.exports[0]!.jobId).toBe('job2')
    expect(downloads).toEqual([1, 2, 3])
    await earlier.dispose()
    expect(await readdir(tempDir)).toEqual([])
  })

  it('downloads no older artifact once it holds the attempt just before this one', async () => {
    const first = exportZip(1)
    const second = exportZip(2)
    const { port, downloads } = memoryPort('the runtime listing', [
      { listed: listed(1, first), zip: first },
      { listed: listed(2, second, { name: `${NAME}-attempt-2` }), zip: second }
    ])
    const earlier = expectFound(await find([port], { runAttempt: 3 }))
    expect(earlier.manifest.runAttempt).toBe(2)
    expect(downloads).toEqual([2])
    await earlier.dispose()
  })

  it('unpacks only what the manifest names: a 1 GiB junk.bin of zeros (1 MB zipped) never reaches the disk', async () => {
    const zip = exportZip(1, [
      { name: 'junk.bin', zeros: 1024 * MIB },
      { name: 'tables/entries/net_arr_2026_Q1.ndjson', zeros: 64 * MIB },
      { name: 'net_arr_2026_Q2.json', zeros: 8 * MIB }
    ])
    expect(zip.length).toBeLessThan(2 * MIB)
    const { port } = memoryPort('the runtime listing', [{ listed: listed(1, zip), zip }])
    const earlier = expectFound(await find([port]))
    expect(await readdir(earlier.dir)).toEqual([PAYLOAD])
    // The zip itself is gone once unpacked: what is left is the one payload.
    expect(await bytesUnder(tempDir)).toBe(payloadOf(1).length)
    await earlier.dispose()
  })

  const Q2 = 'net_arr_2026_Q2.json'
  it.each<{ what: string; exports: (q1: object) => object[]; unpacked: string[] }>([
    {
      what: 'a period this run does not ask for',
      exports: q1 => [
        q1,
        { period: '2026_Q2', status: 'DONE', jobId: 'job2', file: Q2, sha256: sha(payloadOf(1)) }
      ],
      unpacked: [PAYLOAD]
    },
    {
      what: 'a period that did not finish, whatever file it names',
      exports: q1 => [{ ...q1, status: 'FAILED' }],
      unpacked: []
    }
  ])('unpacks no payload of $what', async c => {
    const [q1] = (JSON.parse(manifestOf(1).toString()) as { exports: object[] }).exports
    const zip = hostileZip([
      { name: 'manifest.json', data: manifestOf(1, { exports: c.exports(q1!) }) },
      { name: PAYLOAD, data: payloadOf(1) },
      { name: Q2, data: payloadOf(1) }
    ])
    const { port } = memoryPort('the runtime listing', [{ listed: listed(1, zip), zip }])
    const earlier = expectFound(await find([port]))
    expect(await readdir(earlier.dir)).toEqual(c.unpacked)
    await earlier.dispose()
  })

  it('leaves out a payload larger than max-payload-size before unpacking any of it, and says why', async () => {
    const zip = hostileZip([
      { name: 'manifest.json', data: manifestOf(1) },
      { name: PAYLOAD, zeros: 1536 * MIB }
    ])
    const { port } = memoryPort('the runtime listing', [{ listed: listed(1, zip), zip }])
    const earlier = expectFound(
      await find([port], { config: config({ maxPayloadBytes: 1_000_000 }) })
    )
    expect(await readdir(earlier.dir)).toEqual([])
    expect(earlier.leftOut).toEqual(
      new Map([[PAYLOAD, 'it is larger than max-payload-size (977 KiB)']])
    )
    await earlier.dispose()
  })

  it.each<{
    what: string
    zip: () => Buffer
    maxPayloadBytes?: number
    periods?: string[]
    unpacked?: string[]
  }>([
    {
      what: 'a payload of exactly max-payload-size',
      zip: () => {
        const payload = Buffer.concat([payloadOf(1), Buffer.alloc(4096 - payloadOf(1).length, ' ')])
        const [q1] = (JSON.parse(manifestOf(1).toString()) as { exports: object[] }).exports
        return hostileZip([
          {
            name: 'manifest.json',
            data: manifestOf(1, { exports: [{ ...q1, sha256: sha(payload) }] })
          },
          { name: PAYLOAD, data: payload }
        ])
      },
      maxPayloadBytes: 4096
    },
    {
      what: 'a manifest.json of exactly 4 MiB',
      zip: () =>
        hostileZip([
          {
            name: 'manifest.json',
            data: Buffer.concat([manifestOf(1), Buffer.alloc(4 * MIB - manifestOf(1).length, ' ')])
          },
          { name: PAYLOAD, data: payloadOf(1) }
        ])
    },
    {
      // The manifest and, for its one period, a payload and the tables: 7 times max-payload-size.
      what: 'a download of exactly what its payloads and tables can hold',
      zip: () => {
        const stored = (n: number) => exportZip(1, [{ name: 'pad', data: Buffer.alloc(n) }])
        return stored(7 * 64 * 1024 - stored(0).length)
      },
      maxPayloadBytes: 64 * 1024
    },
    {
      what: 'a zip of exactly 10,000 entries',
      zip: () => exportZip(1, emptyEntries(9_998))
    },
    {
      // Together they may fill max-payload-size once per period asked for.
      what: 'two payloads of exactly max-payload-size, one per period',
      zip: () => {
        const payload = Buffer.alloc(4096, ' ')
        const entry = (period: string, file: string) => ({
          period,
          status: 'DONE',
          jobId: 'job1',
          file,
          sha256: sha(payload)
        })
        const exports = [entry('2026_Q1', PAYLOAD), entry('2026_Q2', Q2)]
        return hostileZip([
          { name: 'manifest.json', data: manifestOf(1, { exports }) },
          { name: PAYLOAD, data: payload },
          { name: Q2, data: payload }
        ])
      },
      maxPayloadBytes: 4096,
      periods: ['2026_Q1', '2026_Q2'],
      unpacked: [PAYLOAD, Q2]
    }
  ])('keeps an artifact at its limits: $what', async c => {
    const zip = c.zip()
    const { port } = memoryPort('the runtime listing', [{ listed: listed(1, zip), zip }])
    const overrides = {
      ...(c.maxPayloadBytes ? { maxPayloadBytes: c.maxPayloadBytes } : {}),
      ...(c.periods ? { periods: c.periods } : {})
    }
    const earlier = expectFound(await find([port], { config: config(overrides) }))
    expect((await readdir(earlier.dir)).sort()).toEqual(c.unpacked ?? [PAYLOAD])
    expect(earlier.leftOut).toEqual(new Map())
    await earlier.dispose()
    expect(await readdir(tempDir)).toEqual([])
  })

  it.each<{ what: string; zip: () => Buffer; reason: RegExp }>([
    {
      what: 'a zip of 220,000 empty entries',
      zip: () =>
        hostileZip([...emptyEntries(220_000), { name: 'manifest.json', data: manifestOf(1) }]),
      reason:
        /not a readable zip \(it holds 220001 entries, more than an artifact of this action \(at most 10000\)\)$/
    },
    {
      what: 'a manifest.json of 256 MiB (256 KB zipped)',
      zip: () => hostileZip([{ name: 'manifest.json', zeros: 256 * MIB }]),
      reason: /not a readable zip \(manifest\.json is larger than 4194304 bytes\)$/
    },
    {
      what: 'no manifest.json',
      zip: () => hostileZip([{ name: PAYLOAD, data: payloadOf(1) }]),
      reason: /: it holds no manifest\.json$/
    },
    {
      what: 'a payload named twice',
      zip: () => exportZip(1, [{ name: PAYLOAD, data: payloadOf(1) }]),
      reason: /not a readable zip \(it holds net_arr_2026_Q1\.json twice\)$/
    },
    {
      what: 'not a zip',
      zip: () => Buffer.from('PK but not a zip'),
      reason: /not a readable zip \(/
    }
  ])('an artifact that is $what is not usable, and nothing of it stays on disk', async c => {
    const zip = c.zip()
    const { port } = memoryPort('the runtime listing', [{ listed: listed(1, zip), zip }])
    const startedAt = performance.now()
    const result = await find([port])
    console.info(`${c.what}: judged in ${(performance.now() - startedAt).toFixed(0)} ms`)
    expect(result).toEqual({ kind: 'unreadable', reason: expect.stringMatching(c.reason) })
    expect(await readdir(tempDir)).toEqual([])
  })

  it('stops saving a download at what its payloads and tables can hold, and says so', async () => {
    const big = () =>
      Readable.from(
        (function* () {
          for (let i = 0; i < 16; i++) yield Buffer.alloc(MIB)
        })()
      )
    const zip = exportZip(1)
    const { port } = memoryPort('the runtime listing', [
      { listed: listed(1, zip, { digest: undefined }), zip: big }
    ])
    const result = await find([port], { config: config({ maxPayloadBytes: MIB }) })
    expect(result).toEqual({
      kind: 'unreadable',
      reason:
        'unreadable: artifact clari-forecast-net_arr (id 1): the download is larger than 7.0 MiB, more than its payloads and tables can be'
    })
    expect(await readdir(tempDir)).toEqual([])
  })

  it('refuses a download larger than the payloads and tables it can hold, and its digest mismatch', async () => {
    const zip = exportZip(1)
    const big = () =>
      Readable.from(
        (function* () {
          for (let i = 0; i < 64; i++) yield Buffer.alloc(MIB)
        })()
      )
    const { port } = memoryPort('the runtime listing', [
      { listed: listed(1, zip, { digest: undefined }), zip: big },
      { listed: listed(2, zip, { digest: `sha256:${'0'.repeat(64)}` }), zip }
    ])
    const result = await find([port], { config: config({ maxPayloadBytes: MIB }) })
    expect(result).toEqual({
      kind: 'unreadable',
      reason: expect.stringMatching(
        /^unreadable: artifact .* \(id 2\): the download does not match its digest \(and 1 older one\(s\) not usable\)$/
      )
    })
    expect(await readdir(tempDir)).toEqual([])
  })

  it('counts an artifact once when its runtime download fails and the REST API then judges it', async () => {
    const zip = hostileZip([{ name: 'manifest.json', data: Buffer.from('{"tool": ') }])
    const artifact = listed(7, zip)
    const runtime = memoryPort('the runtime listing', [
      { listed: artifact, zip, fails: '(404) workflow run not found' }
    ])
    const rest = memoryPort('the REST API', [{ listed: artifact, zip }])
    const result = await find([runtime.port, rest.port])
    expect(result).toEqual({
      kind: 'unreadable',
      reason: `unreadable: artifact ${NAME} (id 7): its manifest.json is not JSON`
    })
    expect([runtime.downloads, rest.downloads]).toEqual([[7], [7]])
  })

  // What broke on the runner's side says nothing of the artifact: the next place may get it.
  it('asks the REST API about a candidate the runner could not take in (no temporary folder yet)', async () => {
    const zip = exportZip(1)
    const runtime = memoryPort('the runtime listing', [{ listed: listed(1, zip), zip }])
    const rest = memoryPort('the REST API', [{ listed: listed(1, zip), zip }])
    const late = path.join(tempDir, 'late')
    const restLate: EarlierArtifacts = {
      ...rest.port,
      async list(name, signal) {
        await mkdir(late, { recursive: true })
        return rest.port.list(name, signal)
      }
    }
    const earlier = expectFound(await find([runtime.port, restLate], { tempDir: late }))
    expect([runtime.downloads, rest.downloads]).toEqual([[], [1]])
    await earlier.dispose()
  })

  it('does not ask the REST API again about an artifact whose verdict it would not change', async () => {
    const zip = exportZip(1)
    const damaged = listed(4, zip, { digest: `sha256:${'1'.repeat(64)}` })
    const runtime = memoryPort('the runtime listing', [{ listed: damaged, zip }])
    const rest = memoryPort('the REST API', [{ listed: damaged, zip }])
    await find([runtime.port, rest.port])
    expect(rest.downloads).toEqual([])
  })

  it('ends at its bound with every request it made aborted: a listing held open', async () => {
    const { port, signals } = memoryPort('the runtime listing', [], 'list')
    const startedAt = performance.now()
    const result = await find([port], { timeoutMs: 300 })
    const elapsed = performance.now() - startedAt
    expect(result).toEqual({ kind: 'lookup-failed', reason: 'lookup failed: gave up after 0.3 s' })
    expect(elapsed).toBeGreaterThanOrEqual(290)
    expect(signals.length).toBeGreaterThan(0)
    expect(signals.every(s => s.aborted)).toBe(true)
  })

  it('ends at its bound with the download in flight destroyed: a blob that trickles', async () => {
    const zip = exportZip(1)
    let destroyed = false
    const trickle = (): Readable => {
      let sent = 0
      let timer: NodeJS.Timeout | undefined
      return new Readable({
        read() {
          timer = setTimeout(() => this.push(zip.subarray(sent, ++sent)), 100)
        },
        destroy(error, done) {
          clearTimeout(timer)
          destroyed = true
          done(error)
        }
      })
    }
    const { port } = memoryPort('the runtime listing', [{ listed: listed(1, zip), zip: trickle }])
    const result = await find([port], { timeoutMs: 500 })
    expect(result).toMatchObject({
      kind: 'lookup-failed',
      reason: 'lookup failed: gave up after 0.5 s'
    })
    // The lookup answers at its bound; the download it gave up on is torn down right after,
    // which on a busy machine can take longer than any fixed wait.
    await vi.waitFor(
      async () => {
        expect(destroyed).toBe(true)
        expect(await readdir(tempDir)).toEqual([])
      },
      { timeout: 10_000, interval: 20 }
    )
  })

  it('stops at once when the run is cancelled', async () => {
    const { port } = memoryPort('the runtime listing', [], 'list')
    const cancel = new AbortController()
    setTimeout(() => cancel.abort(), 50)
    const result = await find([port], { timeoutMs: 60_000, signal: cancel.signal })
    expect(result).toEqual({ kind: 'lookup-failed', reason: 'lookup failed: cancelled' })
  })

  it('asks no other place once the run is cancelled during a listing', async () => {
    const cancel = new AbortController()
    const held = memoryPort('the runtime listing', [], 'list')
    const runtime: EarlierArtifacts = {
      ...held.port,
      list(name, signal) {
        const listing = held.port.list(name, signal)
        cancel.abort()
        return listing
      }
    }
    const rest = memoryPort('the REST API', [])
    const result = await find([runtime, rest.port], { signal: cancel.signal })
    expect(result).toEqual({ kind: 'lookup-failed', reason: 'lookup failed: cancelled' })
    // The listing's refusal is all the search still had to handle: a few microtasks.
    await new Promise(setImmediate)
    expect(rest.signals).toEqual([])
  })

  it('downloads no other candidate once the run is cancelled during a download', async () => {
    const cancel = new AbortController()
    const older = exportZip(1)
    const newer = exportZip(1)
    const { port, downloads } = memoryPort('the runtime listing', [
      { listed: listed(1, older), zip: older },
      { listed: listed(2, newer), zip: newer }
    ])
    const cancelling: EarlierArtifacts = {
      ...port,
      download(artifact, signal) {
        cancel.abort()
        return port.download(artifact, signal)
      }
    }
    const result = await find([cancelling], { signal: cancel.signal })
    expect(result).toEqual({ kind: 'lookup-failed', reason: 'lookup failed: cancelled' })
    // The search goes on after the answer only to remove the newer one's folder.
    await vi.waitFor(async () => expect(await readdir(tempDir)).toEqual([]))
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(downloads).toEqual([2])
  })

  // A timer left behind would hold a finished clari-export open until its bound (a minute).
  it('leaves no timer behind once it answers', async () => {
    const zip = exportZip(1)
    const { port } = memoryPort('the runtime listing', [{ listed: listed(1, zip), zip }])
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const earlier = expectFound(await find([port]))
      expect(vi.getTimerCount()).toBe(0)
      await earlier.dispose()
    } finally {
      vi.useRealTimers()
    }
  })

  it('keeps what it found on disk until the run disposes of it', async () => {
    const zip = exportZip(1)
    const { port } = memoryPort('the runtime listing', [{ listed: listed(1, zip), zip }])
    const earlier = expectFound(await find([port]))
    // Longer than removing a folder of two files takes.
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(await readFile(path.join(earlier.dir, PAYLOAD))).toEqual(payloadOf(1))
    await earlier.dispose()
  })

  // The zip is created exclusively in a folder of its own: nothing found there is written through.
  it('never writes a download through a link planted where its zip goes', async () => {
    const victim = path.join(tempDir, 'victim')
    await writeFile(victim, 'kept')
    const zip = exportZip(1)
    const { port } = memoryPort('the runtime listing', [{ listed: listed(1, zip), zip }])
    const planting: EarlierArtifacts = {
      ...port,
      async download(artifact, signal) {
        const [folder] = (await readdir(tempDir)).filter(name => name.startsWith('clari-earlier-'))
        await symlink(victim, path.join(tempDir, folder!, 'artifact.zip'))
        return port.download(artifact, signal)
      }
    }
    const result = await find([planting])
    expect(result).toEqual({
      kind: 'unreadable',
      reason: expect.stringMatching(
        new RegExp(`^unreadable: artifact ${NAME} \\(id 1\\): the download failed \\(EEXIST: `)
      )
    })
    expect(await readFile(victim, 'utf8')).toBe('kept')
  })

  /** The REST API listing `zip` as the one artifact of the name. */
  const only = (zip: Buffer): EarlierArtifacts[] => [
    memoryPort('the REST API', [{ listed: listed(1, zip), zip }]).port
  ]
  const failing: EarlierArtifacts = {
    label: 'the runtime listing',
    list: () => Promise.reject(new Error('(500) listing broke')),
    download: () => Promise.reject(new Error('not asked'))
  }
  it.each<{
    what: string
    sources: () => (EarlierArtifacts | string)[]
    runAttempt: number
    expected: NoEarlierRun
  }>([
    {
      what: 'nothing was uploaded, and why a place could not be asked',
      sources: () => [
        memoryPort('the runtime listing', []).port,
        'no REST fallback: github-token is empty'
      ],
      runAttempt: 3,
      expected: {
        kind: 'missing',
        reason: `missing: no artifact named ${NAME}-attempt-2, ${NAME}, ${NAME}-attempt-1 on this run (the runtime listing lists none; no REST fallback: github-token is empty)`
      }
    },
    {
      what: 'this is the first attempt',
      sources: () => [memoryPort('the REST API', []).port],
      runAttempt: 1,
      expected: { kind: 'missing', reason: 'missing: this run has no earlier attempt' }
    },
    {
      what: 'nothing was uploaded, naming the four names it shows at most',
      sources: () => [memoryPort('the REST API', []).port],
      runAttempt: 4,
      expected: {
        kind: 'missing',
        reason: `missing: no artifact named ${NAME}-attempt-3, ${NAME}, ${NAME}-attempt-2, ${NAME}-attempt-1 on this run (the REST API lists none)`
      }
    },
    {
      what: 'nothing was uploaded, and more names than it shows',
      sources: () => [memoryPort('the REST API', []).port],
      runAttempt: 5,
      expected: {
        kind: 'missing',
        reason: `missing: no artifact named ${NAME}-attempt-4, ${NAME}, ${NAME}-attempt-3, ${NAME}-attempt-2, … on this run (the REST API lists none)`
      }
    },
    {
      what: 'a listing failed: not "nothing uploaded", which would be a guess',
      sources: () => [failing, memoryPort('the REST API', []).port],
      runAttempt: 2,
      expected: {
        kind: 'lookup-failed',
        reason:
          'lookup failed: the runtime listing failed: (500) listing broke; the REST API lists none'
      }
    },
    {
      what: 'only an expired artifact',
      sources: () => {
        const zip = exportZip(1)
        return [
          memoryPort('the REST API', [{ listed: listed(1, zip, { expired: true }), zip }]).port
        ]
      },
      runAttempt: 2,
      expected: {
        kind: 'expired',
        reason: `expired: artifact ${NAME} (id 1): it has expired`
      }
    },
    {
      what: 'only artifacts of other names, whatever the listing returns',
      sources: () => {
        const zip = exportZip(1)
        const { port } = memoryPort('the REST API', [
          { listed: listed(1, zip, { name: `${NAME}-x` }), zip }
        ])
        return [{ ...port, list: (_name, signal) => port.list(`${NAME}-x`, signal) }]
      },
      runAttempt: 2,
      expected: {
        kind: 'missing',
        reason: `missing: no artifact named ${NAME}-attempt-1, ${NAME} on this run (the REST API lists none)`
      }
    },
    {
      what: 'its one download failed',
      sources: () => {
        const zip = exportZip(1)
        return [
          memoryPort('the runtime listing', [
            { listed: listed(1, zip), zip, fails: '(404) workflow run not found' }
          ]).port
        ]
      },
      runAttempt: 2,
      expected: {
        kind: 'unreadable',
        reason: `unreadable: artifact ${NAME} (id 1): the download failed ((404) workflow run not found)`
      }
    },
    {
      what: "another tool's artifact has the name",
      sources: () =>
        only(hostileZip([{ name: 'manifest.json', data: manifestOf(1, { tool: 'x' }) }])),
      runAttempt: 2,
      expected: {
        kind: 'not-ours',
        reason: `not this action's: artifact ${NAME} (id 1): its manifest.json was not made by clari-forecast-export-action (manifest version 2)`
      }
    },
    {
      what: 'the artifact holds another forecast',
      sources: () =>
        only(
          hostileZip([{ name: 'manifest.json', data: manifestOf(1, { forecastId: 'pipeline' }) }])
        ),
      runAttempt: 2,
      expected: {
        kind: 'other-forecast',
        reason: `other forecast: artifact ${NAME} (id 1): it holds forecast "pipeline", not net_arr`
      }
    },
    {
      what: 'eleven downloads fail: only the ten newest are tried',
      sources: () => {
        const zip = exportZip(1)
        const stored = Array.from({ length: 11 }, (_, i) => ({
          listed: listed(i + 1, zip),
          zip,
          fails: 'gone'
        }))
        return [memoryPort('the REST API', stored).port]
      },
      runAttempt: 2,
      expected: {
        kind: 'unreadable',
        reason: `unreadable: artifact ${NAME} (id 11): the download failed (gone) (and 9 older one(s) not usable)`
      }
    },
    {
      // The expired one is judged first; the newer damaged one is still the one named.
      what: 'the newest is damaged and an older one has expired',
      sources: () => {
        const zip = exportZip(1)
        return [
          memoryPort('the REST API', [
            { listed: listed(1, zip, { createdAt: 1_000, expired: true }), zip },
            {
              listed: listed(2, zip, { createdAt: 2_000, digest: `sha256:${'0'.repeat(64)}` }),
              zip
            }
          ]).port
        ]
      },
      runAttempt: 2,
      expected: {
        kind: 'unreadable',
        reason: `unreadable: artifact ${NAME} (id 2): the download does not match its digest (and 1 older one(s) not usable)`
      }
    }
  ])('says why it found none when $what', async c => {
    expect(await find(c.sources(), { runAttempt: c.runAttempt })).toEqual(c.expected)
  })
})
