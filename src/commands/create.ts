import { COMPLETED, MANUAL, type Backup } from '../api/backup.js'
import type { CreatedBackup, VpsApi } from '../api/client.js'
import { formatDuration } from '../duration.js'
import { waitForBackup } from '../backup-waiting.js'
import { ApiError } from '../errors.js'
import type { CreateSettings } from '../input-helper.js'
import * as log from '../logger.js'
import { setBackupOutputs, setDeletedIds } from '../outputs.js'
import { formatSize, serverLabel, summariseBackup } from '../report.js'
import { applyKeep, backupsBeyondKeep, backupsToMakeRoom, deleteBackups, isAtLimit } from '../retention.js'
import { saveCreatedBackup } from '../state-helper.js'
import { safeText } from '../text.js'
import type { CommandContext } from './context.js'

const MAKING_ROOM = 'to make room under the limit of 10 manual backups'

/**
 * The main job: make room under the API's limit if allowed, start a manual backup, hand its id
 * on at once, wait until it is usable, then trim old pre-deploy backups to `keep`.
 */
export async function createCommand(settings: CreateSettings, { api, deadline }: CommandContext): Promise<void> {
  const { serverId, retention } = settings
  const before = await api.listBackups({ serverId, backupType: MANUAL })
  const roomFor = backupsToMakeRoom(before, serverId, retention)

  if (settings.dryRun) {
    forecast(settings, before, roomFor)
    return
  }

  const deletedIds = await deleteBackups(api, roomFor, MAKING_ROOM)
  setDeletedIds(deletedIds)

  const { backup: started, adopted } = await startBackup(settings, api, before, deletedIds)
  saveCreatedBackup(started.id, started.server.id)
  setBackupOutputs(started)
  log.info(
    `Backup ${started.id} of server ${safeText(serverLabel(started))} ${adopted ? 'found after an interrupted request' : 'started'}: ` +
      `"${safeText(settings.description, 120)}"`
  )

  let backup: Backup = started
  let waitedMs: number | undefined
  if (settings.wait) {
    log.info(`Waiting up to ${deadline.describe()} for backup ${started.id} to complete…`)
    const result = await waitForBackup(api, started, { pollIntervalMs: settings.pollIntervalMs, deadline, log })
    backup = result.backup
    waitedMs = result.waitedMs
    setBackupOutputs(backup)
    log.info(
      `Backup ${backup.id} completed in ${formatDuration(waitedMs)} (${formatSize(backup.size_mb)}), ${result.checks} status checks`
    )
  } else {
    log.info(
      `Not waiting (wait: false): backup ${started.id} is ${safeText(backup.status, 40)}; it is not usable until completed`
    )
  }

  if (retention !== undefined) {
    deletedIds.push(...(await applyKeep(api, { ...retention, serverId }, backup)))
    setDeletedIds(deletedIds)
  }

  log.notice(
    `Backup ${backup.id} of server ${safeText(serverLabel(backup))} is ${safeText(backup.status, 40)}`,
    `VPS.org backup ${backup.id}`
  )
  await summariseBackup(backup, waitedMs, deletedIds)
}

/**
 * Sends the create request. When the API refuses it with a 400 and a fresh list shows the server
 * at the limit (another run took the last slot since this one looked; the error body is not
 * documented, so the list decides), room is made under `keep` once more and the request sent
 * again, once.
 */
async function startBackup(
  settings: CreateSettings,
  api: VpsApi,
  before: readonly Backup[],
  deletedIds: number[]
): Promise<CreatedBackup> {
  const { serverId, description } = settings
  try {
    return await api.createBackup(serverId, description, new Set(before.map(b => b.id)))
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error
    const fresh = await api.listBackups({ serverId, backupType: MANUAL })
    if (!isAtLimit(fresh, serverId)) throw error
    const roomFor = backupsToMakeRoom(fresh, serverId, settings.retention)
    log.warning(
      `The API refused the backup of server ${serverId} (400) and the server is now at the limit of 10 manual ` +
        'backups: another run took the last slot. Making room once more and trying again'
    )
    deletedIds.push(...(await deleteBackups(api, roomFor, MAKING_ROOM)))
    setDeletedIds(deletedIds)
    return api.createBackup(serverId, description, new Set(fresh.map(b => b.id)))
  }
}

/** dry-run: what a real run would delete and create, from what it has read. */
function forecast(settings: CreateSettings, before: readonly Backup[], roomFor: readonly Backup[]): void {
  const { serverId, retention } = settings
  for (const backup of roomFor) {
    log.info(`Dry run: would delete backup ${backup.id} (${safeText(backup.created_at, 40)}) to stay under the limit`)
  }
  log.info(
    `Dry run: would create a manual backup of server ${serverId} described "${safeText(settings.description, 120)}"`
  )
  if (retention === undefined) return
  log.info(
    `Dry run: would then keep the ${retention.keep} newest "${safeText(retention.keepPrefix, 60)}" backups of server ${serverId}`
  )
  // The new backup would be the newest; it has no id yet.
  const newest: Backup = {
    id: Number.MAX_SAFE_INTEGER,
    server: { id: serverId, name: '' },
    backup_type: MANUAL,
    status: COMPLETED,
    size_mb: null,
    created_at: new Date().toISOString(),
    expires_at: null,
    description: settings.description
  }
  const remaining = before.filter(b => !roomFor.includes(b))
  for (const backup of backupsBeyondKeep(remaining, { ...retention, serverId }, newest)) {
    log.info(
      `Dry run: would then delete backup ${backup.id} (${safeText(backup.created_at, 40)}), keeping the ${retention.keep} newest`
    )
  }
}
