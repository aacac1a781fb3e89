import { abandonedWorkPending } from './action/abandoned-work.js'
import { run } from './action/run.js'

await run()
// A cache call the action stopped waiting for must not hold the step open.
if (abandonedWorkPending()) process.exit()
