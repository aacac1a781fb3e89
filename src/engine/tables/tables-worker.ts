import { parentPort, workerData } from 'node:worker_threads'
import type { PayloadTap } from '../checks/payload-file.js'
import { JsonStreamCheck } from '../checks/json-tokenizer.js'
import { errorMessage } from '../../base/error-message.js'
import { TablesError } from './tables-error.js'
import type { FromWorker, ToWorker, WorkerFailure, WorkerRequest } from './worker-messages.js'
import { RemoteTableFiles } from './table-files-host.js'
import { PeriodTables } from './write-tables.js'

/**
 * The tables worker (its own bundle, dist/tables-worker): a PeriodTables on a thread of its own,
 * fed the download's chunks by worker-tables.ts, so that the rows are made on the machine's
 * second core while the first downloads. It tokenizes the chunks itself, and its check of them
 * is the download's (the payload is tokenized once); the main thread writes and hashes the table files
 * (table-files-host.ts). Messages are handled in order; an abort, and the answers about files,
 * act at once.
 */
// The tokenizer makes one string of each piece it reads: past 128 KiB V8 allocates that as a
// large object, some 15 times dearer (measured), so a slab is read in pieces.
const PIECE = 64 * 1024
const port = parentPort!
const aborting = new AbortController()
const files = new RemoteTableFiles((request, transfer) => port.postMessage(request, transfer))
const tables = new PeriodTables(
  { ...(workerData as WorkerRequest), signal: aborting.signal },
  files.open
)
let download: { check: JsonStreamCheck; reader: PayloadTap } | undefined
let queue = Promise.resolve()

const post = (message: FromWorker): void => port.postMessage(message)

port.on('message', (message: ToWorker) => {
  if (message.type === 'abort') aborting.abort()
  // The chunk being handled may wait on these.
  else if (message.type === 'file') files.received(message)
  // A bug thrown here stops the worker: the main thread sees it end (worker-tables.ts).
  else queue = queue.then(() => handle(message)).catch(crash)
})

function crash(error: unknown): void {
  queueMicrotask(() => {
    throw error
  })
}

async function handle(message: Exclude<ToWorker, { type: 'abort' }>): Promise<void> {
  switch (message.type) {
    case 'download': {
      const reader = await tables.forDownload()
      download = { check: new JsonStreamCheck(reader.tap), reader }
      return
    }
    case 'chunk': {
      const { bytes } = message
      for (let at = 0; at < bytes.length && download && !aborting.signal.aborted; at += PIECE) {
        const piece = Buffer.from(
          bytes.buffer,
          bytes.byteOffset + at,
          Math.min(PIECE, bytes.length - at)
        )
        download.check.update(piece)
        await download.reader.afterChunk(piece)
      }
      return port.postMessage({ type: 'ack', bytes } satisfies FromWorker, [bytes.buffer])
    }
    case 'verdict':
      return post({ type: 'done', id: message.id, verdict: download?.check.finish() })
    case 'finish': {
      download = undefined
      try {
        post({ type: 'done', id: message.id, result: await tables.finish(message.payloadPath) })
      } catch (error) {
        post({ type: 'done', id: message.id, failure: failureOf(error) })
      }
      return
    }
    case 'discard': {
      download = undefined
      await tables.discard()
      return post({ type: 'done', id: message.id })
    }
  }
}

function failureOf(error: unknown): WorkerFailure {
  if (error instanceof TablesError) {
    return { tables: true, reason: error.reason, ...(error.table ? { table: error.table } : {}) }
  }
  return { tables: false, reason: errorMessage(error) }
}
