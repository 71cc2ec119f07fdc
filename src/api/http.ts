import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http'
import https from 'node:https'
import { HttpClient } from '@actions/http-client'
import type { RequestInfo } from '@actions/http-client/lib/interfaces'
import { formatDuration } from '../base/duration.js'
import { NetworkError, type RequestDescription } from '../base/errors.js'
import { ConnectionQueue } from './connection-queue.js'

export { MAX_CONNECTIONS } from './connection-queue.js'

export interface HttpAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** A larger answer is not from the VPS.org API: a page of 100 backups is about 30 KB. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024

/** Failures where the connection was never made, so the request surely did not reach the API. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_FAIL',
  'ENETUNREACH',
  'EHOSTUNREACH'
])

const CODE_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed',
  EAI_NONAME: 'host not found (DNS)',
  EAI_FAIL: 'DNS lookup failed',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'connection timed out'
}

/** Certificate problems: the server is reached, but not trusted. Retrying cannot help. */
const CERTIFICATE_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID'
])

type Exchange = RequestDescription & { url: string; body?: string; headers: Record<string, string> }

/** The least time an attempt gets, even when the step's time is (nearly) up. */
export const MIN_ATTEMPT_MS = 1000

export interface ExchangeLimits {
  /** `request-timeout`: from sending the request to the last byte of its answer. */
  timeoutMs: number
  /**
   * What is left of the step's time: a request waiting for a connection gives up then, and one
   * sent gets no longer (but at least MIN_ATTEMPT_MS).
   */
  stepLeftMs: number
}

/**
 * One HTTP exchange, over @actions/http-client (which also honours the runner's proxy settings).
 * Its own redirects and retries are off: a redirect must never carry the token to another host,
 * and retrying is decided by the request path, which knows what is safe to repeat. Connections
 * are kept alive so a long wait reuses one connection instead of paying a new TLS handshake per
 * check.
 *
 * Every request this transport makes ends, with its socket, by its own time limit or dispose():
 * a request that waits for a connection waits here, not in Node.js's agent (where nothing could
 * cancel it and, once the sockets ahead of it were destroyed, it would open a fresh connection).
 */
export class HttpTransport {
  private readonly client: HttpClient
  /** At most MAX_CONNECTIONS requests sent at once; the others wait there. */
  private readonly connections = new ConnectionQueue()
  /** Every request waiting or sent, with what dispose() tells it. */
  private readonly underWay = new Map<AbortController, RequestDescription>()
  private disposed = false

  constructor(userAgent: string, socketTimeoutMs: number) {
    // No maxSockets: the agent never queues a request, this transport does (MAX_CONNECTIONS).
    this.client = new HttpClient(userAgent, [], {
      allowRedirects: false,
      allowRetries: false,
      keepAlive: true,
      socketTimeout: socketTimeoutMs
    })
  }

  /**
   * Sends one request and reads the whole answer within `limits`: connecting, the headers and
   * every byte of the body count, so a body that stalls half-way fails like no answer at all. A
   * request waiting for a connection waits until the step's time is up at most. However the
   * exchange ends early (its time, an error, dispose()), its request is destroyed, and its socket
   * with it.
   */
  async exchange(request: Exchange, limits: ExchangeLimits): Promise<HttpAnswer> {
    const describe = { method: request.method, path: request.path }
    if (this.disposed) throw stepEnded(describe)
    const abort = new AbortController()
    this.underWay.set(abort, describe)
    const started = Date.now()
    const waitMs = Math.max(MIN_ATTEMPT_MS, limits.stepLeftMs)
    const cut = (ms: number, what: string, notSent: boolean): NodeJS.Timeout =>
      setTimeout(() => abort.abort(new NetworkError(`${what} within ${formatDuration(ms)}`, describe, { notSent })), ms)
    let timer = cut(waitMs, `${request.method} ${request.path}: not sent, no connection to the API was free`, true)
    let holding = false
    try {
      await this.connections.acquire(abort.signal)
      holding = true
      clearTimeout(timer)
      const answerMs = Math.min(limits.timeoutMs, Math.max(MIN_ATTEMPT_MS, waitMs - (Date.now() - started)))
      timer = cut(answerMs, `${request.method} ${request.path}: no complete answer`, false)
      const response = await untilAborted(
        this.client.requestRaw(this.requestInfo(request, abort.signal), request.body ?? null),
        abort.signal
      )
      const body = await untilAborted(readBody(response.message, describe), abort.signal)
      return { status: response.message.statusCode ?? 0, headers: response.message.headers, body }
    } catch (error) {
      // What ended it first is what happened: the abort's reason, not the reset it then causes.
      const reason: unknown = abort.signal.aborted
        ? abort.signal.reason
        : error instanceof NetworkError
          ? error
          : networkError(error, describe)
      // Destroys the request and its socket (the signal is the request's own); a no-op once aborted.
      abort.abort(reason)
      throw reason
    } finally {
      clearTimeout(timer)
      this.underWay.delete(abort)
      // After the abort above: the next request must not start before this socket is destroyed.
      if (holding) this.connections.release()
    }
  }

