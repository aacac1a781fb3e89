import { afterAll, afterEach, beforeAll } from 'vitest'
import {
  startArtifactStack,
  type ArtifactStack,
  type ArtifactStackOptions
} from '../simulators/artifact/index.js'
import {
  startClariSimulator,
  type ClariSimulator,
  type ClariSimulatorOptions
} from '../simulators/clari/index.js'
import { TEST_API_KEY } from './test-api-key.js'
import { disposeBundles } from './run-bundle.js'

/** What the bundle runs against: GitHub's artifact stack and, per test, Clari. */
export interface BundleStage {
  /** The describe block's artifact stack. */
  readonly stack: ArtifactStack
  /** The test's Clari simulator (startSim starts it). */
  readonly sim: ClariSimulator
  /** Starts this test's Clari simulator, which accepts TEST_API_KEY. */
  startSim(options?: ClariSimulatorOptions): Promise<ClariSimulator>
}

/**
 * For a describe block whose tests run the bundle: an artifact stack started before the block
 * and stopped after it, and after each test, also one that failed, every bundle it started
 * stopped and its Clari simulator closed.
 */
export function useBundleStage(stackOptions?: ArtifactStackOptions): BundleStage {
  let stack: ArtifactStack | undefined
  let sim: ClariSimulator | undefined
  beforeAll(async () => {
    stack = await startArtifactStack(stackOptions)
  })
  afterAll(async () => stack?.stop())
  afterEach(async () => {
    await disposeBundles()
    await sim?.close()
    sim = undefined
  })
  return {
    get stack() {
      if (!stack) throw new Error('the artifact stack did not start')
      return stack
    },
    get sim() {
      if (!sim) throw new Error('no Clari simulator: the test did not call startSim')
      return sim
    },
    async startSim(options = {}) {
      sim = await startClariSimulator({ apiKey: TEST_API_KEY, ...options })
      return sim
    }
  }
}
