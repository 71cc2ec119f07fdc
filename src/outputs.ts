/** Every output the action sets goes through here; action.yml and README.md list the same ones. */
import * as core from '@actions/core'
import type { Backup } from './api/backup.js'

/** The outputs that describe one backup: create sets them as soon as the API accepts it. */
export function setBackupOutputs(backup: Backup): void {
  core.setOutput('backup-id', String(backup.id))
  core.setOutput('status', backup.status)
  core.setOutput('size-mb', backup.size_mb === null ? '' : String(backup.size_mb))
  core.setOutput('created-at', backup.created_at)
  core.setOutput('server-id', String(backup.server.id))
  core.setOutput('server-name', backup.server.name)
  core.setOutput('backup', JSON.stringify(backup))
}

export function setDeletedIds(ids: readonly number[]): void {
  core.setOutput('deleted-ids', JSON.stringify(ids))
}

/** As soon as the API accepted the restore: what was started, from which backup. */
export function setRestoreOutputs(backup: Backup, status: string, answer: Record<string, unknown>): void {
  core.setOutput('backup-id', String(backup.id))
  core.setOutput('server-id', String(backup.server.id))
  core.setOutput('status', status)
  core.setOutput('restore', JSON.stringify(answer))
}

/** restore, once the wait for the server ended: the status it ended in. */
export function setServerStatus(status: string): void {
  core.setOutput('server-status', status)
}

export function setListOutputs(backups: readonly Backup[]): void {
  core.setOutput('backups', JSON.stringify(backups))
  core.setOutput('count', String(backups.length))
}
