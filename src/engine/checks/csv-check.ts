/**
 * Watches the start of a CSV payload as it streams: a finished export begins with a header
 * line (the column names). An empty body, or one whose first line is blank, is not a finished
 * export, whatever the status code said. Memory is constant: only the first line is looked at.
 */
export type CsvCheckResult = { valid: true } | { valid: false; reason: string }

const BOM = [0xef, 0xbb, 0xbf]
const NEWLINE = 0x0a
const BLANK = new Set([0x20, 0x09, 0x0d])

export class CsvHeaderCheck {
  private seen = 0
  private headerHasText = false
  private headerEnded = false

  update(chunk: Buffer): void {
    for (const byte of chunk) {
      const offset = this.seen++
      if (this.headerEnded) return
      // Stryker disable next-line ConditionalExpression,EqualityOperator: past the mark BOM[offset] is undefined, which no byte equals
      if (offset < BOM.length && byte === BOM[offset] && !this.headerHasText) continue
      if (byte === NEWLINE) this.headerEnded = true
      else if (!BLANK.has(byte)) this.headerHasText = true
    }
  }

  finish(): CsvCheckResult {
    if (this.seen === 0) return { valid: false, reason: 'is empty' }
    if (!this.headerHasText) return { valid: false, reason: 'has no header line' }
    return { valid: true }
  }
}
