import { machineNode } from '../helpers/run-bundle.js'
import { rerunScenarios } from './rerun.scenarios.js'

rerunScenarios(await machineNode())
