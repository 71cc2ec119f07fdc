/**
 * Restoring a server from a backup, for `command: restore` and the post step of
 * restore-on-failure: the checks that come before the one restore request, and the request.
 */
import { COMPLETED, isFailedStatus, type Backup } from './api/backup.js'
import type { VpsApi } from './api/client.js'
import type { Deadline } from './deadline.js'
import { BackupError } from './errors.js'
import * as log from './logger.js'
import { findBackup } from './lookup.js'
import { setRestoreOutputs } from './outputs.js'
import { waitForBackup } from './poller.js'
import { serverLabel, summariseRestore } from './report.js'
import { safeText } from './text.js'

export interface RestoreRequest {
  backupId: number
  /** When given, the backup must belong to this server. */
  serverId?: number
  /** Wait for a backup still in progress instead of refusing it. */
  wait: boolean
  pollIntervalMs: number
  dryRun: boolean
}

/**
 * Checks the backup exists, belongs to the server (by its own server.id) and is completed
 * (waiting for it when asked), then sends one restore request to the backup's server.
 */
export async function restoreFromBackup(api: VpsApi, deadline: Deadline, request: RestoreRequest): Promise<void> {
  let backup = await findBackup(api, request.backupId, request.serverId, 'restore refused')
  if (backup.status !== COMPLETED) {
    const status = safeText(backup.status, 40)
    if (isFailedStatus(backup.status)) {
      throw new BackupError(`backup ${backup.id} has status "${status}" and cannot be restored; restore refused`)
    }
    if (!request.wait) {
      throw new BackupError(`backup ${backup.id} is ${status}, not completed; restore refused`)
    }
    log.info(
      `Backup ${backup.id} is ${status}; waiting up to ${deadline.describe()} for it to complete before restoring`
    )
    backup = (await waitForBackup(api, backup, { pollIntervalMs: request.pollIntervalMs, deadline, log })).backup
  }

  const what = describeRestore(backup)
  if (request.dryRun) {
    log.info(`Dry run: would restore ${what}, overwriting the server's disk`)
    return
  }
  log.info(`Restoring ${what}: the server's disk is overwritten with the backup's state`)
  const answer = await api.restoreServer(backup.server.id, backup.id)
  const status = typeof answer.status === 'string' ? answer.status : 'accepted'
  setRestoreOutputs(backup, status, answer)
  log.info(`Restore of server ${backup.server.id} from backup ${backup.id} accepted (${safeText(status, 40)})`)
  log.notice(
    `Server ${safeText(serverLabel(backup))} is being restored from backup ${backup.id}`,
    `VPS.org restore of server ${backup.server.id}`
  )
  await summariseRestore(backup, status)
}

function describeRestore(backup: Backup): string {
  return `server ${safeText(serverLabel(backup))} from backup ${backup.id} (${safeText(backup.created_at, 40)}, "${safeText(backup.description, 80)}")`
}
