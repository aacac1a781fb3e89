/**
 * The known name a mistyped one most likely meant: the nearest by edit distance (at most 2, and
 * less than half the name), or the one it begins (`--forecast` → `--forecast-id`). Undefined when
 * nothing is close, or two are equally close.
 */
export function closestName(given: string, known: readonly string[]): string | undefined {
  const scored = known
    .map(name => ({
      name,
      distance: name.startsWith(given) && given.length >= 4 ? 1 : editDistance(given, name)
    }))
    .filter(s => s.distance <= Math.min(2, Math.floor((given.length - 1) / 2)))
    .sort((a, b) => a.distance - b.distance)
  const [best, next] = scored
  return best && best.distance !== next?.distance ? best.name : undefined
}

/** Levenshtein distance: the fewest insertions, deletions and substitutions from a to b. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution))
    }
    previous = current
  }
  return previous[b.length]!
}
