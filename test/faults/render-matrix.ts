import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { tableCell, withDocSection } from '../../scripts/doc-section.js'
import { FAULT_MATRIX, MATRIX_PERIODS, TARGET, type FaultRow } from './matrix.js'

/**
 * Renders the fault matrix of docs/reliability.md from the matrix the tests run, so the two
 * cannot drift: `npx tsx test/faults/render-matrix.ts --write` rewrites the section.
 */
export const RELIABILITY_PAGE = fileURLToPath(new URL('../../docs/reliability.md', import.meta.url))
export const REGENERATE = 'npx tsx test/faults/render-matrix.ts --write'

export function renderMatrix(rows: readonly FaultRow[] = FAULT_MATRIX): string {
  const outcomes = new Set(rows.map(r => r.outcome)).size
  const lines = [
    '## The fault matrix',
    '',
    `Every row below is a test (\`test/faults/fault-matrix.test.ts\`) that runs the real engine ` +
      `against the Clari simulator over real loopback sockets, with ${MATRIX_PERIODS.length} ` +
      `periods and the fault aimed at \`${TARGET}\` (${rows.length} faults, ${outcomes} distinct ` +
      "outcomes). A row's name is its test's name: `npx vitest run test/faults -t <row>` runs " +
      'it alone. In every row the test also checks that:',
    '',
    '- each finished period is kept: its file and the manifest carry the sha256 of what Clari served;',
    '- no period got a second export job, and no half-written file is left;',
    '- no 8 characters of the API key appear in any event, error, manifest or file, and no ' +
      'error text holds a terminal escape or a line starting with `::`;',
    '- the run stays within the stated virtual time and takes under 8 s of real time.',
    '',
    '| Row | Request | Fault | Outcome | Bound |',
    '|---|---|---|---|---|',
    ...rows.map(
      r =>
        `| \`${r.id}\` | ${r.on} | ${tableCell(r.fault)} | ${tableCell(r.outcome)} | ${r.boundMinutes} min |`
    ),
    '',
    'Also tested: cancellation (`test/faults/cancellation.test.ts`: the job in flight is ' +
      'cancelled with `PATCH`, finished periods kept, the rest marked not started), a dead API ' +
      '(`test/faults/retry-budget.test.ts`: 503 everywhere, refused or hung connections end ' +
      'every period within a handful of requests), unsafe names (`test/faults/untrusted-names.test.ts`) ' +
      'and a 40-period soak at a 10 % fault rate (`test/faults/soak.test.ts`).',
    '',
    `<!-- generated from test/faults/matrix.ts: ${REGENERATE} -->`
  ]
  return lines.join('\n')
}

/** docs/reliability.md's text with its fault matrix replaced by `body`. */
export function withMatrix(page: string, body: string): string {
  return withDocSection(page, 'reliability', body, RELIABILITY_PAGE)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const page = await readFile(RELIABILITY_PAGE, 'utf8')
  const next = withMatrix(page, renderMatrix())
  if (process.argv.includes('--write')) await writeFile(RELIABILITY_PAGE, next)
  else process.stdout.write(renderMatrix() + '\n')
}
