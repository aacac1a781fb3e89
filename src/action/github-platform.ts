/**
 * The GitHub Enterprise Server's host name when the runner serves one, decided as the toolkit
 * decides it (`isGhes` in @actions/artifact and @actions/cache): a `GITHUB_SERVER_URL` host
 * other than github.com, a GHE.com data-residency host (`*.ghe.com`) or a local one
 * (`*.localhost`). Undefined off GHES; an unset or unreadable URL is github.com, as it is for the
 * toolkit.
 */
export function enterpriseHost(serverUrl: string | undefined): string | undefined {
  let host: string
  try {
    // The URL parser lowercases the host and refuses controls and spaces in it.
    host = new URL(serverUrl || 'https://github.com').hostname
  } catch {
    return undefined
  }
  if (host === 'github.com' || host.endsWith('.ghe.com') || host.endsWith('.localhost')) {
    return undefined
  }
  return host
}

/**
 * What `upload: true` meets on GitHub Enterprise Server: the artifact client (@actions/artifact 2
 * and later, which upload-artifact@v4 and later share) refuses every call there
 * (`GHESNotSupportedError`). Said before any request to Clari, so no export job is spent on a run
 * that could not keep its files.
 */
export function enterpriseUploadProblem(host: string): string {
  return (
    `This runner is on GitHub Enterprise Server (${host}), where the artifact service this action ` +
    'uploads through (@actions/artifact v2 and later) is not supported. Set upload: false and ' +
    'upload the output-dir output with actions/upload-artifact@v3, which GitHub Enterprise Server ' +
    'supports (see "GitHub Enterprise Server" in the README).'
  )
}
