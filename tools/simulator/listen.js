// @ts-check
/**
 * HTTP plumbing shared by the simulator and the recorder: a loopback server that records what it
 * receives, counts its connections, can stop accepting them for a while, and always closes promptly.
 */
import http from 'node:http'
import { bodyResponse, send } from './wire.js'

/**
 * A request as received.
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} path Pathname only, without the query.
 * @property {Record<string, string>} query Parsed query; a repeated parameter keeps its last value, as
 *   DRF's `query_params.get` does.
 * @property {Record<string, string | string[] | undefined>} headers
 * @property {string} body Raw body, '' when there was none.
 * @property {unknown} json The body parsed as JSON, or undefined when it is empty or not JSON.
 * @property {number} at when the request had been read completely, on the simulator's clock.
 */

/**
 * Reads a request completely and records it.
 * @param {http.IncomingMessage} req
 * @returns {Promise<{ record: RecordedRequest, url: URL }>}
 */
export async function readRequest(req) {
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  const body = Buffer.concat(chunks).toString('utf8')
  // Only the path and query matter; the base is a placeholder (the Host header may be anything).
  const url = new URL(req.url ?? '/', 'http://placeholder')
  /** @type {unknown} */
  let json
  try {
    json = body === '' ? undefined : JSON.parse(body)
  } catch {
    json = undefined
  }
  const record = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...req.headers },
    body,
    json,
    at: Date.now()
  }
  return { record, url }
}

/**
 * @typedef {object} Listener
 * @property {string} url
 * @property {number} connections TCP connections accepted (the owner may set it back to 0).
 * @property {number} openConnections TCP connections open now.
 * @property {number} maxOpenConnections The most TCP connections open at once (the owner may set it
 *   back to openConnections).
 * @property {Promise<void> | undefined} closing set once close() was called
 * @property {(ms: number, keep?: import('node:net').Socket) => Promise<void>} refuse
 * @property {() => Promise<void>} close
 */

/**
 * An HTTP server on loopback that counts its connections, can stop accepting them for a while,
 * and can always be closed promptly.
 * @param {{ host: string, port: number, keepAliveTimeoutMs: number }} options
 * @param {(req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>} onRequest
 * @returns {Promise<Listener>}
 */
export async function listen({ host, port, keepAliveTimeoutMs }, onRequest) {
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set()
  const server = http.createServer((req, res) => {
    onRequest(req, res).catch(error => {
      // The client went away while sending its request: there is no one to answer.
      if (req.socket.destroyed) return
      // A bug in the simulator: make it visible to the test rather than hang the client.
      console.error('simulator: request failed', error)
      if (!res.headersSent) send(res, bodyResponse(500, { detail: `Simulator error: ${error}` }))
      else res.destroy()
    })
  })
  server.keepAliveTimeout = keepAliveTimeoutMs
  /** @param {number} atPort */
  const start = atPort =>
    new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(atPort, host, () => {
        server.off('error', reject)
        resolve(undefined)
      })
    })
  /**
   * Stops accepting connections at once and destroys the open ones but `keep` (hung and stalled
   * requests would otherwise keep close() waiting forever).
   * @param {import('node:net').Socket} [keep]
   * @returns {Promise<void>}
   */
  const stop = keep => {
    /** @type {Promise<void>} */
    const stopped = new Promise((resolve, reject) =>
      server.close(error => (error ? reject(error) : resolve(undefined)))
    )
    sockets.forEach(socket => socket !== keep && socket.destroy())
    return stopped
  }

  // A refusal in progress: not listening until `until`, then listening again on the same port.
  let refusal = /** @type {{ until: number, stopped: Promise<void>, done: Promise<void> } | undefined} */ (undefined)
  /** @type {(() => void) | undefined} ends the wait of a refusal early, for close() */
  let wake
  /** @param {number} ms */
  const pause = ms =>
    new Promise(resolve => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve(undefined)
      }
    })

  /** @type {Listener} */
  const listener = {
    url: '',
    connections: 0,
    openConnections: 0,
    maxOpenConnections: 0,
    closing: undefined,
    /**
     * Refuses connections for `ms` from now (a refusal in progress is extended), then listens
     * again on the same port. Resolves once nothing listens any more.
     * @param {number} ms
     * @param {import('node:net').Socket} [keep] a connection left open, to answer on it
     * @returns {Promise<void>}
     */
    refuse(ms, keep) {
      if (listener.closing) return listener.closing
      if (refusal) {
        refusal.until = Math.max(refusal.until, Date.now() + ms)
        return refusal.stopped
      }
      // Errors surface through `done`: `stopped` is also left to fault answers, which do not wait.
      const stopping = stop(keep)
      const current = { until: Date.now() + ms, stopped: stopping.catch(() => {}), done: Promise.resolve() }
      current.done = (async () => {
        await stopping
        while (!listener.closing && Date.now() < current.until) await pause(current.until - Date.now())
        if (listener.closing) return
        await start(address.port)
        // close() came while binding: it waits for this refusal, so stop here.
        if (listener.closing) await stop()
      })()
        .catch(error => console.error('simulator: could not listen again', error))
        .finally(() => {
          refusal = undefined
        })
      refusal = current
      return current.stopped
    },
    close() {
      listener.closing ??= (async () => {
        if (!refusal) return stop()
        wake?.()
        sockets.forEach(socket => socket.destroy())
        await refusal.done
      })()
      return listener.closing
    }
  }
  server.on('connection', socket => {
    listener.connections++
    sockets.add(socket)
    listener.openConnections = sockets.size
    listener.maxOpenConnections = Math.max(listener.maxOpenConnections, sockets.size)
    socket.once('close', () => {
      sockets.delete(socket)
      listener.openConnections = sockets.size
    })
  })
  await start(port)
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  listener.url = `http://${urlHost}:${address.port}`
  return listener
}
