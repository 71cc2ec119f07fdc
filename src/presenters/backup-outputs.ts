import type { Backup } from '../api/backup.js'
import type { Outputs } from '../runner/outputs.js'

/**
 * The outputs of create and wait, set as each fact is known (a step cancelled or failed later
 * still hands the backup ids on). The one rule on the number of servers lives here: with exactly
 * one, its backup's own outputs (backup-id, status, size-mb, …); with several, `backups`.
 */
export class BackupOutputs {
  constructor(
    private readonly outputs: Outputs,
    private readonly servers: number
  ) {}

  /** The API accepted one more backup: every one accepted so far, in the order of server-id. */
  accepted(inOrder: readonly Backup[]): void {
    setBackupIds(this.outputs, inOrder)
    this.seen(inOrder)
  }

  /** The backups as last seen (after the wait: its last status, so a failed one does not stay in_progress). */
  seen(backups: readonly Backup[]): void {
    // Several servers: the backup objects, in the order of server-id.
    if (this.servers > 1) this.outputs.setJson('backups', backups)
    else for (const backup of backups) setBackupFields(this.outputs, backup)
  }

  deleted(ids: readonly number[]): void {
    this.outputs.setJson('deleted-ids', ids)
  }
}

/** The outputs that describe one backup: create sets them as soon as the API accepts it. */
function setBackupFields(outputs: Outputs, backup: Backup): void {
  outputs.set('backup-id', String(backup.id))
  outputs.set('status', backup.status)
  outputs.set('size-mb', backup.size_mb === null ? '' : String(backup.size_mb))
  outputs.set('created-at', backup.created_at)
  outputs.set('server-id', String(backup.server.id))
  outputs.set('server-name', backup.server.name)
  outputs.setJson('backup', backup)
}

/** Server id → backup id, as a JSON object: set again each time the API accepts one more backup (or restore). */
export function setBackupIds(outputs: Outputs, backups: Iterable<Backup>): void {
  outputs.setJson('backup-ids', Object.fromEntries([...backups].map(b => [String(b.server.id), b.id])))
}
