// The transport in process, against plain TCP servers on loopback that misbehave below HTTP: every
// request it makes ends, and its socket with it, at its request timeout in every phase (waiting
// for a connection, connecting, the headers, the body) and when the step ends (dispose()), so
// nothing it opened can keep the process alive (GitHub issue 14).
import { afterEach, describe, expect, it } from '@jest/globals'
import net from 'node:net'
import { HttpTransport, MAX_CONNECTIONS } from '../../src/api/http.js'
import { NetworkError } from '../../src/base/errors.js'
import { STEP_MS, until, within } from '../support/waiting.js'

interface Misbehaving {
  url: string
  /** Connections accepted, ever. */
  accepted: number
  /** Connections closed by the client (or destroyed), ever. */
  closed: number
  /** Which connection, counted as accepted, was sentinel()'s. */
  sentinelAt?: number
  close(): Promise<void>
}

const servers: Misbehaving[] = []
const transports: HttpTransport[] = []

afterEach(async () => {
  for (const transport of transports.splice(0)) transport.dispose()
  for (const server of servers.splice(0)) await server.close()
})

/** A TCP server that reads what it is sent and answers with `answer` (nothing by default). */
async function misbehaving(answer: (socket: net.Socket) => void = () => {}): Promise<Misbehaving> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer(socket => {
    const order = ++state.accepted
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => {
      state.closed++
      sockets.delete(socket)
    })
    socket.once('data', (chunk: Buffer) => {
      if (chunk.toString() === SENTINEL) state.sentinelAt = order
      else answer(socket)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  const state: Misbehaving = {
    url: `http://127.0.0.1:${port}`,
    accepted: 0,
    closed: 0,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise(resolve => server.close(resolve))
    }
  }
  servers.push(state)
  return state
}

const SENTINEL = 'sentinel\n'

/**
 * Connects to the server from outside the transport, after what is checked: the server accepts connections in the
 * order they were opened, so the sentinel's place counts every connection the transport opened before it.
 */
async function sentinel(server: Misbehaving): Promise<number | undefined> {
  const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1', () => socket.write(SENTINEL))
  socket.on('error', () => {})
  await until('the sentinel connection is accepted', () => server.sentinelAt !== undefined)
  socket.destroy()
  return server.sentinelAt
}

/** Sends one byte of `bytes` every `everyMs`, as long as the socket is open. */
function trickling(bytes: string, everyMs: number): (socket: net.Socket) => void {
  return socket => {
    let at = 0
    const timer = setInterval(() => {
      if (socket.destroyed || at >= bytes.length) return clearInterval(timer)
      socket.write(bytes[at++] ?? '')
    }, everyMs)
    socket.on('close', () => clearInterval(timer))
  }
}

function transport(): HttpTransport {
  const made = new HttpTransport('vps-backup-action-test', 60_000)
  transports.push(made)
  return made
}

/** A request timeout, with the step's time far from up. */
const limits = (timeoutMs: number) => ({ timeoutMs, stepLeftMs: 600_000 })

const get = (server: Misbehaving, path = '/api/v1/backups/') => ({
  method: 'GET',
  path,
  url: `${server.url}${path}`,
  headers: { accept: 'application/json' }
})

/** How the exchange ended: its error and when, measured from the call. */
async function failure(exchange: Promise<unknown>): Promise<{ error: NetworkError; afterMs: number }> {
  const started = Date.now()
  const error = await exchange.then(
    () => {
      throw new Error('the exchange was answered')
    },
    (error: unknown) => error
  )
  expect(error).toBeInstanceOf(NetworkError)
  return { error: error as NetworkError, afterMs: Date.now() - started }
}

describe('a request ends, with its socket, at its timeout', () => {
  it.each<[string, (socket: net.Socket) => void]>([
    ['a server that accepts and never answers', () => {}],
    ['headers that trickle (a byte every 100 ms)', trickling('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}', 100)],
    [
      'a body that trickles (a byte every 100 ms)',
      socket => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n')
        trickling('x'.repeat(1000), 100)(socket)
      }
    ]
  ])('%s', async (_name, answer) => {
    const server = await misbehaving(answer)
    const { error, afterMs } = await failure(transport().exchange(get(server), limits(1000)))
    expect(error.message).toBe('GET /api/v1/backups/: no complete answer within 1s')
    expect(error.notSent).toBe(false)
    expect(afterMs).toBeGreaterThanOrEqual(990)
    expect(afterMs).toBeLessThan(1000 + STEP_MS)
    // The client destroyed its socket: the server sees it close, with nothing else to close it.
    await until('the server sees the connection closed', () => server.closed === 1)
    expect(server.accepted).toBe(1)
  })
})

