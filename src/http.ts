import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { HttpClient } from '@actions/http-client'
import { formatDuration } from './duration.js'
import { NetworkError, type RequestDescription } from './errors.js'

export interface HttpAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** A larger answer is not from the VPS.org API: a page of 100 backups is about 30 KB. */
const MAX_BODY_BYTES = 32 * 1024 * 1024

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

/**
 * One HTTP exchange, over @actions/http-client (which also honours the runner's proxy settings).
 * Its own redirects and retries are off: a redirect must never carry the token to another host,
 * and retrying is decided by the API client, which knows what is safe to repeat. Connections are
 * kept alive so a long wait reuses one connection instead of paying a new TLS handshake per check.
 */
export class HttpTransport {
  private readonly client: HttpClient

  constructor(userAgent: string, socketTimeoutMs: number) {
    this.client = new HttpClient(userAgent, [], {
      allowRedirects: false,
      allowRetries: false,
      keepAlive: true,
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
            false
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

function readBody(message: IncomingMessage, request: RequestDescription): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    message.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        message.destroy()
        reject(
          new NetworkError(
            `${request.method} ${request.path}: answer larger than ${MAX_BODY_BYTES} bytes`,
            request,
            false
          )
        )
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

function networkError(error: unknown, request: RequestDescription): NetworkError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? ''
  const raw = error instanceof Error ? error.message : String(error)
  const what = CODE_WORDS[code] ?? (/timeout/i.test(raw) ? 'no answer in time' : raw.replace(/\s+/g, ' ').slice(0, 100))
  return new NetworkError(`${request.method} ${request.path}: ${what}`, request, NOT_SENT_CODES.has(code))
}
