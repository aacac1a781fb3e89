import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { gzipUnpooled } from '../../../src/engine/tables/parquet-column.js'

describe('gzipUnpooled: a Parquet page compressed', () => {
  it('holds no slice of Node’s shared buffer pool (its engine would keep a whole slab alive), and leaves the pool as it was', () => {
    const poolSize = Buffer.poolSize
    const page = Buffer.from('"280627:0058c0000000003AAQ"'.repeat(4000), 'latin1')
    const compressed = gzipUnpooled(page)
    expect(gunzipSync(compressed).equals(page)).toBe(true)
    // A pool slice's memory is the pool's slab (8 KiB): this page's is its own chunk.
    expect(compressed.buffer.byteLength).toBeLessThan(poolSize)
    expect(Buffer.poolSize).toBe(poolSize)
  })
})
