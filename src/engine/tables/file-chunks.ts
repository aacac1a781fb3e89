import { open } from 'node:fs/promises'

/**
 * A file's bytes in chunks, read into two buffers taken in turn: the next chunk is read while the
 * caller works on this one, and no memory is allocated per chunk (garbage buffers would raise the
 * process's peak memory until a collection). A chunk is valid until the next one is asked for.
 */
export async function* fileChunks(file: string, size: number): AsyncGenerator<Buffer> {
  const handle = await open(file, 'r')
  const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)]
  let turn = 0
  let reading = handle.read(buffers[turn]!, 0, size, null)
  try {
    for (;;) {
      const { bytesRead, buffer } = await reading
      if (bytesRead === 0) return
      turn ^= 1
      reading = handle.read(buffers[turn]!, 0, size, null)
      yield buffer.subarray(0, bytesRead)
    }
  } finally {
    // A read still under way must end before its file is closed.
    await reading.catch(() => {})
    await handle.close()
  }
}
