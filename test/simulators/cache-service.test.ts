import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import * as cache from '@actions/cache'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { useArtifactStack } from '../helpers/artifact-stack-env.js'
import { printedDuring } from '../helpers/printed.js'
import {
  CACHE_READ,
  CACHE_SERVICE,
  CACHE_WRITE,
  DEFAULT_BRANCH,
  runtimeToken,
  type ArtifactStack,
  type CacheScope,
  type RunAttempt
} from './artifact/index.js'

const FOLDER = 'ledger'

/** Files of a small folder: text, a nested file and bytes that do not compress. */
function folderOf(label: string): Record<string, Buffer> {
  return {
    'ledger.json': Buffer.from(JSON.stringify({ label, periods: ['2026_Q1', '2026_Q2'] })),
    'nested/notes.txt': Buffer.from(`saved as ${label}\n`),
    'noise.bin': randomBytes(6 * 1024)
  }
}

/**
 * Runs `@actions/cache` in this process against the stack: the workspace and runner temp are
 * a temporary folder, and `actAs` makes an attempt's job the caller (the client reads the token
 * and the environment at each call).
 */
function useCacheStack(name: string, platform: 'github.com' | 'ghes' | 'ghes-without-cache') {
  const inProcess = useArtifactStack(name, { platform })
  let workspace = ''
  beforeAll(async () => {
    workspace = path.join(inProcess.workDir, 'workspace')
    await mkdir(workspace, { recursive: true })
    await mkdir(path.join(inProcess.workDir, 'runner-temp'))
    process.env.GITHUB_WORKSPACE = workspace
    process.env.RUNNER_TEMP = path.join(inProcess.workDir, 'runner-temp')
  })
  beforeEach(() => actAs(inProcess.stack.run.attempt(1)))

  const actAs = (attempt: RunAttempt): void => {
    process.env.ACTIONS_RUNTIME_TOKEN = attempt.token
    process.env.GITHUB_REF = attempt.env.GITHUB_REF
  }
  const folder = (): string => path.join(workspace, FOLDER)

  // Absolute, as actions pass them: the toolkit globs relative paths against the process's
  // working directory, not GITHUB_WORKSPACE.
  const pathsOf = (names: readonly string[]): string[] => names.map(n => path.join(workspace, n))

  /** Writes `files` as the folder and saves it under `key`; the entry id, or -1. */
  async function save(key: string, files: Record<string, Buffer>, names = [FOLDER]) {
    await rm(folder(), { recursive: true, force: true })
    for (const [file, data] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(folder(), file)), { recursive: true })
      await writeFile(path.join(folder(), file), data)
    }
    return cache.saveCache(pathsOf(names), key)
  }

  /** Removes the folder, restores it; the matched key and the files it came back with. */
  async function restore(key: string, restoreKeys: string[] = [], names = [FOLDER]) {
    await rm(folder(), { recursive: true, force: true })
    const matched = await cache.restoreCache(pathsOf(names), key, restoreKeys)
    return { matched, files: await readFolder(folder()) }
  }

  /** The key a restore would take, without downloading (the client's `lookupOnly`). */
  const lookup = (key: string, restoreKeys: string[] = [], names = [FOLDER]) =>
    cache.restoreCache(pathsOf(names), key, restoreKeys, { lookupOnly: true })

  return {
    get stack(): ArtifactStack {
      return inProcess.stack
    },
    actAs,
    pathsOf,
    save,
    restore,
    lookup
  }
}

async function readFolder(dir: string, prefix = ''): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>()
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const name = prefix + entry.name
    if (entry.isDirectory()) {
      for (const [file, data] of await readFolder(path.join(dir, entry.name), `${name}/`)) {
        files.set(file, data)
      }
    } else {
      files.set(name, await readFile(path.join(dir, entry.name)))
    }
  }
  return files
}

const asMap = (files: Record<string, Buffer>): Map<string, Buffer> =>
  new Map(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)))

/** A token of `attempt`'s job with other cache scopes, accepted by the stack. */
function tokenWithScopes(stack: ArtifactStack, attempt: RunAttempt, scopes: CacheScope[]): string {
  const token = runtimeToken(attempt.runId, attempt.jobId, scopes)
  stack.service.authorize(token, { runId: attempt.runId, jobId: attempt.jobId })
  return token
}

