/**
 * Streaming JSON syntax check (RFC 8259) for export payloads that are too large to hold in
 * memory. Bytes are fed in arbitrary chunks while they stream to disk; memory stays constant
 * (a fixed nesting stack plus one small capture buffer) whatever the payload size.
 *
 * Besides validity it extracts `timePeriods[0].timePeriodId` of the top-level object, because
 * Clari silently exports the current quarter when it does not understand a request, and the
 * caller must compare the exported period with the requested one.
 *
 * An optional JsonTap also receives every token of chosen top-level values (the tables feature
 * reads the payload's five lists this way), so one grammar serves both the check and the tables.
 *
 * Deliberate limits:
 * - UTF-8 inside strings is not validated (bytes >= 0x80 pass through); only the JSON grammar is.
 * - A leading UTF-8 byte order mark is accepted.
 * - Nesting deeper than MAX_DEPTH is reported as invalid instead of growing the stack.
 * - A key or a timePeriodId longer than CAPTURE_LIMIT raw bytes is never captured: such a key
 *   cannot be one of the two keys we look for, and such a value is reported as absent, never as a
 *   truncated (wrong) period.
 * - Duplicate keys follow JSON.parse: the last occurrence wins.
 * - When a tapped token, or a container whose text the tap asked for, would need more than
 *   MAX_TAPPED_TOKEN of its bytes held from earlier chunks, the tap is told to abandon that value
 *   and gets no more of its tokens; the check goes on. A tap's memory stays bounded too.
 */

import {
  decodeJsonString,
  NON_ASCII,
  UNICODE_ESCAPE,
  type JsonTap,
  type TokenSource
} from './json-tap.js'

export type JsonCheckResult =
  { valid: true; firstTimePeriodId?: string } | { valid: false; reason: string; offset: number }

export const MAX_DEPTH = 10_000
export const MAX_TAPPED_TOKEN = 16 * 1024 * 1024
const CAPTURE_LIMIT = 4096

// Parser states. Plain numeric constants keep the hot switch a jump table.
const S_VALUE = 0 // a value must follow (top level, after ':' or after ',' in an array)
const S_VALUE_OR_CLOSE = 1 // right after '['
const S_KEY_OR_CLOSE = 2 // right after '{'
const S_KEY = 3 // after ',' in an object
const S_COLON = 4
const S_AFTER_VALUE = 5 // ',' or a closing bracket; at top level only whitespace
const S_STRING = 6
const S_ESCAPE = 7
const S_UNICODE = 8 // inside \uXXXX, `hexLeft` digits to go
const S_NUM_MINUS = 9
const S_NUM_ZERO = 10
const S_NUM_INT = 11
const S_NUM_DOT = 12
const S_NUM_FRAC = 13
const S_NUM_EXP_MARK = 14
const S_NUM_EXP_SIGN = 15
const S_NUM_EXP = 16
const S_LITERAL = 17
const S_BOM = 18 // inside the 3-byte UTF-8 byte order mark, `bomPos` bytes seen

// What the next value means for the extraction of timePeriods[0].timePeriodId.
const ROLE_NONE = 0
const ROLE_TIME_PERIODS = 1 // value of the top-level "timePeriods" key
const ROLE_FIRST_PERIOD = 2 // first element of that array
const ROLE_PERIOD_ID = 3 // value of "timePeriodId" directly inside that element

const OBJECT = 0
const ARRAY = 1

const QUOTE = 0x22
const BACKSLASH = 0x5c
const BOM = [0xef, 0xbb, 0xbf]
const LITERALS = [Buffer.from('true'), Buffer.from('false'), Buffer.from('null')]
const LITERAL_TEXT = ['true', 'false', 'null'] as const
const LITERAL_SOURCES = LITERAL_TEXT.map(joinedSource)
const TIME_PERIODS_KEY = 'timePeriods'
const TIME_PERIOD_ID_KEY = 'timePeriodId'

/**
 * 1 for bytes that end the fast scan of string contents: '"', '\', control characters, and bytes
 * of 0x80 and above (noted in the token's flags for a tap, then the scan goes on).
 */
const STRING_STOP = new Uint8Array(256)
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1
for (let c = 0x80; c < 0x100; c++) STRING_STOP[c] = 1
STRING_STOP[QUOTE] = 1
STRING_STOP[BACKSLASH] = 1

const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39
const isHexDigit = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66)

function describeByte(c: number): string {
  const hex = `0x${c.toString(16).padStart(2, '0')}`
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}' (${hex})` : hex
}

function joinedSource(text: string): TokenSource {
  return { bytes: Buffer.from(text, 'latin1'), text }
}

