import { expect } from 'vitest'
import type { JsonTap } from '../../src/engine/checks/json-tap.js'
import { JsonStreamCheck, type JsonCheckResult } from '../../src/engine/checks/json-tokenizer.js'

/** The JSON check's verdict on `chunks` fed in order, `tap` (if any) reading its tokens. */
export function checkChunks(chunks: readonly Uint8Array[], tap?: JsonTap): JsonCheckResult {
  const check = new JsonStreamCheck(tap)
  for (const chunk of chunks) check.update(chunk)
  return check.finish()
}

/** The verdict on `input` in one chunk, checked equal at every two-chunk split. */
export function checkEverySplit(input: Uint8Array): JsonCheckResult {
  const whole = checkChunks([input])
  for (let at = 0; at <= input.length; at++) {
    expect(
      checkChunks([input.subarray(0, at), input.subarray(at)]),
      `split at ${at}`
    ).toStrictEqual(whole)
  }
  return whole
}
