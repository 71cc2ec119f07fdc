// @ts-check
/**
 * Faults of the infrastructure in front of the API (proxies, gateways, the network), queued by a
 * test and taken by the requests they match. A fault decides whether the API processes the
 * request at all, when, and what reaches the client.
 */
import http from 'node:http'
import { Pauses } from './pauses.js'
import { bodyResponse, firstHalf, nginxPage, resetConnection, send, withPayload, writeHead } from './wire.js'

/** @import { RecordedRequest } from './listen.js' */
/** @import { WireResponse } from './wire.js' */

/**
 * What a fault does with the request it matches:
 * - `status`: answer `status` (default 503) with `body` (a string is sent as is, as text/plain
 *   unless `headers` say otherwise; anything else as JSON; default `{"detail": "..."}`), without
 *   processing the request.
 * - `status-after`: process the request (state changes happen), then answer `status` (default
 *   504) with `body` (as for `status`; default an nginx error page) instead of the real answer,
 *   as a gateway that gave up waiting does.
 * - `reset-before`: reset the connection without processing the request.
 * - `reset-after`: process the request (state changes happen), then reset instead of answering.
 * - `hang`: never answer and do not process; the socket is released by close() (or, as Node.js's
 *   HTTP server does, closed once the client half-closes it).
 * - `blackhole`: as `hang`, but the client's half-close is ignored too, as on a network that drops
 *   every packet: only the client destroying the connection, or close(), ends it.
 * - `stall-body`: process, send status and headers with the real Content-Length and only the
 *   first half of the body, then stall until close().
 * - `trickle-head`: process, then send the answer one byte every `intervalMs` (default 1000), from
 *   its status line on: the headers take minutes to arrive, as behind a proxy that starves.
 * - `trickle-body`: process, send status and headers (the real Content-Length) at once, then the
 *   body one byte every `intervalMs` (default 1000).
 *   Both stop when the client goes or close() is called; bytes keep coming all the while, so a
 *   client's idle timeout never fires.
 * - `html`: answer `status` (default 502) with an nginx error page (text/html), not processed.
 * - `truncated-json`: process, send only the first half of the body, with a Content-Length
 *   matching what is sent.
 * - `redirect`: answer `status` (default 302) with `Location: location`, not processed.
 * - `refuse`: stop accepting connections for `durationMs`, then listen again on the same port:
 *   connections in between get ECONNREFUSED and never become requests. Every open connection is
 *   destroyed, this request's too, unanswered and not processed; with `graceful`, the request is
 *   processed and answered normally with `Connection: close` first (a graceful restart).
 * - `delay`: wait `durationMs` (default 1000), then process and answer normally: a slow API. The
 *   state changes when the answer is sent, not when the request arrived.
 * - `oversized`: answer 200 with a JSON body of `bytes` bytes (default 40 MiB; at least
 *   OVERSIZED_MIN_BYTES), a list page whose `padding` string fills it, sent in 64 KiB chunks as the
 *   client reads them; not processed. With `chunked`, no Content-Length is sent, so only counting
 *   tells the size.
 *
 * (To hold a request until the test releases it, use `sim.hold()`.)
 * @typedef {'status' | 'status-after' | 'reset-before' | 'reset-after' | 'hang' | 'blackhole' | 'stall-body' | 'html'
 *   | 'truncated-json' | 'redirect' | 'refuse' | 'delay' | 'oversized' | 'trickle-head' | 'trickle-body'} FaultKind
 */

