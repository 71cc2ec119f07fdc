/**
 * The one request path to the VPS.org API: every request goes through `send()`, which repeats
 * what may be repeated, keeps the token out of everything the API sends back, and turns answers
 * into errors that name the request; `listAll()` reads every page of a list within bounds.
 */
import type { Clock } from '../base/clock.js'
import type { Deadline } from '../base/deadline.js'
import { formatDuration } from '../base/duration.js'
import { ApiError, NetworkError, OutcomeUnknownError, type RequestDescription } from '../base/errors.js'
import { ApiClock } from './http-date.js'
import { HttpTransport, type HttpAnswer } from './http.js'
import { ListReader, type ListNoun, type Listing } from './listing.js'
import { failure, redirectError } from './messages.js'
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

export class ApiSession {
  private readonly http: HttpTransport
  readonly origin: string
  private readonly scrub: (text: string) => string
  /** Reads every page of a list, and warns once of each row it cannot use. */
  private readonly lists: ListReader
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
    this.lists = new ListReader(this)
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
        const answeredAt = this.apiClock.note(answer.headers.date)
        this.answered = true
        log.debug(`${method} ${path} → ${answer.status} in ${Math.round(this.clock.monotonic() - started)} ms`)
        if (answer.status >= 300 && answer.status < 400) throw redirectError(answer, request)
        if (!RETRYABLE_STATUSES.has(answer.status)) return { ...answer, afterUnknownOutcome }
        problem = failure(answer, request)
        // A date is on the clock of the answer that gave it: measured from its Date, not the runner's now.
        retryAfterMs = parseRetryAfter(answer.headers['retry-after'], answeredAt ?? this.clock.now())
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
      const pause = this.pauseBeforeRetry(attempt, problem, retryAfterMs)
      log.debug(`${problem.message}; retrying in ${formatDuration(pause)}`)
      await this.pause(pause)
    }
  }

  /**
   * The pause before the next attempt: the API's Retry-After, or the backoff. Throws the error the
   * request ends with when no attempt is left, or when the pause would reach past the deadline.
   */
  private pauseBeforeRetry(attempt: number, problem: ApiError, retryAfterMs: number | undefined): number {
    const { deadline } = this.options
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
    return pause
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
   * Every row of a list, from every page, de-duplicated by id, in the API's order (see ListReader).
   */
  listAll<T extends { id: number }>(
    pathAndQuery: string,
    decode: (row: unknown) => T | undefined,
    noun: ListNoun,
    options: { firstPageOnly?: boolean } = {}
  ): Promise<Listing<T>> {
    return this.lists.read(pathAndQuery, decode, noun, options)
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
