import type { TableName } from '../table-layout.js'
import type { TablesRequest, TablesResult } from './write-tables.js'

/** What the tables worker is made with: the request, less what cannot cross threads. */
export type WorkerRequest = Omit<TablesRequest, 'signal' | 'onProgress' | 'columns'>

/** To the worker (tables-worker.ts), in order; `abort` acts at once, the rest one after another. */
export type ToWorker =
  | { type: 'download' }
  | { type: 'chunk'; bytes: Uint8Array<ArrayBuffer> }
  | { type: 'finish'; id: number; payloadPath: string }
  | { type: 'discard'; id: number }
  | { type: 'abort' }

/** A failure as it crosses threads: a TablesError's parts, or any other error's message. */
export interface WorkerFailure {
  tables: boolean
  reason: string
  table?: TableName
}

/**
 * From the worker: `ack` for each chunk it is done with (its bytes handed back, for the next
 * chunk), `done` for a finish or a discard.
 */
export type FromWorker =
  | { type: 'ack'; bytes: Uint8Array<ArrayBuffer> }
  | { type: 'done'; id: number; result?: TablesResult; failure?: WorkerFailure }
