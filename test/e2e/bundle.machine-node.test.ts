import { machineNode } from '../helpers/run-bundle.js'
import { bundleScenarios, hostileClariScenarios } from './bundle.scenarios.js'

const runtime = await machineNode()
bundleScenarios(runtime)
hostileClariScenarios(runtime)
