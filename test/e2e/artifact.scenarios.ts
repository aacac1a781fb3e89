import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { summaryTables } from '../../scripts/demo/summary-text.js'
import { errorMessages } from '../../scripts/demo/workflow-commands.js'
import { useBundleStage } from '../helpers/bundle-stage.js'
import { TEST_API_KEY } from '../helpers/test-api-key.js'
import {
  runBundle,
  startBundle,
  type BundleOptions,
  type NodeRuntime
} from '../helpers/run-bundle.js'
import {
  readZipDirectory,
  ZIP_METHOD_DEFLATE,
  ZIP_METHOD_STORED,
  type ArtifactRecord,
  type ArtifactStack,
  type RunAttempt
} from '../simulators/artifact/index.js'
import { renderedElements } from '../helpers/github-markdown.js'
import { textContent } from '../helpers/strict-html.js'
import { readFolder } from './bundle-checks.js'
import type { Manifest } from '../../src/engine/outcome.js'

// What @actions/artifact prints with core.info during an upload.
const TOOLKIT_NARRATION = [
  'Artifact name is valid!',
  'Root directory input is valid!',
  'Beginning upload of artifact content to blob storage'
]
const PHISHING =
  '![pixel](https://attacker.example/p.png) [Re-authenticate here](https://attacker.example/login)'
