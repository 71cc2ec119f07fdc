/**
 * The VPS.org API as this action uses it: the documented backup endpoints and the restore, behind
 * a small interface (`VpsApi`) that commands and the poller depend on, so tests can hand them a
 * fake. Knows HTTP and the API, nothing of GitHub. The endpoints live by concern: the kind's paths
 * and rows (kinds.ts), its list and delete (backup-endpoints.ts), creating one
 * (create-reconciliation.ts), the servers (server-endpoints.ts).
 */
import { BackupEndpoints, type BackupFilter, type DeleteOutcome } from './backup-endpoints.js'
import type { Backup } from './backup.js'
import { createBackup, type CreatedBackup, type PointLabel } from './create-reconciliation.js'
import { formatDuration } from '../base/duration.js'
import type { RestorePoints } from './kinds.js'
import { ServerEndpoints, type ServerLookup } from './server-endpoints.js'
import { CLOCKS_APART_MS, type ClockReading } from './http-date.js'
import { ApiSession, type SessionOptions } from './session.js'

export type { BackupFilter, ClockReading, CreatedBackup, DeleteOutcome, PointLabel, ServerLookup }

/** What commands and the poller need of the API. */
export interface VpsApi {
  /** The kind of restore point every call below works with (backups or snapshots). */
  readonly points: RestorePoints
  /** Every backup that matches the filter, from every page, each id once, in no meaningful order. */
  listBackups(filter?: BackupFilter): Promise<Backup[]>
  /** Starts a manual backup or a snapshot; never leaves two behind (see VpsApiClient.createBackup). */
  createBackup(serverId: number, label: PointLabel, knownIds: ReadonlySet<number>): Promise<CreatedBackup>
  deleteBackup(backupId: number): Promise<DeleteOutcome>
  /** Sends one restore request, never repeated when its outcome is unknown; the API's answer. */
  restoreServer(serverId: number, backupId: number): Promise<Record<string, unknown>>
  /** How many backups match the filter, and in how many pages, from the first page alone. */
  sizeOfList(filter: BackupFilter): Promise<{ count: number; pages: number }>
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
  /**
   * Now for an age that decides a deletion (making room at the limit, and its dry-run forecast):
   * the earlier of now() and the runner's clock, so a backup goes only when it is old enough on
   * both. One warning names both times when they are more than 10 minutes apart.
   */
  deletionNow(): ClockReading
}

export class VpsApiClient implements VpsApi {
  private readonly session: ApiSession
  private readonly backups: BackupEndpoints
  private readonly servers: ServerEndpoints
  private warnedOfNoDate = false
  private warnedOfClocksApart = false

  /** Every call works with `points`: BACKUPS (the Backups API) or SNAPSHOTS (the Snapshots API). */
  constructor(
    options: SessionOptions,
    readonly points: RestorePoints
  ) {
    this.session = new ApiSession(options)
    this.backups = new BackupEndpoints(this.session, points)
    this.servers = new ServerEndpoints(this.session)
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
        `No answer of the API carried a readable Date header, so ${this.points.noun} ages (keep-within, the limit of ` +
          `${this.points.limit}, dates in the future) are measured on the runner's clock, which may differ from the API's`
      )
    }
    return this.session.clock.now()
  }

  deletionNow(): ClockReading {
    const runner = this.session.clock.now()
    // Without a Date header, now() is the runner's clock (and says so once).
    if (this.session.apiClock.now() === undefined) return { at: this.now(), clock: "the runner's" }
    const api = this.now()
    if (Math.abs(api - runner) > CLOCKS_APART_MS && !this.warnedOfClocksApart) {
      this.warnedOfClocksApart = true
      this.session.log.warning(
        `The API's clock (by its Date header: ${new Date(api).toISOString()}) and the runner's ` +
          `(${new Date(runner).toISOString()}) are ${formatDuration(Math.abs(api - runner))} apart: ages that decide ` +
          'a deletion are measured from the earlier, so a backup is deleted only when it is old enough on both'
      )
    }
    return api <= runner ? { at: api, clock: "the API's" } : { at: runner, clock: "the runner's" }
  }

  listBackups(filter: BackupFilter = {}): Promise<Backup[]> {
    return this.backups.listBackups(filter)
  }

  /** See create-reconciliation.ts: one call never leaves two behind. A snapshot needs a name. */
  createBackup(serverId: number, label: PointLabel, knownIds: ReadonlySet<number>): Promise<CreatedBackup> {
    return createBackup(this.session, this.points, filter => this.listBackups(filter), serverId, label, knownIds)
  }

  deleteBackup(backupId: number): Promise<DeleteOutcome> {
    return this.backups.deleteBackup(backupId)
  }

  sizeOfList(filter: BackupFilter): Promise<{ count: number; pages: number }> {
    return this.backups.sizeOfList(filter)
  }

  restoreServer(serverId: number, backupId: number): Promise<Record<string, unknown>> {
    return this.servers.restoreServer(serverId, backupId, this.points)
  }

  getServers(serverIds: readonly number[]): Promise<Map<number, ServerLookup>> {
    return this.servers.getServers(serverIds)
  }
}
