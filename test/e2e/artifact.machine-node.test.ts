import { machineNode } from '../helpers/run-bundle.js'
import { artifactScenarios } from './artifact.scenarios.js'

artifactScenarios(await machineNode())
