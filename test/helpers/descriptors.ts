import { readdir, readlink } from 'node:fs/promises'

/** How many of this process's descriptors are open on `file` (Linux: /proc/self/fd). */
export async function descriptorsOn(file: string): Promise<number> {
  const fds = await readdir('/proc/self/fd')
  const targets = await Promise.all(fds.map(fd => readlink(`/proc/self/fd/${fd}`).catch(() => '')))
  return targets.filter(target => target === file).length
}
