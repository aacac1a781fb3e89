import { randomBytes } from 'node:crypto'
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
