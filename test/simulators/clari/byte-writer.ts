const ZERO = 0x30

/**
 * Appends ASCII text to a growing buffer: pre-encoded parts and numbers written digit by digit,
 * so a large payload is generated without building (and flattening) strings per entry.
 */
export class ByteWriter {
  private buffer: Buffer
  length = 0

  constructor(private readonly initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialBytes)
  }

  /** Makes room for `bytes` more; call before the puts that need it. */
  reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes))
    this.buffer.copy(bigger, 0, 0, this.length)
    this.buffer = bigger
  }

  put(part: Uint8Array): void {
    this.buffer.set(part, this.length)
    this.length += part.length
  }

  byte(value: number): void {
    this.buffer[this.length++] = value
  }

  /** A non-negative integer (below 2^53). */
  int(value: number): void {
    let digits = 1
    for (let power = 10; power <= value; power *= 10) digits++
    let at = this.length + digits
    this.length = at
    do {
      this.buffer[--at] = ZERO + (value % 10)
      value = Math.floor(value / 10)
    } while (value > 0)
  }

  /** Cents as the shortest decimal, as JSON.stringify(cents / 100) writes it: 12340 → 123.4. */
  amount(cents: number): void {
    const rest = cents % 100
    this.int((cents - rest) / 100)
    if (rest === 0) return
    this.buffer[this.length++] = 0x2e
    this.buffer[this.length++] = ZERO + Math.floor(rest / 10)
    if (rest % 10 !== 0) this.buffer[this.length++] = ZERO + (rest % 10)
  }

  /** What was written since the last take; the writer starts a new buffer. */
  take(): Buffer {
    const written = this.buffer.subarray(0, this.length)
    this.buffer = Buffer.allocUnsafe(Math.max(this.initialBytes, this.length))
    this.length = 0
    return written
  }
}
