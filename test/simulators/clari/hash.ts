import { createHash } from 'node:crypto'
import { pipeline, Transform, type Readable } from 'node:stream'

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Consumes the stream; checks streamed payloads without holding them in memory. */
export async function sha256Stream(stream: Readable): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of stream) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Passes the stream through; reports its sha256 only if it was read to the end. */
export function withSha256(stream: Readable, onComplete: (sha: string) => void): Readable {
  const hash = createHash('sha256')
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      callback(null, chunk)
    },
    flush(callback) {
      onComplete(hash.digest('hex'))
      callback()
    }
  })
  return pipeline(stream, tap, () => {})
}
