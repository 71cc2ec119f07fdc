import { sleep, type Deadline } from './deadline.js'
import { formatDuration } from './duration.js'
import { ApiError, NetworkError, OutcomeUnknownError, type RequestDescription } from './errors.js'
import { HttpTransport, type HttpAnswer } from './http.js'
import { MAX_ATTEMPTS, RETRYABLE_STATUSES, backoffDelay, parseRetryAfter } from './retry.js'
import { excerpt, safeText } from './text.js'

/** A backup as the list and create endpoints return it. Unknown fields are kept. */
export interface Backup {
  id: number
  server: { id: number; name: string }
  backup_type: string
  status: string
  size_mb: number | null
  created_at: string
  expires_at: string | null
  description: string
  [field: string]: unknown
}

export interface BackupFilter {
  serverId?: number
  backupType?: string
}

export interface CreatedBackup {
  backup: Backup
  /** True when the POST's outcome was unknown and the backup was found in the list afterwards. */
  adopted: boolean
}

/** Where the client reports what it does; plain functions so the client knows nothing of GitHub. */
export interface ClientLog {
  debug(message: string): void
  warning(message: string): void
}

export interface ApiClientOptions {
  /** e.g. `https://admin.vps.org`, no trailing slash */
  baseUrl: string
  token: string
  requestTimeoutMs: number
  /** Retries and timeouts never reach past it. */
  deadline: Deadline
  log: ClientLog
  userAgent?: string
}

/** How a failed attempt may be repeated. */
type RepeatRule =
  /** GET and DELETE: repeating them does no harm. */
  | 'idempotent'
  /** POST: repeated only when it surely did not reach the API or the API said 429. */
  | 'once'

const LIST_PATH = '/api/v1/backups/'
/** A runaway `next` chain is a broken API, not a large account. */
const MAX_PAGES = 10_000
/** How long to let the API settle before looking for a backup whose creation was cut off. */
const SETTLE_MS = 2000

/** The VPS.org backups API: the four documented endpoints and nothing else. */
export class VpsApiClient {
  private readonly http: HttpTransport
  private readonly origin: string

  constructor(private readonly options: ApiClientOptions) {
    this.http = new HttpTransport(options.userAgent ?? 'vps-backup-action', options.requestTimeoutMs)
    this.origin = new URL(options.baseUrl).origin
  }

  dispose(): void {
    this.http.dispose()
  }

  /** Every backup that matches the filter, from every page, in the API's (meaningless) order. */
  async listBackups(filter: BackupFilter = {}): Promise<Backup[]> {
    const query = new URLSearchParams()
    if (filter.serverId !== undefined) query.set('server_id', String(filter.serverId))
    if (filter.backupType !== undefined) query.set('backup_type', filter.backupType)
    let url: string | undefined = this.url(LIST_PATH + (query.size ? `?${query}` : ''))
    const seen = new Set<string>()
    const backups: Backup[] = []
    while (url !== undefined) {
      if (seen.has(url) || seen.size >= MAX_PAGES) {
        throw new ApiError(`the backup list's next links loop or never end (at ${this.pathOf(url)})`, {
          method: 'GET',
          path: this.pathOf(url)
        })
      }
      seen.add(url)
      const answer = await this.send('GET', url, undefined, 'idempotent')
      const request = { method: 'GET', path: this.pathOf(url) }
      if (answer.status !== 200) throw this.failure(answer, request)
      const page = parseJson(answer, request)
      if (!isRecord(page) || !Array.isArray(page.results)) {
        throw new ApiError(
          `GET ${request.path} answered 200 without a results list: ${excerpt(answer.body)}`,
          request,
          200
        )
      }
      for (const item of page.results) backups.push(toBackup(item, request))
      url = this.nextPage(page.next, url)
    }
    return backups
  }