  /**
   * Ends every request waiting or sent, destroying their sockets, refuses new ones, and closes
   * the kept-alive connections: nothing of this transport holds the process any more.
   */
  dispose(): void {
    this.disposed = true
    for (const [abort, request] of [...this.underWay]) abort.abort(stepEnded(request))
    this.client.dispose()
  }

  /**
   * What @actions/http-client's own request() would build, plus the request's abort signal, which
   * Node.js turns into destroying that request (and its socket) in whatever phase it is. The
   * agent is the client's: the runner's proxy settings apply. The hostname goes without the
   * brackets of an IPv6 literal, which Node.js would otherwise look up in DNS (it puts them back in
   * the Host header).
   */
  private requestInfo(request: Exchange, signal: AbortSignal): RequestInfo {
    const parsedUrl = new URL(request.url)
    const secure = parsedUrl.protocol === 'https:'
    return {
      parsedUrl,
      httpModule: secure ? https : http,
      options: {
        host: parsedUrl.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: parsedUrl.port ? Number(parsedUrl.port) : secure ? 443 : 80,
        path: `${parsedUrl.pathname}${parsedUrl.search}`,
        method: request.method,
        headers: { ...request.headers, ...(this.client.userAgent ? { 'user-agent': this.client.userAgent } : {}) },
        agent: this.client.getAgent(request.url),
        signal
      }
    }
  }
}

/** The step is over (dispose()): what a request still waiting or sent then ends with. */
function stepEnded(request: RequestDescription): NetworkError {
  return new NetworkError(`${request.method} ${request.path}: stopped, the step has ended`, request, {
    notSent: false,
    final: true
  })
}

/** The promise, or the signal's reason as soon as it is aborted. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const aborted = (): void => reject(signal.reason as Error)
    if (signal.aborted) aborted()
    signal.addEventListener('abort', aborted, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', aborted))
  })
}

function tooLarge(request: RequestDescription): NetworkError {
  return new NetworkError(
    `${request.method} ${request.path}: the answer is larger than the limit of ${MAX_BODY_BYTES / (1024 * 1024)} MiB; ` +
      'this is not an answer of the VPS.org API: check api-url',
    request,
    { notSent: false, final: true }
  )
}

function readBody(message: IncomingMessage, request: RequestDescription): Promise<string> {
  return new Promise((resolve, reject) => {
    const announced = Number(message.headers['content-length'])
    if (announced > MAX_BODY_BYTES) {
      reject(tooLarge(request))
      message.destroy()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    message.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        // Reject before destroying: destroying makes the stream report a reset, which is not
        // what happened.
        reject(tooLarge(request))
        message.destroy()
        return
      }
      chunks.push(chunk)
    })
    message.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    message.on('aborted', () =>
      reject(networkError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }), request))
    )
    message.on('error', error => reject(networkError(error, request)))
  })
}

/** Node.js's and OpenSSL's words for a failure, made into one line a person can act on. */
export function networkError(error: unknown, request: RequestDescription): NetworkError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? ''
  const raw = error instanceof Error ? error.message : String(error)
  const where = `${request.method} ${request.path}`
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(raw)) {
    return new NetworkError(
      `${where}: TLS failed (the server did not answer with TLS); api-url may be a plain http server: check its scheme`,
      request,
      { notSent: true, final: true }
    )
  }
  if (CERTIFICATE_CODES.has(code)) {
    return new NetworkError(
      `${where}: TLS failed: the server's certificate is not trusted (${code}); check api-url`,
      request,
      { notSent: true, final: true }
    )
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO') {
    return new NetworkError(`${where}: TLS failed (${code}); check that api-url is an https server`, request, {
      notSent: true,
      final: true
    })
  }
  if (code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_HTTP_TOKEN') {
    // Node.js names the header, never its value: the token stays out of the message.
    return new NetworkError(`${where}: a request header holds a character HTTP cannot carry`, request, {
      notSent: true,
      final: true
    })
  }
  const what = CODE_WORDS[code] ?? (/timeout/i.test(raw) ? 'no answer in time' : raw.replace(/\s+/g, ' ').slice(0, 100))
  return new NetworkError(`${where}: ${what}`, request, { notSent: NOT_SENT_CODES.has(code) })
}
