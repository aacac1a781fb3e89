import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { formatBytes } from '../../src/engine/units.js'
import { readZipDirectory, ZIP_METHOD_STORED } from '../../test/simulators/artifact/index.js'
import { textTable } from './summary-text.js'

/** The zip's entries as the artifact holds them: name, size, and what compression made of it. */
export function zipListing(zip: Buffer): string {
  const entries = readZipDirectory(zip).filter(e => !e.name.endsWith('/'))
  return textTable([
    ['File', 'Size', 'In the zip'],
    ...entries.map(e => [
      e.name,
      formatBytes(e.size),
      e.method === ZIP_METHOD_STORED
        ? 'stored'
        : `${formatBytes(e.compressedSize)} (${Math.round((100 * e.compressedSize) / Math.max(e.size, 1))}%)`
    ])
  ])
}

/** The files of a folder and its subfolders with their sizes; says so when it was never created. */
export async function folderListing(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(
    () => undefined
  )
  if (!entries) return '(not created)'
  const files = entries
    .filter(e => e.isFile())
    .map(e => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort()
  const rows = await Promise.all(
    files.map(async name => [name, formatBytes((await stat(path.join(dir, name))).size)])
  )
  return textTable([['File', 'Size'], ...rows])
}