  /**
   * Starts a manual backup. POST is not idempotent: when its outcome is unknown (reset or
   * timeout after sending, a gateway error), the server's manual backups are listed and a new
   * backup with this description, not among `knownIds`, is adopted; only when there is none is
   * the POST sent again. So one call never leaves two backups behind.
   */
  async createBackup(serverId: number, description: string, knownIds: ReadonlySet<number>): Promise<CreatedBackup> {
    const request = { method: 'POST', path: LIST_PATH }
    const body = JSON.stringify({ server_id: serverId, description })
    for (let attempt = 1; ; attempt++) {
      let uncertainty: OutcomeUnknownError
      try {
        const answer = await this.send('POST', this.url(LIST_PATH), body, 'once')
        if (answer.status < 200 || answer.status >= 300) throw this.failure(answer, request, `server ${serverId}`)
        try {
          return { backup: toBackup(parseJson(answer, request), request), adopted: false }
        } catch (error) {
          // The API said it started a backup but its answer cannot be read: find it rather than
          // create another. A 2xx is never followed by a second POST.
          const found = await this.findNewBackup(serverId, description, knownIds)
          if (found) return { backup: found, adopted: true }
          throw error
        }
      } catch (error) {
        if (!(error instanceof OutcomeUnknownError)) throw error
        uncertainty = error
      }
      // Look only after the pause the API asked for, or a short one: behind a gateway that gave up
      // (502, 504) the API may still be creating it, and a backup listed late would be missed and
      // a second one started.
      const remainingMs = this.options.deadline.remainingMs()
      const pause = uncertainty.retryAfterMs ?? Math.max(SETTLE_MS, backoffDelay(attempt))
      const mayRetry = attempt < MAX_ATTEMPTS && pause < remainingMs
      this.options.log.warning(
        `Creating the backup of server ${serverId} may or may not have worked (${uncertainty.message}); ` +
          `checking the backup list${mayRetry ? ` in ${formatDuration(pause)}, before trying again` : ''}`
      )
      if (mayRetry) await sleep(pause)
      const found = await this.findNewBackup(serverId, description, knownIds)
      if (found) {
        this.options.log.warning(`Backup ${found.id} was created by that request; using it instead of creating another`)
        return { backup: found, adopted: true }
      }
      if (!mayRetry) {
        const asked =
          uncertainty.retryAfterMs !== undefined && pause >= remainingMs
            ? `; the API asked to retry after ${formatDuration(pause)}, but only ${formatDuration(remainingMs)} remain of the ` +
              `${this.options.deadline.describe()} timeout`
            : ''
        throw new ApiError(
          `could not create a backup of server ${serverId}: ${uncertainty.message}, and no new backup is listed ` +
            `after ${attempt} attempt${attempt > 1 ? 's' : ''}${asked}`,
          request,
          uncertainty.status
        )
      }
    }
  }

  /** Deletes a backup for good. */
  async deleteBackup(backupId: number): Promise<void> {
    const path = `${LIST_PATH}${backupId}/`
    const request = { method: 'DELETE', path }
    const answer = await this.send('DELETE', this.url(path), undefined, 'idempotent')
    if (answer.status === 204 || answer.status === 200) return
    if (answer.status === 404 && answer.afterUnknownOutcome) {
      // An earlier attempt was cut off after it was sent: it is what deleted the backup.
      this.options.log.debug(`DELETE ${path}: 404 after an interrupted attempt; the backup is gone`)
      return
    }
    throw this.failure(answer, request, `backup ${backupId}`)
  }

  /**
   * Asks the API to overwrite the server's disk with the backup. Never repeated when its outcome
   * is unknown: the caller is told what to check instead.
   */
  async restoreServer(serverId: number, backupId: number): Promise<Record<string, unknown>> {
    const path = `/api/v1/servers/${serverId}/restore/`
    const request = { method: 'POST', path }
    let answer: HttpAnswer
    try {
      answer = await this.send('POST', this.url(path), JSON.stringify({ backup_id: backupId }), 'once')
    } catch (error) {
      if (error instanceof OutcomeUnknownError) {
        throw new OutcomeUnknownError(
          `the restore of server ${serverId} from backup ${backupId} may or may not have started (${error.message}); ` +
            'check the server in the VPS.org panel before restoring again',
          request,
          error.status
        )
      }
      throw error
    }
    if (answer.status < 200 || answer.status >= 300) throw this.failure(answer, request, `server ${serverId}`)
    // The restore answer is not documented: any 2xx means accepted; read what is there.
    try {
      const parsed = JSON.parse(answer.body) as unknown
      return isRecord(parsed) ? parsed : {}
    } catch {
      return {}
    }
  }

