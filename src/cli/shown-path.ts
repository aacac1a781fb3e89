import path from 'node:path'

/** A path as a terminal shows it: relative to the current folder when below it, else absolute. */
export function shownPath(cwd: string, target: string): string {
  const relative = path.relative(cwd, target)
  if (relative === '') return '.'
  return relative.startsWith('..') || path.isAbsolute(relative) ? target : relative
}
