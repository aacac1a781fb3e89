/**
 * A distinctive key, so a leak anywhere is easy to find. Its own module: the process tests need
 * the key alone, and engine-harness.ts would load the whole engine into each of their workers.
 */
export const TEST_API_KEY = 'ck_live_7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c2e'