/**
 * A fault for the next matching request(s), queued with `sim.fault()`.
 * @typedef {object} FaultSpec
 * @property {FaultKind} kind What the fault does (see FaultKind).
 * @property {string} [method] Matches this method only (case-insensitive); default any.
 * @property {string | RegExp} [path] Matches this pathname exactly (string) or by RegExp; default any.
 * @property {Record<string, unknown>} [json] Matches only a request whose body is a JSON object holding
 *   each of these fields with this value (compared as JSON), e.g. `{ server_id: 23456 }` for the create
 *   of one server among several sent at once; default any body.
 * @property {number} [times] How many matching requests the fault applies to; default 1.
 * @property {number} [status] The status answered by `status`, `status-after`, `html` and `redirect`.
 * @property {unknown} [body] `status` and `status-after`: the body answered instead of the default.
 * @property {Record<string, string>} [headers] Added to every answer the fault sends.
 * @property {string} [location] Required by `redirect`.
 * @property {number} [durationMs] `refuse`: how long nothing listens; `delay`: how long the answer
 *   waits; default 1000 for both.
 * @property {boolean} [graceful] `refuse`: answer the matching request before refusing, instead of
 *   dropping it.
 * @property {number} [bytes] `oversized`: the size of the body; default 40 MiB.
 * @property {boolean} [chunked] `oversized`: send no Content-Length (chunked transfer encoding).
 * @property {number} [intervalMs] `trickle-head` and `trickle-body`: the pause before each byte;
 *   default 1000.
 */

/**
 * Which requests `sim.hold()` holds: the first one that matches, once.
 * @typedef {object} HoldMatch
 * @property {string} [method] This method only (case-insensitive); default any.
 * @property {string | RegExp} [path] This pathname exactly (string) or by RegExp; default any.
 * @property {Record<string, unknown>} [json] Only a request whose JSON body holds each of these fields
 *   with this value (compared as JSON), e.g. `{ server_id: 23456 }`; default any body.
 */

/**
 * A request held unprocessed until the test releases it, for deterministic interleavings.
 * @typedef {object} HeldRequest
 * @property {Promise<RecordedRequest>} arrived Resolves once the matching request is held (it never
 *   settles if none comes).
 * @property {() => void} release Processes the held request and answers it normally; before it
 *   arrived, lets it through unheld. Idempotent; does nothing after close().
 */

/**
 * What a fault may do with its request.
 * @typedef {object} FaultContext
 * @property {http.ServerResponse} res
 * @property {FaultSpec} spec
 * @property {() => WireResponse} process runs the request through the API (changing state) and
 *   returns the response it would have sent
 * @property {(ms: number, keep?: import('node:net').Socket) => Promise<void>} refuse stops accepting
 *   connections for a while
 * @property {(ms: number) => Promise<boolean>} pause resolves true after `ms`, or false at once when
 *   the simulator closes first (then the request must be left alone)
 */

/**
 * A queued fault, or a hold, whose gate opens on release.
 * @typedef {{ spec: FaultSpec, remaining: number, gate?: undefined }
 *   | { spec: HoldMatch, remaining: number, gate: Gate }} QueuedFault
 */

/**
 * @typedef {object} Gate
 * @property {(request: RecordedRequest) => void} arrive
 * @property {Promise<boolean>} opened true on release, false on close
 */

const DEFAULT_REFUSE_MS = 1000
const DEFAULT_DELAY_MS = 1000
const DEFAULT_TRICKLE_MS = 1000
const DEFAULT_OVERSIZED_BYTES = 40 * 1024 * 1024
const OVERSIZED_HEAD = Buffer.from('{"count":0,"next":null,"previous":null,"results":[],"padding":"')
const OVERSIZED_TAIL = Buffer.from('"}')
/** The smallest `bytes` an `oversized` fault takes: its JSON with an empty padding. */
export const OVERSIZED_MIN_BYTES = OVERSIZED_HEAD.length + OVERSIZED_TAIL.length
const OVERSIZED_CHUNK = Buffer.alloc(64 * 1024, 'x')

/** @type {Record<number, string>} */
const DRF_DETAILS = {
  429: 'Request was throttled.',
  500: 'A server error occurred.',
  503: 'Service temporarily unavailable, try again later.'
}