describe('requests wait for one of the connections in the transport, never in the agent', () => {
  it(`opens at most ${MAX_CONNECTIONS} connections; one that waited until the step's time was up was not sent`, async () => {
    const server = await misbehaving()
    const http = transport()
    const stuck = [1, 2].map(n => failure(http.exchange(get(server, `/stuck/${n}`), limits(60_000))))
    await until('both connections are open', () => server.accepted === MAX_CONNECTIONS)
    const { error } = await failure(http.exchange(get(server, '/queued'), { timeoutMs: 60_000, stepLeftMs: 1000 }))
    expect(error.message).toBe('GET /queued: not sent, no connection to the API was free within 1s')
    expect(error.notSent).toBe(true)
    expect(server.accepted).toBe(MAX_CONNECTIONS)
    http.dispose()
    await Promise.all(stuck)
  })

  it('dispose() ends the requests sent and those waiting at once, and opens no connection for the latter', async () => {
    const server = await misbehaving()
    const http = transport()
    const sent = [1, 2].map(n => failure(http.exchange(get(server, `/sent/${n}`), limits(60_000))))
    await until('both connections are open', () => server.accepted === MAX_CONNECTIONS)
    const waiting = [3, 4].map(n => failure(http.exchange(get(server, `/waiting/${n}`), limits(60_000))))
    http.dispose()
    const ended = await within(Promise.all([...sent, ...waiting]), 'dispose() ends every request')
    for (const { error } of ended) {
      expect(error.message).toMatch(/^GET \/(sent|waiting)\/\d: stopped, the step has ended$/)
      expect(error.final).toBe(true)
    }
    await until('the server sees both connections closed', () => server.closed === MAX_CONNECTIONS)
    // What was waiting never got a connection, not even after the others were destroyed; nor does a request
    // after dispose(): a connection opened from outside after both is the server's next one.
    expect(server.accepted).toBe(MAX_CONNECTIONS)
    await expect(http.exchange(get(server, '/after'), limits(60_000))).rejects.toThrow(
      'GET /after: stopped, the step has ended'
    )
    expect(await sentinel(server)).toBe(MAX_CONNECTIONS + 1)
    expect(server.accepted).toBe(MAX_CONNECTIONS + 1)
  })

  it('a connection freed by a timeout goes to the request waiting first, whose own timeout starts then', async () => {
    const server = await misbehaving()
    const http = transport()
    const first = failure(http.exchange(get(server, '/first'), limits(300)))
    const second = failure(http.exchange(get(server, '/second'), limits(60_000)))
    await until('both connections are open', () => server.accepted === MAX_CONNECTIONS)
    const third = failure(http.exchange(get(server, '/third'), limits(1000)))
    expect((await first).error.message).toBe('GET /first: no complete answer within 300ms')
    // The third request got the first one's connection, on a new socket once that one was destroyed…
    await until('the third request is sent', () => server.accepted === 3)
    await until("the first one's socket is closed", () => server.closed === 1)
    // …and its 1 s began when it was sent, not when it began to wait.
    const { error, afterMs } = await third
    expect(error.message).toBe('GET /third: no complete answer within 1s')
    expect(afterMs).toBeGreaterThanOrEqual(1250)
    http.dispose()
    await second
  })
})
