import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { PayloadTap } from '../checks/payload-file.js'
import { TableFilesHost } from './table-files-host.js'
import { TablesError } from './tables-error.js'
import type { FromWorker, ToWorker, WorkerFailure, WorkerRequest } from './worker-messages.js'
import {
  PeriodTables,
  removeTables,
  tableNames,
  type TablesOfPeriod,
  type TablesRequest,
  type TablesResult
} from './write-tables.js'

// Chunk bytes sent to the worker and not yet done with: the download waits beyond this, so
// memory stays bounded however far the worker falls behind.
const MAX_BYTES_IN_FLIGHT = 1024 * 1024
const SLAB_BYTES = 256 * 1024
// The worker's young generation, where a chunk's text and rows live and die. Left to node, it
// is sized for a whole process's heap and would hold ~100 MB of garbage at the peak (measured).
const WORKER_YOUNG_GENERATION_MB = 12
// Its old generation's bound, far above what it keeps (10-20 MB): V8 lets a heap grow up to 4
// times its live size between full collections when the bound is high (node's default), 1.4
// times at 512 MB. What dies there (each Parquet page's zlib engine outlives young collections)
// is then collected sooner: a 1 GiB payload's Parquet worker peaked at 22-24 MB of heap, not 31.
const WORKER_OLD_GENERATION_MB = 512

/**
 * A period's tables, made on a worker thread when the running bundle has one beside it (the
 * action dist/index.js and the CLI dist/cli/index.js, the worker dist/tables-worker/index.js);
 * from the sources (tests, tsx) on this thread. A request with its own computed columns or a
 * progress callback (functions do not cross threads) is made on this thread too.
 */
export function openTables(request: TablesRequest): TablesOfPeriod {
  const worker = request.columns || request.onProgress ? undefined : bundledWorker()
  return worker ? new WorkerTables(request, worker) : new PeriodTables(request)
}

let bundled: string | null | undefined
/** The bundled worker's file, when there is one. */
function bundledWorker(): string | undefined {
  if (bundled === undefined) {
    const here = path.dirname(fileURLToPath(import.meta.url))
    const file = [here, path.dirname(here)]
      .map(dir => path.join(dir, 'tables-worker', 'index.js'))
      .find(candidate => existsSync(candidate))
    bundled = file ?? null
  }
  return bundled ?? undefined
}

/**
 * PeriodTables on a worker thread (tables-worker.ts). The download hands each chunk over (a
 * copy, gathered into slabs that are transferred) and goes on at once while less than
 * MAX_BYTES_IN_FLIGHT is unread; the worker tokenizes and checks the chunks (its verdict is the
 * download's) and makes the tables meanwhile on the other core, and this thread writes and hashes
 * the table files it sends (table-files-host.ts).
 * Each period's tables have a worker of their own. Failures come back as they would on this
 * thread: a TablesError for this period's tables, the abort's reason when the signal aborted. A
 * worker that stops (a bug thrown, memory) fails the tables like any TablesError, and its files
 * are removed here. The worker ends with finish or discard.
 */
export class WorkerTables implements TablesOfPeriod {
  private worker: Worker | undefined
  private stopped: TablesError | undefined
  // Chunks are copied into slabs, which go to the worker (few messages, however small the
  // chunks) and come back with its ack: no garbage buffers pile up between two collections
  // (they would raise the peak memory).
  private slab: Uint8Array<ArrayBuffer> | undefined
  private filled = 0
  private readonly spare: ArrayBuffer[] = []
  private inFlightBytes = 0
  private drained: (() => void) | undefined
  private readonly waiting = new Map<
    number,
    (message: Extract<FromWorker, { type: 'done' }>) => void
  >()
  private nextId = 0
  private readonly names: ReturnType<typeof tableNames>
  private readonly onAbort = (): void => this.post({ type: 'abort' })
  private readonly files = new TableFilesHost((answer, transfer) => this.post(answer, transfer))

  constructor(
    private readonly request: TablesRequest,
    /** The worker's file: dist/tables-worker/index.js, or a test's. */
    private readonly workerFile: string
  ) {
    this.names = tableNames(request)
  }

  /** Whether its worker thread is up (it ends with finish, discard, or a failure). */
  get running(): boolean {
    return this.worker !== undefined && this.stopped === undefined
  }

  async forDownload(): Promise<PayloadTap> {
    // What an earlier download left unsent is not sent: this one starts afresh.
    this.filled = 0
    this.post({ type: 'download' })
    return {
      afterChunk: chunk => this.send(chunk),
      verdict: async () => {
        this.handOver()
        return (await this.ask({ type: 'verdict', id: 0 })).verdict
      }
    }
  }

  async finish(payloadPath: string): Promise<TablesResult> {
    this.handOver()
    const { result, failure } = await this.ask({ type: 'finish', id: 0, payloadPath })
    // After an abort the worker skipped chunks: its tables are not kept, whatever it says.
    if (result !== undefined && !this.request.signal?.aborted) {
      await this.end()
      return result
    }
    await this.discard()
    throw this.errorOf(failure)
  }

