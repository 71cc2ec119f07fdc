/**
 * The documented endpoints of one kind of restore point (backups, or snapshots: one class, the
 * kind's paths and rows from kinds.ts): the list (every page, its filters checked on every row), its size, and delete. Creating
 * one is create-reconciliation.ts: it needs more care.
 */
import type { Backup } from './backup.js'
import type { RestorePoints } from './kinds.js'
import { failure } from './messages.js'
import type { ApiSession } from './session.js'

export interface BackupFilter {
  serverId?: number
  backupType?: string
}

/** `already-gone`: the API answered 404, so someone else deleted the backup first. */
export type DeleteOutcome = 'deleted' | 'already-gone'

export class BackupEndpoints {
  private warnedOfIgnoredFilter = false

  constructor(
    private readonly session: ApiSession,
    readonly points: RestorePoints
  ) {}

  /**
   * The API's filters are checked on every row, by the backup's own fields: an API or a cache that
   * ignores `server_id` must not hand another server's backups to a caller that acts on them.
   */
  async listBackups(filter: BackupFilter = {}): Promise<Backup[]> {
    const { points } = this
    const path = listPath(points, filter)
    const listed = (await this.session.listAll(path, points.decode, points.listNoun)).items
    const matching = listed.filter(
      b =>
        (filter.serverId === undefined || b.server.id === filter.serverId) &&
        (!points.typed || filter.backupType === undefined || b.backup_type === filter.backupType)
    )
    const ignored = listed.length - matching.length
    if (ignored > 0 && !this.warnedOfIgnoredFilter) {
      this.warnedOfIgnoredFilter = true
      this.session.log.warning(
        `GET ${path} answered with ${ignored} ${points.listNoun.item}${ignored === 1 ? ' that does' : 's that do'} not match its filter; ` +
          'the API (or a cache in front of it) ignored the filter: they are left out and never acted on'
      )
    }
    return matching
  }

  async sizeOfList(filter: BackupFilter): Promise<{ count: number; pages: number }> {
    const { points } = this
    const page = await this.session.listAll(listPath(points, filter), points.decode, points.listNoun, {
      firstPageOnly: true
    })
    const count = page.count ?? page.items.length
    return { count, pages: page.morePages ? Math.ceil(count / Math.max(1, page.items.length)) : 1 }
  }

  /** Deletes a backup (or snapshot) for good. 200, 202 and 204 mean deleted. */
  async deleteBackup(backupId: number): Promise<DeleteOutcome> {
    const { session, points } = this
    const path = points.itemPath(backupId)
    const answer = await session.send('DELETE', session.url(path), undefined, 'idempotent')
    if (answer.status === 204 || answer.status === 200 || answer.status === 202) return 'deleted'
    if (answer.status === 404) {
      if (!answer.afterUnknownOutcome) return 'already-gone'
      // An earlier attempt was cut off after it was sent: it is what deleted the backup.
      session.log.debug(
        `DELETE ${path}: 404 after an interrupted attempt; that attempt deleted the ${points.listNoun.item}`
      )
      return 'deleted'
    }
    throw failure(answer, { method: 'DELETE', path, notFound: `${points.listNoun.item} ${backupId}` })
  }
}

function listPath(points: RestorePoints, filter: BackupFilter): string {
  const query = new URLSearchParams()
  if (filter.serverId !== undefined) query.set('server_id', String(filter.serverId))
  if (points.typed && filter.backupType !== undefined) query.set('backup_type', filter.backupType)
  return points.path + (query.size ? `?${query}` : '')
}
