/**
 * Sizes, durations and counts in words: the engine's own messages and lines use them, and so do
 * the job summary and the terminal runner.
 */

/** "512 B", "2.0 KiB", "37 MiB". */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return ''
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

/** "45 s", "1 min 5 s", "2 h 3 min". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`
}

/** "1 period", "2 periods": a count and its word. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** "a, b, c" or, beyond `shown` items, the first `shown` and "…": a list a message names. */
export function firstOf(items: readonly string[], shown: number): string {
  return items.slice(0, shown).join(', ') + (items.length > shown ? ', …' : '')
}
