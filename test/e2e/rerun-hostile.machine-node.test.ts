import { machineNode } from '../helpers/run-bundle.js'
import { hostileServiceScenarios } from './rerun.scenarios.js'

hostileServiceScenarios(await machineNode())
