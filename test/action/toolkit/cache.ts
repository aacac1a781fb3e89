import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type * as Cache from '@actions/cache'
import { currentRun } from './state.js'

/** The calls of `@actions/cache` the action makes; any other is not there to call. */
export type CacheFake = Pick<typeof Cache, 'isFeatureAvailable' | 'restoreCache' | 'saveCache'>

/** One entry a step saved: its key and the bytes of the one file the action caches. */
export interface CacheEntry {
  key: string
  data: Buffer
}

/**
 * How the cache answers a step: `entries` is the repository's cache (shared between the steps of
 * a test that passes the same array, newest last); `available: false` is a runner without the
 * service; `refuse` answers every call as the toolkit does when the service refuses (a warning
 * line, then -1 or a miss). Left out: a cache that takes every save without reading the file
 * (steps run at once in one process share the working folder the file is in) and has nothing.
 */
export interface CacheAnswers {
  entries?: CacheEntry[]
  available?: boolean
  refuse?: string
}

/**
 * `@actions/cache` for one file per entry, with GitHub's rules for keys: a key is immutable, a
 * restore takes the exact primary key, else the newest entry that starts with a restore key, in
 * the order given. The real client against the fake cache service is the process tests' part.
 */
export function fakeCache(): CacheFake {
  const answers = (): CacheAnswers => currentRun().cache
  const entries = (): CacheEntry[] | undefined => answers().entries
  return {
    isFeatureAvailable: () => answers().available !== false,
    async saveCache(paths, key) {
      currentRun().cacheCalls.push({ call: 'save', key })
      if (answers().refuse) {
        process.stdout.write(`::warning::Failed to save: ${answers().refuse}\n`)
        return -1
      }
      const kept = entries()
      if (!kept) return 1
      if (kept.some(e => e.key === key)) return -1
      kept.push({ key, data: await readFile(paths[0]!) })
      return kept.length
    },
    async restoreCache(paths, primaryKey, restoreKeys = []) {
      currentRun().cacheCalls.push({ call: 'restore', key: primaryKey, restoreKeys })
      if (answers().refuse) {
        process.stdout.write(`::warning::Failed to restore: ${answers().refuse}\n`)
        return undefined
      }
      const newest = [...(entries() ?? [])].reverse()
      const hit =
        newest.find(e => e.key === primaryKey) ??
        restoreKeys.map(prefix => newest.find(e => e.key.startsWith(prefix))).find(Boolean)
      if (!hit) return undefined
      await mkdir(path.dirname(paths[0]!), { recursive: true })
      await writeFile(paths[0]!, hit.data)
      return hit.key
    }
  }
}
