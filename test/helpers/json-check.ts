import type { JsonTap } from '../../src/engine/checks/json-tap.js'
import { JsonStreamCheck, type JsonCheckResult } from '../../src/engine/checks/json-tokenizer.js'

/** The JSON check's verdict on `chunks` fed in order, `tap` (if any) reading its tokens. */
export function checkChunks(chunks: readonly Uint8Array[], tap?: JsonTap): JsonCheckResult {
  const check = new JsonStreamCheck(tap)
  for (const chunk of chunks) check.update(chunk)
  return check.finish()
}
