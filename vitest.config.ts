import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Simulators bind random loopback ports; keep proxies out of the way.
    env: { NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
    // @actions/workflow-parser imports JSON without `with { type: 'json' }`, which Node
    // refuses: let Vite transform it instead (as tsx does for scripts/validate-actions.ts).
    server: { deps: { inline: ['@actions/workflow-parser'] } }
  },
  // Vite warns about every file of that package whose source map names sources it does not ship.
  logLevel: 'error'
})
