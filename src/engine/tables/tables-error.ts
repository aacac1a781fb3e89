import type { TableName } from '../table-layout.js'

/** The tables of one payload could not be written; the payload itself is unaffected. */
export class TablesError extends Error {
  override readonly name = 'TablesError'
  constructor(
    readonly reason: string,
    /** The table being read or written, when the problem is in one. */
    readonly table?: TableName
  ) {
    super(`tables: ${reason}`)
  }

  /** A failure outside the tables' own checks (the disk, the worker), with its cause. */
  static unwritten(cause: string): TablesError {
    return new TablesError(`could not write the table files (${cause})`)
  }
}
