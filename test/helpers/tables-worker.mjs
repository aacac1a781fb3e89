// The tables worker from its sources, for tests on node without a bundle (tsx compiles it).
import { register } from 'tsx/esm/api'

register()
await import('../../src/engine/tables/tables-worker.ts')
