import { randomBytes } from 'node:crypto'
import { PassThrough } from 'node:stream'
import {
  BlobSASPermissions,
  BlockBlobClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential
} from '@azure/storage-blob'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBlobStore, type BlobContainer, type BlobStore } from './artifact/index.js'

const HOUR = 60 * 60 * 1000
const blockId = (text: string): string => Buffer.from(text).toString('base64')

/** Status, `x-ms-error-code` and the XML body's <Code> of a refusal. */
async function refusal(response: Response) {
  const body = await response.text()
  return {
    status: response.status,
    header: response.headers.get('x-ms-error-code'),
    code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1],
    body
  }
}

describe('blob store', () => {
  let clock = Date.parse('2026-03-02T10:00:00Z')
  const accountKey = randomBytes(64)
  let store: BlobStore
  let container: BlobContainer
  let blobs = 0
  /** A blob path no other test uses. */
  const fresh = (): string => `run/job/${++blobs}/report`

  beforeAll(async () => {
    store = await startBlobStore({ now: () => clock, accountKey })
    container = store.container('actions-results')
  })
  afterAll(async () => store.close())

  const writer = (path: string, permissions: 'cw' | 'c' = 'cw') =>
    new BlockBlobClient(container.signedUrl(path, permissions))
  const read = (path: string, init?: RequestInit) => fetch(container.signedUrl(path, 'r'), init)

  describe('what the toolkit sends', () => {
    it('joins the SDK’s blocks in order and serves them with the content type it was given', async () => {
      const path = fresh()
      const data = randomBytes(3 * 1024 + 100)
      const source = new PassThrough()
      source.end(data)

      // @actions/artifact: BlockBlobClient.uploadStream, here with 1 KiB buffers: four blocks.
      await writer(path).uploadStream(source, 1024, 2, {
        blobHTTPHeaders: { blobContentType: 'application/zip' }
      })

      expect(container.blob(path)?.blocks.size).toBe(4)
      const response = await read(path)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('application/zip')
      expect(response.headers.get('content-length')).toBe(String(data.length))
      expect(Buffer.from(await response.arrayBuffer()).equals(data)).toBe(true)
      const head = await read(path, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.headers.get('content-length')).toBe(String(data.length))
      expect(head.headers.get('content-type')).toBe('application/zip')
      expect(await head.text()).toBe('')
    })

    it('keeps a blob written whole by Put Blob, as @actions/cache writes a small archive', async () => {
      const path = fresh()
      const data = randomBytes(2048)

      await writer(path).uploadData(data, { blobHTTPHeaders: { blobContentType: 'text/csv' } })

      const response = await read(path)
      expect(response.headers.get('content-type')).toBe('text/csv')
      expect(Buffer.from(await response.arrayBuffer()).equals(data)).toBe(true)
    })

    it('answers a missing blob with 404 BlobNotFound: XML for GET, the header alone for HEAD', async () => {
      const path = fresh()

      const get = await refusal(await read(path))
      const head = await refusal(await read(path, { method: 'HEAD' }))

      expect(get).toMatchObject({ status: 404, header: 'BlobNotFound', code: 'BlobNotFound' })
      expect(get.body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><Error>/)
      expect(head).toMatchObject({ status: 404, header: 'BlobNotFound', body: '' })
    })
  })

  describe('blocks and block lists', () => {
    it('shows no blob until its block list is committed', async () => {
      const path = fresh()
      await writer(path).stageBlock(blockId('block-0'), Buffer.from('staged'), 6)

      expect(await refusal(await read(path))).toMatchObject({ status: 404, code: 'BlobNotFound' })
      expect(container.blob(path)).toBeUndefined()
    })

    it('refuses a block id of another length than the staged ones, or one that is not base64', async () => {
      const client = writer(fresh())
      await client.stageBlock(blockId('block-0'), Buffer.from('a'), 1)

      await expect(
        client.stageBlock(blockId('block-10'), Buffer.from('b'), 1)
      ).rejects.toMatchObject({ statusCode: 400, code: 'InvalidBlobOrBlock' })
      await expect(client.stageBlock('not base64!', Buffer.from('b'), 1)).rejects.toMatchObject({
        statusCode: 400,
        code: 'InvalidQueryParameterValue'
      })
      await expect(
        client.stageBlock(blockId('x'.repeat(65)), Buffer.from('b'), 1)
      ).rejects.toMatchObject({ statusCode: 400, code: 'InvalidQueryParameterValue' })
    })

    it('refuses a block list naming a block never staged, and discards the unlisted ones on commit', async () => {
      const path = fresh()
      const client = writer(path)
      const [a, b, c] = ['block-a', 'block-b', 'block-c'].map(blockId)
      await client.stageBlock(a!, Buffer.from('A'), 1)
      await client.stageBlock(b!, Buffer.from('B'), 1)

      await expect(client.commitBlockList([a!, c!])).rejects.toMatchObject({
        statusCode: 400,
        code: 'InvalidBlockList'
      })
      expect(container.blob(path)).toBeUndefined()

      await client.commitBlockList([b!, a!, b!])
      expect(container.blob(path)?.data.toString()).toBe('BAB')
      // `Latest` finds a block among the committed ones; b was committed, so it still resolves.
      await client.commitBlockList([b!])
      expect(container.blob(path)?.data.toString()).toBe('B')
      // a was left out of the last list, so it is gone.
      await expect(client.commitBlockList([a!])).rejects.toMatchObject({
        code: 'InvalidBlockList'
      })
    })

    it('refuses a block list that is not a BlockList document', async () => {
      const path = fresh()
      for (const body of [
        '<BlockList><Latest>QQ==</Latest>',
        '<Blocks><Latest>QQ==</Latest></Blocks>',
        '<BlockList><Newest>QQ==</Newest></BlockList>'
      ]) {
        const response = await fetch(`${container.signedUrl(path, 'cw')}&comp=blocklist`, {
          method: 'PUT',
          body
        })
        expect(await refusal(response)).toMatchObject({ status: 400, code: 'InvalidXmlDocument' })
      }
    })

    it('needs Content-Length on a write, and x-ms-blob-type on Put Blob', async () => {
      const url = container.signedUrl(fresh(), 'cw')
      const chunked = await fetch(url, {
        method: 'PUT',
        headers: { 'x-ms-blob-type': 'BlockBlob' },
        body: new Blob(['data']).stream(),
        duplex: 'half'
      } as RequestInit)
      const untyped = await fetch(url, { method: 'PUT', body: 'data' })

      expect(await refusal(chunked)).toMatchObject({
        status: 411,
        code: 'MissingContentLengthHeader'
      })
      expect(await refusal(untyped)).toMatchObject({ status: 400, code: 'MissingRequiredHeader' })
    })
  })

  describe('shared access signatures', () => {
    const putBlob = (url: string) =>
      fetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'data' })

    it('lets an upload URL write but not read, and a download URL read but not write', async () => {
      const path = fresh()
      expect((await putBlob(container.signedUrl(path, 'cw'))).status).toBe(201)

      const readWithUpload = await fetch(container.signedUrl(path, 'cw'))
      const writeWithDownload = await putBlob(container.signedUrl(path, 'r'))

      for (const response of [readWithUpload, writeWithDownload]) {
        expect(await refusal(response)).toMatchObject({
          status: 403,
          code: 'AuthorizationPermissionMismatch'
        })
      }
      expect((await read(path)).status).toBe(200)
    })

    it('lets create-only (c) make a blob but never replace one', async () => {
      const url = container.signedUrl(fresh(), 'c')

      expect((await putBlob(url)).status).toBe(201)
      expect(await refusal(await putBlob(url))).toMatchObject({
        status: 403,
        code: 'AuthorizationPermissionMismatch'
      })
    })

    it('refuses a SAS once its expiry has passed', async () => {
      const path = fresh()
      await writer(path).uploadData(Buffer.from('kept'))
      const url = container.signedUrl(path, 'r')
      const signedAt = clock

      try {
        clock = signedAt + HOUR - 1000
        expect((await fetch(url)).status).toBe(200)
        clock = signedAt + HOUR + 1000
        const expired = await refusal(await fetch(url))
        expect(expired).toMatchObject({ status: 403, code: 'AuthenticationFailed' })
        expect(expired.body).toContain('Signature not valid in the specified time frame')
      } finally {
        clock = signedAt
      }
    })

    it('refuses a SAS moved to another blob or with its permissions edited', async () => {
      const path = fresh()
      await writer(path).uploadData(Buffer.from('kept'))
      const url = new URL(container.signedUrl(path, 'r'))
      const otherBlob = new URL(url)
      otherBlob.pathname = otherBlob.pathname.replace(/report$/, 'other')
      const widened = new URL(url)
      widened.searchParams.set('sp', 'rcw')

      for (const edited of [otherBlob, widened]) {
        const refused = await refusal(await fetch(edited))
        expect(refused).toMatchObject({ status: 403, code: 'AuthenticationFailed' })
        expect(refused.body).toContain('Signature did not match')
      }
    })

    it('treats a request without a SAS as anonymous on a private container: 404', async () => {
      const path = fresh()
      await writer(path).uploadData(Buffer.from('kept'))
      const bare = container.signedUrl(path, 'r').split('?')[0]!

      expect(await refusal(await fetch(bare))).toMatchObject({
        status: 404,
        code: 'ResourceNotFound'
      })
    })

    it('checks the signature as Azure does: a SAS that @azure/storage-blob signs is accepted', async () => {
      const path = fresh()
      await writer(path).uploadData(Buffer.from('signed elsewhere'))
      const account = new URL(store.url).pathname.slice(1)
      const sign = (key: Buffer) =>
        generateBlobSASQueryParameters(
          {
            containerName: container.name,
            blobName: path,
            permissions: BlobSASPermissions.parse('r'),
            protocol: SASProtocol.HttpsAndHttp,
            expiresOn: new Date(clock + HOUR)
          },
          new StorageSharedKeyCredential(account, key.toString('base64'))
        ).toString()
      const blobUrl = container.signedUrl(path, 'r').split('?')[0]!

      const ours = await fetch(`${blobUrl}?${sign(accountKey)}`)
      const wrongKey = await fetch(`${blobUrl}?${sign(randomBytes(64))}`)

      expect(await ours.text()).toBe('signed elsewhere')
      expect(await refusal(wrongKey)).toMatchObject({ status: 403, code: 'AuthenticationFailed' })
    })
  })

  it('refuses what it does not implement instead of half-serving it', async () => {
    const path = fresh()
    await writer(path).uploadData(Buffer.from('0123456789'))

    const ranged = await refusal(await read(path, { headers: { range: 'bytes=0-3' } }))
    const deleted = await refusal(await read(path, { method: 'DELETE' }))
    const metadata = await refusal(await fetch(`${container.signedUrl(path, 'r')}&comp=metadata`))

    expect(ranged).toMatchObject({ status: 400, code: 'UnsupportedHeader' })
    expect(ranged.body).toContain('<HeaderName>range</HeaderName>')
    expect(deleted).toMatchObject({ status: 405, code: 'UnsupportedHttpVerb' })
    expect(metadata).toMatchObject({ status: 400, code: 'UnsupportedQueryParameter' })
  })
})
