import type { IncomingHttpHeaders, IncomingMessage, RequestOptions } from 'node:http'
import { HttpClient } from '@actions/http-client'
import { formatDuration } from '../duration.js'
import { NetworkError, type RequestDescription } from '../errors.js'

export interface HttpAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** A larger answer is not from the VPS.org API: a page of 100 backups is about 30 KB. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024

/** Connections open at once to the API, however many servers a step follows. */
export const MAX_CONNECTIONS = 2

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

/**
 * `@actions/http-client` passes the URL's hostname to Node.js as it is, and for an IPv6 literal
 * that is `[::1]` with its brackets, which Node.js then looks up in DNS. This handler takes them off
 * before each request (Node.js puts them back in the Host header).
 */
type RequestHandler = NonNullable<ConstructorParameters<typeof HttpClient>[1]>[number]

const ipv6LiteralHosts: RequestHandler = {
  prepareRequest(options: RequestOptions): void {
    if (typeof options.host === 'string' && /^\[.*\]$/.test(options.host)) options.host = options.host.slice(1, -1)
  },
  canHandleAuthentication: () => false,
  handleAuthentication: () => Promise.reject(new Error('not an authentication handler'))
}

/**
 * One HTTP exchange, over @actions/http-client (which also honours the runner's proxy settings).
 * Its own redirects and retries are off: a redirect must never carry the token to another host,
 * and retrying is decided by the request path, which knows what is safe to repeat. Connections
 * are kept alive so a long wait reuses one connection instead of paying a new TLS handshake per
 * check.
 */
export class HttpTransport {
  private readonly client: HttpClient

  constructor(userAgent: string, socketTimeoutMs: number) {
    this.client = new HttpClient(userAgent, [ipv6LiteralHosts], {
      allowRedirects: false,
      allowRetries: false,
      keepAlive: true,
      // Requests made at once (one per server of a step) share two connections at most.
      maxSockets: MAX_CONNECTIONS,
      socketTimeout: socketTimeoutMs
    })
  }

  /**
   * Sends one request and reads the whole answer within `timeoutMs`: connecting, the headers and
   * every byte of the body count, so a body that stalls half-way fails like no answer at all.
   */
  async exchange(
    request: RequestDescription & { url: string; body?: string; headers: Record<string, string> },
    timeoutMs: number
  ): Promise<HttpAnswer> {
    const describe = { method: request.method, path: request.path }
    let timer: NodeJS.Timeout | undefined
    let message: IncomingMessage | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Reject first: destroying the message makes the body reader fail with a reset at once,
        // and the race must report what happened, the timeout, not that consequence.
        reject(
          new NetworkError(
            `${request.method} ${request.path}: no complete answer within ${formatDuration(timeoutMs)}`,
            describe,
            { notSent: false }
          )
        )
        message?.destroy()
      }, timeoutMs)
    })
    try {
      const response = await Promise.race([
        this.client.request(request.method, request.url, request.body ?? null, request.headers),
        timedOut
      ])
      message = response.message
      const body = await Promise.race([readBody(message, describe), timedOut])
      return { status: message.statusCode ?? 0, headers: message.headers, body }
    } catch (error) {
      throw error instanceof NetworkError ? error : networkError(error, describe)
    } finally {
      clearTimeout(timer)
    }
  }

  /** Closes the kept-alive connections, so the process can exit. */
  dispose(): void {
    this.client.dispose()
  }
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
