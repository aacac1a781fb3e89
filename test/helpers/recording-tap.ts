import { expect } from 'vitest'
import {
  NON_ASCII,
  UNICODE_ESCAPE,
  type JsonTap,
  type TokenSource
} from '../../src/engine/checks/json-tap.js'

/** Records what a tap receives, one line per call, checking that text and bytes agree. */
export class RecordingTap implements JsonTap {
  readonly calls: string[] = []
  constructor(
    private readonly lists: string[],
    /** Ask for the text of containers opened at this depth of the tapped value (1 = its own). */
    private readonly spanDepth = 0
  ) {}
  private depth = 0
  select(key: string): boolean {
    const wanted = this.lists.includes(key)
    if (wanted) this.calls.push(`select ${key}`)
    return wanted
  }
  open(isArray: boolean): boolean {
    this.calls.push(isArray ? '[' : '{')
    return ++this.depth === this.spanDepth
  }
  close(source: TokenSource | undefined, from: number, to: number): void {
    this.depth--
    this.calls.push(source === undefined ? 'close' : `close ${this.token(source, from, to)}`)
  }
  key(source: TokenSource, from: number, to: number, flags: number): void {
    this.calls.push(`key ${this.token(source, from, to)}${flagsOf(flags)}`)
  }
  value(source: TokenSource, from: number, to: number, flags: number): void {
    this.calls.push(`value ${this.token(source, from, to)}${flagsOf(flags)}`)
  }
  end(): void {
    this.calls.push('end')
  }
  abandon(reason: string): void {
    this.depth = 0
    this.calls.push(`abandon: ${reason}`)
  }
  /** Every token is checked as it comes, so the end of a chunk changes nothing here. */
  chunkEnd(): void {}
  private token(source: TokenSource, from: number, to: number): string {
    const text = source.text.slice(from, to)
    expect(Buffer.from(source.bytes.subarray(from, to)).toString('latin1')).toBe(text)
    const token = Buffer.from(text, 'latin1').toString('utf8')
    // A long token by its length and ends, enough to tell it whole from cut.
    return token.length > 40 ? `${token.slice(0, 8)}…${token.length}…${token.slice(-8)}` : token
  }
}

const flagsOf = (flags: number): string =>
  (flags & NON_ASCII ? ' +non-ascii' : '') + (flags & UNICODE_ESCAPE ? ' +\\u' : '')
