/**
 * Text that comes from the server (error messages, status values) is untrusted: it may be huge,
 * carry terminal escapes, or start a line with `::` and so inject a workflow command. Everything
 * the client lets out passes through here once, so later code can print it as it is.
 */
const MAX_SERVER_TEXT = 300

// C0 controls (incl. ESC, CR, LF, TAB), DEL and C1 controls, plus bidi overrides.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g

export function cleanServerText(value: unknown, max = MAX_SERVER_TEXT): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)
  const flat = text.replace(CONTROL, ' ').replace(/::/g, ': :').trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}
