import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, constants, createWriteStream, existsSync, openSync } from 'node:fs'
import { mkdtemp, open, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PassThrough, Readable, Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { pipeInto } from '../../src/base/pipe-into.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'clari-pipe-into-'))
})
afterEach(async () => rm(dir, { recursive: true, force: true }))

/** A source that fails before its first byte, as a body cut off right after the headers. */
function failingSource(error: Error): Readable {
  const source = new Readable({ read() {} })
  source.destroy(error)
  return source
}

/** A destination that takes a few turns of the event loop to close, as a file still opening. */
function slowToClose(): Writable {
  return new Writable({
    write: (_chunk, _encoding, done) => done(),
    destroy: (error, done) => setTimeout(() => done(error), 20)
  })
}

describe('pipeInto', () => {
  it('passes every byte through the streams into the destination', async () => {
    const file = path.join(dir, 'payload.json')
    await pipeInto(
      [Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]), new PassThrough()],
      createWriteStream(file, { flags: 'wx' })
    )
    expect(await readFile(file, 'utf8')).toBe('{"a":1}')
  })

  it('settles on a failure only once the destination has closed (Node 20 settles before it)', async () => {
    const cut = new Error('the response broke off before its end')
    const destination = slowToClose()
    await expect(pipeInto([failingSource(cut), new PassThrough()], destination)).rejects.toBe(cut)
    expect(destination.closed).toBe(true)
  })

  it('settles on an abort only once the destination has closed', async () => {
    const controller = new AbortController()
    const destination = slowToClose()
    const source = new Readable({ read() {} })
    const piping = pipeInto([source, new PassThrough()], destination, controller.signal)
    source.push('{"a":')
    const reason = new Error('the deadline passed')
    controller.abort(reason)
    await expect(piping).rejects.toThrow()
    expect(destination.closed).toBe(true)
  })

  it('has created the file by the time a failure settles, so removing it then leaves nothing', async () => {
    // The file is opened on libuv's thread pool: with every thread held, it cannot be created
    // until they are let go, which is when a pipeline that settled early shows.
    const pool = await holdThreadPool()
    const file = path.join(dir, '.payload.json.partial')
    const cut = new Error('the response broke off before its end')
    try {
      const settled = pipeInto(
        [failingSource(cut), new PassThrough()],
        createWriteStream(file, { flags: 'wx' })
      ).then(
        () => 'resolved',
        (error: unknown) => ({ error, fileThen: existsSync(file) })
      )
      await new Promise(resolve => setTimeout(resolve, 20))
      await pool.release()
      expect(await settled).toEqual({ error: cut, fileThen: true })
    } finally {
      await pool.release()
    }
  })
})

/**
 * Holds every thread of libuv's pool in an open() of a FIFO that has no writer yet, which blocks
 * without using the CPU; release() opens each for writing, so the opens return.
 */
async function holdThreadPool(): Promise<{ release(): Promise<void> }> {
  const size = Number(process.env.UV_THREADPOOL_SIZE ?? 4)
  const fifos = Array.from({ length: size }, (_, i) => path.join(dir, `hold-${i}.fifo`))
  await run('mkfifo', fifos)
  const readers = fifos.map(fifo => open(fifo, 'r'))
  let released: Promise<void> | undefined
  return {
    release: () =>
      (released ??= (async () => {
        for (const fifo of fifos) {
          closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK))
        }
        for (const reader of await Promise.all(readers)) await reader.close()
      })())
  }
}

async function run(command: string, args: string[]): Promise<void> {
  const child = spawn(command, args, { stdio: 'ignore' })
  const [code] = (await once(child, 'exit')) as [number | null]
  if (code !== 0) throw new Error(`${command} exited with ${code}`)
}
