import { sha256 } from './hash.js'

/** Small seeded PRNG (mulberry32): the same seed gives the same fault sequence on every run. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Deterministic hex string of `length` digits derived from its parts (ids that look random). */
export function stableHex(length: number, ...parts: (string | number)[]): string {
  return sha256(parts.join(':')).slice(0, length)
}
