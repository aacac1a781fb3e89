import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import {
  childEnv,
  startArtifactStack,
  type ArtifactStack,
  type ArtifactStackOptions
} from '../simulators/artifact/index.js'

export interface StackInProcess {
  readonly stack: ArtifactStack
  /** A temp folder for the block's files, removed afterwards. */
  readonly workDir: string
}

/**
 * For a describe block that runs `@actions/artifact` in this process: starts an artifact stack
 * and a temp folder before it, points process.env at the stack (the client reads it at each
 * call), and undoes all three after it, whatever the tests did.
 */
export function useArtifactStack(name: string, options?: ArtifactStackOptions): StackInProcess {
  const savedEnv = { ...process.env }
  let stack: ArtifactStack | undefined
  let workDir: string | undefined
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), `${name}-`))
    stack = await startArtifactStack(options)
    replaceProcessEnv(childEnv(savedEnv, stack.env))
  })
  afterAll(async () => {
    replaceProcessEnv(savedEnv)
    try {
      await stack?.stop()
    } finally {
      if (workDir) await rm(workDir, { recursive: true, force: true })
    }
  })
  return {
    get stack() {
      if (!stack) throw new Error('the artifact stack did not start')
      return stack
    },
    get workDir() {
      if (!workDir) throw new Error('the temp folder was not made')
      return workDir
    }
  }
}

/** Makes process.env equal to `next` in place. */
export function replaceProcessEnv(next: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in next)) delete process.env[key]
  Object.assign(process.env, next)
}
