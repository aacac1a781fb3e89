import type { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

/**
 * `pipeline(...streams, destination)` that settles only once the destination has closed, also
 * when it fails. On Node 20 a failed pipeline settles as soon as the streams before the last have
 * closed (nodejs/node#51540, fixed in Node 22): a file stream may then not even have created its
 * file yet, and a caller that removes the half-written file at once leaves it behind.
 */
export async function pipeInto(
  streams: readonly [Readable, ...Readable[]],
  destination: Writable,
  signal?: AbortSignal
): Promise<void> {
  try {
    await pipeline([...streams, destination], { signal })
  } catch (error) {
    // A failed pipeline has destroyed every stream, so the destination's 'close' is on its way.
    if (!destination.closed) await new Promise(resolve => destination.once('close', resolve))
    throw error
  }
}
