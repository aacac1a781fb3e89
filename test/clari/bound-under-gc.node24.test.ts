import { node24 } from '../helpers/run-bundle.js'
import { boundUnderGcScenarios } from './bound-under-gc.scenarios.js'

boundUnderGcScenarios(await node24())
