/**
 * The documented endpoints of one kind of restore point (backups, or snapshots: one class, two
 * specs): the list (every page, its filters checked on every row), its size, and delete. Creating
 * one is create-reconciliation.ts: it needs more care.
 */
import { decodeBackup, type Backup } from './backup.js'
import type { ListNoun } from './listing.js'
import { failure } from './messages.js'
import type { ApiSession } from './session.js'
import { SNAPSHOTS_PATH, decodeSnapshot } from './snapshot.js'

export interface BackupFilter {
  serverId?: number
  backupType?: string
}

/** `already-gone`: the API answered 404, so someone else deleted the backup first. */
export type DeleteOutcome = 'deleted' | 'already-gone'

export const BACKUPS_PATH = '/api/v1/backups/'

/** Where a kind's endpoints are and how its rows read. */
export interface PointSpec {
  /** The list's and create's path; an item's is `${path}${id}/`. */
  path: string
  decode: (row: unknown) => Backup | undefined
  noun: ListNoun
  /** Whether the list takes `backup_type` (snapshots have no type: every one counts). */
  typed: boolean
}

export const BACKUP_SPEC: PointSpec = {
  path: BACKUPS_PATH,
  decode: decodeBackup,
  noun: { item: 'backup', list: 'backup list' },
  typed: true
}

export const SNAPSHOT_SPEC: PointSpec = {
  path: SNAPSHOTS_PATH,
  decode: decodeSnapshot,
  noun: { item: 'snapshot', list: 'snapshot list' },
  typed: false
}

export class BackupEndpoints {
  private warnedOfIgnoredFilter = false

  constructor(
    private readonly session: ApiSession,
    readonly spec: PointSpec = BACKUP_SPEC
  ) {}

  /**
   * The API's filters are checked on every row, by the backup's own fields: an API or a cache that
   * ignores `server_id` must not hand another server's backups to a caller that acts on them.
   */
  async listBackups(filter: BackupFilter = {}): Promise<Backup[]> {
    const { spec } = this
    const path = listPath(spec, filter)
    const listed = (await this.session.listAll(path, spec.decode, spec.noun)).items
    const matching = listed.filter(
      b =>
        (filter.serverId === undefined || b.server.id === filter.serverId) &&
        (!spec.typed || filter.backupType === undefined || b.backup_type === filter.backupType)
    )
    const ignored = listed.length - matching.length
    if (ignored > 0 && !this.warnedOfIgnoredFilter) {
      this.warnedOfIgnoredFilter = true
      this.session.log.warning(
        `GET ${path} answered with ${ignored} ${spec.noun.item}${ignored === 1 ? ' that does' : 's that do'} not match its filter; ` +
          'the API (or a cache in front of it) ignored the filter: they are left out and never acted on'
      )
    }
    return matching
  }

  async sizeOfList(filter: BackupFilter): Promise<{ count: number; pages: number }> {
    const { spec } = this
    const page = await this.session.listAll(listPath(spec, filter), spec.decode, spec.noun, { firstPageOnly: true })
    const count = page.count ?? page.items.length
    return { count, pages: page.morePages ? Math.ceil(count / Math.max(1, page.items.length)) : 1 }
  }

  /** Deletes a backup (or snapshot) for good. 200, 202 and 204 mean deleted. */
  async deleteBackup(backupId: number): Promise<DeleteOutcome> {
    const { session, spec } = this
    const path = `${spec.path}${backupId}/`
    const answer = await session.send('DELETE', session.url(path), undefined, 'idempotent')
    if (answer.status === 204 || answer.status === 200 || answer.status === 202) return 'deleted'
    if (answer.status === 404) {
      if (!answer.afterUnknownOutcome) return 'already-gone'
      // An earlier attempt was cut off after it was sent: it is what deleted the backup.
      session.log.debug(`DELETE ${path}: 404 after an interrupted attempt; that attempt deleted the ${spec.noun.item}`)
      return 'deleted'
    }
    throw failure(answer, { method: 'DELETE', path, notFound: `${spec.noun.item} ${backupId}` })
  }
}

function listPath(spec: PointSpec, filter: BackupFilter): string {
  const query = new URLSearchParams()
  if (filter.serverId !== undefined) query.set('server_id', String(filter.serverId))
  if (spec.typed && filter.backupType !== undefined) query.set('backup_type', filter.backupType)
  return spec.path + (query.size ? `?${query}` : '')
}
