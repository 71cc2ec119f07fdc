// @ts-check
/**
 * Faults of the infrastructure in front of the API (proxies, gateways, the network), queued by a
 * test and taken by the requests they match. A fault decides whether the API processes the
 * request at all and what reaches the client.
 */
import http from 'node:http'
import { bodyResponse, firstHalf, nginxPage, resetConnection, send, withPayload, writeHead } from './wire.js'

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
 * - `hang`: never answer and do not process; the socket is released by close().
 * - `stall-body`: process, send status and headers with the real Content-Length and only the
 *   first half of the body, then stall until close().
 * - `html`: answer `status` (default 502) with an nginx error page (text/html), not processed.
 * - `truncated-json`: process, send only the first half of the body, with a Content-Length
 *   matching what is sent.
 * - `redirect`: answer `status` (default 302) with `Location: location`, not processed.
 * - `refuse`: stop accepting connections for `durationMs`, then listen again on the same port:
 *   connections in between get ECONNREFUSED and never become requests. Every open connection is
 *   destroyed, this request's too, unanswered and not processed; with `graceful`, the request is
 *   processed and answered normally with `Connection: close` first (a graceful restart).
 * @typedef {'status' | 'status-after' | 'reset-before' | 'reset-after' | 'hang' | 'stall-body' | 'html'
 *   | 'truncated-json' | 'redirect' | 'refuse'} FaultKind
 */

/**
 * A fault for the next matching request(s), queued with `sim.fault()`.
 * @typedef {object} FaultSpec
 * @property {FaultKind} kind What the fault does (see FaultKind).
 * @property {string} [method] Matches this method only (case-insensitive); default any.
 * @property {string | RegExp} [path] Matches this pathname exactly (string) or by RegExp; default any.
 * @property {number} [times] How many matching requests the fault applies to; default 1.
 * @property {number} [status] The status answered by `status`, `status-after`, `html` and `redirect`.
 * @property {unknown} [body] `status` and `status-after`: the body answered instead of the default.
 * @property {Record<string, string>} [headers] Added to every answer the fault sends.
 * @property {string} [location] Required by `redirect`.
 * @property {number} [durationMs] `refuse`: how long nothing listens; default 1000.
 * @property {boolean} [graceful] `refuse`: answer the matching request before refusing, instead of
 *   dropping it.
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
 */

const DEFAULT_REFUSE_MS = 1000

/** @type {Record<number, string>} */
const DRF_DETAILS = {
  429: 'Request was throttled.',
  500: 'A server error occurred.',
  503: 'Service temporarily unavailable, try again later.'
}

/** @type {Record<FaultKind, (context: FaultContext) => void>} */
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
  'reset-before': ({ res }) => resetConnection(res),
  'reset-after'({ res, process }) {
    process()
    resetConnection(res)
  },
  // Nothing at all: the socket stays open until close() destroys it.
  hang() {},
  'stall-body'({ res, spec, process }) {
    const response = process()
    writeHead(res, response, spec.headers)
    res.write(firstHalf(response.payload))
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
  }
}

/**
 * Answers a request as its fault says.
 * @param {FaultContext} context
 */
export const answerWithFault = context => FAULT_ANSWERS[context.spec.kind](context)

/**
 * @param {FaultSpec} spec
 * @param {string} method
 * @param {string} path
 */
function matches(spec, method, path) {
  if (spec.method && spec.method.toUpperCase() !== method) return false
  if (spec.path === undefined) return true
  // search() ignores a /g regexp's lastIndex, which test() would carry from one request to the next.
  return typeof spec.path === 'string' ? spec.path === path : path.search(spec.path) !== -1
}

export class FaultQueue {
  /** @type {Array<{ spec: FaultSpec, remaining: number }>} */
  #queued = []

  /** @param {FaultSpec} spec */
  add(spec) {
    // Fail loudly on a typo: a fault that silently never fires makes a test pass for nothing.
    if (!Object.hasOwn(FAULT_ANSWERS, spec.kind)) throw new Error(`simulator: unknown fault kind "${spec.kind}"`)
    if (spec.kind === 'redirect' && !spec.location) throw new Error('simulator: a redirect fault needs a location')
    this.#queued.push({ spec: { ...spec }, remaining: spec.times ?? 1 })
  }

  clear() {
    this.#queued = []
  }

  /**
   * Takes one use of the first queued fault matching the request.
   * @param {string} method
   * @param {string} path
   */
  take(method, path) {
    const index = this.#queued.findIndex(({ spec, remaining }) => remaining > 0 && matches(spec, method, path))
    if (index === -1) return undefined
    const entry = this.#queued[index]
    entry.remaining--
    if (entry.remaining <= 0) this.#queued.splice(index, 1)
    return entry.spec
  }
}
