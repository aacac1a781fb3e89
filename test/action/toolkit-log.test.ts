import * as core from '@actions/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { withToolkitLogAsDebug } from '../../src/action/toolkit-log.js'

// What reaches stdout, as the runner would read it.
let written = ''
const original = process.stdout.write
beforeEach(() => {
  written = ''
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written += String(chunk)
    return true
  }) as typeof process.stdout.write
})
afterEach(() => {
  process.stdout.write = original
})

describe("the toolkit's narration goes to debug", () => {
  it('demotes plain lines, passes workflow commands, and ends with the call', async () => {
    const result = await withToolkitLogAsDebug(async () => {
      core.info('Artifact name is valid!')
      core.warning('the blob store is slow')
      core.setSecret('s3cr3t-value')
      // A line written in pieces is one line.
      process.stdout.write('Uploaded bytes ')
      await Promise.resolve()
      process.stdout.write('167894\nFinalizing')
      return 42
    })
    core.info('Uploaded artifact x (id 1) with 4 files')

    expect(result).toBe(42)
    expect(written.split('\n')).toEqual([
      '::debug::Artifact name is valid!',
      '::warning::the blob store is slow',
      '::add-mask::s3cr3t-value',
      '::debug::Uploaded bytes 167894',
      '::debug::Finalizing',
      'Uploaded artifact x (id 1) with 4 files',
      ''
    ])
  })

  it('gives stdout back when the call fails', async () => {
    const failing = withToolkitLogAsDebug(async () => {
      core.info('Beginning upload of artifact content to blob storage')
      throw new Error('blob store down')
    })
    await expect(failing).rejects.toThrow('blob store down')
    core.info('after')
    expect(written).toBe('::debug::Beginning upload of artifact content to blob storage\nafter\n')
  })

  it("passes what is written meanwhile outside the call's work as it is", async () => {
    let release!: () => void
    const held = new Promise<void>(resolve => (release = resolve))
    const call = withToolkitLogAsDebug(async () => {
      core.info('Artifact name is valid!')
      await held
    })
    // Another test's or task's line, while the call is still open (a leftover of one call must
    // not take over what others write).
    core.info('Exporting 2026_Q1')
    release()
    await call
    expect(written).toBe('::debug::Artifact name is valid!\nExporting 2026_Q1\n')
  })
})
