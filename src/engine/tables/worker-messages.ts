import type { JsonCheckResult } from '../checks/json-tokenizer.js'
import type { TableName } from '../table-layout.js'
import type { TablesRequest, TablesResult } from './write-tables.js'

/** What the tables worker is made with: the request, less what cannot cross threads. */
export type WorkerRequest = Omit<TablesRequest, 'signal' | 'onProgress' | 'columns'>

/**
 * To the worker (tables-worker.ts), in order; `abort` and `file` (the answer to a FileRequest) act
 * at once, the rest one after another.
 */
export type ToWorker =
  | { type: 'download' }
  | { type: 'chunk'; bytes: Uint8Array<ArrayBuffer> }
  | { type: 'verdict'; id: number }
  | { type: 'finish'; id: number; payloadPath: string }
  | { type: 'discard'; id: number }
  | { type: 'abort' }
  | FileAnswer

/**
 * From the worker, what its table files need, which the main thread does (table-files-host.ts):
 * `file` numbers a file from its open on; a write's bytes are transferred and come back with its
 * answer.
 */
export type FileRequest = { type: 'file'; id: number; file: number } & (
  | { op: 'open'; target: string }
  | { op: 'write'; bytes: Uint8Array<ArrayBuffer> }
  | { op: 'commit' }
  | { op: 'discard' }
)

/** The main thread's answer to the FileRequest `id`: a commit's sha256, a write's bytes. */
export interface FileAnswer {
  type: 'file'
  id: number
  sha256?: string
  bytes?: Uint8Array<ArrayBuffer>
  failure?: string
}

/** A failure as it crosses threads: a TablesError's parts, or any other error's message. */
export interface WorkerFailure {
  tables: boolean
  reason: string
  table?: TableName
}

/**
 * From the worker: `ack` for each chunk it is done with (its bytes handed back, for the next
 * chunk), `done` for a verdict, a finish or a discard.
 */
export type FromWorker =
  | { type: 'ack'; bytes: Uint8Array<ArrayBuffer> }
  | {
      type: 'done'
      id: number
      result?: TablesResult
      failure?: WorkerFailure
      /** The JSON check of the download's chunks (a `verdict`'s answer). */
      verdict?: JsonCheckResult
    }
  | FileRequest
