/**
 * `npm run mutate`: Stryker (stryker.config.mjs) room by room, each with its own incremental
 * file and report in reports/mutation/<room>/, at low priority. Not part of CI.
 *
 *   npm run mutate -- retry              one room
 *   npm run mutate -- retry clari        several, one after another
 *   npm run mutate                       every room, one after another
 *   npm run mutate -- retry --force      options after the rooms go to Stryker (--force: no reuse)
 *   npm run mutate -- clari --concurrency 1   an option's value too
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { ROOMS, reportsOf } from '../stryker.config.mjs'

const args = process.argv.slice(2)
// Everything from the first option on goes to Stryker, values too (`--concurrency 1`).
const firstOption = args.findIndex(arg => arg.startsWith('-'))
const named = firstOption === -1 ? args : args.slice(0, firstOption)
const options = firstOption === -1 ? [] : args.slice(firstOption)
const rooms = named.length > 0 ? named : Object.keys(ROOMS)
const unknown = rooms.filter(room => !(room in ROOMS))
if (unknown.length > 0) {
  console.error(`No room ${unknown.join(', ')}: the rooms are ${Object.keys(ROOMS).join(', ')}`)
  process.exit(2)
}

/**
 * Drops the room's earlier survivors from its incremental file, so each is tested again. Stryker
 * reuses a survivor when no new test covers it, and a bug in module-level code (a pattern, a
 * table) has no per-test coverage: it stayed "survived" after a new test killed it (2026-12-07:
 * 10 of the settings room's 12). Survivors are few, so testing them again costs little.
 */
function retestSurvivors(room) {
  const file = `${reportsOf(room)}/incremental.json`
  if (!existsSync(file)) return
  const report = JSON.parse(readFileSync(file, 'utf8'))
  for (const result of Object.values(report.files)) {
    result.mutants = result.mutants.filter(
      mutant => mutant.status !== 'Survived' && mutant.status !== 'NoCoverage'
    )
  }
  writeFileSync(file, JSON.stringify(report))
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
  retestSurvivors(room)
  if ((await mutate(room)) !== 0) failed++
}
process.exitCode = failed > 0 ? 1 : 0
