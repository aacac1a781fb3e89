// C0/C1 controls (ESC starts terminal escapes, CR rewrites lines) and bidi overrides.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/** Text that may hold server-supplied parts, made safe to print on a terminal as one line. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, ' ')
}