  async discard(): Promise<void> {
    if (this.worker !== undefined && this.stopped === undefined)
      await this.ask({ type: 'discard', id: 0 })
    await this.end()
    await removeTables(this.request.outputDir, this.names)
  }

  /**
   * Copies the chunk into the slab being filled, handing each full slab over; waits while too
   * much is unread. Never rejects.
   */
  private async send(chunk: Buffer): Promise<void> {
    for (let at = 0; at < chunk.length && this.stopped === undefined;) {
      const slab = (this.slab ??= new Uint8Array(this.spare.pop() ?? new ArrayBuffer(SLAB_BYTES)))
      const taken = Math.min(chunk.length - at, SLAB_BYTES - this.filled)
      slab.set(chunk.subarray(at, at + taken), this.filled)
      this.filled += taken
      at += taken
      if (this.filled === SLAB_BYTES) this.handOver()
    }
    while (this.inFlightBytes > MAX_BYTES_IN_FLIGHT && this.stopped === undefined) {
      await new Promise<void>(resolve => (this.drained = resolve))
    }
  }

  /** The slab's bytes go to the worker (the buffer itself, transferred). */
  private handOver(): void {
    const slab = this.slab
    if (slab === undefined || this.filled === 0) return
    this.inFlightBytes += this.filled
    // Stryker disable next-line ArrayDeclaration: a copy instead of a transfer costs memory only; the worker acks either
    this.post({ type: 'chunk', bytes: new Uint8Array(slab.buffer, 0, this.filled) }, [slab.buffer])
    this.slab = undefined
    this.filled = 0
  }

  private ask(
    message: Extract<ToWorker, { type: 'verdict' | 'finish' | 'discard' }>
  ): Promise<Extract<FromWorker, { type: 'done' }>> {
    // Stryker disable next-line UpdateOperator: ids counted down are as unique as ids counted up
    const id = ++this.nextId
    return new Promise(resolve => {
      if (this.stopped !== undefined)
        return resolve({ type: 'done', id, failure: this.stoppedFailure() })
      this.waiting.set(id, resolve)
      this.post({ ...message, id })
    })
  }

  private post(message: ToWorker, transfer?: ArrayBuffer[]): void {
    if (this.stopped !== undefined) return
    this.start().postMessage(message, transfer)
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker
    const { signal, outputDir, forecastId, period, snapshot, format, csvFormulaGuard } =
      this.request
    const workerData: WorkerRequest = {
      outputDir,
      forecastId,
      period,
      snapshot,
      format,
      csvFormulaGuard
    }
    const worker = new Worker(this.workerFile, {
      workerData,
      resourceLimits: {
        maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
        maxOldGenerationSizeMb: WORKER_OLD_GENERATION_MB
      }
    })
    worker.on('message', (message: FromWorker) => this.received(message))
    worker.on('error', error => this.stop(`the tables worker failed (${error.message})`))
    worker.on('exit', code => this.stop(`the tables worker stopped (exit code ${code})`))
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal dispatches 'abort' once; stop removes the listener anyway
    signal?.addEventListener('abort', this.onAbort, { once: true })
    if (signal?.aborted) worker.postMessage({ type: 'abort' } satisfies ToWorker)
    this.worker = worker
    return worker
  }

  private received(message: FromWorker): void {
    if (message.type === 'file') return this.files.serve(message)
    if (message.type === 'ack') {
      this.inFlightBytes -= message.bytes.length
      this.spare.push(message.bytes.buffer)
      this.wake()
      return
    }
    const resolve = this.waiting.get(message.id)
    this.waiting.delete(message.id)
    resolve?.(message)
  }

  private wake(): void {
    const drained = this.drained
    this.drained = undefined
    drained?.()
  }

  /** The worker is gone: everything waiting on it is answered. */
  private stop(reason: string): void {
    if (this.stopped !== undefined) return
    this.stopped = new TablesError(reason)
    // Stryker disable next-line StringLiteral: an abort after the stop posts nothing (post returns once stopped)
    this.request.signal?.removeEventListener('abort', this.onAbort)
    this.wake()
    for (const [id, resolve] of this.waiting)
      resolve({ type: 'done', id, failure: this.stoppedFailure() })
    this.waiting.clear()
  }

  private stoppedFailure(): WorkerFailure {
    return { tables: true, reason: this.stopped!.reason }
  }

  /** Ends the worker (its work is done or discarded) and removes the files it left open. */
  private async end(): Promise<void> {
    const worker = this.worker
    if (worker === undefined) return
    this.stop('the tables worker was ended')
    await worker.terminate()
    await this.files.discardAll()
  }

  private errorOf(failure: WorkerFailure | undefined): unknown {
    const { signal } = this.request
    if (signal?.aborted) return signal.reason
    if (failure?.tables) return new TablesError(failure.reason, failure.table)
    return TablesError.unwritten(failure?.reason ?? 'no answer')
  }
}
