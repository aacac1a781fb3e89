import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { errorMessages, parseWorkflowCommand } from '../../scripts/demo/workflow-commands.js'
import { useBundleStage } from '../helpers/bundle-stage.js'
import { TEST_API_KEY } from '../helpers/test-api-key.js'
import { nodeRuntimes, runBundle } from '../helpers/run-bundle.js'
import { GHES_SERVER_URL } from '../simulators/artifact/index.js'
import { expectKeyNowhere, readFolder } from './bundle-checks.js'

// What is checked is the action's decision before its first request: the machine's Node will do.
const [runtime] = await nodeRuntimes()
const PERIODS = ['2026_Q1', '2026_Q2']
const GHES_HOST = new URL(GHES_SERVER_URL).hostname

/**
 * GitHub Enterprise Server (issue 24), through the bundle: the runner's environment as the
 * artifact stack's `ghes` platform sets it (GITHUB_SERVER_URL an Enterprise Server host, the
 * cache service v1 at ACTIONS_CACHE_URL).
 */
describe('dist/index.js on GitHub Enterprise Server', () => {
  const stage = useBundleStage({ platform: 'ghes' })

  async function runOnGhes(inputs: Record<string, string>, attempt = 1) {
    const sim = await stage.startSim({ plan: () => ({ durationMs: 500 }) })
    const result = await runBundle({
      runtime: runtime!,
      inputs: {
        'api-key': TEST_API_KEY,
        'forecast-id': 'net_arr',
        periods: PERIODS.join(','),
        'api-url': sim.url,
        'poll-interval': '1',
        'max-poll-interval': '1',
        'github-token': stage.stack.githubToken,
        ...inputs
      },
      env: stage.stack.newRun().attempt(attempt).env
    })
    await expectKeyNowhere(result, TEST_API_KEY)
    return result
  }

  const commands = (stdout: string, name: string): string[] =>
    stdout
      .split(/\r?\n/)
      .map(parseWorkflowCommand)
      .filter(c => c?.name === name)
      .map(c => c!.message)

  it('with upload: true, fails at once naming GHES and the way out, with no request to Clari', async () => {
    const result = await runOnGhes({ upload: 'true' })

    expect(result.exitCode).not.toBe(0)
    expect(stage.sim.requests).toEqual([])
    expect(errorMessages(result.stdout)).toEqual([
      `This runner is on GitHub Enterprise Server (${GHES_HOST}), where the artifact service this action uploads through (@actions/artifact v2 and later) is not supported. Set upload: false and upload the output-dir output with actions/upload-artifact@v3, which GitHub Enterprise Server supports (see "GitHub Enterprise Server" in the README).`
    ])
    expect(await readFolder(result.workspace)).toEqual(new Map())
    console.info(`GHES, upload: true (exit ${result.exitCode}):\n${result.stdout}`)
  })

  it('with upload: false, exports every period and sets output-dir for actions/upload-artifact@v3', async () => {
    const result = await runOnGhes({ upload: 'false' })

    expect(result.exitCode).toBe(0)
    expect(stage.sim.jobs.map(j => j.period)).toEqual(PERIODS)
    expect(result.outputs.exported).toBe(JSON.stringify(PERIODS))
    expect(result.outputs['output-dir']).toBe(path.join(result.workspace, 'clari-export'))
    expect([...(await readFolder(result.outputs['output-dir']!)).keys()]).toEqual([
      'manifest.json',
      'net_arr_2026_Q1.json',
      'net_arr_2026_Q2.json'
    ])
    expect(commands(result.stdout, 'warning')).toEqual([])
    console.info(`GHES, upload: false (exit ${result.exitCode}):\n${result.stdout}`)
  })

  it('a dry run with upload: true says the same as a warning, and creates no job', async () => {
    const result = await runOnGhes({ upload: 'true', 'dry-run': 'true' })

    expect(result.exitCode).toBe(0)
    expect(commands(result.stdout, 'warning')).toEqual([
      expect.stringMatching(
        /^This runner is on GitHub Enterprise Server \(github\.acme-corp\.example\).*upload: false.*actions\/upload-artifact@v3/
      )
    ])
    expect(stage.sim.jobs).toEqual([])
    expect(stage.sim.requests.map(r => `${r.method} ${r.path}`)).toEqual(['GET /v4/admin/limits'])
  })

  it('a re-run with upload: false does not look for artifacts, does not fail for it, and exports', async () => {
    const result = await runOnGhes({ upload: 'false' }, 2)

    expect(result.exitCode).toBe(0)
    expect(commands(result.stdout, 'notice')).toContainEqual(
      `Not resuming from an earlier attempt: GitHub Enterprise Server (${GHES_HOST}) has no artifact service this action can read; exporting every period`
    )
    expect(stage.stack.rest.calls).toEqual([])
    expect(stage.stack.service.calls).toEqual([])
    expect(stage.sim.jobs.map(j => j.period)).toEqual(PERIODS)
  })
})
