/**
 * Publishes release vX.Y.Z of the action: what .github/workflows/release.yml runs when such a
 * tag is pushed, after the full checks (.ci/run).
 *
 * 1. checks: the tag is vX.Y.Z, package.json has version X.Y.Z, the working tree is clean,
 *    dist/ is what `npm run build` makes of the source, CHANGELOG.md has a section for X.Y.Z;
 * 2. creates the tag at HEAD if it does not exist yet (and pushes it);
 * 3. creates the GitHub release with that CHANGELOG section as its notes (`gh release create`);
 * 4. moves the major tag (v1 for 1.4.2) to the release, unless a later 1.x release exists.
 *    0.x versions promise no compatibility and get no major tag.
 *
 * Run: npx tsx scripts/release.ts vX.Y.Z [--dry-run]
 * --dry-run runs the checks and prints the notes and the tags it would create or move; it
 * pushes and publishes nothing. Outside GitHub Actions, give the tag; in the workflow,
 * GITHUB_REF_NAME is the default.
 */
import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { errorMessage } from '../src/base/error-message.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

export interface ReleaseVersion {
  tag: string
  version: string
  major: number
  minor: number
  patch: number
}

/** `v1.4.2` → its parts; anything else (pre-releases included) is not a release tag here. */
export function parseReleaseTag(tag: string): ReleaseVersion {
  const match = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(tag)
  if (!match) throw new Error(`${JSON.stringify(tag)} is not a release tag: expected vX.Y.Z`)
  const [major, minor, patch] = match.slice(1).map(Number) as [number, number, number]
  return { tag, version: `${major}.${minor}.${patch}`, major, minor, patch }
}

/**
 * The body of CHANGELOG.md's section `## [X.Y.Z] - date`, up to the next `## ` heading or the
 * link definitions at the end.
 */
export function changelogSection(changelog: string, version: string): string {
  const lines = changelog.split('\n')
  const heading = new RegExp(`^## \\[${version.replaceAll('.', '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`)
  const start = lines.findIndex(line => heading.test(line))
  if (start < 0) {
    throw new Error(
      `CHANGELOG.md has no section "## [${version}] - YYYY-MM-DD": move the Unreleased entries under it`
    )
  }
  const rest = lines.slice(start + 1)
  const end = rest.findIndex(line => line.startsWith('## ') || /^\[[^\]]+\]: /.test(line))
  const body = (end < 0 ? rest : rest.slice(0, end)).join('\n').trim()
  if (!body) throw new Error(`CHANGELOG.md's section for ${version} is empty`)
  return body
}

/**
 * The major tag to point at this release, or why not: 0.x has none, and a release older than
 * the latest of its major version (a fix to an earlier minor) must not move it back.
 */
export function majorTagMove(
  release: ReleaseVersion,
  existingTags: readonly string[]
): { tag: string } | { skip: string } {
  if (release.major === 0) return { skip: 'no major tag for 0.x: it promises no compatibility' }
  const later = existingTags
    .flatMap(tag => {
      try {
        return [parseReleaseTag(tag)]
      } catch {
        return []
      }
    })
    .filter(v => v.major === release.major && compare(v, release) > 0)
    .sort(compare)
    .pop()
  if (later) return { skip: `v${release.major} stays on ${later.tag}, a later release` }
  return { tag: `v${release.major}` }
}

function compare(a: ReleaseVersion, b: ReleaseVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim()
}

