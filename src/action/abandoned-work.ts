/**
 * Work the action stopped waiting for (a cache call past its bound, which the toolkit cannot
 * abort): what it still uses is left in place; `src/index.ts` ends the process once `run()`
 * returns, so such work never holds the step open, nor a cancelled run past the runner's SIGTERM.
 */
const pending = new Set<Promise<unknown>>()

export function abandon(work: Promise<unknown>): void {
  pending.add(work)
  const done = (): void => void pending.delete(work)
  work.then(done, done)
}

export function abandonedWorkPending(): boolean {
  return pending.size > 0
}
