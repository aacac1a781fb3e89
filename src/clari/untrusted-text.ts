/**
 * Text that comes from the server (error messages, status values) is untrusted: it may be huge,
 * carry terminal escapes, start a line with `::` and so inject a workflow command, or echo the
 * API key back. Everything the client lets out passes through here once (after the key was
 * masked by `withoutSecret`, so a cut can never leave part of it), so later code can print it.
 */
const MAX_SERVER_TEXT = 300

// C0 controls (incl. ESC, CR, LF, TAB), DEL and C1 controls, plus bidi overrides.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g

/**
 * The text as one line that cannot move the cursor, recolour a terminal or reorder what a
 * reader sees: each run of control characters or bidi overrides becomes one space.
 */
export function withoutControls(text: string): string {
  return text.replace(CONTROL, ' ')
}

export function cleanServerText(value: unknown, max = MAX_SERVER_TEXT): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)
  const flat = withoutControls(text).replace(/::/g, ': :').trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

/** A copy of a parsed JSON answer with every occurrence of `secret` in its strings masked. */
export function withoutSecret<T>(value: T, secret: string): T {
  if (typeof value === 'string') return value.split(secret).join('***') as T
  if (Array.isArray(value)) return value.map(v => withoutSecret(v as unknown, secret)) as T
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, withoutSecret(v as unknown, secret)])
    return Object.fromEntries(entries) as T
  }
  return value
}
