/**
 * Restoring a server from a backup, for `command: restore` and the post step of
 * restore-on-failure: choosing and checking the backup, the one restore request, and following
 * the server until it is back.
 */
import { COMPLETED, MANUAL, createdAtMs, isFailedStatus, newestFirst, type Backup } from './api/backup.js'
import type { VpsApi } from './api/client.js'
import { serverState, statusInRestoreAnswer } from './api/server.js'
import { waitForBackup } from './backup-waiting.js'
import type { Deadline } from './deadline.js'
import { formatDuration } from './duration.js'
import { BackupError } from './errors.js'
import { LATEST } from './input-helper.js'
import * as log from './logger.js'
import { findBackup } from './lookup.js'
import { setRestoreOutputs, setServerStatus } from './outputs.js'
import { serverLabel, summariseRestoreEnded, summariseRestoreStarted } from './report.js'
import { restoreOutcomeText, waitForRestores, waitWhileRestoring } from './server-waiting.js'
import { safeText } from './text.js'

export interface RestoreRequest {
  backupId: number | typeof LATEST
  /** When given, the backup must belong to this server. Required with `latest`. */
  serverId?: number
  /** With `latest`: only backups whose description starts with it. */
  keepPrefix: string
  /** Wait for a backup still in progress instead of refusing it. */
  waitForBackup: boolean
  /** Wait until the server is back, and for a restore already running instead of refusing. */
  waitForServer: boolean
  pollIntervalMs: number
  dryRun: boolean
}

/**
 * Checks the backup exists, belongs to the server (by its own server.id) and is completed, that
 * no restore of the server is running, then sends one restore request to the backup's server and,
 * when asked, follows the server until it is back.
 */
export async function restoreFromBackup(api: VpsApi, deadline: Deadline, request: RestoreRequest): Promise<void> {
  const waiting = { pollIntervalMs: request.pollIntervalMs, deadline, log }
  let backup = await chooseBackup(api, request)
  if (backup.status !== COMPLETED) {
    const status = safeText(backup.status, 40)
    if (isFailedStatus(backup.status)) {
      throw new BackupError(`backup ${backup.id} has status "${status}" and cannot be restored; restore refused`)
    }
    if (!request.waitForBackup) {
      throw new BackupError(`backup ${backup.id} is ${status}, not completed; restore refused`)
    }
    log.info(
      `Backup ${backup.id} is ${status}; waiting up to ${deadline.describe()} for it to complete before restoring`
    )
    backup = (await waitForBackup(api, backup, waiting)).backup
  }

  const serverId = backup.server.id
  if (request.waitForServer) {
    await waitWhileRestoring(api, serverId, 'restoring it', { ...waiting, debug: log.debug })
  } else {
    const server = await api.getServer(serverId).catch(() => undefined)
    if (server?.status !== undefined && serverState(server.status) === 'busy') {
      throw new BackupError(
        `server ${serverId} is ${safeText(server.status, 40)} (another restore or operation is running); restore refused ` +
          '(with wait: true the step waits for it to settle)'
      )
    }
  }

  const what = `server ${safeText(serverLabel(backup))} from backup ${backup.id} (${safeText(backup.created_at, 40)}, "${safeText(backup.description, 80)}")`
  if (request.dryRun) {
    log.info(`Dry run: would restore ${what}, overwriting the server's disk`)
    return
  }
  log.info(`Restoring ${what}: the server's disk is overwritten with the backup's state`)
  const answer = await api.restoreServer(serverId, backup.id)
  const status = typeof answer.status === 'string' ? answer.status : 'accepted'
  // Recorded at once, so a job killed while waiting still shows what was started.
  setRestoreOutputs(backup, status, answer)
  log.info(`Restore of server ${serverId} from backup ${backup.id} accepted (${safeText(status, 40)})`)
  log.notice(
    `Server ${safeText(serverLabel(backup))} is being restored from backup ${backup.id}`,
    `VPS.org restore of server ${serverId}`
  )
  await summariseRestoreStarted(backup, status)
  if (!request.waitForServer) return

  const label = serverLabel(backup)
  log.info(`Waiting up to ${formatDuration(deadline.remainingMs())} for server ${safeText(label)} to be back…`)
  const { settled, waitedMs } = await waitForRestores(
    api,
    [{ serverId, label, answered: statusInRestoreAnswer(answer) }],
    waiting
  )
  const outcome = settled.get(serverId) ?? { state: 'timed-out', status: 'unknown' }
  setServerStatus(outcome.status)
  const text = restoreOutcomeText(safeText(label), outcome, deadline.describe())
  await summariseRestoreEnded(outcome, text, waitedMs)
  switch (outcome.state) {
    case 'done':
      log.info(`Server ${safeText(label)} is back (${safeText(outcome.status, 40)}) after ${formatDuration(waitedMs)}`)
      if (serverState(outcome.status) === 'stopped') {
        log.warning(
          `Server ${safeText(label)} was restored from backup ${backup.id} and is stopped: start it when ready`
        )
      }
      return
    case 'unconfirmed':
      log.warning(text)
      return
    case 'failed':
    case 'timed-out':
      throw new BackupError(text)
  }
}

async function chooseBackup(api: VpsApi, request: RestoreRequest): Promise<Backup> {
  if (request.backupId !== LATEST) return findBackup(api, request.backupId, request.serverId, 'restore refused')
  const serverId = request.serverId as number
  const backup = await latestBackup(api, serverId, request.keepPrefix)
  log.info(
    `backup-id latest: backup ${backup.id} of server ${safeText(serverLabel(backup))}, created ${safeText(backup.created_at, 40)}, ` +
      `"${safeText(backup.description, 80)}"`
  )
  return backup
}

/**
 * The newest (by created_at, then id) completed manual backup of the server, by its own server.id,
 * whose description starts with the prefix. Never waits for one: newer backups that are not
 * completed are named in the log and passed over.
 */
export async function latestBackup(
  api: Pick<VpsApi, 'listBackups'>,
  serverId: number,
  prefix: string
): Promise<Backup> {
  const candidates = newestFirst(
    (await api.listBackups({ serverId, backupType: MANUAL })).filter(
      b => b.server.id === serverId && b.description.startsWith(prefix) && !Number.isNaN(createdAtMs(b))
    )
  )
  const newest = candidates.findIndex(b => b.status === COMPLETED)
  const skipped = newest === -1 ? candidates : candidates.slice(0, newest)
  for (const b of skipped) {
    log.info(`backup-id latest: passing over backup ${b.id} (${safeText(b.status, 40)}, not completed)`)
  }
  const found = candidates[newest]
  if (newest === -1 || found === undefined) {
    throw new BackupError(
      `no completed manual backup of server ${serverId} whose description starts with "${safeText(prefix, 60)}" ` +
        'for backup-id latest; nothing was restored'
    )
  }
  return found
}
