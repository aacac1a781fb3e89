import { run } from './action/run.js'

await run()
// The step's work is done (outputs, summary, exit code): a socket or timer a library left open
// must not keep the job waiting for it.
process.exit()
