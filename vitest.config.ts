import { defineConfig } from 'vitest/config'

// Tests that run a bundle (dist/index.js, dist/cli) as users do: their global set-up makes sure
// the bundle is built from the current source (test/helpers/bundles.ts).
const BUNDLE_TESTS = ['test/e2e/**/*.test.ts', 'test/cli/cli.test.ts']

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Simulators bind random loopback ports; keep proxies out of the way.
    env: { NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: BUNDLE_TESTS }
      },
      {
        extends: true,
        test: {
          name: 'bundle',
          include: BUNDLE_TESTS,
          globalSetup: ['test/helpers/bundles.ts'],
          setupFiles: ['test/helpers/bundles-setup.ts']
        }
      }
    ]
  }
})
