import { machineNode } from '../helpers/run-bundle.js'
import { untrustedArtifactScenarios } from './rerun.scenarios.js'

untrustedArtifactScenarios(await machineNode())