  /** A manual backup of the server with this description that was not there before. */
  private async findNewBackup(
    serverId: number,
    description: string,
    knownIds: ReadonlySet<number>
  ): Promise<Backup | undefined> {
    const backups = await this.listBackups({ serverId, backupType: 'manual' })
    // DRF trims white space around text fields by default: compare what the API would store.
    const stored = description.trim()
    const fresh = backups
      .filter(b => !knownIds.has(b.id) && b.description.trim() === stored && b.server.id === serverId)
      .sort((a, b) => b.id - a.id)
    return fresh[0]
  }

  /**
   * The one request path: sends, and repeats what may be repeated, with backoff and jitter,
   * honouring Retry-After, within MAX_ATTEMPTS and the step's deadline.
   */
  private async send(
    method: string,
    url: string,
    body: string | undefined,
    rule: RepeatRule
  ): Promise<HttpAnswer & { afterUnknownOutcome: boolean }> {
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
      const timeoutMs = Math.min(requestTimeoutMs, Math.max(1000, deadline.remainingMs()))
      log.debug(`${method} ${url} (authorization: Bearer [redacted], attempt ${attempt}/${MAX_ATTEMPTS})`)
      const started = Date.now()
      let problem: ApiError
      let retryAfterMs: number | undefined
      try {
        const answer = withoutToken(await this.http.exchange({ method, path, url, body, headers }, timeoutMs), token)
        log.debug(`${method} ${path} → ${answer.status} in ${Date.now() - started} ms`)
        if (answer.status >= 300 && answer.status < 400) throw redirectError(answer, request)
        if (!RETRYABLE_STATUSES.has(answer.status)) return { ...answer, afterUnknownOutcome }
        problem = this.failure(answer, request)
        retryAfterMs = parseRetryAfter(answer.headers['retry-after'])
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
        if (rule === 'once' && !error.notSent) {
          throw new OutcomeUnknownError(`${error.message} after the request was sent`, request)
        }
        problem = error
        afterUnknownOutcome ||= !error.notSent
      }
      const pause = retryAfterMs ?? backoffDelay(attempt)
      if (attempt >= MAX_ATTEMPTS) {
        throw new ApiError(`${problem.message} (gave up after ${attempt} attempts)`, request, problem.status)
      }
      if (pause >= deadline.remainingMs()) {
        const why =
          retryAfterMs !== undefined
            ? `the API asked to retry after ${formatDuration(pause)}`
            : 'no time is left to retry'
        throw new ApiError(
          `${problem.message}; ${why}, but only ${formatDuration(deadline.remainingMs())} remain of the ${deadline.describe()} timeout`,
          request,
          problem.status
        )
      }
      log.debug(`${problem.message}; retrying in ${formatDuration(pause)}`)
      await sleep(pause)
    }
  }

  /**
   * An ApiError for an answer that is not the expected success, with the API's own words. A 404
   * says that `subject` (the server or backup the request names) does not exist.
   */
  private failure(answer: HttpAnswer, request: RequestDescription, subject?: string): ApiError {
    const where = `${answer.status} on ${request.method} ${request.path}`
    const said = apiMessage(answer.body)
    switch (answer.status) {
      case 404:
        return new ApiError(`${subject ?? request.path} not found (${where}): ${said}`, request, 404)
      case 401:
        return new ApiError(
          `the VPS.org API refused the token (${where}: ${said}); check the api-token secret`,
          request,
          401
        )
      case 403:
        return new ApiError(`the token is not allowed to do this (${where}: ${said})`, request, 403)
      case 400:
        return new ApiError(`the VPS.org API rejected ${request.method} ${request.path} (400): ${said}`, request, 400)
      case 429:
        return new ApiError(`the VPS.org API is rate limiting this token (${where}: ${said})`, request, 429)
      default:
        return new ApiError(`the VPS.org API answered ${where}: ${said}`, request, answer.status)
    }
  }

  private url(pathAndQuery: string): string {
    return `${this.options.baseUrl}${pathAndQuery}`
  }

  private pathOf(url: string): string {
    const parsed = new URL(url)
    return `${parsed.pathname}${parsed.search}`
  }

  /** The next page's URL, only on api-url's origin: the token goes nowhere else. */
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
    return url.href
  }
}

