import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { BUNDLE_PATH } from '../../test/helpers/run-bundle.js'

/** Uses the committed dist/index.js; builds it only when it is missing (e.g. deleted locally). */
export async function ensureBundle(log: (line: string) => void): Promise<void> {
  if (existsSync(BUNDLE_PATH)) return
  log(`${path.relative(process.cwd(), BUNDLE_PATH)} is missing: running npm run build`)
  const child = spawn('npm', ['run', 'build'], {
    cwd: path.dirname(path.dirname(BUNDLE_PATH)),
    stdio: ['ignore', 'inherit', 'inherit']
  })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  if (code !== 0 || !existsSync(BUNDLE_PATH)) {
    throw new Error(`npm run build failed (exit ${code}); cannot run the action`)
  }
}