/** The commit a tag points at, or undefined when there is no such tag. */
function tagCommit(tag: string): string | undefined {
  try {
    return git('rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`)
  } catch {
    return undefined
  }
}

interface Check {
  what: string
  problem?: string
}

async function checks(release: ReleaseVersion, head: string): Promise<Check[]> {
  const pkg = JSON.parse(await readFile(`${ROOT}/package.json`, 'utf8')) as { version: string }
  const tagged = tagCommit(release.tag)
  const dirty = git('status', '--porcelain')
  const results: Check[] = [
    {
      what: `package.json's version is ${release.version}`,
      problem:
        pkg.version === release.version
          ? undefined
          : `it is ${pkg.version}: set it to ${release.version} in the release commit`
    },
    {
      what: `tag ${release.tag} is absent or at HEAD (${head.slice(0, 12)})`,
      problem:
        tagged === undefined || tagged === head
          ? undefined
          : `${release.tag} points at ${tagged.slice(0, 12)}: check out that commit to release it`
    },
    {
      what: 'the working tree is clean',
      problem: dirty ? `uncommitted changes:\n${dirty}` : undefined
    }
  ]
  if (!dirty) {
    // Rebuilt from the source, the bundle must be byte for byte what is committed.
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' })
    const stale = git('status', '--porcelain', '--', 'dist')
    results.push({
      what: 'dist/ is what `npm run build` makes of the source',
      problem: stale
        ? `a fresh build differs:\n${stale}\nrun 'npm run build' and commit dist/`
        : undefined
    })
  }
  return results
}

async function main(argv: string[]): Promise<number> {
  const dryRun = argv.includes('--dry-run')
  const tagArg = argv.find(arg => !arg.startsWith('--')) ?? process.env.GITHUB_REF_NAME
  if (!tagArg) {
    console.error('usage: npx tsx scripts/release.ts vX.Y.Z [--dry-run]')
    return 2
  }
  let release: ReleaseVersion
  try {
    release = parseReleaseTag(tagArg)
  } catch (error) {
    console.error(errorMessage(error))
    return 2
  }
  const head = git('rev-parse', 'HEAD')

  console.log(`Release ${release.tag}${dryRun ? ' (dry run: nothing is pushed or published)' : ''}`)
  const results = await checks(release, head)
  let notes: string | undefined
  try {
    notes = changelogSection(await readFile(`${ROOT}/CHANGELOG.md`, 'utf8'), release.version)
    results.push({ what: `CHANGELOG.md has a section for ${release.version}` })
  } catch (error) {
    results.push({ what: 'CHANGELOG.md section', problem: errorMessage(error) })
  }
  console.log('\nChecks:')
  for (const r of results) {
    console.log(`  ${r.problem ? '✗' : '✓'} ${r.what}${r.problem ? `: ${r.problem}` : ''}`)
  }

  const existing = tagCommit(release.tag)
  const move = majorTagMove(release, git('tag', '--list', 'v*').split('\n'))
  console.log('\nTags:')
  console.log(
    existing
      ? `  ${release.tag} exists at ${head} (kept)`
      : `  create ${release.tag} at ${head} and push it`
  )
  if ('tag' in move) {
    const from = tagCommit(move.tag)
    console.log(
      `  move ${move.tag} ${from ? `from ${from}` : '(new)'} to ${head} and force-push it`
    )
  } else {
    console.log(`  ${move.skip}`)
  }
  if (notes !== undefined) {
    console.log(`\nGitHub release ${release.tag}, notes:\n-----\n${notes}\n-----`)
  }

  if (results.some(r => r.problem)) {
    console.error(`\n${release.tag} cannot be released: fix the checks marked ✗`)
    return 1
  }
  if (dryRun) return 0

  if (!existing) {
    git('tag', release.tag, head)
    git('push', 'origin', `refs/tags/${release.tag}`)
  }
  execFileSync(
    'gh',
    ['release', 'create', release.tag, '--verify-tag', '--title', release.tag, '--notes-file', '-'],
    { cwd: ROOT, input: notes, stdio: ['pipe', 'inherit', 'inherit'] }
  )
  if ('tag' in move) {
    git('tag', '--force', move.tag, head)
    git('push', '--force', 'origin', `refs/tags/${move.tag}`)
  }
  console.log(`\nReleased ${release.tag}`)
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2))
}
