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
    this.outputs.setBackupIds(inOrder)
    this.seen(inOrder)
  }

  /** The backups as last seen (after the wait: its last status, so a failed one does not stay in_progress). */
  seen(backups: readonly Backup[]): void {
    if (this.servers > 1) this.outputs.setBackupsOutput(backups)
    else for (const backup of backups) this.outputs.setBackupOutputs(backup)
  }

  deleted(ids: readonly number[]): void {
    this.outputs.setDeletedIds(ids)
  }
}
