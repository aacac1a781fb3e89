import type { TokenSource } from '../checks/json-tap.js'
import type { TableName } from '../table-layout.js'
import { jsonString, toBinary } from './binary-text.js'
import type { DerivedValue } from './derived-columns.js'
import { PendingBytes, WRITE_BYTES, writePending, type WriteBytes } from './pending-bytes.js'
import type { RowEngine, TableRows } from './row-engine.js'
import type { RowsWriter } from './rows-writer.js'

/**
 * NDJSON rows: each element as Clari sent it (nested values included, numbers digit for digit),
 * after the action's columns. An element that is not plain (see RowSink.row) is written again
 * from its members: a repeated key keeps its first place and its last value, as JSON.parse does.
 */
export class NdjsonRows implements RowsWriter {
  readonly wantsSpan = true
  readonly redo = new Set<TableName>()
  private readonly out = new Map<TableName, PendingBytes>()
  /** `{"forecastId":"…",…,"jobId":"…"`: the constant columns, the same in every row. */
  private readonly heads = new Map<TableName, Buffer>()
  /** `,"entryKey":`, … per computed column. */
  private readonly members = new Map<TableName, string[]>()

  constructor(engine: RowEngine) {
    for (const table of engine.tables.values()) {
      this.out.set(table.name, new PendingBytes())
      const constants = table.constants.map(
        // Stryker disable next-line BooleanLiteral: the constants (forecast id, period, job id, ISO time) are validated ASCII, which toBinary leaves as it is
        c => `${jsonString(c.name)}:${jsonValue(c.constant(engine.context), true)}`
      )
      this.heads.set(table.name, Buffer.from(`{${constants.join(',')}`, 'latin1'))
      this.members.set(
        table.name,
        table.computing.map(({ column }) => `,${jsonString(column.name)}:`)
      )
    }
  }

  row(
    table: TableRows,
    _element: number,
    span: TokenSource | undefined,
    from: number,
    to: number
  ): void {
    const out = this.out.get(table.name)!
    const head = this.heads.get(table.name)!
    out.bytes(head, 0, head.length)
    const members = this.members.get(table.name)!
    const { values } = table
    for (let i = 0; i < members.length; i++) {
      out.text(members[i]!)
      const value = values[i]
      if (typeof value === 'string') out.jsonString(value)
      else if (value instanceof Uint8Array) out.jsonBytes(value)
      else out.text(jsonValue(value, false))
    }
    if (span !== undefined) {
      // The element as sent, after our members.
      if (table.orderLength === 0) out.text('}\n')
      else {
        out.byte(0x2c)
        out.bytes(span.bytes, from + 1, to)
        out.byte(0x0a)
      }
      return
    }
    const { order, columns, sources, froms, tos } = table
    for (let i = 0; i < table.orderLength; i++) {
      const column = order[i]!
      out.byte(0x2c)
      out.text(columns[column]!.jsonKey)
      out.byte(0x3a)
      out.slice(sources[column]!.text, froms[column]!, tos[column]!)
    }
    out.text('}\n')
  }

  flush(write: WriteBytes): Promise<void> {
    return writePending(this.out, write, WRITE_BYTES)
  }

  finish(write: WriteBytes): Promise<void> {
    return writePending(this.out, write, 1)
  }

  notes(): string[] {
    return []
  }
}

/** A derived value as JSON; `text` says a string is ordinary text (a constant), not binary. */
function jsonValue(value: DerivedValue, text: boolean): string {
  if (value === undefined) return 'null'
  if (typeof value === 'string') return jsonString(text ? toBinary(value) : value)
  return String(value)
}
