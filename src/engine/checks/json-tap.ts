/**
 * The hooks through which the tables read a payload's tokens while the tokenizer
 * (json-tokenizer.ts) checks it, and the decoding of a string token, which both use.
 */

/**
 * Where tapped tokens are: usually the chunk being read, else one token joined from several
 * chunks. `text` holds the same bytes as a latin1 string (one char per byte): UTF-8 passes through
 * untouched, and slicing it costs no decoding. `bytes` may be reused once update returns (the
 * caller's chunk, see JsonTap.chunkEnd); a tap keeps `text` or copies.
 */
export interface TokenSource {
  readonly bytes: Uint8Array
  readonly text: string
}

/** A string token holds a byte of 0x80 or above (UTF-8 beyond ASCII, or bytes that are not). */
export const NON_ASCII = 1
/** A string token holds a `\u` escape (which may be half of a surrogate pair, or a lone one). */
export const UNICODE_ESCAPE = 2

/**
 * Receives the tokens of the values of chosen top-level keys, in document order. A token's JSON
 * text, as sent, is `source.text.slice(from, to)` (its bytes `source.bytes[from..to)`): strings
 * with their quotes and escapes, numbers exactly as written. `flags` tell what a string token
 * holds (NON_ASCII, UNICODE_ESCAPE; 0 for anything else), so a tap looks closer only at those. A
 * tap reads or slices only what it needs. A tap that throws ends the check; the error reaches the
 * caller of update.
 */
export interface JsonTap {
  /** A key of the top-level object, decoded; true to receive the tokens of its value. */
  select(key: string): boolean
  /** True: pass this container's JSON text, as sent, to its close (one container at a time). */
  open(isArray: boolean): boolean
  /** With the container's text when open asked for it (else source is undefined). */
  close(source: TokenSource | undefined, from: number, to: number): void
  key(source: TokenSource, from: number, to: number, flags: number): void
  /** A string, number or literal: the first character tells which. */
  value(source: TokenSource, from: number, to: number, flags: number): void
  /** The selected value is complete. */
  end(): void
  /**
   * The chunk given to update was read to its end: its bytes may be reused from now on, so a
   * token kept past this call is kept by its text (a joined token's source owns its bytes).
   */
  chunkEnd(): void
  /**
   * No more tokens of the selected value will come: one of them (or a container whose text the
   * tap asked for) is longer than the tap's memory may hold. The check itself goes on.
   */
  abandon(reason: string): void
}

/**
 * The string a string token means (its JSON text as latin1, quotes included). The grammar was
 * already checked, so JSON.parse cannot fail.
 */
export function decodeJsonString(json: string): string {
  const utf8 = Buffer.from(json, 'latin1').toString('utf8')
  // Stryker disable next-line StringLiteral: a checked token without a backslash parses to its text between the quotes; the slice only saves the parse
  return json.indexOf('\\') === -1 ? utf8.slice(1, -1) : (JSON.parse(utf8) as string)
}
