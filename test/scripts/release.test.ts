import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { changelogSection, majorTagMove, parseReleaseTag } from '../../scripts/release.js'

describe('parseReleaseTag', () => {
  it.each([
    ['v1.0.0', { version: '1.0.0', major: 1, minor: 0, patch: 0 }],
    ['v0.1.0', { version: '0.1.0', major: 0, minor: 1, patch: 0 }],
    ['v12.34.56', { version: '12.34.56', major: 12, minor: 34, patch: 56 }]
  ])('reads %s', (tag, parts) => {
    expect(parseReleaseTag(tag)).toEqual({ tag, ...parts })
  })

  it.each(['1.0.0', 'v1', 'v1.0', 'v1.0.0-rc.1', 'v01.0.0', 'v1.0.0.0', 'release-1.0.0', ''])(
    'refuses %j',
    tag => {
      expect(() => parseReleaseTag(tag)).toThrow(/is not a release tag: expected vX\.Y\.Z/)
    }
  )
})

describe('changelogSection', () => {
  const changelog = [
    '# Changelog',
    '',
    '## [Unreleased]',
    '',
    '- coming',
    '',
    '## [1.1.0] - 2027-02-01',
    '',
    '### Added',
    '',
    '- an input',
    '',
    '## [1.0.1] - 2027-01-20',
    '',
    '## [1.0.0] - 2027-01-10',
    '',
    '- first',
    '',
    '[Unreleased]: https://example.invalid/compare/v1.1.0...HEAD',
    '[1.1.0]: https://example.invalid/releases/tag/v1.1.0',
    ''
  ].join('\n')

  it('is the body under the version heading, up to the next heading or the links', () => {
    expect(changelogSection(changelog, '1.1.0')).toBe('### Added\n\n- an input')
    expect(changelogSection(changelog, '1.0.0')).toBe('- first')
  })

  it('refuses an empty section', () => {
    expect(() => changelogSection(changelog, '1.0.1')).toThrow('section for 1.0.1 is empty')
  })

  it.each(['1.2.0', '1.1', '1.1.0.0', '1x1x0'])('has no section for %s', version => {
    expect(() => changelogSection(changelog, version)).toThrow(
      `CHANGELOG.md has no section "## [${version}] - YYYY-MM-DD"`
    )
  })

  it('finds the section of the version package.json states', async () => {
    const [pkg, real] = await Promise.all([
      readFile(new URL('../../package.json', import.meta.url), 'utf8'),
      readFile(new URL('../../CHANGELOG.md', import.meta.url), 'utf8')
    ])
    const { version } = JSON.parse(pkg) as { version: string }
    expect(changelogSection(real, version)).not.toBe('')
  })
})

describe('majorTagMove', () => {
  const tags = ['v1', 'v1.0.0', 'v1.1.0', 'v1.1.1', 'v2.0.0', 'v0.1.0', 'v1.2.0-rc.1', 'nightly']

  it.each([
    ['v1.2.0', { tag: 'v1' }],
    ['v1.1.2', { tag: 'v1' }],
    ['v2.0.1', { tag: 'v2' }],
    ['v3.0.0', { tag: 'v3' }],
    ['v1.0.1', { skip: 'v1 stays on v1.1.1, a later release' }],
    ['v0.2.0', { skip: 'no major tag for 0.x: it promises no compatibility' }]
  ])('for %s: %j', (tag, expected) => {
    expect(majorTagMove(parseReleaseTag(tag), tags)).toEqual(expected)
  })

  it('moves the major tag again when re-running the latest release', () => {
    expect(majorTagMove(parseReleaseTag('v1.1.1'), tags)).toEqual({ tag: 'v1' })
  })
})
