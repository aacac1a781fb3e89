import { node24 } from '../helpers/run-bundle.js'
import { artifactScenarios } from './artifact.scenarios.js'

artifactScenarios(await node24())
