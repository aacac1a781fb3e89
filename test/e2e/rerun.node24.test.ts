import { node24 } from '../helpers/run-bundle.js'
import { rerunScenarios } from './rerun.scenarios.js'

rerunScenarios(await node24())