export class JsonStreamCheck {
  private state = S_VALUE
  private readonly stack = new Uint8Array(MAX_DEPTH)
  private depth = 0
  private consumed = 0 // bytes of earlier chunks, for absolute error offsets
  private error: { reason: string; offset: number } | undefined

  // Stryker disable next-line BooleanLiteral: set at every string's opening quote before it is read
  private stringIsKey = false
  private stringFlags = 0 // NON_ASCII | UNICODE_ESCAPE of the string being read
  private hexLeft = 0
  private literal = 0 // index into LITERALS
  private literalPos = 0
  private bomPos = 0

  private role = ROLE_NONE
  private insideFirstPeriod = false // the object timePeriods[0] is open (at depth 3)
  private capturing = false // the extraction wants the current string
  private tapping = false // inside a value the tap selected
  // The current token's text from earlier chunks, while it is captured or tapped.
  // Stryker disable next-line BooleanLiteral: nothing is held yet, so joining adds '' either way
  private held = false
  private heldText = ''
  private heldOverflow = false
  // The container whose text the tap asked for: its depth (0: none), start, and earlier chunks.
  private spanDepth = 0
  private spanFrom = 0
  private spanHeld = ''
  private timePeriodId: string | undefined

  constructor(private readonly tap?: JsonTap) {}

  update(chunk: Uint8Array): void {
    if (this.error !== undefined) return
    const n = chunk.length
    const stack = this.stack
    const view = new DataView(chunk.buffer, chunk.byteOffset, n)
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, n)
    const tap = this.tap
    // One latin1 string per chunk makes every tapped token a cheap slice of it.
    const source: TokenSource | undefined =
      tap === undefined ? undefined : { bytes: chunk, text: bytes.toString('latin1') }
    const text = source?.text
    // Hot fields live in locals for the duration of the loop and are written back at the end.
    let state = this.state
    let depth = this.depth
    let role = this.role
    let stringIsKey = this.stringIsKey
    let stringFlags = this.stringFlags
    let capturing = this.capturing
    let tapping = this.tapping
    let held = this.held
    let tokenFrom = 0 // start of the current string (its quote) or number within this chunk
    let i = 0

