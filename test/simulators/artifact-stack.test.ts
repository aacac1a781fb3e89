import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { DefaultArtifactClient, type UploadArtifactOptions } from '@actions/artifact'
import { beforeAll, describe, expect, it } from 'vitest'
import { useArtifactStack } from '../helpers/artifact-stack-env.js'
import {
  readZipDirectory,
  REALISTIC_RESULTS_MODES,
  startArtifactStack,
  ZIP_METHOD_DEFLATE,
  ZIP_METHOD_STORED,
  type ArtifactStack,
  type RunAttempt,
  type WorkflowRun
} from './artifact/index.js'

const FILES: Record<string, Buffer> = {
  'summary.txt': Buffer.from('period,net_arr,forecast\n'.repeat(4000)),
  'nested/manifest.json': Buffer.from(JSON.stringify({ periods: ['2026_Q1'], rows: 4000 })),
  'payload.bin': randomBytes(256 * 1024)
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

describe('artifact stack with the real @actions/artifact client', () => {
  const inProcess = useArtifactStack('artifact-stack')
  let client: DefaultArtifactClient

  const started = (): ArtifactStack => inProcess.stack
  const upload = (name: string, files = Object.keys(FILES), options?: UploadArtifactOptions) =>
    client.uploadArtifact(
      name,
      files.map(file => path.join(inProcess.workDir, 'upload', file)),
      path.join(inProcess.workDir, 'upload'),
      options
    )
  const liveRecord = (name: string) =>
    started().service.artifacts.find(a => a.name === name && a.finalized && !a.deleted)

  beforeAll(async () => {
    for (const [file, data] of Object.entries(FILES)) {
      const target = path.join(inProcess.workDir, 'upload', file)
      await mkdir(path.dirname(target), { recursive: true })
      await writeFile(target, data)
    }
    console.info(
      `artifact stack (blob store, results service, REST API) started in ${started().startupMs.toFixed(0)} ms`
    )
    client = new DefaultArtifactClient()
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
    const target = path.join(inProcess.workDir, 'download')

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
  it('stop() shuts every server down and can be called twice', async () => {
    const stack = await startArtifactStack()
    try {
      await stack.stop()
    } finally {
      await stack.stop()
    }
    await expect(fetch(stack.service.url)).rejects.toThrow()
    await expect(fetch(stack.rest.url)).rejects.toThrow()
    await expect(fetch(stack.cache.v1Url)).rejects.toThrow()
    await expect(fetch(stack.blobUrl)).rejects.toThrow()
  })
})

describe('artifact stack across the attempts of a workflow run', () => {
  const inProcess = useArtifactStack('artifact-attempts')
  let stack: ArtifactStack
  let workDir = ''

  beforeAll(async () => {
    ;({ stack, workDir } = inProcess)
    await writeFile(path.join(workDir, 'data.txt'), 'attempt data')
  })

  /** The client reads the runtime token at each call: this makes `attempt`'s job the caller. */
  const clientOf = (attempt: RunAttempt): DefaultArtifactClient => {
    process.env.ACTIONS_RUNTIME_TOKEN = attempt.token
    return new DefaultArtifactClient()
  }
  const uploadAs = (attempt: RunAttempt, name: string) =>
    clientOf(attempt).uploadArtifact(name, [path.join(workDir, 'data.txt')], workDir)
  const rest = (route: string, token?: string, init: RequestInit = {}) =>
    fetch(`${stack.rest.url}${route}`, {
      ...init,
      headers: token === undefined ? {} : { authorization: `token ${token}` }
    })

  /** The artifact ids the REST API lists for `run`. */
  const restIds = async (run: WorkflowRun): Promise<number[]> => {
    const response = await rest(
      `/repos/${run.repository}/actions/runs/${run.githubRunId}/artifacts`,
      stack.githubToken
    )
    expect(response.status).toBe(200)
    return ((await response.json()) as { artifacts: { id: number }[] }).artifacts.map(a => a.id)
  }
  /** The blob behind the REST API's zip route: a 302 to a signed URL, then the bytes. */
  const restZip = async (run: WorkflowRun, id: number): Promise<Response> =>
    rest(`/repos/${run.repository}/actions/artifacts/${id}/zip`, stack.githubToken, {
      redirect: 'manual'
    })
  const withModes = async <T>(
    modes: Partial<
      Pick<ArtifactStack['service'], 'duplicateNames' | 'idOrder' | 'inheritedArtifacts'>
    >,
    body: () => Promise<T>
  ): Promise<T> => {
    const saved = { ...REALISTIC_RESULTS_MODES }
    Object.assign(stack.service, modes)
    try {
      return await body()
    } finally {
      Object.assign(stack.service, saved)
    }
  }

  it('gives each attempt backend run and job ids of its own, in its token’s Actions.Results scope', async () => {
    const run = stack.newRun()
    const [first, second] = [run.attempt(1), run.attempt(2)]

    expect(second.runAttempt).toBe(2)
    expect(second.runId).not.toBe(first.runId)
    expect(second.jobId).not.toBe(first.jobId)
    const claims = JSON.parse(Buffer.from(second.token.split('.')[1]!, 'base64url').toString())
    expect(claims.scp).toBe(`Actions.Results:${second.runId}:${second.jobId}`)
    expect(second.env).toMatchObject({
      ACTIONS_RUNTIME_TOKEN: second.token,
      GITHUB_RUN_ID: run.githubRunId,
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_API_URL: stack.rest.url
    })
    expect(run.attempt(2)).toBe(second)
  })

  it('lists attempt 1’s artifact to a partial re-run with its own ids, refuses its runtime download with 404 workflow run not found, and serves it through REST', async () => {
    const run = stack.newRun()
    const [first, second] = [run.attempt(1), run.attempt(2)]
    const uploaded = await uploadAs(first, 'from-attempt-1')

    const { artifacts } = await clientOf(second).listArtifacts()
    expect(artifacts.map(a => [a.id, a.name])).toEqual([[uploaded.id, 'from-attempt-1']])
    const listed = stack.service.calls.findLast(c => c.method === 'ListArtifacts')!
    expect(listed.body).toMatchObject({ workflow_run_backend_id: second.runId })

    const target = path.join(workDir, 'partial-rerun-download')
    await expect(clientOf(second).downloadArtifact(uploaded.id!, { path: target })).rejects.toThrow(
      /GetSignedArtifactURL: .*\(404\) Not Found: workflow run not found/
    )
    const asked = stack.service.calls.findLast(c => c.method === 'GetSignedArtifactURL')!
    // The toolkit names the artifact by its own (attempt 1's) ids, as listed.
    expect(asked.body).toMatchObject({
      workflow_run_backend_id: first.runId,
      workflow_job_run_backend_id: first.jobId
    })

    expect(await restIds(run)).toEqual([uploaded.id])
    const redirect = await restZip(run, uploaded.id!)
    expect(redirect.status).toBe(302)
    const zip = Buffer.from(await (await fetch(redirect.headers.get('location')!)).arrayBuffer())
    expect(sha256(zip)).toBe(uploaded.digest)
  })

  it('serves the runtime download of an inherited artifact in the `served` mode (GitHub before 2026-07-24)', async () => {
    const run = stack.newRun()
    const uploaded = await uploadAs(run.attempt(1), 'served')
    const target = path.join(workDir, 'served-download')

    const download = await withModes({ inheritedArtifacts: 'served' }, async () => {
      const { artifacts } = await clientOf(run.attempt(2)).listArtifacts()
      return clientOf(run.attempt(2)).downloadArtifact(uploaded.id!, {
        path: target,
        expectedHash: artifacts[0]!.digest
      })
    })

    expect(download.digestMismatch).toBe(false)
    expect(await readFile(path.join(target, 'data.txt'), 'utf8')).toBe('attempt data')
  })

  it('shows nothing of attempt 1 after a full re-run, through either listing or the zip route, and a later partial re-run inherits only what the full one saw', async () => {
    const run = stack.newRun()
    const first = await uploadAs(run.attempt(1), 'kept')
    const full = run.attempt(2, { fullRerun: true })
    const second = await uploadAs(full, 'kept')

    const { artifacts } = await clientOf(full).listArtifacts()
    expect(artifacts.map(a => a.id)).toEqual([second.id])
    expect(await restIds(run)).toEqual([second.id])
    expect((await restZip(run, first.id!)).status).toBe(404)
    expect((await restZip(run, second.id!)).status).toBe(302)

    const third = run.attempt(3)
    const listed = await clientOf(third).listArtifacts()
    expect(listed.artifacts.map(a => a.id)).toEqual([second.id])
    expect(await restIds(run)).toEqual([second.id])
  })

  it('accepts a name an earlier attempt used (the run then holds both), refuses one its own attempt holds with 409, and refuses across attempts in the `refuse` mode', async () => {
    const run = stack.newRun()
    const first = await uploadAs(run.attempt(1), 'twice')
    await expect(uploadAs(run.attempt(1), 'twice')).rejects.toThrow(/\(409\) Conflict/)
    const second = await uploadAs(run.attempt(2), 'twice')
    await expect(uploadAs(run.attempt(2), 'twice')).rejects.toThrow(/\(409\) Conflict/)

    const { artifacts } = await clientOf(run.attempt(3)).listArtifacts()
    expect(artifacts.map(a => a.id).sort()).toEqual([first.id, second.id].sort())
    // Ids do not follow attempts: `name:` (the highest id) gets the stale attempt's artifact.
    expect(second.id!).toBeLessThan(first.id!)
    const { artifact } = await clientOf(run.attempt(3)).getArtifact('twice')
    expect(artifact.id).toBe(first.id)

    const other = stack.newRun()
    await uploadAs(other.attempt(1), 'twice')
    await withModes({ duplicateNames: 'refuse' }, () =>
      expect(uploadAs(other.attempt(2), 'twice')).rejects.toThrow(/\(409\) Conflict/)
    )
  })

  it('keeps a name reserved within the attempt by a create that was never finalized', async () => {
    const run = stack.newRun()
    const attempt = run.attempt(1)
    const created = await fetch(
      `${stack.service.url}/twirp/github.actions.results.api.v1.ArtifactService/CreateArtifact`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${attempt.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          workflow_run_backend_id: attempt.runId,
          workflow_job_run_backend_id: attempt.jobId,
          name: 'half-done',
          version: 7
        })
      }
    )
    expect(created.status).toBe(200)

    await expect(uploadAs(attempt, 'half-done')).rejects.toThrow(/\(409\) Conflict/)
    await uploadAs(run.attempt(2), 'half-done')
  })

  it('hands out ever smaller ids by default, as GitHub does not order them by attempt, and ascending ones when asked', async () => {
    const run = stack.newRun()
    const older = await uploadAs(run.attempt(1), 'older')
    const newer = await uploadAs(run.attempt(2), 'newer')
    expect(newer.id!).toBeLessThan(older.id!)

    const [a, b] = await withModes({ idOrder: 'ascending' }, async () => [
      await uploadAs(run.attempt(1), 'first'),
      await uploadAs(run.attempt(1), 'second')
    ])
    expect(b!.id!).toBeGreaterThan(a!.id!)
  })

  it('refuses a token that speaks for another job or another run (JSON 403)', async () => {
    const run = stack.newRun()
    const other = stack.newRun().attempt(1)
    const call = (token: string, body: object) =>
      fetch(
        `${stack.service.url}/twirp/github.actions.results.api.v1.ArtifactService/CreateArtifact`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'x', version: 7, ...body })
        }
      )
    const first = run.attempt(1)
    const asAttempt2 = await call(run.attempt(2).token, {
      workflow_run_backend_id: first.runId,
      workflow_job_run_backend_id: first.jobId
    })
    const asOtherRun = await call(other.token, {
      workflow_run_backend_id: first.runId,
      workflow_job_run_backend_id: other.jobId
    })

    for (const response of [asAttempt2, asOtherRun]) {
      expect(response.status).toBe(403)
      expect(await response.json()).toMatchObject({ code: 'permission_denied' })
    }
  })

  it('lists a run’s artifacts in the REST API’s shape, expired ones flagged, page by page', async () => {
    const run = stack.newRun()
    const kept = await uploadAs(run.attempt(1), 'kept')
    const gone = await uploadAs(run.attempt(1), 'gone')
    stack.service.artifacts.find(a => a.id === String(gone.id))!.expired = true
    const route = `/repos/${run.repository}/actions/runs/${run.githubRunId}/artifacts`

    const response = await rest(`${route}?per_page=1&page=2`, stack.githubToken)

    expect(response.status).toBe(200)
    const record = stack.service.artifacts.find(a => a.id === String(gone.id))!
    expect(await response.json()).toEqual({
      total_count: 2,
      artifacts: [
        {
          id: gone.id,
          node_id: expect.any(String),
          name: 'gone',
          size_in_bytes: record.size,
          url: `${stack.rest.url}/repos/${run.repository}/actions/artifacts/${gone.id}`,
          archive_download_url: `${stack.rest.url}/repos/${run.repository}/actions/artifacts/${gone.id}/zip`,
          expired: true,
          digest: record.hash,
          created_at: record.createdAt,
          expires_at: expect.stringMatching(/^\d{4}-/),
          updated_at: record.createdAt,
          workflow_run: expect.objectContaining({ id: Number(run.githubRunId) })
        }
      ]
    })
    const byName = await rest(`${route}?name=kept`, stack.githubToken)
    expect(((await byName.json()) as { artifacts: { id: number }[] }).artifacts).toEqual([
      expect.objectContaining({ id: kept.id, expired: false })
    ])
  })

  it('answers the zip route with a 302 to the blob, and 410 once the artifact has expired', async () => {
    const run = stack.newRun()
    const uploaded = await uploadAs(run.attempt(1), 'zip-route')
    const route = `/repos/${run.repository}/actions/artifacts/${uploaded.id}/zip`

    const redirect = await rest(route, stack.githubToken, { redirect: 'manual' })
    expect(redirect.status).toBe(302)
    const blob = await fetch(redirect.headers.get('location')!)
    const zip = Buffer.from(await blob.arrayBuffer())
    expect(`sha256:${sha256(zip)}`).toBe(`sha256:${uploaded.digest}`)

    stack.service.artifacts.find(a => a.id === String(uploaded.id))!.expired = true
    const expired = await rest(route, stack.githubToken, { redirect: 'manual' })
    expect(expired.status).toBe(410)
  })

  it.each([
    { what: 'no token', token: undefined, status: 401, message: 'Requires authentication' },
    { what: 'an unknown token', token: 'ghs_nope', status: 401, message: 'Bad credentials' },
    {
      what: 'a token without actions: read',
      token: 'ghs_noread',
      status: 403,
      message: 'Resource not accessible by integration'
    },
    { what: 'an unknown run', token: 'GOOD', status: 404, message: 'Not Found', runId: '1' }
  ])(
    'answers the REST listing with $status for $what',
    async ({ token, status, message, runId }) => {
      stack.rest.grant('ghs_noread', { actionsRead: false })
      const run = stack.newRun()
      const response = await rest(
        `/repos/${run.repository}/actions/runs/${runId ?? run.githubRunId}/artifacts`,
        token === 'GOOD' ? stack.githubToken : token
      )

      expect(response.status).toBe(status)
      expect(await response.json()).toMatchObject({
        message,
        documentation_url: expect.any(String)
      })
    }
  )
})
