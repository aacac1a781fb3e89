import type { SimJob } from './types.js'

/**
 * The most of these jobs that ran at Clari at once, each from its creation to its planned end
 * (a cancelled job counts until then too, which only over-counts).
 */
export function mostJobsAtOnce(jobs: readonly SimJob[]): number {
  const edges = jobs.flatMap(j => [
    { at: j.createdAt, delta: 1 },
    { at: j.createdAt + (j.plan.durationMs ?? 0), delta: -1 }
  ])
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta)
  let running = 0
  let most = 0
  for (const edge of edges) most = Math.max(most, (running += edge.delta))
  return most
}
