// A tables worker with a bug (worker-tables.test.ts): it takes the chunks, has the main thread
// start every table's temporary file and write to it as the real one does (tsx compiles the
// sources it borrows), then throws, naming the heap bounds it was started with.
import { Buffer } from 'node:buffer'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { parentPort, resourceLimits, workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
const { RemoteTableFiles } = await import('../../src/engine/tables/table-files-host.ts')
const { tableNames } = await import('../../src/engine/tables/write-tables.ts')

const files = new RemoteTableFiles((request, transfer) => parentPort.postMessage(request, transfer))
parentPort.on('message', message => {
  if (message.type === 'file') files.received(message)
  if (message.type === 'chunk') {
    parentPort.postMessage({ type: 'ack', bytes: message.bytes }, [message.bytes.buffer])
  }
  // The download waits for its verdict: none comes, and the payload's file is checked instead.
  if (message.type === 'verdict') void startFilesThenThrow()
})

async function startFilesThenThrow() {
  for (const name of Object.values(tableNames(workerData))) {
    const file = path.join(workerData.outputDir, name)
    await mkdir(path.dirname(file), { recursive: true })
    await (await files.open(file)).write(Buffer.from('a row\n'))
  }
  throw new Error(`a planted bug (old generation ${resourceLimits.maxOldGenerationSizeMb} MB)`)
}
