/**
 * The one request path to the VPS.org API: every request goes through `send()`, which repeats
 * what may be repeated, keeps the token out of everything the API sends back, and turns answers
 * into errors that name the request; `listAll()` reads every page of a list within bounds.
 */
import type { Clock } from '../clock.js'
import type { Deadline } from '../deadline.js'
import { formatDuration } from '../duration.js'
import { ApiError, NetworkError, OutcomeUnknownError, type RequestDescription } from '../errors.js'
import { excerpt, safeText } from '../text.js'
import { ApiClock } from './http-date.js'
import { HttpTransport, type HttpAnswer } from './http.js'
import { failure, isRecord, parseJson, redirectError } from './messages.js'
import { MAX_ATTEMPTS, RETRYABLE_STATUSES, backoffDelay, parseRetryAfter } from './retry.js'
import { tokenScrubber } from './token.js'

/** Where the API layer reports what it does; plain functions so it knows nothing of GitHub. */
export interface ClientLog {
  debug(message: string): void
  warning(message: string): void
}

export interface SessionOptions {
  /** e.g. `https://admin.vps.org`, no trailing slash */
  baseUrl: string
  token: string
  requestTimeoutMs: number
  /** Retries, timeouts and paging never reach past it. */
  deadline: Deadline
  log: ClientLog
  /** The step's clock, for the API's clock and the pauses between attempts; default the deadline's. */
  clock?: Clock
  userAgent?: string
}

/** How a failed attempt may be repeated. */
export type RepeatRule =
  /** GET and DELETE: repeating them does no harm. */
  | 'idempotent'
  /** POST: repeated only when it surely did not reach the API or the API said 429. */
  | 'once'

export interface SentAnswer extends HttpAnswer {
  /** An earlier attempt of this request may have reached the API and acted. */
  afterUnknownOutcome: boolean
}

/**
 * Bounds on reading one list, far above any real account (VPS.org allows 10 manual backups per
 * server): an API whose `next` links never end, or that pages forever, is stopped with one clear
 * error long before it could exhaust memory.
 */
export const LIST_LIMITS = { pages: 10_000, items: 100_000, bytes: 64 * 1024 * 1024 }

export interface ListNoun {
  /** `backup` */
  item: string
  /** `backup list` */
  list: string
}

/** What reading a list gave: its rows, and what it cost. */
export interface Listing<T> {
  items: T[]
  /** Pages read. */
  pages: number
  /** The `count` the first page gave, when it gave one. */
  count: number | undefined
  /** With firstPageOnly: whether the list has more pages than the one read. */
  morePages: boolean
}

export class ApiSession {
  private readonly http: HttpTransport
  readonly origin: string
  private readonly scrub: (text: string) => string
  /** Malformed rows already reported, so a wait that lists every few seconds warns once. */
  private readonly reportedMalformed = new Set<string>()
  /** The API's clock, from the Date header of every answer. */
  readonly apiClock: ApiClock
  /** The step's clock. */
  readonly clock: Clock
  /** Whether anything at api-url has answered a request of this step. */
  private answered = false
  /** Aborted by dispose(): ends the pauses between attempts, as the transport ends the requests. */
  private readonly ended = new AbortController()

  constructor(private readonly options: SessionOptions) {
    this.http = new HttpTransport(options.userAgent ?? 'vps-backup-action', options.requestTimeoutMs)
    this.origin = new URL(options.baseUrl).origin
    this.scrub = tokenScrubber(options.token)
    const clock = options.clock ?? options.deadline.clock
    this.clock = clock
    this.apiClock = new ApiClock(
      () => clock.monotonic(),
      () => clock.now()
    )
  }

  get deadline(): Deadline {
    return this.options.deadline
  }

  get log(): ClientLog {
    return this.options.log
  }

  /**
   * Ends the session when the step ends: every request waiting or sent is aborted (its socket
   * destroyed) and every pause between attempts cut short, so a request of the work that is still
   * going on (a server of several whose siblings already failed) can neither keep the process
   * alive nor send anything more.
   */
  dispose(): void {
    this.ended.abort(new Error('the step has ended'))
    this.http.dispose()
  }

  /** A pause between attempts; it ends the work with an error when the session ends first. */
  pause(ms: number): Promise<void> {
    return this.clock.sleep(ms, this.ended.signal)
  }

  url(pathAndQuery: string): string {
    return `${this.options.baseUrl}${pathAndQuery}`
  }

