import * as core from '@actions/core'
import type { Backup, VpsApiClient } from '../api-client.js'
import { BackupError } from '../errors.js'
import * as log from '../logger.js'
import { setDeletedIds } from '../outputs.js'
import { safeText } from '../text.js'
import type { CommandContext } from './context.js'

/** Deletes the given backups one by one, logging each; returns the ids deleted. */
export async function deleteBackups(client: VpsApiClient, backups: Backup[], why: string): Promise<number[]> {
  const deleted: number[] = []
  for (const backup of backups) {
    await client.deleteBackup(backup.id)
    deleted.push(backup.id)
    log.info(`Deleted backup ${backup.id} (${backup.created_at}, "${safeText(backup.description, 80)}"), ${why}`)
  }
  return deleted
}

/** `command: delete`: one DELETE of the backup named by backup-id. */
export async function deleteCommand({ settings, client }: CommandContext): Promise<void> {
  const backupId = settings.backupId as number
  if (settings.dryRun) {
    const found = (await client.listBackups()).find(b => b.id === backupId)
    if (!found) throw new BackupError(`backup ${backupId} not found`)
    log.info(
      `Dry run: would delete backup ${backupId} of server ${found.server.id} ("${safeText(found.description, 80)}")`
    )
    return
  }
  await client.deleteBackup(backupId)
  setDeletedIds([backupId])
  log.info(`Deleted backup ${backupId}`)
  core.notice(`Backup ${backupId} deleted`, { title: `VPS.org backup ${backupId}` })
}
