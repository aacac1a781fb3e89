// A tables worker that holds the chunks it is sent (worker-tables.test.ts): at a verdict it acks
// them all and answers with how many chunk messages and bytes it got; it answers a discard; at a
// finish or an abort it exits (code 3) without answering, as a worker that stops does.
import { parentPort } from 'node:worker_threads'

const held = []
let messages = 0
let bytes = 0
parentPort.on('message', message => {
  if (message.type === 'chunk') {
    held.push(message.bytes)
    messages++
    bytes += message.bytes.length
  }
  if (message.type === 'verdict') {
    for (const chunk of held.splice(0)) {
      parentPort.postMessage({ type: 'ack', bytes: chunk }, [chunk.buffer])
    }
    parentPort.postMessage({ type: 'done', id: message.id, verdict: { messages, bytes } })
  }
  if (message.type === 'discard') parentPort.postMessage({ type: 'done', id: message.id })
  if (message.type === 'finish' || message.type === 'abort') process.exit(3)
})