  pathOf(url: string): string {
    const parsed = new URL(url)
    return `${parsed.pathname}${parsed.search}`
  }

  /**
   * Sends, and repeats what may be repeated, with backoff and jitter, honouring Retry-After, within
   * MAX_ATTEMPTS and the step's deadline. Failures that trying again cannot mend (TLS, an answer too
   * large) end at once.
   */
  async send(method: string, url: string, body: string | undefined, rule: RepeatRule): Promise<SentAnswer> {
    const { deadline, log, token, requestTimeoutMs } = this.options
    const path = this.pathOf(url)
    const request: RequestDescription = { method, path }
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' })
    }
    let afterUnknownOutcome = false
    for (let attempt = 1; ; attempt++) {
      log.debug(`${method} ${url} (authorization: Bearer [redacted], attempt ${attempt}/${MAX_ATTEMPTS})`)
      const started = this.clock.monotonic()
      let problem: ApiError
      let retryAfterMs: number | undefined
      try {
        const answer = this.withoutToken(
          await this.http.exchange(
            { method, path, url, body, headers },
            { timeoutMs: requestTimeoutMs, stepLeftMs: deadline.remainingMs() }
          )
        )
        this.apiClock.note(answer.headers.date)
        this.answered = true
        log.debug(`${method} ${path} → ${answer.status} in ${Math.round(this.clock.monotonic() - started)} ms`)
        if (answer.status >= 300 && answer.status < 400) throw redirectError(answer, request)
        if (!RETRYABLE_STATUSES.has(answer.status)) return { ...answer, afterUnknownOutcome }
        problem = failure(answer, request)
        retryAfterMs = parseRetryAfter(answer.headers['retry-after'], this.clock.now())
        // A 429 says the API did nothing. Any other of these statuses may come after the API
        // acted (a gateway giving up on a slow answer): a POST must not be sent blindly again, and
        // a DELETE sent again may meet the 404 of its own earlier success.
        const mayHaveActed = answer.status !== 429
        if (rule === 'once' && mayHaveActed) {
          throw new OutcomeUnknownError(problem.message, request, answer.status, retryAfterMs)
        }
        afterUnknownOutcome ||= mayHaveActed
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error
        if (error.final) throw error
        if (rule === 'once' && !error.notSent) {
          throw new OutcomeUnknownError(`${error.message} after the request was sent`, request)
        }
        problem = error
        afterUnknownOutcome ||= !error.notSent
      }
      const pause = retryAfterMs ?? backoffDelay(attempt)
      if (attempt >= MAX_ATTEMPTS) {
        throw this.gaveUp(`${problem.message} (gave up after ${attempt} attempts)`, problem)
      }
      const remainingMs = deadline.remainingMs()
      if (pause >= remainingMs) {
        const next =
          retryAfterMs !== undefined
            ? `the API asked to retry after ${formatDuration(pause)}`
            : `the next attempt was due in ${formatDuration(pause)}`
        throw this.gaveUp(
          `${problem.message}; gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${next}, ` +
            `past the end of the step's ${deadline.describe()} timeout (in ${formatDuration(remainingMs)})`,
          problem
        )
      }
      log.debug(`${problem.message}; retrying in ${formatDuration(pause)}`)
      await this.pause(pause)
    }
  }

  /**
   * The error a request ends with once retrying stops. When no connection to api-url was ever made
   * (refused, host not found) and nothing there has answered this step, the likeliest cause is a
   * wrong api-url, not an outage: the message says so.
   */
  private gaveUp(message: string, problem: ApiError): ApiError {
    const neverReached = problem instanceof NetworkError && problem.notSent && !this.answered
    return new ApiError(
      neverReached ? `${message}; nothing answered at ${this.origin}: api-url may be wrong` : message,
      problem.request,
      problem.status
    )
  }

  /**
   * Every row of a list, from every page, de-duplicated by id (when a row comes twice, as when a
   * backup is created while paging, the copy read last wins), in the API's order. Rows `decode`
   * cannot read are skipped with one warning. Stops with an error at the step's deadline and at
   * LIST_LIMITS.
   */
  async listAll<T extends { id: number }>(
    pathAndQuery: string,
    decode: (row: unknown) => T | undefined,
    noun: ListNoun,
    { firstPageOnly = false }: { firstPageOnly?: boolean } = {}
  ): Promise<Listing<T>> {
    const first = this.url(pathAndQuery)
    let url: string | undefined = first
    const seen = new Set<string>()
    const rows = new Map<number, T>()
    const malformed: unknown[] = []
    let bytes = 0
    let count: number | undefined
    let morePages = false
    while (url !== undefined) {
      const path = this.pathOf(url)
      const request = { method: 'GET', path }
      const stop = (why: string): ApiError =>
        new ApiError(`reading the ${noun.list} (GET ${this.pathOf(first)}): ${why}`, request)
      if (seen.has(url)) throw stop(`its next links loop (back to ${path})`)
      if (seen.size >= LIST_LIMITS.pages) throw stop(`more than ${LIST_LIMITS.pages} pages; the API's paging is broken`)
      if (seen.size > 0 && this.options.deadline.expired()) {
        throw stop(`the ${this.options.deadline.describe()} timeout ran out after ${seen.size} pages`)
      }
      seen.add(url)
      const answer = await this.send('GET', url, undefined, 'idempotent')
      if (answer.status !== 200) throw failure(answer, request)
      bytes += answer.body.length
      const page = parseJson(answer, request)
      if (!isRecord(page) || !Array.isArray(page.results)) {
        throw new ApiError(`GET ${path} answered 200 without a results list: ${excerpt(answer.body)}`, request, 200)
      }
      for (const row of page.results) {
        const item = decode(row)
        if (item === undefined) malformed.push(row)
        else {
          rows.delete(item.id)
          rows.set(item.id, item)
        }
      }
      if (rows.size + malformed.length > LIST_LIMITS.items) {
        throw stop(`more than ${LIST_LIMITS.items} ${noun.item}s; the API's paging is broken`)
      }
      if (bytes > LIST_LIMITS.bytes) {
        throw stop(`more than ${LIST_LIMITS.bytes / (1024 * 1024)} MiB of answers; the API's paging is broken`)
      }
      if (seen.size === 1 && typeof page.count === 'number') count = page.count
      url = this.nextPage(page.next, url)
      if (firstPageOnly && url !== undefined) {
        morePages = true
        break
      }
    }
    this.reportMalformed(malformed, noun)
    return { items: [...rows.values()], pages: seen.size, count, morePages }
  }

  /** One warning for rows not seen before: they are skipped, never acted on. */
  private reportMalformed(rows: unknown[], noun: ListNoun): void {
    const fresh = rows.filter(row => {
      const key = JSON.stringify(row) ?? String(row)
      if (this.reportedMalformed.has(key)) return false
      this.reportedMalformed.add(key)
      return true
    })
    if (fresh.length === 0) return
    const ids = fresh.flatMap(row => (isRecord(row) && Number.isSafeInteger(row.id) ? [row.id as number] : []))
    const which = ids.length ? ` (ids ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''})` : ''
    this.options.log.warning(
      `Skipped ${fresh.length} row${fresh.length === 1 ? '' : 's'} of the ${noun.list}${which} that ` +
        `${fresh.length === 1 ? 'is' : 'are'} not a usable ${noun.item} (no id, status or server id), ` +
        `e.g. ${excerpt(JSON.stringify(fresh[0]) ?? String(fresh[0]), 160)}; never acted on`
    )
  }

  /**
   * The next page's URL, only on api-url's origin: the token goes nowhere else. Without its
   * fragment, which is never sent and must not hide a loop.
   */
  private nextPage(next: unknown, current: string): string | undefined {
    if (next === null || next === undefined || next === '') return undefined
    const request = { method: 'GET', path: this.pathOf(current) }
    let url: URL
    try {
      if (typeof next !== 'string') throw new TypeError('not a string')
      url = new URL(next, current)
    } catch {
      throw new ApiError(
        `GET ${request.path}: the next link ${safeText(JSON.stringify(next), 80)} is not a URL`,
        request,
        200
      )
    }
    if (url.origin !== this.origin) {
      throw new ApiError(
        `GET ${request.path}: refusing to follow a next link to another origin (${safeText(url.origin, 80)}); ` +
          `the token is only sent to ${this.origin}`,
        request,
        200
      )
    }
    url.hash = ''
    return url.href
  }

  /**
   * The answer with every occurrence of the token, in any encoding, replaced in the body and the
   * Location: an API or proxy that echoes the token (in an error message, a page, a link) must not
   * make this action print it, output it or put it in the job summary.
   */
  private withoutToken(answer: HttpAnswer): HttpAnswer {
    const location = answer.headers.location
    const headers =
      typeof location === 'string' ? { ...answer.headers, location: this.scrub(location) } : answer.headers
    return { ...answer, headers, body: this.scrub(answer.body) }
  }
}
