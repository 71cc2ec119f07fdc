/**
 * The VPS.org API as this action uses it: the documented backup endpoints and the restore, behind
 * a small interface (`VpsApi`) that commands and the poller depend on, so tests can hand them a
 * fake. Knows HTTP and the API, nothing of GitHub.
 */
import { formatDuration } from '../duration.js'
import { ApiError, OutcomeUnknownError } from '../errors.js'
import { excerpt, safeText } from '../text.js'
import { MANUAL, decodeBackup, mayBeStoredAs, type Backup } from './backup.js'
import { apiMessage, failure, isRecord, parseJson } from './messages.js'
import { MAX_ATTEMPTS, backoffDelay } from './retry.js'
import { decodeServer, type Server } from './server.js'
import { ApiSession, type SessionOptions } from './session.js'

export interface BackupFilter {
  serverId?: number
  backupType?: string
}

export interface CreatedBackup {
  backup: Backup
  /** True when the POST's outcome was unknown and the backup was found in the list afterwards. */
  adopted: boolean
}

/** `already-gone`: the API answered 404, so someone else deleted the backup first. */
export type DeleteOutcome = 'deleted' | 'already-gone'

/** What commands and the poller need of the API. */
export interface VpsApi {
  /** Every backup that matches the filter, from every page, each id once, in no meaningful order. */
  listBackups(filter?: BackupFilter): Promise<Backup[]>
  /** Starts a manual backup; never leaves two behind (see VpsApiClient.createBackup). */
  createBackup(serverId: number, description: string, knownIds: ReadonlySet<number>): Promise<CreatedBackup>
  deleteBackup(backupId: number): Promise<DeleteOutcome>
  /** Sends one restore request, never repeated when its outcome is unknown; the API's answer. */
  restoreServer(serverId: number, backupId: number): Promise<Record<string, unknown>>
  /** How many backups match the filter, and in how many pages, from the first page alone. */
  sizeOfList(filter: BackupFilter): Promise<{ count: number; pages: number }>
  /** The server, or undefined when the API does not list it. */
  getServer(serverId: number): Promise<Server | undefined>
  /**
   * Several servers at the cost of the fewest requests: one read each, or the list's pages. Each
   * server's read succeeds or fails on its own: one that failed does not hide the others.
   */
  getServers(serverIds: readonly number[]): Promise<Map<number, ServerLookup>>
  /**
   * Now by the API's clock (the Date header of its last answer, plus the time since), which dates
   * its backups; the runner's clock, with one warning, when no answer carried a readable Date.
   */
  now(): number
}

/** One server's read: the server (undefined when the API does not list it), or why it failed. */
export type ServerLookup = { server: Server | undefined } | { error: ApiError }

const LIST_PATH = '/api/v1/backups/'
const BACKUPS = { item: 'backup', list: 'backup list' }
const SERVERS_PATH = '/api/v1/servers/'
const SERVERS = { item: 'server', list: 'server list' }
/** How long to let the API settle before looking for a backup whose creation was cut off. */
const SETTLE_MS = 2000

export class VpsApiClient implements VpsApi {
  private readonly session: ApiSession
  private warnedOfIgnoredFilter = false
  private warnedOfNoDate = false
  /** Set once GET /api/v1/servers/{id}/ answered 404 or 405: it is not documented, the list is. */
  private serversOnlyByList = false
  /** Pages the server list took when last read. */
  private serverListPages: number | undefined

  constructor(options: SessionOptions) {
    this.session = new ApiSession(options)
  }

  dispose(): void {
    this.session.dispose()
  }

  now(): number {
    const apiNow = this.session.apiClock.now()
    if (apiNow !== undefined) return apiNow
    if (!this.warnedOfNoDate) {
      this.warnedOfNoDate = true
      this.session.log.warning(
        'No answer of the API carried a readable Date header, so backup ages (keep-within, the limit of 10, ' +
          "dates in the future) are measured on the runner's clock, which may differ from the API's"
      )
    }
    return this.session.clock.now()
  }

  /**
   * The API's filters are checked on every row, by the backup's own fields: an API or a cache that
   * ignores `server_id` must not hand another server's backups to a caller that acts on them.
   */
  async listBackups(filter: BackupFilter = {}): Promise<Backup[]> {
    const path = this.listPath(filter)
    const listed = (await this.session.listAll(path, decodeBackup, BACKUPS)).items
    const matching = listed.filter(
      b =>
        (filter.serverId === undefined || b.server.id === filter.serverId) &&
        (filter.backupType === undefined || b.backup_type === filter.backupType)
    )
    const ignored = listed.length - matching.length
    if (ignored > 0 && !this.warnedOfIgnoredFilter) {
      this.warnedOfIgnoredFilter = true
      this.session.log.warning(
        `GET ${path} answered with ${ignored} backup${ignored === 1 ? ' that does' : 's that do'} not match its filter; ` +
          'the API (or a cache in front of it) ignored the filter: they are left out and never acted on'
      )
    }
    return matching
  }

