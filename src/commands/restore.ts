import * as core from '@actions/core'
import type { Backup, VpsApiClient } from '../api-client.js'
import { BackupError } from '../errors.js'
import * as log from '../logger.js'
import { COMPLETED, isFailedStatus, waitForBackup } from '../poller.js'
import { fieldTable, markdownTable, serverLabel, writeSummary } from '../report.js'
import { safeText } from '../text.js'
import type { CommandContext } from './context.js'

export interface RestoreRequest {
  backupId: number
  /** When given, the backup must belong to this server. */
  serverId?: number
  /** Wait for a backup still in progress instead of refusing it. */
  wait: boolean
}

/**
 * `command: restore`, and the post step of restore-on-failure: checks the backup exists, belongs
 * to the server and is completed (waiting for it when asked), then sends one restore request.
 */
export async function restoreServer(context: CommandContext, request: RestoreRequest): Promise<void> {
  const { client, settings, deadline } = context
  let backup = await findBackup(client, request)
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
    backup = (await waitForBackup(client, backup, { pollIntervalMs: settings.pollIntervalMs, deadline, log })).backup
  }

  const what = `server ${safeText(serverLabel(backup))} from backup ${backup.id} (${backup.created_at}, "${safeText(backup.description, 80)}")`
  if (settings.dryRun) {
    log.info(`Dry run: would restore ${what}, overwriting the server's disk`)
    return
  }
  log.info(`Restoring ${what}: the server's disk is overwritten with the backup's state`)
  const answer = await client.restoreServer(backup.server.id, backup.id)
  const status = typeof answer.status === 'string' ? answer.status : 'accepted'
  core.setOutput('backup-id', String(backup.id))
  core.setOutput('server-id', String(backup.server.id))
  core.setOutput('status', status)
  core.setOutput('restore', JSON.stringify(answer))
  log.info(`Restore of server ${backup.server.id} from backup ${backup.id} accepted (${safeText(status, 40)})`)
  core.notice(`Server ${safeText(serverLabel(backup))} is being restored from backup ${backup.id}`, {
    title: `VPS.org restore of server ${backup.server.id}`
  })
  await writeSummary(
    [
      `## VPS.org restore of server ${backup.server.id}`,
      '',
      markdownTable(
        fieldTable([
          ['Server', serverLabel(backup)],
          ['Backup ID', String(backup.id)],
          ['Backup created', backup.created_at],
          ['Backup description', backup.description],
          ['Restore status', status]
        ])
      ),
      ''
    ].join('\n')
  )
}

/**
 * The backup, found by id in the documented list (there is no endpoint for one backup). With a
 * server id, a backup of another server is refused before anything is sent.
 */
async function findBackup(client: VpsApiClient, request: RestoreRequest): Promise<Backup> {
  const { backupId, serverId } = request
  if (serverId !== undefined) {
    const own = (await client.listBackups({ serverId })).find(b => b.id === backupId)
    if (own) return own
  }
  const found = (await client.listBackups()).find(b => b.id === backupId)
  if (!found) throw new BackupError(`backup ${backupId} not found; nothing was restored`)
  if (serverId !== undefined && found.server.id !== serverId) {
    throw new BackupError(
      `backup ${backupId} belongs to server ${safeText(serverLabel(found))}, not server ${serverId}; restore refused`
    )
  }
  return found
}

/** `command: restore` with the inputs. */
export function restoreCommand(context: CommandContext): Promise<void> {
  const { settings } = context
  return restoreServer(context, {
    backupId: settings.backupId as number,
    serverId: settings.serverId,
    wait: settings.wait
  })
}