/** @type {Record<FaultKind, (context: FaultContext) => void | Promise<void>>} */
const FAULT_ANSWERS = {
  status({ res, spec }) {
    const status = spec.status ?? 503
    const body =
      spec.body !== undefined ? spec.body : { detail: DRF_DETAILS[status] ?? http.STATUS_CODES[status] ?? 'Error.' }
    send(res, bodyResponse(status, body), spec.headers)
  },
  // After the API acted: a gateway that gave up waiting, or failed to relay the answer.
  'status-after'({ res, spec, process }) {
    process()
    const status = spec.status ?? 504
    send(res, spec.body !== undefined ? bodyResponse(status, spec.body) : nginxPage(status), spec.headers)
  },
  'reset-before'({ res }) {
    resetConnection(res)
  },
  'reset-after'({ res, process }) {
    process()
    resetConnection(res)
  },
  // Nothing at all: the socket stays open until close() destroys it.
  hang() {},
  blackhole({ res }) {
    // The HTTP server's own 'end' listener would close the connection when the client half-closes it.
    res.socket?.removeAllListeners('end')
  },
  'stall-body'({ res, spec, process }) {
    const response = process()
    writeHead(res, response, spec.headers)
    res.write(firstHalf(response.payload))
  },
  async 'trickle-head'({ res, spec, process, pause }) {
    const response = process()
    const head = [`HTTP/1.1 ${response.status} ${http.STATUS_CODES[response.status] ?? ''}`]
    for (const [name, value] of Object.entries({ ...response.headers, ...spec.headers })) head.push(`${name}: ${value}`)
    await trickle(res, Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), response.payload]), spec, pause, {
      raw: true
    })
  },
  async 'trickle-body'({ res, spec, process, pause }) {
    const response = process()
    writeHead(res, response, spec.headers)
    res.flushHeaders()
    await trickle(res, response.payload, spec, pause, { raw: false })
  },
  html: ({ res, spec }) => send(res, nginxPage(spec.status ?? 502), spec.headers),
  'truncated-json'({ res, spec, process }) {
    const response = process()
    send(res, withPayload(response, firstHalf(response.payload)), spec.headers)
  },
  redirect: ({ res, spec }) =>
    send(res, nginxPage(spec.status ?? 302, { Location: /** @type {string} */ (spec.location) }), spec.headers),
  refuse({ res, spec, process, refuse }) {
    const ms = spec.durationMs ?? DEFAULT_REFUSE_MS
    if (!spec.graceful) {
      // Closes this request's connection too, unanswered.
      void refuse(ms)
      return
    }
    // Nothing listens any more by the time the answer, which closes its connection, arrives.
    const response = process()
    void refuse(ms, res.socket ?? undefined)
    send(res, response, { ...spec.headers, Connection: 'close' })
  },
  async delay({ res, spec, process, pause }) {
    if (await pause(spec.durationMs ?? DEFAULT_DELAY_MS)) send(res, process(), spec.headers)
  },
  async oversized({ res, spec }) {
    const bytes = spec.bytes ?? DEFAULT_OVERSIZED_BYTES
    res.setHeader('Content-Type', 'application/json')
    if (!spec.chunked) res.setHeader('Content-Length', String(bytes))
    for (const [name, value] of Object.entries(spec.headers ?? {})) res.setHeader(name, value)
    res.writeHead(200)
    res.write(OVERSIZED_HEAD)
    // One chunk reused, written only as fast as the client reads: the simulator's own memory stays flat.
    for (let left = bytes - OVERSIZED_MIN_BYTES; left > 0 && !res.destroyed;) {
      const chunk = left >= OVERSIZED_CHUNK.length ? OVERSIZED_CHUNK : OVERSIZED_CHUNK.subarray(0, left)
      left -= chunk.length
      if (!res.write(chunk)) await drained(res)
    }
    if (!res.destroyed) res.end(OVERSIZED_TAIL)
  }
}

/**
 * Sends `bytes` one at a time, `spec.intervalMs` apart, until they are all sent, the client has
 * gone, or the simulator closes. `raw` writes to the socket itself, under the response's framing.
 * @param {http.ServerResponse} res
 * @param {Buffer} bytes
 * @param {FaultSpec} spec
 * @param {(ms: number) => Promise<boolean>} pause
 * @param {{ raw: boolean }} how
 */
async function trickle(res, bytes, spec, pause, { raw }) {
  const socket = res.socket
  for (let at = 0; at < bytes.length; at++) {
    if (!(await pause(spec.intervalMs ?? DEFAULT_TRICKLE_MS)) || !socket || socket.destroyed) return
    const byte = bytes.subarray(at, at + 1)
    if (raw) socket.write(byte)
    else res.write(byte)
  }
  if (!raw && !socket?.destroyed) res.end()
}