  private listPath(filter: BackupFilter): string {
    const query = new URLSearchParams()
    if (filter.serverId !== undefined) query.set('server_id', String(filter.serverId))
    if (filter.backupType !== undefined) query.set('backup_type', filter.backupType)
    return LIST_PATH + (query.size ? `?${query}` : '')
  }

  /**
   * Starts a manual backup. POST is not idempotent: when its outcome is unknown (reset or
   * timeout after sending, a gateway error), the server's manual backups are listed and a new
   * backup of this server whose description may be this one as the API stores it, not among
   * `knownIds`, is adopted; only when there is none is the POST sent again, and when there are
   * several (another run with the same description) the step fails rather than guess. So one call
   * never leaves two backups behind.
   */
  async createBackup(serverId: number, description: string, knownIds: ReadonlySet<number>): Promise<CreatedBackup> {
    const { session } = this
    const request = { method: 'POST', path: LIST_PATH }
    const body = JSON.stringify({ server_id: serverId, description })
    for (let attempt = 1; ; attempt++) {
      let uncertainty: OutcomeUnknownError
      try {
        const answer = await session.send('POST', session.url(LIST_PATH), body, 'once')
        if (answer.status < 200 || answer.status >= 300) throw failure(answer, request, `server ${serverId}`)
        const backup = decodeBackup(parseJsonOr(answer.body))
        if (backup === undefined) {
          // The API said it started a backup but its answer cannot be read: find it rather than
          // create another. A 2xx is never followed by a second POST.
          const found = await this.findNewBackup(serverId, description, knownIds)
          if (found) return { backup: found, adopted: true }
          parseJson(answer, request)
          throw new ApiError(
            `POST ${LIST_PATH} answered ${answer.status} without a readable backup (no id, status or server id), ` +
              `and no new backup of server ${serverId} is listed`,
            request,
            answer.status
          )
        }
        if (backup.server.id !== serverId) {
          throw new ApiError(
            `POST ${LIST_PATH} for server ${serverId} answered with backup ${backup.id} of server ${backup.server.id}; ` +
              'not using it: check the backups of both servers in the VPS.org panel',
            request,
            answer.status
          )
        }
        return { backup, adopted: false }
      } catch (error) {
        if (!(error instanceof OutcomeUnknownError)) throw error
        uncertainty = error
      }
      // Look only after the pause the API asked for, or a short one: behind a gateway that gave up
      // (502, 504) the API may still be creating it, and a backup listed late would be missed and
      // a second one started.
      const remainingMs = session.deadline.remainingMs()
      const pause = uncertainty.retryAfterMs ?? Math.max(SETTLE_MS, backoffDelay(attempt))
      const mayRetry = attempt < MAX_ATTEMPTS && pause < remainingMs
      session.log.warning(
        `Creating the backup of server ${serverId} may or may not have worked (${uncertainty.message}); ` +
          `checking the backup list${mayRetry ? ` in ${formatDuration(pause)}, before trying again` : ''}`
      )
      if (mayRetry) await session.pause(pause)
      const found = await this.findNewBackup(serverId, description, knownIds)
      if (found) {
        session.log.warning(`Backup ${found.id} was created by that request; using it instead of creating another`)
        return { backup: found, adopted: true }
      }
      if (!mayRetry) {
        const asked =
          uncertainty.retryAfterMs !== undefined && pause >= remainingMs
            ? `; the API asked to retry after ${formatDuration(pause)}, but only ${formatDuration(remainingMs)} remain of the ` +
              `${session.deadline.describe()} timeout`
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

  /** Deletes a backup for good. 200, 202 and 204 mean deleted. */
  async deleteBackup(backupId: number): Promise<DeleteOutcome> {
    const { session } = this
    const path = `${LIST_PATH}${backupId}/`
    const answer = await session.send('DELETE', session.url(path), undefined, 'idempotent')
    if (answer.status === 204 || answer.status === 200 || answer.status === 202) return 'deleted'
    if (answer.status === 404) {
      if (!answer.afterUnknownOutcome) return 'already-gone'
      // An earlier attempt was cut off after it was sent: it is what deleted the backup.
      session.log.debug(`DELETE ${path}: 404 after an interrupted attempt; that attempt deleted the backup`)
      return 'deleted'
    }
    throw failure(answer, { method: 'DELETE', path }, `backup ${backupId}`)
  }

  /**
   * Asks the API to overwrite the server's disk with the backup. Never repeated when its outcome
   * is unknown: the caller is told what to check instead.
   */
  async restoreServer(serverId: number, backupId: number): Promise<Record<string, unknown>> {
    const { session } = this
    const path = `/api/v1/servers/${serverId}/restore/`
    const request = { method: 'POST', path }
    let answer
    try {
      answer = await session.send('POST', session.url(path), JSON.stringify({ backup_id: backupId }), 'once')
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
    if (answer.status === 400) {
      throw new ApiError(
        `the VPS.org API refused to restore server ${serverId} from backup ${backupId} (400 on POST ${path}): ` +
          `${apiMessage(answer.body)}; the server may not be in a state that allows a restore ` +
          '(another operation running?): check it in the VPS.org panel',
        request,
        400
      )
    }
    if (answer.status < 200 || answer.status >= 300) throw failure(answer, request, `server ${serverId}`)
    // The restore answer is not documented: any 2xx means accepted; read what is there.
    const parsed = parseJsonOr(answer.body)
    return isRecord(parsed) ? parsed : {}
  }

  /**
   * The server, by `GET /api/v1/servers/{id}/`; where that endpoint answers 404 or 405 (VPS.org
   * documents only the list), from the documented list, every page, by the server's own id.
   */
  async getServer(serverId: number): Promise<Server | undefined> {
    const { session } = this
    if (!this.serversOnlyByList) {
      const path = `${SERVERS_PATH}${serverId}/`
      const request = { method: 'GET', path }
      const answer = await session.send('GET', session.url(path), undefined, 'idempotent')
      if (answer.status === 200) {
        const server = decodeServer(parseJson(answer, request))
        if (server?.id === serverId) return server
        throw new ApiError(`GET ${path} answered 200 without server ${serverId}: ${excerpt(answer.body)}`, request, 200)
      }
      if (answer.status !== 404 && answer.status !== 405) throw failure(answer, request, `server ${serverId}`)
      session.log.debug(`GET ${path} answered ${answer.status}: reading servers from ${SERVERS_PATH} instead`)
      this.serversOnlyByList = true
    }
    return (await this.listServers()).get(serverId)
  }

  async getServers(serverIds: readonly number[]): Promise<Map<number, ServerLookup>> {
    const oneByOne =
      !this.serversOnlyByList && (serverIds.length === 1 || serverIds.length < (this.serverListPages ?? 1))
    if (oneByOne) {
      return new Map(
        await Promise.all(serverIds.map(async id => [id, await lookup(() => this.getServer(id))] as const))
      )
    }
    const listed = await lookup(() => this.listServers())
    return new Map(
      serverIds.map((id): [number, ServerLookup] => [
        id,
        'error' in listed ? listed : { server: listed.server.get(id) }
      ])
    )
  }

  async sizeOfList(filter: BackupFilter): Promise<{ count: number; pages: number }> {
    const page = await this.session.listAll(this.listPath(filter), decodeBackup, BACKUPS, { firstPageOnly: true })
    const count = page.count ?? page.items.length
    return { count, pages: page.morePages ? Math.ceil(count / Math.max(1, page.items.length)) : 1 }
  }

  /** Every server, from the documented list, by its own id. */
  private async listServers(): Promise<Map<number, Server>> {
    const listing = await this.session.listAll(SERVERS_PATH, decodeServer, SERVERS)
    this.serverListPages = listing.pages
    return new Map(listing.items.map(server => [server.id, server]))
  }

  /**
   * The one backup of the server, not there before the request, whose description may be this
   * one as the API stored it. Several such backups: another run uses the same description, and
   * guessing could adopt its backup, so the step fails saying so.
   */
  private async findNewBackup(
    serverId: number,
    description: string,
    knownIds: ReadonlySet<number>
  ): Promise<Backup | undefined> {
    const backups = await this.listBackups({ serverId, backupType: MANUAL })
    const fresh = backups.filter(
      b => !knownIds.has(b.id) && b.server.id === serverId && mayBeStoredAs(description, b.description)
    )
    if (fresh.length <= 1) return fresh[0]
    throw new ApiError(
      `creating the backup of server ${serverId} may or may not have worked, and ${fresh.length} new backups ` +
        `with its description are listed (${fresh.map(b => b.id).join(', ')}): another run may have made some of them, ` +
        `so this step does not guess which is its own. Check them in the VPS.org panel, and give each run its own ` +
        `description (the default names the run and its attempt; this one is "${safeText(description, 60)}")`,
      { method: 'POST', path: LIST_PATH }
    )
  }
}

/** A read's result, or the API's error; anything else (a bug) is thrown on. */
async function lookup<T>(read: () => Promise<T>): Promise<{ server: T } | { error: ApiError }> {
  try {
    return { server: await read() }
  } catch (error) {
    if (error instanceof ApiError) return { error }
    throw error
  }
}

function parseJsonOr(body: string): unknown {
  try {
    return JSON.parse(body) as unknown
  } catch {
    return undefined
  }
}
