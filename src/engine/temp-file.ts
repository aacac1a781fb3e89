import { randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import path from 'node:path'

/**
 * A fresh, unguessable name beside `fileName` in `dir` for writing before the rename. Callers
 * open it exclusively ('wx'), so a file or symlink planted at that name is never written
 * through; the rename then replaces whatever is at the final name, a symlink included, without
 * following it.
 */
export function tempPathFor(dir: string, fileName: string): string {
  return path.join(dir, `.${fileName}.${randomBytes(6).toString('hex')}.partial`)
}

/** The temporary files tempPathFor named beside `fileName` in `dir` (none when it is missing). */
export async function tempFilesFor(dir: string, fileName: string): Promise<string[]> {
  // Stryker disable next-line ArrayDeclaration: the filter below drops any name without the prefix's leading '.'
  const names = await readdir(dir).catch(() => [])
  const prefix = `.${fileName}.`
  return names
    .filter(
      name => name.startsWith(prefix) && /^[0-9a-f]{12}\.partial$/.test(name.slice(prefix.length))
    )
    .map(name => path.join(dir, name))
}
