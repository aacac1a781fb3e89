import { errorMessage } from '../base/error-message.js'

/**
 * Text that comes from the server (error messages, status values) is untrusted: it may be huge,
 * carry terminal escapes, start a line with `::` and so inject a workflow command, or echo the
 * API key back, whole or in part. Every answer is masked by `withoutSecret` as soon as it is
 * parsed, so a later cut or stringification can never expose part of the key; what the client
 * lets out then passes through `cleanServerText` once, so later code can print it.
 */
const MAX_SERVER_TEXT = 300

// C0 controls (incl. ESC, CR, LF, TAB), DEL and C1 controls, plus bidi overrides.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g

/** Any run of this many characters of the key is masked, wherever it appears. */
export const SECRET_FRAGMENT_CHARS = 8

/** Deeper parts of an answer are replaced: no answer we read is legitimately nested this far. */
export const MAX_DEPTH = 32
export const TOO_DEEP = '(nested too deep)'
export const UNPRINTABLE = '(unprintable)'

const MASK = '***'

/**
 * The text as one line that cannot move the cursor, recolour a terminal or reorder what a
 * reader sees: each run of control characters or bidi overrides becomes one space.
 */
export function withoutControls(text: string): string {
  return text.replace(CONTROL, ' ')
}

/**
 * What anyone may see of an error: its message with the secret masked (whole and in fragments),
 * then cleaned and cut like any server text, since the message may quote the server.
 */
export function describeError(error: unknown, secret: string, max = MAX_SERVER_TEXT): string {
  return cleanServerText(withoutSecret(errorMessage(error), secret), max)
}

/** Any value as text, never throwing: a structure too deep (or a BigInt) to stringify is named. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === undefined) return ''
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return UNPRINTABLE
  }
}

export function cleanServerText(value: unknown, max = MAX_SERVER_TEXT): string {
  const text = asText(value)
  const flat = withoutControls(text)
    .replace(/:(?=:)/g, ': ')
    .trim()
  return flat.length > max ? `${flat.slice(0, cutPoint(flat, max))}…` : flat
}

/** Where to cut `text` near `max`: never inside a mask (`***`) or a surrogate pair. */
function cutPoint(text: string, max: number): number {
  let end = max
  while (end > 0 && text[end] === '*' && text[end - 1] === '*') end--
  const code = text.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end--
  return end
}

/**
 * A copy of a parsed JSON answer in which every string, object keys included, has the key and
 * every fragment of it of SECRET_FRAGMENT_CHARS or more masked. Parts nested deeper than
 * MAX_DEPTH are replaced by TOO_DEEP, so no later walk over the copy can exhaust the stack.
 */
export function withoutSecret<T>(value: T, secret: string): T {
  const mask = secretMasker(secret)
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return mask(v)
    if (!v || typeof v !== 'object') return v
    if (depth >= MAX_DEPTH) return TOO_DEEP
    if (Array.isArray(v)) return v.map(item => walk(item, depth + 1))
    return Object.fromEntries(
      Object.entries(v).map(([k, item]) => [mask(k), walk(item, depth + 1)])
    )
  }
  return walk(value, 0) as T
}

/** Masks the secret, and every run of SECRET_FRAGMENT_CHARS or more of its characters, in text. */
function secretMasker(secret: string): (text: string) => string {
  if (!secret) return text => text
  const fragments = new Set<string>()
  for (let i = 0; i + SECRET_FRAGMENT_CHARS <= secret.length; i++) {
    fragments.add(secret.slice(i, i + SECRET_FRAGMENT_CHARS))
  }
  return text => {
    const whole = text.split(secret).join(MASK)
    // Stryker disable next-line LogicalOperator: a shortcut; with no fragment or a text too short for one, the walk below finds nothing and returns the text as it is
    if (fragments.size === 0 || whole.length < SECRET_FRAGMENT_CHARS) return whole
    // Mark every character covered by a fragment, then replace each marked run once.
    const covered = new Uint8Array(whole.length)
    // Stryker disable next-line BooleanLiteral: a shortcut; with nothing covered, the copy below rebuilds the text unchanged
    let any = false
    for (const fragment of fragments) {
      for (let at = whole.indexOf(fragment); at >= 0; at = whole.indexOf(fragment, at + 1)) {
        covered.fill(1, at, at + SECRET_FRAGMENT_CHARS)
        any = true
      }
    }
    if (!any) return whole
    let out = ''
    for (let i = 0; i < whole.length; i++) {
      if (!covered[i]) out += whole[i]
      else if (i === 0 || !covered[i - 1]) out += MASK
    }
    return out
  }
}
