import type { TableName } from '../table-layout.js'
import type { WriteBytes } from './pending-bytes.js'
import type { RowSink } from './row-engine.js'

/** One format's rows (ndjson-rows.ts, csv-rows.ts, parquet-rows.ts): the sink of a pass. */
export interface RowsWriter extends RowSink {
  /** Called after every chunk of the payload: writes what the rows so far made, once worth a write. */
  flush(write: WriteBytes): Promise<void>
  /** Writes the rest of each table, once the payload is read. */
  finish(write: WriteBytes): Promise<void>
  /** Tables whose rows this pass could not write: a pass of their own writes them again. */
  readonly redo: ReadonlySet<TableName>
  /** What a reader should know about the tables (CSV names that took a suffix). */
  notes(): string[]
}
