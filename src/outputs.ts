import * as core from '@actions/core'
import type { Backup } from './api-client.js'

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

export function setDeletedIds(ids: number[]): void {
  core.setOutput('deleted-ids', JSON.stringify(ids))
}