const REPOSITORY = 'owner/repo'
const RUN_ID = '4242'
const DAY_MS = 24 * 60 * 60 * 1000

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`)
    await sleep(20)
  }
}

/**
 * An artifact uploaded by an earlier step of `attempt` (default: the stack's first attempt),
 * made the way the toolkit makes one: CreateArtifact, a blob PUT to the signed URL,
 * FinalizeArtifact.
 */
async function seedArtifact(
  stack: ArtifactStack,
  name: string,
  attempt: RunAttempt = stack.run.attempt(1)
): Promise<ArtifactRecord> {
  const twirp = async (method: string, fields: object): Promise<Record<string, string>> => {
    const response = await fetch(
      `${stack.service.url}/twirp/github.actions.results.api.v1.ArtifactService/${method}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${attempt.token}`,
          'content-type': 'application/json'
        },
        body: JSON.stringify({
          workflow_run_backend_id: attempt.runId,
          workflow_job_run_backend_id: attempt.jobId,
          name,
          ...fields
        })
      }
    )
    if (!response.ok) throw new Error(`${method}: ${response.status} ${await response.text()}`)
    return (await response.json()) as Record<string, string>
  }
  const zip = Buffer.from('an earlier upload')
  const { signed_upload_url: uploadUrl } = await twirp('CreateArtifact', { version: 7 })
  const put = await fetch(uploadUrl!, {
    method: 'PUT',
    headers: { 'x-ms-blob-type': 'BlockBlob' },
    body: zip
  })
  if (!put.ok) throw new Error(`blob PUT: ${put.status} ${await put.text()}`)
  const hash = `sha256:${createHash('sha256').update(zip).digest('hex')}`
  const { artifact_id: id } = await twirp('FinalizeArtifact', { size: String(zip.length), hash })
  return stack.service.artifacts.find(a => a.id === id)!
}

/**
 * The upload under `runtime`: artifact.machine-node.test.ts and artifact.node24.test.ts run it, a
 * file per runtime so that the two legs run side by side.
 */
export function artifactScenarios(runtime: NodeRuntime): void {
  describe(`artifact upload by dist/index.js under ${runtime.label}`, () => {
    // One stack per runtime, a distinct artifact name per test.
    const stage = useBundleStage()
    const { startSim } = stage

    function bundleOptions(
      artifactName: string,
      inputs: Record<string, string> = {},
      attempt = stage.stack.run.attempt(1)
    ): BundleOptions {
      return {
        runtime,
        inputs: {
          'api-key': TEST_API_KEY,
          'forecast-id': 'net_arr',
          periods: '2026_Q1',
          'api-url': stage.sim.url,
          'artifact-name': artifactName,
          'poll-interval': '1',
          'max-poll-interval': '1',
          ...inputs
        },
        // GITHUB_SERVER_URL stays unset (childEnv drops it): the toolkit then uses github.com.
        env: { ...attempt.env, GITHUB_REPOSITORY: REPOSITORY, GITHUB_RUN_ID: RUN_ID }
      }
    }

    function liveArtifacts(name: string): ArtifactRecord[] {
      return stage.stack.service.artifacts.filter(a => a.name === name && a.finalized && !a.deleted)
    }

    it('uploads every finished payload and the manifest byte for byte, keeps them when a period fails, and reports id, digest and url', async () => {
      await startSim({
        plan: req => ({ outcome: req.timePeriod === '2026_Q2' ? 'FAILED' : 'DONE' })
      })
      const result = await runBundle(
        bundleOptions('payloads', { periods: '2026_Q1, 2026_Q2, 2026_Q3' })
      )

      expect(result.exitCode).toBe(1)
      const onDisk = await readFolder(result.outputs['output-dir']!)
      expect([...onDisk.keys()]).toEqual([
        'manifest.json',
        'net_arr_2026_Q1.json',
        'net_arr_2026_Q3.json'
      ])
      const zip = await stage.stack.downloadArtifactZip('payloads')
      const inZip = await stage.stack.listZipEntries(zip)
      expect(new Map([...inZip].sort(([a], [b]) => a.localeCompare(b)))).toEqual(onDisk)
      // Default compression-level (6): entries are deflated.
      expect(readZipDirectory(zip).map(e => e.method)).toEqual([
        ZIP_METHOD_DEFLATE,
        ZIP_METHOD_DEFLATE,
        ZIP_METHOD_DEFLATE
      ])

      const [record] = liveArtifacts('payloads')
      expect(record!.size).toBe(zip.length)
      expect(record!.hash).toBe(`sha256:${createHash('sha256').update(zip).digest('hex')}`)
      expect(record!.expiresAt).toBeUndefined()
      expect(result.outputs).toMatchObject({
        'artifact-id': record!.id,
        'artifact-name': 'payloads',
        'artifact-digest': record!.hash,
        'artifact-url': `https://github.com/${REPOSITORY}/actions/runs/${RUN_ID}/artifacts/${record!.id}`
      })

      // The toolkit's narration of the upload is in debug; the action's one line says the outcome.
      const plain = result.stdout.split('\n').filter(line => !line.startsWith('::'))
      for (const chatter of TOOLKIT_NARRATION) {
        expect(plain.join('\n')).not.toContain(chatter)
        expect(result.stdout).toContain(`::debug::${chatter}`)
      }
      expect(plain).toContainEqual(
        expect.stringMatching(/^Uploaded artifact payloads \(id \d+\) with 3 files$/)
      )
      // Said once, at the end: what a re-run would do.
      const [message] = errorMessages(result.stdout)
      expect(message!.split('\n').at(-1)).toBe(
        '"Re-run failed jobs" exports only 2026_Q2 again and keeps the 2 periods exported now, with no request to Clari for them.'
      )
      expect(result.stdout.match(/Re-run failed jobs/g)).toHaveLength(1)
    })

    it("shows the artifact service's error text in the summary as text: no live link or image", async () => {
      await startSim()
      stage.stack.service.createFailure = { status: 400, code: 'invalid_argument', msg: PHISHING }
      try {
        const result = await runBundle(bundleOptions('refused'))

        expect(result.exitCode).toBe(1)
        const [message] = errorMessages(result.stdout)
        expect(message).toContain('artifact refused: upload failed:')
        const elements = renderedElements(result.summary)
        expect(elements.filter(e => ['a', 'img', 'script'].includes(e.tag))).toEqual([])
        const said = elements.filter(e => e.tag === 'p').map(e => textContent(e))
        expect(said.at(-1)).toMatch(/^Artifact refused: upload failed: .*\(400\) Bad Request/)
        expect(said.at(-1)).toContain(PHISHING)
      } finally {
        stage.stack.service.createFailure = undefined
      }
    })

    it.each(['refuse', 'accept'] as const)(
      'attempt 2 uploads under a name of its own, the one its outputs give, when GitHub would %s a duplicate',
      async duplicateNames => {
        await startSim()
        const name = `rerun-${duplicateNames}`
        const earlier = await seedArtifact(stage.stack, name)
        const realistic = stage.stack.service.duplicateNames
        stage.stack.service.duplicateNames = duplicateNames
        try {
          const result = await runBundle(bundleOptions(name, {}, stage.stack.run.attempt(2)))

          expect(result.exitCode).toBe(0)
          const expectedName = `${name}-attempt-2`
          const uploaded = stage.stack.service.artifacts.find(
            a => a.id === result.outputs['artifact-id']
          )
          expect(uploaded).toMatchObject({
            name: expectedName,
            jobId: stage.stack.run.attempt(2).jobId
          })
          expect(result.outputs['artifact-name']).toBe(expectedName)
          // One artifact of that name in the run: download-artifact's `name:` cannot pick another.
          expect(liveArtifacts(expectedName)).toEqual([uploaded])
          // The earlier attempt's artifact is left as it was.
          expect(earlier).toMatchObject({ deleted: false, finalized: true })
          const inZip = await stage.stack.listZipEntries(
            await stage.stack.downloadArtifactZip(expectedName)
          )
          expect(inZip.get('manifest.json')).toEqual(await readFile(result.outputs.manifest!))
          expect(result.stdout).toContain(
            `Uploaded artifact ${expectedName} (id ${uploaded!.id}) with 2 files\n`
          )
        } finally {
          stage.stack.service.duplicateNames = realistic
        }
      }
    )

    it('uploads the tables with the payloads, and the payload of a period whose tables failed', async () => {
      const broken = '{"entries":{},"timePeriods":[{"timePeriodId":"2026_Q2"}]}'
      await startSim({ plan: req => (req.timePeriod === '2026_Q2' ? { payload: broken } : {}) })
      const result = await runBundle(
        bundleOptions('tables', { periods: '2026_Q1, 2026_Q2', tables: 'ndjson' })
      )

      expect(result.exitCode).toBe(1)
      const onDisk = await readFolder(result.outputs['output-dir']!)
      const manifest = JSON.parse(onDisk.get('manifest.json')!.toString()) as Manifest
      const q1 = manifest.exports.find(e => e.period === '2026_Q1')!
      // One Hive-style partition per snapshot day, the file named by its snapshot's job.
      const partition = `snapshot_date=${q1.snapshotAt!.slice(0, 10)}/net_arr_2026_Q1_${q1.jobId}.ndjson`
      expect([...onDisk.keys()]).toEqual([
        'manifest.json',
        'net_arr_2026_Q1.json',
        'net_arr_2026_Q2.json',
        `tables/entries/${partition}`,
        `tables/fields/${partition}`,
        `tables/time_frames/${partition}`,
        `tables/time_periods/${partition}`,
        `tables/users/${partition}`
      ])
      const inZip = await stage.stack.listZipEntries(
        await stage.stack.downloadArtifactZip('tables')
      )
      expect(new Map([...inZip].sort(([a], [b]) => a.localeCompare(b)))).toEqual(onDisk)
      const [message] = errorMessages(result.stdout)
      expect(message).toContain('2026_Q2: ERROR')
      expect(message).toContain('tables: "entries" is an object, not a list')
    })

    it('fails clearly when the attempt’s name is taken, keeping the files and the old artifacts', async () => {
      await startSim()
      // Names are unique within an attempt: earlier steps of attempt 2 took both.
      const originals = [
        await seedArtifact(stage.stack, 'taken', stage.stack.run.attempt(2)),
        await seedArtifact(stage.stack, 'taken-attempt-2', stage.stack.run.attempt(2))
      ]

      const result = await runBundle(bundleOptions('taken', {}, stage.stack.run.attempt(2)))

      expect(result.exitCode).toBe(1)
      const [message] = errorMessages(result.stdout)
      expect(message).toMatch(/artifact taken-attempt-2: upload failed: .*already exists/)
      expect(message).toContain(
        'The run already holds taken-attempt-2: set overwrite: true to replace taken-attempt-2, or give artifact-name a name of its own'
      )
      expect(message).toContain(`files kept in ${result.outputs['output-dir']}`)
      expect([...(await readFolder(result.outputs['output-dir']!)).keys()]).toEqual([
        'manifest.json',
        'net_arr_2026_Q1.json'
      ])
      expect(result.outputs['artifact-id']).toBeUndefined()
      expect(result.outputs['artifact-name']).toBeUndefined()
      expect([...liveArtifacts('taken'), ...liveArtifacts('taken-attempt-2')]).toEqual(originals)
    })

    it('replaces an artifact of the same name with overwrite: true', async () => {
      await startSim()
      const original = await seedArtifact(stage.stack, 'replaced')
      const originalBlob = () => stage.stack.service.container.blob(original.blobPath)
      expect(originalBlob()).toBeDefined()

      const result = await runBundle(bundleOptions('replaced', { overwrite: 'true' }))

      expect(result.exitCode).toBe(0)
      const [replacement] = liveArtifacts('replaced')
      expect(liveArtifacts('replaced')).toHaveLength(1)
      expect(replacement!.id).not.toBe(original.id)
      expect(result.outputs['artifact-id']).toBe(replacement!.id)
      expect(original.deleted).toBe(true)
      expect(originalBlob()).toBeUndefined()
      const inZip = await stage.stack.listZipEntries(
        await stage.stack.downloadArtifactZip('replaced')
      )
      expect(inZip.get('manifest.json')).toEqual(await readFile(result.outputs.manifest!))
    })

    it('passes retention-days to the service and stores entries uncompressed at compression-level 0 (overwrite with nothing to replace)', async () => {
      await startSim()
      const before = Date.now()
      const result = await runBundle(
        bundleOptions('stored', {
          'retention-days': '3',
          'compression-level': '0',
          // A first run with overwrite: true has nothing to delete; that must not fail the upload.
          overwrite: 'true'
        })
      )

      expect(result.exitCode).toBe(0)
      const [record] = liveArtifacts('stored')
      const expiresAt = Date.parse(record!.expiresAt!)
      expect(expiresAt).toBeGreaterThanOrEqual(before + 3 * DAY_MS - 1_000)
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3 * DAY_MS + 1_000)
      const zip = await stage.stack.downloadArtifactZip('stored')
      // @actions/artifact adds files concurrently: the order of zip entries is not promised.
      const entries = readZipDirectory(zip).map(e => [e.name, e.method])
      expect(entries.sort(([a], [b]) => String(a).localeCompare(String(b)))).toEqual([
        ['manifest.json', ZIP_METHOD_STORED],
        ['net_arr_2026_Q1.json', ZIP_METHOD_STORED]
      ])
    })

    it.each([
      ['fails the step after uploading', 'false', 1],
      ['with allow-truncated: true, only warns after uploading', 'true', 0]
    ])(
      'a truncated export %s, keeping the file and naming the period',
      async (_n, allow, exitCode) => {
        await startSim({ plan: req => ({ rowsTruncated: req.timePeriod === '2026_Q2' }) })
        const name = `truncated-${allow}`
        const result = await runBundle(
          bundleOptions(name, { periods: '2026_Q1, 2026_Q2', 'allow-truncated': allow })
        )

        expect(result.exitCode).toBe(exitCode)
        const onDisk = await readFolder(result.outputs['output-dir']!)
        const inZip = await stage.stack.listZipEntries(await stage.stack.downloadArtifactZip(name))
        expect([...inZip.keys()].sort()).toEqual([...onDisk.keys()])
        expect([...onDisk.keys()]).toEqual([
          'manifest.json',
          'net_arr_2026_Q1.json',
          'net_arr_2026_Q2.json'
        ])
        expect(result.outputs.exported).toBe('["2026_Q1","2026_Q2"]')
        const [table] = summaryTables(result.summary)
        expect(table!.slice(1).map(row => [row[0], row[1], row.at(-1)])).toEqual([
          ['2026_Q1', '✅ DONE', ''],
          ['2026_Q2', '⚠️ DONE, truncated', 'Clari truncated this export (rows)']
        ])
        const errors = errorMessages(result.stdout)
        if (exitCode === 0) {
          expect(errors).toEqual([])
          expect(result.stdout).toMatch(/^::warning::2026_Q2: Clari truncated this export/m)
        } else {
          expect(errors).toEqual([
            expect.stringContaining(
              '2026_Q2: DONE but incomplete (job ' // the job id follows
            )
          ])
          expect(errors[0]).toContain('Set allow-truncated: true to accept truncated exports')
        }
      }
    )

    it('on SIGINT cancels the Clari job, writes the manifest and exits non-zero within seconds', async () => {
      await startSim({ plan: { durationMs: 60_000 } })
      const run = await startBundle(bundleOptions('cancelled'))
      await until(() => stage.sim.jobs.length > 0, 'the export job to be created')

      const signalledAt = performance.now()
      run.signal('SIGINT')
      const result = await run.result

      expect(performance.now() - signalledAt).toBeLessThan(5_000)
      // The action handled the signal itself (a default SIGINT death would write no manifest).
      expect(result.exitSignal).toBeNull()
      expect(result.exitCode).not.toBe(0)
      const [job] = stage.sim.jobs
      const cancels = stage.sim.requests.filter(r => r.endpoint === 'cancel')
      expect(cancels).toMatchObject([
        { method: 'PATCH', jobId: job!.jobId, body: { type: 'CANCEL' } }
      ])
      expect(job!.cancelled).toBe(true)
      const manifest = JSON.parse(
        await readFile(path.join(result.workspace, 'clari-export', 'manifest.json'), 'utf8')
      )
      expect(manifest.exports).toMatchObject([
        { period: '2026_Q1', jobId: job!.jobId, status: 'CANCELLED' }
      ])
    })
  })
}
