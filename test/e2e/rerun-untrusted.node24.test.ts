import { node24 } from '../helpers/run-bundle.js'
import { untrustedArtifactScenarios } from './rerun.scenarios.js'

untrustedArtifactScenarios(await node24())
