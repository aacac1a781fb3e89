import { decodeJsonString } from '../checks/json-tap.js'

// Table text is kept as "binary" strings, one char per byte (latin1): the payload's UTF-8 goes to
// the table files untouched, never decoded and encoded again, and slicing it is cheap.

export const toBinary = (text: string): string => Buffer.from(text, 'utf8').toString('latin1')
const fromBinary = (binary: string): string => Buffer.from(binary, 'latin1').toString('utf8')

/** What a string token (its JSON text, quotes included) means, as binary text. */
export function decodeToBinary(json: string): string {
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
