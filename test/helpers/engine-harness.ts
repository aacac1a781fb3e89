import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { ExportConfig } from '../../src/engine/config.js'
import type { ExportEvent } from '../../src/engine/events.js'
import type { ResumeSource } from '../../src/engine/reruns/earlier-run.js'
import type { Resumed } from '../../src/engine/reruns/resume-earlier.js'
import { runExport, type EngineDeps, type RunReport } from '../../src/engine/run/run-export.js'
import { VirtualClock } from '../../src/base/virtual-clock.js'
import { mulberry32 } from '../simulators/clari/prng.js'
import { shippedConfig } from './shipped-config.js'
import { TEST_API_KEY } from './test-api-key.js'
import {
  startClariSimulator,
  type ClariSimulator,
  type ClariSimulatorOptions
} from '../simulators/clari/index.js'

export { TEST_API_KEY }

export interface Harness {
  sim: ClariSimulator
  clock: VirtualClock
  dir: string
  config(overrides?: Partial<ExportConfig>): ExportConfig
  run(
    config: ExportConfig,
    deps?: EngineDeps,
    earlier?: ResumeSource,
    fromLedger?: Resumed
  ): Promise<{ report: RunReport; events: ExportEvent[] }>
  close(): Promise<void>
}

/**
 * A Clari simulator and the real engine sharing one virtual clock: jobs of half an hour run in
 * milliseconds, with every wait the production code makes.
 */
export async function startHarness(options: ClariSimulatorOptions = {}): Promise<Harness> {
  const clock = new VirtualClock()
  const sim = await startClariSimulator({ apiKey: TEST_API_KEY, clock, ...options })
  const dir = await mkdtemp(path.join(os.tmpdir(), 'clari-engine-'))
  return {
    sim,
    clock,
    dir,
    config: overrides => {
      // What users get: every default comes from the inputs table, as in the action.
      const shipped = shippedConfig({
        'api-url': sim.url,
        'api-key': TEST_API_KEY,
        'forecast-id': 'net_arr',
        periods: '2026_Q1',
        'output-dir': dir
      })
      // Real time bounds each request; the virtual clock makes the rest instant.
      return { ...shipped, clari: { ...shipped.clari, requestTimeoutMs: 2_000 }, ...overrides }
    },
    async run(config, deps = {}, earlier, fromLedger) {
      const events: ExportEvent[] = []
      const report = await runExport(
        config,
        { clock, random: mulberry32(7), onEvent: e => events.push(e), ...deps },
        earlier,
        fromLedger
      )
      return { report, events }
    },
    async close() {
      await sim.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
}