describe.each([
  { platform: 'github.com' as const, protocol: 'v2' },
  { platform: 'ghes' as const, protocol: 'v1' }
])(
  'the Actions cache with the real @actions/cache client: $protocol ($platform)',
  ({ platform, protocol }) => {
    const c = useCacheStack(`cache-${protocol}`, platform)

    /** How many requests the protocol under test has seen. */
    const requests = (): number =>
      protocol === 'v2' ? c.stack.cache.calls.length : c.stack.cache.v1Calls.length

    it('saves a folder through the real tar and restores it byte for byte', async () => {
      const files = folderOf('round trip')
      const otherProtocol = () =>
        protocol === 'v2' ? c.stack.cache.v1Calls.length : c.stack.cache.calls.length
      const before = otherProtocol()

      const id = await c.save('ledger-round-trip', files)
      const restored = await c.restore('ledger-round-trip')

      const entry = c.stack.cache.entries.find(e => e.key === 'ledger-round-trip')!
      expect(id).toBe(Number(entry.id))
      expect(entry).toMatchObject({ finalized: true, scope: DEFAULT_BRANCH })
      expect(c.stack.cache.container.blob(entry.blobPath)!.data.length).toBe(entry.size)
      expect(restored).toEqual({ matched: 'ledger-round-trip', files: asMap(files) })
      // The environment chose this protocol, and only this one.
      expect(otherProtocol()).toBe(before)
    })

    it('keeps a key immutable: a second save under it is refused and the first stays', async () => {
      const first = folderOf('first')
      await c.save('ledger-immutable', first)
      const before = requests()

      const { value: id, printed } = await printedDuring(() =>
        c.save('ledger-immutable', folderOf('second'))
      )

      expect(id).toBe(-1)
      expect(printed).toMatch(/Unable to reserve cache with key ledger-immutable/)
      expect(requests()).toBeGreaterThan(before)
      expect(c.stack.cache.entries.filter(e => e.key === 'ledger-immutable')).toHaveLength(1)
      expect((await c.restore('ledger-immutable')).files).toEqual(asMap(first))
    })

    it('restores by prefix newest first, an exact key before a newer prefix match, restore keys in order', async () => {
      const [one, two, ten] = [folderOf('run 1'), folderOf('run 2'), folderOf('run 10')]
      await c.save('prefix-run-1', one)
      await c.save('prefix-run-2', two)
      await c.save('prefix-run-10', ten)

      expect(await c.restore('prefix-run-')).toEqual({
        matched: 'prefix-run-10',
        files: asMap(ten)
      })
      expect(await c.lookup('prefix-run-1')).toBe('prefix-run-1')
      expect(await c.lookup('prefix-run-3', ['nothing-', 'prefix-run-2', 'prefix-'])).toBe(
        'prefix-run-2'
      )
      expect(await c.lookup('prefix-other', ['elsewhere-'])).toBeUndefined()
    })

    it('restores nothing saved under another version (other paths)', async () => {
      await c.save('versioned', folderOf('versioned'), [FOLDER])

      expect(await c.lookup('versioned', [], [FOLDER, 'other-path'])).toBeUndefined()
      expect(await c.lookup('versioned', [], [FOLDER])).toBe('versioned')
    })

    it('scopes entries to the branch: the default branch’s are read from any branch, a branch’s from no other', async () => {
      const feature = c.stack.newRun({ ref: 'refs/heads/feature' }).attempt(1)
      const sibling = c.stack.newRun({ ref: 'refs/heads/sibling' }).attempt(1)
      const onMain = folderOf('main')
      const onFeature = folderOf('feature')
      await c.save('scoped-main', onMain)
      await c.save('scoped-both', onMain)

      c.actAs(feature)
      expect(await c.lookup('scoped-main')).toBe('scoped-main')
      // The same key in another scope is a key of its own, and the branch's own comes first.
      expect(await c.save('scoped-both', onFeature)).toBeGreaterThan(0)
      expect((await c.restore('scoped-both')).files).toEqual(asMap(onFeature))
      await c.save('scoped-feature', onFeature)
      expect(c.stack.cache.entries.find(e => e.key === 'scoped-feature')!.scope).toBe(
        'refs/heads/feature'
      )

      c.actAs(sibling)
      expect(await c.lookup('scoped-feature')).toBeUndefined()
      expect((await c.restore('scoped-both')).files).toEqual(asMap(onMain))
      c.actAs(c.stack.run.attempt(1))
      expect(await c.lookup('scoped-feature')).toBeUndefined()
    })

    it('answers a token that may only read with `cache write denied`, and one that may not read with `cache read denied`', async () => {
      await c.save('denied', folderOf('denied'))
      const attempt = c.stack.run.attempt(1)

      process.env.ACTIONS_RUNTIME_TOKEN = tokenWithScopes(c.stack, attempt, [
        { scope: DEFAULT_BRANCH, permission: CACHE_READ }
      ])
      const write = await printedDuring(() => c.save('denied-write', folderOf('x')))
      expect(write.value).toBe(-1)
      expect(write.printed).toMatch(/::warning::Failed to save: .*cache write denied: /)
      expect(await c.lookup('denied')).toBe('denied')

      process.env.ACTIONS_RUNTIME_TOKEN = tokenWithScopes(c.stack, attempt, [])
      const read = await printedDuring(() => c.lookup('denied'))
      expect(read.value).toBeUndefined()
      expect(read.printed).toMatch(/::warning::Failed to restore: .*cache read denied: /)
      expect(c.stack.cache.entries.some(e => e.key === 'denied-write')).toBe(false)
    })

    it('in the not-found mode, a save returns -1 and a restore misses at once, and nothing is stored', async () => {
      await c.save('before-the-outage', folderOf('kept'))
      const entries = c.stack.cache.entries.length
      c.stack.cache.fault = 'not-found'
      try {
        const startedAt = performance.now()
        expect(await c.save('during-the-outage', folderOf('lost'))).toBe(-1)
        expect(await c.lookup('before-the-outage')).toBeUndefined()
        console.info(
          `cache ${protocol} not-found: save and restore gave up in ${(performance.now() - startedAt).toFixed(0)} ms`
        )
      } finally {
        c.stack.cache.fault = undefined
      }
      expect(c.stack.cache.entries).toHaveLength(entries)
      expect(await c.lookup('before-the-outage')).toBe('before-the-outage')
    })
  }
)

