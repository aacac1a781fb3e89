// A tables worker with a bug (worker-tables.test.ts): it takes the chunks, starts every table's
// temporary file as the real one does (tsx compiles the sources it borrows), then throws.
import { mkdir, open } from 'node:fs/promises'
import path from 'node:path'
import { parentPort, workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
const { tempPathFor } = await import('../../src/engine/temp-file.ts')
const { tableNames } = await import('../../src/engine/tables/write-tables.ts')

parentPort.on('message', message => {
  if (message.type === 'chunk') {
    parentPort.postMessage({ type: 'ack', bytes: message.bytes }, [message.bytes.buffer])
  }
  if (message.type === 'finish') void startFilesThenThrow()
})

async function startFilesThenThrow() {
  for (const name of Object.values(tableNames(workerData))) {
    const folder = path.join(workerData.outputDir, path.dirname(name))
    await mkdir(folder, { recursive: true })
    await (await open(tempPathFor(folder, path.basename(name)), 'wx')).close()
  }
  throw new Error('a planted bug')
}
