import { node24 } from '../helpers/run-bundle.js'
import { hostileServiceScenarios } from './rerun.scenarios.js'

hostileServiceScenarios(await node24())
