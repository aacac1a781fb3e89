import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { ClariClient } from '../../src/clari/client.js'
import { RetryBudget } from '../../src/retry/budget.js'
import { systemClock } from '../../src/base/clock.js'

describe('the server clock offset', () => {
  let server: http.Server | undefined
  afterEach(async () => {
    server?.closeAllConnections()
    await new Promise(resolve => server?.close(resolve))
    server = undefined
  })

  it.each([
    ['an hour ahead', 3_600_000],
    ['ten minutes behind', -600_000]
  ])("reads it from the Date header when the server's clock is %s", async (_name, offsetMs) => {
    server = http.createServer((_req, res) => {
      const date = new Date(Date.now() + offsetMs).toUTCString()
      res.writeHead(200, { date, 'content-type': 'application/json' }).end('{"jobs":{}}')
    })
    await new Promise<void>(resolve => server!.listen(0, '127.0.0.1', resolve))
    const client = new ClariClient(
      {
        apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v4`,
        apiKey: 'k',
        requestTimeoutMs: 5_000,
        maxRetryAfterMs: 300_000
      },
      { clock: systemClock, random: Math.random, budget: new RetryBudget() }
    )
    expect(client.serverClockAheadMs).toBeUndefined()
    const startedAt = Date.now()
    await client.getLimits({ signal: new AbortController().signal, deadline: Infinity })
    const tookMs = Date.now() - startedAt
    client.close()
    // A Date is cut to the second and stamped before the answer arrives: the reading is a
    // lower bound, at most a second and the exchange's duration below the true offset.
    expect(client.serverClockAheadMs).toBeLessThanOrEqual(offsetMs)
    expect(client.serverClockAheadMs).toBeGreaterThan(offsetMs - 1_000 - tookMs)
  })
})