    loop: while (i < n) {
      let c = chunk[i]!
      switch (state) {
        case S_STRING: {
          // Every byte must be looked at to reject control characters, so Buffer.indexOf('"')
          // cannot skip ahead; instead test four bytes per step (SWAR) and finish byte by byte.
          if (STRING_STOP[c] === 0) {
            i++
            // Per byte lane: below 0x20, equal to '"' or '\' (xor makes it zero), or 0x80 and up.
            while (i + 4 <= n) {
              const w = view.getInt32(i, true)
              const x = w ^ 0x22222222
              const y = w ^ 0x5c5c5c5c
              if (
                (((w - 0x20202020) & ~w) | ((x - 0x01010101) & ~x) | ((y - 0x01010101) & ~y) | w) &
                0x80808080
              )
                break
              i += 4
            }
            if (i === n) break loop
            c = chunk[i]!
            while (STRING_STOP[c] === 0) {
              if (++i === n) break loop
              c = chunk[i]!
            }
          }
          if (c === QUOTE) {
            i++
            if (capturing || tapping) {
              // The token is in this chunk, or joined from earlier ones.
              let where = source
              let from = tokenFrom
              let to = i
              if (held || where === undefined) {
                const whole = this.tokenText(bytes, text, tokenFrom, i, held)
                held = false
                where = whole === undefined ? undefined : joinedSource(whole)
                from = 0
                to = whole === undefined ? 0 : whole.length
              }
              // A tapped token never overflows: holding it past the limit fails the check.
              if (tapping) {
                if (stringIsKey) tap!.key(where!, from, to, stringFlags)
                else tap!.value(where!, from, to, stringFlags)
              }
              if (capturing) {
                capturing = false
                role = this.endCapture(where?.text.slice(from, to), stringIsKey, depth)
                tapping = this.tapping
              }
            }
            if (!stringIsKey) {
              state = S_AFTER_VALUE
              if (tapping && depth === 1) tapping = this.endTap()
            } else if (i < n && chunk[i] === 0x3a) {
              // Shortcut for the common '"key":' with no whitespace.
              i++
              state = S_VALUE
            } else state = S_COLON
          } else if (c === BACKSLASH) {
            i++
            state = S_ESCAPE
          } else if (c >= 0x80) {
            i++
            stringFlags |= NON_ASCII
          } else {
            return this.fail(`control character ${describeByte(c)} inside a string`, i)
          }
          continue
        }

        case S_AFTER_VALUE: {
          if (c <= 0x20 && isWhitespace(c)) {
            i++
            continue
          }
          if (depth === 0) return this.unexpected(chunk, i, 'after the end of the JSON value')
          const container = stack[depth - 1]
          i++
          if (c === 0x2c) {
            state = container === OBJECT ? S_KEY : S_VALUE
          } else if (c === 0x7d && container === OBJECT) {
            // Only timePeriods[0] can be open while the flag is set, and it sits at depth 3.
            if (depth === 3) this.insideFirstPeriod = false
            depth--
            if (tapping) tapping = this.tapClose(depth, source!, i)
          } else if (c === 0x5d && container === ARRAY) {
            depth--
            if (tapping) tapping = this.tapClose(depth, source!, i)
          } else {
            const expected = container === OBJECT ? "',' or '}'" : "',' or ']'"
            return this.unexpected(chunk, i - 1, `where ${expected} was expected`)
          }
          continue
        }

        case S_COLON: {
          i++
          if (c === 0x3a) state = S_VALUE
          else if (!isWhitespace(c)) return this.unexpected(chunk, i - 1, "where ':' was expected")
          continue
        }

        case S_KEY_OR_CLOSE:
        case S_KEY: {
          i++
          if (c === QUOTE) {
            stringIsKey = true
            stringFlags = 0
            tokenFrom = i - 1
            if (depth === 1 || (depth === 3 && this.insideFirstPeriod)) capturing = true
            state = S_STRING
          } else if (c === 0x7d && state === S_KEY_OR_CLOSE) {
            if (depth === 3) this.insideFirstPeriod = false
            depth--
            state = S_AFTER_VALUE
            if (tapping) tapping = this.tapClose(depth, source!, i)
          } else if (!isWhitespace(c)) {
            const expected = state === S_KEY ? 'an object key' : "an object key or '}'"
            return this.unexpected(chunk, i - 1, `where ${expected} was expected`)
          }
          continue
        }

        case S_VALUE:
        case S_VALUE_OR_CLOSE: {
          i++
          if (c === QUOTE) {
            stringIsKey = false
            stringFlags = 0
            tokenFrom = i - 1
            if (role === ROLE_PERIOD_ID) capturing = true
            state = S_STRING
          } else if (c >= 0x30 && c <= 0x39) {
            tokenFrom = i - 1
            state = c === 0x30 ? S_NUM_ZERO : S_NUM_INT
          } else if (c === 0x7b || c === 0x5b) {
            if (depth === MAX_DEPTH)
              return this.fail(`nesting deeper than ${MAX_DEPTH} levels`, i - 1)
            if (tapping && tap!.open(c === 0x5b) && this.spanDepth === 0) {
              this.spanDepth = depth + 1
              this.spanFrom = i - 1
            }
            if (c === 0x7b) {
              stack[depth++] = OBJECT
              if (role === ROLE_FIRST_PERIOD) this.insideFirstPeriod = true
              state = S_KEY_OR_CLOSE
            } else {
              stack[depth++] = ARRAY
              state = S_VALUE_OR_CLOSE
              if (role === ROLE_TIME_PERIODS) {
                role = ROLE_FIRST_PERIOD
                continue
              }
            }
          } else if (c === 0x2d) {
            tokenFrom = i - 1
            state = S_NUM_MINUS
          } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
            this.literal = c === 0x74 ? 0 : c === 0x66 ? 1 : 2
            this.literalPos = 1
            state = S_LITERAL
          } else if (c === 0x5d && state === S_VALUE_OR_CLOSE) {
            depth--
            state = S_AFTER_VALUE
            if (tapping) tapping = this.tapClose(depth, source!, i)
          } else if (isWhitespace(c)) {
            continue // the pending role still applies to the value that follows
          } else if (c === BOM[0] && this.consumed + i === 1) {
            this.bomPos = 1
            state = S_BOM
            continue
          } else {
            return this.unexpected(chunk, i - 1, 'where a value was expected')
          }
          role = ROLE_NONE
          continue
        }

        case S_ESCAPE: {
          if (c === 0x75) {
            this.hexLeft = 4
            stringFlags |= UNICODE_ESCAPE
            state = S_UNICODE
          } else if (
            c === QUOTE ||
            c === BACKSLASH ||
            c === 0x2f ||
            c === 0x62 ||
            c === 0x66 ||
            c === 0x6e ||
            c === 0x72 ||
            c === 0x74
          ) {
            state = S_STRING
          } else {
            return this.unexpected(chunk, i, 'after a backslash in a string')
          }
          i++
          continue
        }

        case S_UNICODE: {
          if (!isHexDigit(c)) return this.unexpected(chunk, i, 'inside a \\u escape')
          i++
          if (--this.hexLeft === 0) state = S_STRING
          continue
        }

        case S_NUM_MINUS:
        case S_NUM_DOT:
        case S_NUM_EXP_SIGN: {
          if (!isDigit(c)) return this.unexpected(chunk, i, 'where a digit was expected')
          i++
          state =
            state === S_NUM_EXP_SIGN
              ? S_NUM_EXP
              : state === S_NUM_DOT
                ? S_NUM_FRAC
                : c === 0x30
                  ? S_NUM_ZERO
                  : S_NUM_INT
          continue
        }

        case S_NUM_EXP_MARK: {
          if (c === 0x2b || c === 0x2d) state = S_NUM_EXP_SIGN
          else if (isDigit(c)) state = S_NUM_EXP
          else return this.unexpected(chunk, i, 'in a number exponent')
          i++
          continue
        }

        case S_NUM_ZERO:
        case S_NUM_INT:
        case S_NUM_FRAC:
        case S_NUM_EXP: {
          if (state !== S_NUM_ZERO) {
            while (isDigit(c)) {
              if (++i === n) break loop
              c = chunk[i]!
            }
          } else if (isDigit(c)) {
            return this.fail('number with a leading zero', i)
          }
          if (c === 0x2e && (state === S_NUM_ZERO || state === S_NUM_INT)) {
            i++
            state = S_NUM_DOT
          } else if ((c | 0x20) === 0x65 && state !== S_NUM_EXP) {
            i++
            state = S_NUM_EXP_MARK
          } else {
            // The number ended; the current byte is judged as whatever follows a value.
            state = S_AFTER_VALUE
            if (tapping) {
              if (held) {
                const whole = this.tokenText(bytes, text, tokenFrom, i, true)!
                held = false
                tap!.value(joinedSource(whole), 0, whole.length, 0)
              } else tap!.value(source!, tokenFrom, i, 0)
              if (depth === 1) tapping = this.endTap()
            }
          }
          continue
        }

        case S_LITERAL: {
          const literal = LITERALS[this.literal]!
          if (c !== literal[this.literalPos]) {
            return this.unexpected(chunk, i, `inside the literal '${LITERAL_TEXT[this.literal]}'`)
          }
          i++
          if (++this.literalPos === literal.length) {
            state = S_AFTER_VALUE
            if (tapping) {
              const literalSource = LITERAL_SOURCES[this.literal]!
              tap!.value(literalSource, 0, literalSource.text.length, 0)
              if (depth === 1) tapping = this.endTap()
            }
          }
          continue
        }

        case S_BOM: {
          if (c !== BOM[this.bomPos]) {
            return this.unexpected(chunk, i, 'inside the UTF-8 byte order mark')
          }
          i++
          if (++this.bomPos === BOM.length) state = S_VALUE
          continue
        }
      }
    }

    // A string or number still open at the end of the chunk continues in the next one.
    if ((capturing || tapping) && state >= S_STRING && state <= S_NUM_EXP) {
      const part = this.slice(bytes, text, tokenFrom, n)
      if (tapping && this.heldText.length + part.length > MAX_TAPPED_TOKEN) {
        tapping = this.abandonTap(capturing)
      }
      held = capturing || tapping
      if (held) this.hold(part, tapping)
    }
    if (this.spanDepth > 0) {
      this.spanHeld += this.slice(bytes, text, this.spanFrom, n)
      this.spanFrom = 0
      if (this.spanHeld.length > MAX_TAPPED_TOKEN) {
        tapping = this.abandonTap(capturing)
        if (!capturing) held = false
      }
    }
    tap?.chunkEnd()
    this.state = state
    this.depth = depth
    this.role = role
    this.stringIsKey = stringIsKey
    this.stringFlags = stringFlags
    this.capturing = capturing
    this.tapping = tapping
    this.held = held
    this.consumed += n
  }

  private fail(reason: string, i: number): void {
    this.error = { reason, offset: this.consumed + i }
  }

  private unexpected(chunk: Uint8Array, i: number, where: string): void {
    this.fail(`unexpected ${describeByte(chunk[i]!)} ${where}`, i)
  }

  finish(): JsonCheckResult {
    if (this.error !== undefined) return { valid: false, ...this.error }
    const state = this.state
    const complete =
      this.depth === 0 &&
      (state === S_AFTER_VALUE ||
        state === S_NUM_ZERO ||
        state === S_NUM_INT ||
        state === S_NUM_FRAC ||
        state === S_NUM_EXP)
    if (complete) {
      return this.timePeriodId === undefined
        ? { valid: true }
        : { valid: true, firstTimePeriodId: this.timePeriodId }
    }
    return { valid: false, reason: this.endOfInputReason(), offset: this.consumed }
  }

  private endOfInputReason(): string {
    const state = this.state
    if (state === S_STRING || state === S_ESCAPE || state === S_UNICODE) {
      return 'unterminated string at end of input'
    }
    if (
      state === S_NUM_MINUS ||
      state === S_NUM_DOT ||
      state === S_NUM_EXP_MARK ||
      state === S_NUM_EXP_SIGN
    ) {
      return 'incomplete number at end of input'
    }
    if (state === S_LITERAL)
      return `incomplete literal '${LITERAL_TEXT[this.literal]}' at end of input`
    if (this.depth > 0) {
      const kind = this.stack[this.depth - 1] === OBJECT ? 'object' : 'array'
      return `unterminated ${kind} at end of input`
    }
    return 'no JSON value in input'
  }

  /**
   * Keeps the start of a captured token that continues in the next chunk (tapped too, the tap's
   * larger limit applies: a value it reads must reach it whole).
   */
  private hold(part: string, tapping: boolean): void {
    if (this.heldOverflow) return
    // The limit counts the opening quote too.
    if (!tapping && this.heldText.length + part.length > CAPTURE_LIMIT + 1) {
      // Too long to be what the extraction looks for: drop it (see CAPTURE_LIMIT).
      this.heldOverflow = true
      // Stryker disable next-line StringLiteral: once overflowed nothing is appended, and tokenText drops it
      this.heldText = ''
      return
    }
    this.heldText += part
  }

  /** The tap gets no more of the value it selected: it would hold too much. Returns false. */
  private abandonTap(capturing: boolean): false {
    // Stryker disable next-line BooleanLiteral: update writes its local tapping (this call's false) back at the end
    this.tapping = false
    this.spanDepth = 0
    this.spanHeld = ''
    // What is held for the tap alone goes; a capture of that length would have overflowed.
    if (capturing) this.heldOverflow = true
    this.heldText = ''
    this.tap!.abandon(`a value longer than ${MAX_TAPPED_TOKEN} bytes`)
    return false
  }

  /** The current token's text; undefined when it overflowed while held. */
  private tokenText(
    bytes: Buffer,
    text: string | undefined,
    from: number,
    to: number,
    held: boolean
  ): string | undefined {
    const part = this.slice(bytes, text, from, to)
    if (!held) return part
    const whole = this.heldOverflow ? undefined : this.heldText + part
    this.heldText = ''
    this.heldOverflow = false
    return whole
  }

  private slice(bytes: Buffer, text: string | undefined, from: number, to: number): string {
    return text !== undefined ? text.slice(from, to) : bytes.toString('latin1', from, to)
  }

  /**
   * A container closed inside the tapped value, its closing bracket just before `i`; false when
   * that completed the value.
   */
  private tapClose(depth: number, source: TokenSource, i: number): boolean {
    if (this.spanDepth !== depth + 1) this.tap!.close(undefined, 0, 0)
    else if (this.spanHeld === '') {
      this.spanDepth = 0
      this.tap!.close(source, this.spanFrom, i)
    } else {
      const json = this.spanHeld + source.text.slice(0, i)
      this.spanHeld = ''
      this.spanDepth = 0
      this.tap!.close(joinedSource(json), 0, json.length)
    }
    return depth === 1 ? this.endTap() : true
  }

  private endTap(): false {
    this.tapping = false
    this.tap!.end()
    return false
  }

  /**
   * A captured string closed: either the timePeriodId value itself, or a key that may give the
   * next value a role (or start the tap). Returns that role.
   */
  private endCapture(raw: string | undefined, isKey: boolean, depth: number): number {
    // Quotes aside, as the limit is documented.
    const text =
      raw !== undefined && raw.length - 2 <= CAPTURE_LIMIT ? decodeJsonString(raw) : undefined
    if (!isKey) {
      this.timePeriodId = text
      return ROLE_NONE
    }
    if (text === undefined) return ROLE_NONE
    // A repeated key replaces the earlier value, as in JSON.parse; hence the resets.
    if (depth === 1) {
      if (this.tap?.select(text)) this.tapping = true
      if (text !== TIME_PERIODS_KEY) return ROLE_NONE
      this.timePeriodId = undefined
      return ROLE_TIME_PERIODS
    }
    if (depth === 3 && text === TIME_PERIOD_ID_KEY) {
      this.timePeriodId = undefined
      return ROLE_PERIOD_ID
    }
    return ROLE_NONE
  }
}
