import { isUtf8 } from 'node:buffer'
import { decodeJsonString } from '../checks/json-tap.js'

// Table text is kept as "binary" strings, one char per byte (latin1): the payload's UTF-8 goes to
// the table files untouched, never decoded and encoded again, and slicing it is cheap.

export const toBinary = (text: string): string => Buffer.from(text, 'utf8').toString('latin1')
export const fromBinary = (binary: string): string => Buffer.from(binary, 'latin1').toString('utf8')
/** Binary text given as its bytes, as a string. */
export const binaryOf = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1')

/**
 * Binary text copied into a string of its own. A slice of a string keeps the whole of it alive in
 * V8, so a value kept past its chunk (a key numbered for the whole payload) is copied first, or
 * every chunk that held a new key would stay in memory.
 */
export const ownCopy = (binary: string): string => Buffer.from(binary, 'latin1').toString('latin1')

/** What a string token (its JSON text, quotes included) means, as binary text. */
export function decodeToBinary(json: string): string {
  // Stryker disable next-line StringLiteral: decoding a sound token without a backslash gives back its bytes between the quotes; the slice only saves the decoding
  return json.indexOf('\\') === -1 ? json.slice(1, -1) : toBinary(decodeJsonString(json))
}

// eslint-disable-next-line no-control-regex
const JSON_ESCAPED = /["\\\u0000-\u001f]/
const CSV_QUOTED = /[",\r\n]/
const QUOTES = /"/g

/** A JSON string literal of binary text. */
export function jsonString(binary: string): string {
  return JSON_ESCAPED.test(binary) ? toBinary(JSON.stringify(fromBinary(binary))) : `"${binary}"`
}

/**
 * An RFC 4180 field of binary text: quoted when it holds a comma, a quote or a line break, and
 * when it is empty, so that an empty string stays distinct from a missing value (an empty field).
 */
export function csvField(binary: string): string {
  if (binary === '') return '""'
  return CSV_QUOTED.test(binary) ? `"${binary.replace(QUOTES, '""')}"` : binary
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * A string token (binary JSON text) whose bytes are not UTF-8, or that escapes half a surrogate
 * pair, written again with U+FFFD in each bad place, so that every loader reads the tables
 * (DuckDB refuses a whole file for one such string); undefined when the token is sound. Only
 * tokens the tokenizer flagged (bytes beyond ASCII, `\u` escapes) need asking.
 */
export function repairedString(json: string, bytes: Uint8Array, from: number): string | undefined {
  const sound = isUtf8(bytes.subarray(from, from + json.length))
  // Decoding puts U+FFFD where the bytes are not UTF-8.
  const text = decodeJsonString(json)
  LONE_SURROGATE.lastIndex = 0
  if (sound && !LONE_SURROGATE.test(text)) return undefined
  return toBinary(JSON.stringify(text.replace(LONE_SURROGATE, '\ufffd')))
}
