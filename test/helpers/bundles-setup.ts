import { inject } from 'vitest'
import { useActionBundle } from './run-bundle.js'

// Every bundle test runs the bundle the global set-up vouched for (see bundles.ts).
useActionBundle(inject('bundles').action)