describe('the cache service v2 on the wire', () => {
  const c = useCacheStack('cache-v2-wire', 'github.com')

  const call = async (method: string, body: object, token = c.stack.env.ACTIONS_RUNTIME_TOKEN) => {
    const response = await fetch(`${c.stack.service.url}/twirp/${CACHE_SERVICE}/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body)
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  it('is what the client sends and reads: snake_case fields, int64 as decimal strings, an empty object on a miss', async () => {
    await c.save('wire-v2', folderOf('wire'))

    const [create, finalize] = c.stack.cache.calls.slice(-2)
    expect(create).toEqual({
      method: 'CreateCacheEntry',
      body: { key: 'wire-v2', version: expect.stringMatching(/^[0-9a-f]{64}$/) }
    })
    expect(finalize).toEqual({
      method: 'FinalizeCacheEntryUpload',
      body: {
        key: 'wire-v2',
        size_bytes: expect.stringMatching(/^\d+$/),
        version: (create!.body as { version: string }).version
      }
    })
    const version = (create!.body as { version: string }).version
    const hit = await call('GetCacheEntryDownloadURL', {
      key: 'wire',
      restore_keys: ['x'],
      version
    })
    expect(hit).toEqual({
      status: 200,
      body: { ok: true, signed_download_url: expect.any(String), matched_key: 'wire-v2' }
    })
    expect(await call('GetCacheEntryDownloadURL', { key: 'absent', version })).toEqual({
      status: 200,
      body: {}
    })

    const created = await call('CreateCacheEntry', { key: 'wire-v2-raw', version })
    const put = await fetch(created.body.signed_upload_url as string, {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
      body: 'eight by'
    })
    expect(put.status).toBe(201)
    const finalized = await call('FinalizeCacheEntryUpload', {
      key: 'wire-v2-raw',
      size_bytes: '8',
      version
    })
    expect(finalized).toEqual({
      status: 200,
      body: { ok: true, entry_id: expect.stringMatching(/^\d+$/) }
    })
  })

  it.each([
    {
      what: 'a key and version the scope already holds',
      method: 'CreateCacheEntry',
      body: (version: string) => ({ key: 'wire-v2-taken', version }),
      status: 409,
      reply: {
        code: 'already_exists',
        msg: 'cache entry with the same key, version, and scope already exists'
      }
    },
    {
      what: 'a finalize of a key never reserved',
      method: 'FinalizeCacheEntryUpload',
      body: (version: string) => ({ key: 'wire-v2-never', size_bytes: '8', version }),
      status: 404,
      reply: { code: 'not_found', msg: 'cache entry not found' }
    },
    {
      what: 'a finalize whose size is not what was uploaded',
      method: 'FinalizeCacheEntryUpload',
      body: (version: string) => ({ key: 'wire-v2-short', size_bytes: '9', version }),
      status: 400,
      reply: { code: 'invalid_argument', msg: 'size 9 does not match the 8 bytes uploaded' }
    },
    {
      what: 'a lookup without a version',
      method: 'GetCacheEntryDownloadURL',
      body: () => ({ key: 'wire-v2-taken' }),
      status: 400,
      reply: { code: 'invalid_argument', msg: 'version is required' }
    },
    {
      what: 'a lookup of more than ten keys',
      method: 'GetCacheEntryDownloadURL',
      body: (version: string) => ({
        key: 'k',
        restore_keys: Array.from({ length: 10 }, (_, i) => `r${i}`),
        version
      }),
      status: 400,
      reply: { code: 'invalid_argument', msg: 'at most 10 keys, got 11' }
    }
  ])('refuses $what with a JSON $status', async ({ method, body, status, reply }) => {
    const version = 'a'.repeat(64)
    for (const key of ['wire-v2-taken', 'wire-v2-short']) {
      if (c.stack.cache.entries.some(e => e.key === key)) continue
      const { body: created } = await call('CreateCacheEntry', { key, version })
      await fetch(created.signed_upload_url as string, {
        method: 'PUT',
        headers: { 'x-ms-blob-type': 'BlockBlob' },
        body: 'eight by'
      })
      if (key === 'wire-v2-taken') {
        await call('FinalizeCacheEntryUpload', { key, size_bytes: '8', version })
      }
    }

    expect(await call(method, body(version))).toEqual({ status, body: reply })
  })

  it.each([
    { fault: 'not-found' as const, status: 404, code: 'bad_route' },
    { fault: 'unavailable' as const, status: 503, code: 'unavailable' }
  ])(
    'answers every call with a JSON $status in the $fault mode',
    async ({ fault, status, code }) => {
      c.stack.cache.fault = fault
      try {
        for (const method of [
          'CreateCacheEntry',
          'FinalizeCacheEntryUpload',
          'GetCacheEntryDownloadURL'
        ]) {
          const reply = await call(method, { key: 'k', version: 'v' })
          expect(reply).toEqual({ status, body: { code, msg: expect.any(String) } })
        }
      } finally {
        c.stack.cache.fault = undefined
      }
    }
  )

  it('reads the caller’s scopes from its token: its own ref read-write, the default branch read-only', () => {
    const acOf = (attempt: RunAttempt): unknown => {
      const claims = JSON.parse(Buffer.from(attempt.token.split('.')[1]!, 'base64url').toString())
      return JSON.parse((claims as { ac: string }).ac)
    }
    expect(acOf(c.stack.newRun({ ref: 'refs/heads/feature' }).attempt(1))).toEqual([
      { Scope: 'refs/heads/feature', Permission: CACHE_READ | CACHE_WRITE },
      { Scope: DEFAULT_BRANCH, Permission: CACHE_READ }
    ])
    expect(acOf(c.stack.run.attempt(2))).toEqual([
      { Scope: DEFAULT_BRANCH, Permission: CACHE_READ | CACHE_WRITE }
    ])
  })

  it('answers an unknown token with 401 before anything else', async () => {
    expect(await call('GetCacheEntryDownloadURL', { key: 'k', version: 'v' }, 'nope')).toEqual({
      status: 401,
      body: { code: 'unauthenticated', msg: expect.any(String) }
    })
  })
})

describe('the cache service v1 (GHES) on the wire', () => {
  const c = useCacheStack('cache-v1-wire', 'ghes')
  const v1 = (
    resource: string,
    init: RequestInit = {},
    token = c.stack.env.ACTIONS_RUNTIME_TOKEN
  ) =>
    fetch(`${c.stack.cache.v1Url}_apis/artifactcache/${resource}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers }
    })
  const reserve = async (key: string): Promise<number> => {
    const response = await v1('caches', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key, version: 'b'.repeat(64), cacheSize: 8 })
    })
    expect(response.status).toBe(201)
    return ((await response.json()) as { cacheId: number }).cacheId
  }
  const patch = (id: number, range: string | undefined, body: string) =>
    v1(`caches/${id}`, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/octet-stream',
        ...(range === undefined ? {} : { 'content-range': range })
      },
      body
    })
  const commit = (id: number, size: number) =>
    v1(`caches/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ size })
    })

  it('is picked on GHES even when ACTIONS_CACHE_SERVICE_V2 is set, and takes the archive in chunks sent at once', async () => {
    process.env.ACTIONS_CACHE_SERVICE_V2 = 'True'
    const files = folderOf('chunks')
    const v2Calls = c.stack.cache.calls.length
    const from = c.stack.cache.v1Calls.length
    try {
      await rm(path.join(process.env.GITHUB_WORKSPACE!, FOLDER), { recursive: true, force: true })
      for (const [file, data] of Object.entries(files)) {
        const target = path.join(process.env.GITHUB_WORKSPACE!, FOLDER, file)
        await mkdir(path.dirname(target), { recursive: true })
        await writeFile(target, data)
      }
      expect(
        await cache.saveCache(c.pathsOf([FOLDER]), 'chunked', {
          uploadChunkSize: 1024,
          uploadConcurrency: 4
        })
      ).toBeGreaterThan(0)
    } finally {
      delete process.env.ACTIONS_CACHE_SERVICE_V2
    }

    expect(c.stack.cache.calls.length).toBe(v2Calls)
    const calls = c.stack.cache.v1Calls
      .slice(from)
      .map(call => [call.method, call.path.replace(/\d+/, 'ID'), call.status])
    const entry = c.stack.cache.entries.find(e => e.key === 'chunked')!
    const chunks = Math.ceil(entry.size! / 1024)
    expect(chunks).toBeGreaterThan(4)
    expect(calls).toEqual([
      ['POST', '_apis/artifactcache/caches', 201],
      ...Array.from({ length: chunks }, () => ['PATCH', '_apis/artifactcache/caches/ID', 204]),
      ['POST', '_apis/artifactcache/caches/ID', 204]
    ])
    expect(await c.restore('chunked')).toEqual({ matched: 'chunked', files: asMap(files) })
  })

  it('answers a miss with 204, a hit with the entry, and the entries of a key in debug mode', async () => {
    await c.save('v1-listed', folderOf('listed'))
    const version = c.stack.cache.entries.find(e => e.key === 'v1-listed')!.version

    expect((await v1(`cache?keys=absent,other&version=${version}`)).status).toBe(204)
    const hit = await v1(`cache?keys=absent,v1-list&version=${version}`)
    expect(hit.status).toBe(200)
    expect(await hit.json()).toEqual({
      scope: DEFAULT_BRANCH,
      cacheKey: 'v1-listed',
      cacheVersion: version,
      creationTime: expect.stringMatching(/^\d{4}-/),
      archiveLocation: expect.stringContaining('/actions-cache/')
    })
    const listed = await v1('caches?key=v1-listed')
    expect(await listed.json()).toEqual({
      totalCount: 1,
      artifactCaches: [expect.objectContaining({ cacheKey: 'v1-listed', scope: DEFAULT_BRANCH })]
    })
  })

  it('refuses a taken key with 409 and the exception GitHub names', async () => {
    await reserve('v1-taken')
    const again = await v1('caches', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'v1-taken', version: 'b'.repeat(64), cacheSize: 8 })
    })
    expect(again.status).toBe(409)
    expect(await again.json()).toEqual({
      message: expect.stringMatching(/^Cache already exists\. /),
      typeKey: 'ArtifactCacheItemAlreadyExistsException'
    })
  })

  it.each([
    {
      what: 'a chunk without Content-Range',
      chunks: [[undefined, 'abcdefgh']],
      size: 8,
      status: 400,
      at: 'patch'
    },
    {
      what: 'a Content-Range longer than the chunk',
      chunks: [['bytes 0-8/*', 'abcdefgh']],
      size: 8,
      status: 400,
      at: 'patch'
    },
    {
      what: 'a gap between chunks',
      chunks: [
        ['bytes 0-1/*', 'ab'],
        ['bytes 4-7/*', 'efgh']
      ],
      size: 8,
      status: 400,
      at: 'commit'
    },
    {
      what: 'a size the chunks do not end at',
      chunks: [['bytes 0-7/*', 'abcdefgh']],
      size: 9,
      status: 400,
      at: 'commit'
    }
  ] as const)('refuses $what', async ({ chunks, size, status, at }) => {
    const id = await reserve(`v1-refused-${randomBytes(4).toString('hex')}`)
    const answers: number[] = []
    for (const [range, body] of chunks) answers.push((await patch(id, range, body)).status)
    const committed = await commit(id, size)

    if (at === 'patch') expect(answers).toContain(status)
    else {
      expect(answers.every(s => s === 204)).toBe(true)
      expect(committed.status).toBe(status)
      expect(await committed.json()).toEqual({ message: expect.any(String) })
    }
    expect(c.stack.cache.entries.find(e => e.id === String(id))!.finalized).toBe(false)
  })

  it('commits chunks that arrive out of order, a retried one included', async () => {
    const id = await reserve('v1-out-of-order')
    for (const [range, body] of [
      ['bytes 4-7/*', 'efgh'],
      ['bytes 0-3/*', 'abcd'],
      ['bytes 4-7/*', 'efgh']
    ]) {
      expect((await patch(id, range, body!)).status).toBe(204)
    }
    expect((await commit(id, 8)).status).toBe(204)
    const entry = c.stack.cache.entries.find(e => e.id === String(id))!
    expect(c.stack.cache.container.blob(entry.blobPath)!.data.toString()).toBe('abcdefgh')
  })

  it.each([
    { fault: 'not-found' as const, status: 404 },
    { fault: 'unavailable' as const, status: 503 }
  ])('answers every request with a JSON $status in the $fault mode', async ({ fault, status }) => {
    c.stack.cache.fault = fault
    try {
      const response = await v1('cache?keys=k&version=v')
      expect(response.status).toBe(status)
      expect(await response.json()).toEqual({ message: expect.any(String) })
    } finally {
      c.stack.cache.fault = undefined
    }
  })

  it('answers outside ACTIONS_CACHE_URL’s path, or without a known token, with a JSON refusal', async () => {
    const origin = new URL(c.stack.cache.v1Url).origin
    expect(
      (
        await fetch(`${origin}/_apis/artifactcache/cache?keys=k&version=v`, {
          headers: { authorization: `Bearer ${c.stack.env.ACTIONS_RUNTIME_TOKEN}` }
        })
      ).status
    ).toBe(404)
    expect((await v1('cache?keys=k&version=v', {}, 'nope')).status).toBe(401)
  })
})

describe('GHES without the Actions cache', () => {
  const c = useCacheStack('cache-none', 'ghes-without-cache')

  it('is not available to the client, whose save returns -1 and restore misses, with nothing stored', async () => {
    expect(cache.isFeatureAvailable()).toBe(false)
    expect(await c.save('nowhere', folderOf('nowhere'))).toBe(-1)
    expect(await c.lookup('nowhere')).toBeUndefined()
    expect(c.stack.cache.entries).toEqual([])
    expect(c.stack.cache.v1Calls).toEqual([])
  })
})
