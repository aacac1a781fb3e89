import { readFile } from 'node:fs/promises'

const README = new URL('../../README.md', import.meta.url)

/**
 * The SQL block that follows `<!-- sql:NAME -->` in README.md, so that tests and the demo run the
 * statements exactly as the README shows them.
 */
export async function readmeSql(name: string): Promise<string> {
  const readme = await readFile(README, 'utf8')
  const marker = `<!-- sql:${name} -->`
  const at = readme.indexOf(marker)
  const block = /```sql\n([\s\S]*?)```/.exec(readme.slice(at))
  if (at === -1 || !block) throw new Error(`README.md has no SQL block after ${marker}`)
  return block[1]!
}
