import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import * as core from '@actions/core'
import { errorMessage } from '../base/error-message.js'
import { cleanServerText } from '../engine/index.js'
import {
  MAX_LEDGER_BYTES,
  parseLedger,
  type Ledger,
  type LedgerReading,
  type LedgerWanted
} from '../engine/reruns/ledger.js'
import { abandon, abandonedWorkPending } from './abandoned-work.js'
import { withToolkitLogAsDebug } from './toolkit-log.js'

/**
 * How long a save or a lookup may take before the action goes on without it. `@actions/cache`
 * retries a refusing service for about 25 s and has no abort: a run must neither wait that long
 * for a convenience nor, when cancelled, lose the runner's 7.5 s between SIGINT and SIGTERM.
 */
export const CACHE_BOUNDS_MS = { restore: 10_000, save: 15_000, saveWhenCancelled: 4_000 }
// A test seam: the bundle tests shorten every bound (never lengthen one).
const BOUND_VARIABLE = 'CLARI_EXPORT_CACHE_BOUND_MS'

function bounded(ms: number): number {
  const shorter = Number(process.env[BOUND_VARIABLE])
  return Number.isSafeInteger(shorter) && shorter > 0 ? Math.min(shorter, ms) : ms
}

/**
 * The path the cache is given for the ledger's one file, relative to the working folder (the
 * workspace). The cache's `version` hashes the path strings it is given, so a lookup finds only
 * what was saved under the same string: a relative one is the same on every runner, where
 * RUNNER_TEMP's absolute path need not be, and the toolkit refuses `..` in it. The folder is the
 * action's own, and removed again after each call.
 */
const LEDGER_PATH = '.clari-export-ledger/ledger.json'

function ledgerFile(): { file: string; dir: string } {
  const file = path.resolve(LEDGER_PATH)
  return { file, dir: path.dirname(file) }
}

/** The Actions cache as the ledger's store, through the toolkit's own client. */
export interface LedgerCache {
  /** The newest ledger under the first of `keys` (prefixes) that has one, checked for `wanted`. */
  restore(keys: string[], wanted: LedgerWanted): Promise<LedgerReading | undefined>
  /** Saves `ledger` under `key`; true when the cache took it. */
  save(key: string, ledger: Ledger, cancelled: boolean): Promise<boolean>
}

/**
 * The Actions cache through `@actions/cache` (the cache service v2 on github.com, v1 on GitHub
 * Enterprise Server): every call bounded in time, never throwing, and the toolkit's own warnings
 * kept off the log. Where the service is missing or refuses, one warning says so for the run and
 * the action goes on without the ledger.
 */
export function actionsLedgerCache(): LedgerCache {
  let warned = false
  const warnOnce = (what: string, why: string): void => {
    if (warned) return
    warned = true
    core.warning(
      `The Actions cache ${what}: ${cleanServerText(why, 500).replace(/\.+$/, '')}. The ledger of Clari's jobs is not kept there for this run; a re-run that finds no earlier artifact exports every period again.`
    )
  }
  const call = async <T>(
    what: 'save' | 'restore',
    limitMs: number,
    work: (cache: typeof import('@actions/cache')) => Promise<T>
  ): Promise<T | undefined> => {
    // Loaded only when needed: it brings its own blob client.
    const cache = await import('@actions/cache')
    if (!cache.isFeatureAvailable()) {
      warnOnce(
        'is not available on this runner',
        'neither ACTIONS_CACHE_URL nor the results service is set'
      )
      return undefined
    }
    const problems: string[] = []
    const boundMs = bounded(limitMs)
    let timer: NodeJS.Timeout | undefined
    let started: Promise<T> | undefined
    const bound = new Promise<'timeout'>(resolve => {
      timer = setTimeout(() => resolve('timeout'), boundMs)
    })
    try {
      const result = await withToolkitLogAsDebug(
        () => Promise.race([(started = work(cache)), bound]),
        message => problems.push(message)
      )
      if (result === 'timeout') {
        abandon(started!)
        warnOnce(`did not answer a ${what}`, `gave up after ${boundMs / 1000} s`)
        return undefined
      }
      if (problems.length > 0) warnOnce(`refused a ${what}`, problems[0]!)
      return result
    } catch (error) {
      warnOnce(`refused a ${what}`, errorMessage(error))
      return undefined
    } finally {
      clearTimeout(timer)
    }
  }

  return {
    async restore(keys, wanted) {
      const { file, dir } = ledgerFile()
      // A file left by an earlier step must not pass for what the cache restored.
      const cleared = await rm(dir, { recursive: true, force: true }).then(
        () => true,
        () => false
      )
      if (!cleared) return undefined
      const matched = await call('restore', CACHE_BOUNDS_MS.restore, cache =>
        cache.restoreCache([LEDGER_PATH], keys[0]!, keys.slice(1))
      )
      if (!matched) return undefined
      try {
        // Bounded before it is read: the entry is anyone's who may write the repository's cache.
        if ((await stat(file)).size > MAX_LEDGER_BYTES)
          return { unusable: 'it is larger than 1 MiB' }
        return parseLedger(await readFile(file, 'utf8'), wanted)
      } catch (error) {
        return { unusable: `it could not be read (${errorMessage(error)})` }
      } finally {
        await rm(dir, { recursive: true, force: true }).catch(() => {})
      }
    },

    async save(key, ledger, cancelled) {
      const { file, dir } = ledgerFile()
      try {
        await mkdir(dir, { recursive: true })
        await writeFile(file, `${JSON.stringify(ledger)}\n`)
      } catch (error) {
        warnOnce('could not be given the ledger', errorMessage(error))
        return false
      }
      const limit = cancelled ? CACHE_BOUNDS_MS.saveWhenCancelled : CACHE_BOUNDS_MS.save
      const id = await call('save', limit, cache => cache.saveCache([LEDGER_PATH], key))
      // Left in place while an abandoned save may still be reading it (the process ends soon).
      if (!abandonedWorkPending()) await rm(dir, { recursive: true, force: true }).catch(() => {})
      // -1: the toolkit gave up and said why (a warning, taken above), or, for a key already
      // taken, only in its narration.
      if (id === -1) warnOnce('refused a save', `the key ${key} is taken or the service refused it`)
      return id !== undefined && id !== -1
    }
  }
}