/**
 * The answer with every occurrence of the token replaced, in the body and the Location: an API or
 * proxy that echoes the token (in an error message, a page, a link) must not make this action
 * print it, output it or put it in the job summary.
 */
function withoutToken(answer: HttpAnswer, token: string): HttpAnswer {
  const location = answer.headers.location
  if (!answer.body.includes(token) && !(typeof location === 'string' && location.includes(token))) return answer
  const scrub = (text: string): string => text.split(token).join('***')
  const headers = typeof location === 'string' ? { ...answer.headers, location: scrub(location) } : answer.headers
  return { ...answer, headers, body: scrub(answer.body) }
}

function redirectError(answer: HttpAnswer, request: RequestDescription): ApiError {
  const location = answer.headers.location
  let target = 'no Location given'
  if (location) {
    try {
      const url = new URL(location, 'http://relative.invalid')
      target = url.origin === 'http://relative.invalid' ? url.pathname : `${url.origin}${url.pathname}`
    } catch {
      target = String(location)
    }
  }
  return new ApiError(
    `${request.method} ${request.path} answered ${answer.status}, redirecting to ${safeText(target, 120)}; ` +
      'redirects are not followed so the token is not sent elsewhere: check api-url',
    request,
    answer.status
  )
}

/**
 * The API's own words from an error body: DRF's `detail`, `non_field_errors` and per-field lists,
 * or a short excerpt of a body that is not JSON (an HTML page from a proxy, say).
 */
export function apiMessage(body: string): string {
  if (body.trim() === '') return 'empty body'
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return `"${excerpt(body)}"`
  }
  if (typeof parsed === 'string') return safeText(parsed)
  if (Array.isArray(parsed)) return safeText(parsed.map(String).join(' '))
  if (!isRecord(parsed)) return `"${excerpt(body)}"`
  const parts: string[] = []
  for (const [field, value] of Object.entries(parsed)) {
    const text = Array.isArray(value)
      ? value.map(String).join(' ')
      : typeof value === 'string'
        ? value
        : JSON.stringify(value)
    parts.push(field === 'detail' || field === 'non_field_errors' ? text : `${field}: ${text}`)
  }
  return parts.length ? safeText(parts.join('; '), 300) : `"${excerpt(body)}"`
}

function parseJson(answer: HttpAnswer, request: RequestDescription): unknown {
  try {
    return JSON.parse(answer.body) as unknown
  } catch {
    const what = answer.body.trim() === '' ? 'an empty body' : `a body that is not JSON: "${excerpt(answer.body)}"`
    throw new ApiError(
      `${request.method} ${request.path} answered ${answer.status} with ${what}`,
      request,
      answer.status
    )
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Checks the fields this action relies on; a backup without them cannot be followed or restored. */
function toBackup(value: unknown, request: RequestDescription): Backup {
  const server = isRecord(value) ? value.server : undefined
  if (
    !isRecord(value) ||
    !Number.isSafeInteger(value.id) ||
    typeof value.status !== 'string' ||
    !isRecord(server) ||
    !Number.isSafeInteger(server.id)
  ) {
    throw new ApiError(
      `${request.method} ${request.path}: a backup in the answer lacks its id, status or server: ${excerpt(JSON.stringify(value) ?? '')}`,
      request
    )
  }
  return {
    ...value,
    id: value.id as number,
    server: { id: server.id as number, name: typeof server.name === 'string' ? server.name : '' },
    backup_type: typeof value.backup_type === 'string' ? value.backup_type : '',
    status: value.status,
    size_mb: typeof value.size_mb === 'number' ? value.size_mb : null,
    created_at: typeof value.created_at === 'string' ? value.created_at : '',
    expires_at: typeof value.expires_at === 'string' ? value.expires_at : null,
    description: typeof value.description === 'string' ? value.description : ''
  }
}