/**
 * Until the response can take more, or is gone (a client that gave up never drains it).
 * @param {http.ServerResponse} res
 */
function drained(res) {
  return new Promise(resolve => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve(undefined)
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

/**
 * @param {HoldMatch} spec
 * @param {string} method
 * @param {string} path
 * @param {unknown} body the request's body parsed as JSON, undefined when it is not
 */
function matches(spec, method, path, body) {
  if (spec.method && spec.method.toUpperCase() !== method) return false
  if (spec.json !== undefined && !holdsFields(body, spec.json)) return false
  if (spec.path === undefined) return true
  // search() ignores a /g regexp's lastIndex, which test() would carry from one request to the next.
  return typeof spec.path === 'string' ? spec.path === path : path.search(spec.path) !== -1
}

/**
 * @param {unknown} body
 * @param {Record<string, unknown>} fields
 */
function holdsFields(body, fields) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false
  const object = /** @type {Record<string, unknown>} */ (body)
  return Object.entries(fields).every(
    ([name, value]) => Object.hasOwn(object, name) && JSON.stringify(object[name]) === JSON.stringify(value)
  )
}

export class FaultQueue {
  /** @type {QueuedFault[]} */
  #queued = []
  #pauses = new Pauses()

  /** @param {FaultSpec} spec */
  add(spec) {
    // Fail loudly on a typo: a fault that silently never fires makes a test pass for nothing.
    if (!Object.hasOwn(FAULT_ANSWERS, spec.kind)) throw new Error(`simulator: unknown fault kind "${spec.kind}"`)
    if (spec.kind === 'redirect' && !spec.location) throw new Error('simulator: a redirect fault needs a location')
    if (spec.kind === 'oversized' && spec.bytes !== undefined && !(spec.bytes >= OVERSIZED_MIN_BYTES)) {
      throw new Error(`simulator: an oversized fault needs bytes >= ${OVERSIZED_MIN_BYTES}`)
    }
    this.#queued.push({ spec: { ...spec }, remaining: spec.times ?? 1 })
  }

  /**
   * Queues a hold of the first request matching `match`.
   * @param {HoldMatch} match
   * @returns {HeldRequest}
   */
  hold(match) {
    /** @type {(request: RecordedRequest) => void} */
    let arrive = () => {}
    /** @type {Promise<RecordedRequest>} */
    const arrived = new Promise(resolve => (arrive = resolve))
    const { opened, open } = this.#pauses.gate()
    this.#queued.push({ spec: { ...match }, remaining: 1, gate: { arrive, opened } })
    return { arrived, release: open }
  }

  /** Drops every queued fault and hold; requests already held stay held. */
  clear() {
    this.#queued = []
  }

  /**
   * Takes one use of the first queued fault matching the request.
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body] the request's body parsed as JSON
   */
  take(method, path, body) {
    const index = this.#queued.findIndex(({ spec, remaining }) => remaining > 0 && matches(spec, method, path, body))
    if (index === -1) return undefined
    const entry = this.#queued[index]
    entry.remaining--
    if (entry.remaining <= 0) this.#queued.splice(index, 1)
    return entry
  }

  /**
   * Answers a request as the fault it took says.
   * @param {QueuedFault} fault
   * @param {{ res: http.ServerResponse, record: RecordedRequest, process: () => WireResponse,
   *   refuse: FaultContext['refuse'] }} request
   */
  async answer(fault, { res, record, process, refuse }) {
    if (fault.gate) {
      fault.gate.arrive(record)
      if (await fault.gate.opened) send(res, process())
      return
    }
    const pause = (/** @type {number} */ ms) => this.#pauses.sleep(ms)
    await FAULT_ANSWERS[fault.spec.kind]({ res, spec: fault.spec, process, refuse, pause })
  }

  /** Ends every wait at once, leaving the requests concerned unprocessed. */
  close() {
    this.#pauses.close()
  }
}
