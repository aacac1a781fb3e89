import { errorMessage } from '../../base/error-message.js'
import { WRITE_BYTES } from './pending-bytes.js'
import { TableFile, type TableOutput } from './table-file.js'
import type { FileAnswer, FileRequest } from './worker-messages.js'

/*
 * The tables worker's files are written, and hashed, on the main thread. The worker is the
 * tables' critical path (it tokenizes the payload and makes every row) while the main thread,
 * which only downloads, waits on the socket most of the time: each table byte's sha256 (1 to 2
 * GB of table bytes per GiB of payload in CSV and NDJSON) and the writes' bookkeeping are moved
 * to the thread with time to spare. RemoteTableFiles is the worker's end, TableFilesHost the main
 * thread's; worker-messages.ts has the messages between them.
 */

// Table bytes sent to the main thread and not yet written: the worker waits beyond this, so
// memory stays bounded however far the writes fall behind.
const MAX_BYTES_IN_FLIGHT = 2 * 1024 * 1024
// A write is WRITE_BYTES or more, plus what one piece of the payload added: most fit in this.
const BUFFER_BYTES = 2 * WRITE_BYTES
const MAX_SPARE_BUFFERS = 8

/**
 * The worker's end: table files whose every operation is a request to the main thread. A write's
 * bytes are copied into a buffer that is transferred there and back (no garbage per write) and
 * the write resolves at once while less than MAX_BYTES_IN_FLIGHT is unwritten. A write that
 * failed fails the file's next write or its commit, as a TableFile's does.
 */
export class RemoteTableFiles {
  private lastFile = 0
  private lastId = 0
  private readonly answers = new Map<number, (answer: FileAnswer) => void>()
  private readonly failures = new Map<number, string>()
  private readonly spare: ArrayBuffer[] = []
  private inFlight = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly post: (request: FileRequest, transfer?: ArrayBuffer[]) => void) {}

  readonly open = async (target: string): Promise<TableOutput> => {
    const file = ++this.lastFile
    await this.ask({ file, op: 'open', target })
    return {
      write: bytes => this.write(file, bytes),
      commit: async () => (await this.ask({ file, op: 'commit' })).sha256!,
      discard: () =>
        this.ask({ file, op: 'discard' }).then(
          () => {},
          () => {}
        )
    }
  }

  /** An answer from the main thread. */
  received(answer: FileAnswer): void {
    const resolve = this.answers.get(answer.id)
    this.answers.delete(answer.id)
    resolve?.(answer)
  }

  private async write(file: number, bytes: Buffer): Promise<void> {
    const failure = this.failures.get(file)
    if (failure !== undefined) throw new Error(failure)
    const { length } = bytes
    const copy = new Uint8Array(this.bufferFor(length), 0, length)
    copy.set(bytes)
    this.inFlight += length
    // The copy is transferred: from here on its view is empty.
    this.request({ file, op: 'write', bytes: copy }, [copy.buffer]).then(answer => {
      this.inFlight -= length
      if (answer.failure !== undefined) this.failures.set(file, answer.failure)
      if (this.spare.length < MAX_SPARE_BUFFERS) this.spare.push(answer.bytes!.buffer)
      for (const wake of this.waiting.splice(0)) wake()
    })
    while (this.inFlight > MAX_BYTES_IN_FLIGHT) {
      await new Promise<void>(resolve => this.waiting.push(resolve))
    }
  }

  private bufferFor(length: number): ArrayBuffer {
    const at = this.spare.findIndex(buffer => buffer.byteLength >= length)
    if (at !== -1) return this.spare.splice(at, 1)[0]!
    return new ArrayBuffer(Math.max(length, BUFFER_BYTES))
  }

  /** Asks the main thread; rejects with its failure. */
  private async ask(request: DistributiveOmit<FileRequest, 'type' | 'id'>): Promise<FileAnswer> {
    const answer = await this.request(request)
    if (answer.failure !== undefined) throw new Error(answer.failure)
    return answer
  }

  private request(
    request: DistributiveOmit<FileRequest, 'type' | 'id'>,
    transfer?: ArrayBuffer[]
  ): Promise<FileAnswer> {
    const id = ++this.lastId
    return new Promise(resolve => {
      this.answers.set(id, resolve)
      this.post({ type: 'file', id, ...request }, transfer)
    })
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/**
 * The main thread's end: the worker's table files, each a TableFile whose operations run one
 * after another in the order asked. A write is answered once its bytes are on their way to the
 * disk, with them: the worker then reuses their buffer.
 */
export class TableFilesHost {
  private readonly files = new Map<number, { file?: TableFile; queue: Promise<unknown> }>()
  private closed = false

  constructor(private readonly answer: (answer: FileAnswer, transfer?: ArrayBuffer[]) => void) {}

  serve(request: FileRequest): void {
    let entry = this.files.get(request.file)
    if (entry === undefined) this.files.set(request.file, (entry = { queue: Promise.resolve() }))
    const done = entry.queue.then(() => this.run(entry, request))
    entry.queue = done.catch(() => {})
    const bytes = request.op === 'write' ? { bytes: request.bytes } : {}
    const transfer = request.op === 'write' ? [request.bytes.buffer] : undefined
    done.then(
      sha256 => this.answer({ type: 'file', id: request.id, ...bytes, ...sha256 }, transfer),
      (error: unknown) =>
        this.answer(
          { type: 'file', id: request.id, ...bytes, failure: errorMessage(error) },
          transfer
        )
    )
  }

  /** Closes and removes every file not committed (the worker is gone); never throws. */
  async discardAll(): Promise<void> {
    this.closed = true
    const entries = [...this.files.values()]
    this.files.clear()
    await Promise.all(entries.map(entry => entry.queue.then(() => entry.file?.discard())))
  }

  private async run(
    entry: { file?: TableFile },
    request: FileRequest
  ): Promise<{ sha256?: string }> {
    if (this.closed) throw new Error('the tables worker was ended')
    if (request.op === 'open') entry.file = await TableFile.create(request.target)
    else if (request.op === 'write') {
      const { bytes } = request
      await entry.file!.writeWhole(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length))
    } else if (request.op === 'commit') {
      const sha256 = await entry.file!.commit()
      this.files.delete(request.file)
      return { sha256 }
    } else {
      this.files.delete(request.file)
      await entry.file?.discard()
    }
    return {}
  }
}
