import { tableCell } from '../../scripts/doc-section.js'
import { FAULT_MATRIX, MATRIX_PERIODS, TARGET, type FaultRow } from './matrix.js'

/**
 * The fault matrix of docs/reliability.md, rendered from the rows the tests run so the two
 * cannot drift (written by `npm run generate`).
 */
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
    '<!-- generated from test/faults/matrix.ts by npm run generate -->'
  ]
  return lines.join('\n')
}
