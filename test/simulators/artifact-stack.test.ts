import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DefaultArtifactClient, type UploadArtifactOptions } from '@actions/artifact'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  childEnv,
  readZipDirectory,
  startArtifactStack,
  ZIP_METHOD_DEFLATE,
  ZIP_METHOD_STORED,
  type ArtifactStack
} from './artifact/index.js'

const FILES: Record<string, Buffer> = {
  'summary.txt': Buffer.from('period,net_arr,forecast\n'.repeat(4000)),
  'nested/manifest.json': Buffer.from(JSON.stringify({ periods: ['2026_Q1'], rows: 4000 })),
  'payload.bin': randomBytes(256 * 1024)
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

/** Makes process.env equal to `next` in place (the client reads process.env at call time). */
function replaceProcessEnv(next: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in next)) delete process.env[key]
  Object.assign(process.env, next)
}

describe('artifact stack with the real @actions/artifact client', () => {
  const savedEnv = { ...process.env }
  let stack: ArtifactStack | undefined
  let workDir = ''
  let client: DefaultArtifactClient

  const started = (): ArtifactStack => {
    if (!stack) throw new Error('stack did not start')
    return stack
  }
  const upload = (name: string, files = Object.keys(FILES), options?: UploadArtifactOptions) =>
    client.uploadArtifact(
      name,
      files.map(file => path.join(workDir, 'upload', file)),
      path.join(workDir, 'upload'),
      options
    )
  const liveRecord = (name: string) =>
    started().service.artifacts.find(a => a.name === name && a.finalized && !a.deleted)

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'artifact-stack-'))
    for (const [file, data] of Object.entries(FILES)) {
      const target = path.join(workDir, 'upload', file)
      await mkdir(path.dirname(target), { recursive: true })
      await writeFile(target, data)
    }
    stack = await startArtifactStack()
    console.info(
      `artifact stack (Azurite + results service) started in ${stack.startupMs.toFixed(0)} ms`
    )
    replaceProcessEnv(childEnv(process.env, stack.env))
    client = new DefaultArtifactClient()
  })

  afterAll(async () => {
    replaceProcessEnv(savedEnv)
    try {
      await stack?.stop()
    } finally {
      await rm(workDir, { recursive: true, force: true })
    }
  })

  it('finalizes with the size and sha256 of the exact zip stored in the blob', async () => {
    const result = await upload('report')

    const record = liveRecord('report')
    const zip = await started().downloadArtifactZip('report')
    expect(record).toMatchObject({
      id: String(result.id),
      runId: started().runId,
      jobId: started().jobId,
      size: zip.length,
      hash: `sha256:${sha256(zip)}`
    })
    expect(result).toMatchObject({ size: zip.length, digest: sha256(zip) })
    const callsForReport = started().service.calls.filter(
      c => (c.body as { name?: string }).name === 'report'
    )
    expect(callsForReport.map(c => c.method)).toEqual(['CreateArtifact', 'FinalizeArtifact'])
  })

  it('stores a zip holding every uploaded file byte for byte', async () => {
    await upload('contents')

    const entries = await started().listZipEntries(await started().downloadArtifactZip('contents'))
    expect([...entries.keys()].sort()).toEqual(Object.keys(FILES).sort())
    for (const [file, data] of Object.entries(FILES))
      expect(entries.get(file)?.equals(data)).toBe(true)
  })

  it('passes retentionDays to the service as an RFC 3339 expires_at', async () => {
    await upload('short-lived', undefined, { retentionDays: 3 })

    const expiresAt = liveRecord('short-lived')?.expiresAt ?? ''
    expect(expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
    const threeDays = 3 * 24 * 60 * 60 * 1000
    expect(Math.abs(Date.parse(expiresAt) - (Date.now() + threeDays))).toBeLessThan(60_000)
    expect(liveRecord('report')?.expiresAt).toBeUndefined()
  })

  it('stores entries uncompressed at compressionLevel 0 and deflated at 9', async () => {
    await upload('level-0', undefined, { compressionLevel: 0 })
    await upload('level-9', undefined, { compressionLevel: 9 })

    const stored = await started().downloadArtifactZip('level-0')
    const deflated = await started().downloadArtifactZip('level-9')
    const methodOf = (zip: Buffer, name: string) =>
      readZipDirectory(zip).find(entry => entry.name === name)?.method
    expect(methodOf(stored, 'summary.txt')).toBe(ZIP_METHOD_STORED)
    expect(methodOf(deflated, 'summary.txt')).toBe(ZIP_METHOD_DEFLATE)
    expect(stored.length).toBeGreaterThan(deflated.length)
    // Both must still unzip to the same bytes.
    expect((await started().listZipEntries(stored)).get('summary.txt')).toEqual(
      FILES['summary.txt']
    )
  })

  it('rejects a second upload under the same name with 409, and overwrites after a delete', async () => {
    const first = await upload('once')
    await expect(upload('once')).rejects.toThrow(/409|already exists/)

    const deleted = await client.deleteArtifact('once')
    expect(deleted.id).toBe(first.id)
    const second = await upload('once', ['summary.txt'])

    expect(second.id).not.toBe(first.id)
    const records = started().service.artifacts.filter(a => a.name === 'once')
    expect(records.map(a => ({ id: a.id, finalized: a.finalized, deleted: a.deleted }))).toEqual([
      { id: String(first.id), finalized: true, deleted: true },
      { id: String(second.id), finalized: true, deleted: false }
    ])
    const entries = await started().listZipEntries(await started().downloadArtifactZip('once'))
    expect([...entries.keys()]).toEqual(['summary.txt'])
  })

  it('round-trips through the real client getArtifact + downloadArtifact', async () => {
    const uploaded = await upload('round-trip')
    const target = path.join(workDir, 'download')

    const { artifact } = await client.getArtifact('round-trip')
    // upload returns the bare hex digest; listings and expectedHash use the 'sha256:' form.
    expect(artifact).toMatchObject({ id: uploaded.id, digest: `sha256:${uploaded.digest}` })
    const result = await client.downloadArtifact(artifact.id, {
      path: target,
      expectedHash: artifact.digest
    })

    expect(result.digestMismatch).toBe(false)
    for (const [file, data] of Object.entries(FILES)) {
      expect((await readFile(path.join(target, file))).equals(data)).toBe(true)
    }
  })

  it.each([
    { what: 'a wrong token', token: 'not-the-token', method: 'ListArtifacts', status: 401 },
    { what: 'an unknown method', token: undefined, method: 'Nope', status: 404 }
  ])(
    'answers $what with a JSON error the client fails on at once',
    async ({ token, method, status }) => {
      const response = await fetch(
        `${started().service.url}/twirp/github.actions.results.api.v1.ArtifactService/${method}`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token ?? started().env.ACTIONS_RUNTIME_TOKEN}`,
            'content-type': 'application/json'
          },
          body: JSON.stringify({ workflow_run_backend_id: started().runId })
        }
      )

      expect(response.status).toBe(status)
      expect(response.headers.get('content-type')).toBe('application/json')
      expect(await response.json()).toMatchObject({
        code: expect.any(String),
        msg: expect.any(String)
      })
    }
  )
})

describe('artifact stack lifecycle', () => {
  it('stop() shuts both servers down and can be called twice', async () => {
    const stack = await startArtifactStack()
    try {
      await stack.stop()
    } finally {
      await stack.stop()
    }
    await expect(fetch(stack.service.url)).rejects.toThrow()
    await expect(fetch(stack.blobUrl)).rejects.toThrow()
  })
})
