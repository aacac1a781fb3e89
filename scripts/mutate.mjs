/**
 * `npm run mutate`: Stryker (stryker.config.mjs) room by room, each with its own incremental
 * file and report in reports/mutation/<room>/, at low priority. Not part of CI.
 *
 *   npm run mutate -- retry              one room
 *   npm run mutate -- retry clari        several, one after another
 *   npm run mutate                       every room, one after another
 *   npm run mutate -- retry --force      options after the rooms go to Stryker (--force: no reuse)
 */
import { spawn } from 'node:child_process'
import { ROOMS } from '../stryker.config.mjs'

const args = process.argv.slice(2)
const options = args.filter(arg => arg.startsWith('-'))
const named = args.filter(arg => !arg.startsWith('-'))
const rooms = named.length > 0 ? named : Object.keys(ROOMS)
const unknown = rooms.filter(room => !(room in ROOMS))
if (unknown.length > 0) {
  console.error(`No room ${unknown.join(', ')}: the rooms are ${Object.keys(ROOMS).join(', ')}`)
  process.exit(2)
}

/** Stryker for one room; resolves with its exit code. */
function mutate(room) {
  const child = spawn(
    'nice',
    ['-n', '10', 'node_modules/.bin/stryker', 'run', 'stryker.config.mjs', ...options],
    { stdio: 'inherit', env: { ...process.env, MUTATE_ROOM: room } }
  )
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', code => resolve(code ?? 1))
  })
}

let failed = 0
for (const room of rooms) {
  console.log(`\n== ${room} ==`)
  if ((await mutate(room)) !== 0) failed++
}
process.exitCode = failed > 0 ? 1 : 0
