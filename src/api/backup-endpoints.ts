/**
 * The documented backup endpoints: the list (every page, its filters checked on every row), its
 * size, and delete. Creating a backup is create-reconciliation.ts: it needs more care.
 */
import { decodeBackup, type Backup } from './backup.js'
import { failure } from './messages.js'
import type { ApiSession } from './session.js'

export interface BackupFilter {
  serverId?: number
  backupType?: string
}

/** `already-gone`: the API answered 404, so someone else deleted the backup first. */
export type DeleteOutcome = 'deleted' | 'already-gone'

export const BACKUPS_PATH = '/api/v1/backups/'
const BACKUPS = { item: 'backup', list: 'backup list' }

export class BackupEndpoints {
  private warnedOfIgnoredFilter = false

  constructor(private readonly session: ApiSession) {}

  /**
   * The API's filters are checked on every row, by the backup's own fields: an API or a cache that
   * ignores `server_id` must not hand another server's backups to a caller that acts on them.
   */
  async listBackups(filter: BackupFilter = {}): Promise<Backup[]> {
    const path = listPath(filter)
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

  async sizeOfList(filter: BackupFilter): Promise<{ count: number; pages: number }> {
    const page = await this.session.listAll(listPath(filter), decodeBackup, BACKUPS, { firstPageOnly: true })
    const count = page.count ?? page.items.length
    return { count, pages: page.morePages ? Math.ceil(count / Math.max(1, page.items.length)) : 1 }
  }

  /** Deletes a backup for good. 200, 202 and 204 mean deleted. */
  async deleteBackup(backupId: number): Promise<DeleteOutcome> {
    const { session } = this
    const path = `${BACKUPS_PATH}${backupId}/`
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
}

function listPath(filter: BackupFilter): string {
  const query = new URLSearchParams()
  if (filter.serverId !== undefined) query.set('server_id', String(filter.serverId))
  if (filter.backupType !== undefined) query.set('backup_type', filter.backupType)
  return BACKUPS_PATH + (query.size ? `?${query}` : '')
}
