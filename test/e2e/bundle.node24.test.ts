import { node24 } from '../helpers/run-bundle.js'
import { bundleScenarios } from './bundle.scenarios.js'

bundleScenarios(await node24())
