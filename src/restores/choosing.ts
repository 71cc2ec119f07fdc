/**
 * Choosing and checking the backups a restore is asked for, every check before any request:
 * `latest` by the backup policy, or the backups named, each of its own server, completed (or
 * waited for).
 */
import { COMPLETED, MANUAL, isFailedStatus, type Backup } from '../api/backup.js'
import type { VpsApi } from '../api/client.js'
import { chooseLatest } from '../policy/backups.js'
import type { BackupSelection } from '../runner/backup-id.js'
import { backupName, notCompleted, waitForBackups } from '../backups/waiting.js'
import type { CommandContext } from '../context.js'
import type { Deadline } from '../base/deadline.js'
import { BackupError } from '../base/errors.js'
import type { Logger } from '../runner/logger.js'
import { findBackups } from '../backups/lookup.js'
import { serverLabel } from '../runner/report.js'
import { datedAhead } from '../backups/retention.js'
import { safeText } from '../base/text.js'

/** The backups asked for, in the order of server-id when given; every check before any request. */
export async function chooseBackups(
  { api, log }: Pick<CommandContext, 'api' | 'log'>,
  request: { backups: BackupSelection; serverIds: readonly number[]; keepPrefix: string }
): Promise<Backup[]> {
  const { backups: selection, serverIds } = request
  if ('latest' in selection) {
    const chosen: Backup[] = []
    for (const serverId of serverIds) chosen.push(await latestBackup(api, log, serverId, request.keepPrefix))
    for (const backup of chosen) {
      log.info(
        `backup-id latest: ${api.points.noun} ${backup.id} of server ${safeText(serverLabel(backup))}, created ` +
          `${safeText(backup.created_at, 40)}, "${safeText(backup.description, 80)}"`
      )
    }
    return chosen
  }
  if ('byServer' in selection) {
    return findBackups(
      api,
      [...selection.byServer].map(([serverId, backupId]) => ({ backupId, serverId })),
      'restore refused'
    )
  }
  const only = serverIds.length === 1 && selection.ids.length === 1 ? serverIds[0] : undefined
  const found = await findBackups(
    api,
    selection.ids.map(backupId => ({ backupId, serverId: only })),
    'restore refused'
  )
  const servers = found.map(b => b.server.id)
  const twice = servers.find((id, i) => servers.indexOf(id) !== i)
  const { noun } = api.points
  if (twice !== undefined) {
    throw new BackupError(`backup-id names two ${noun}s of server ${twice}; one ${noun} per server; restore refused`)
  }
  if (serverIds.length > 0 && (servers.length !== serverIds.length || servers.some(id => !serverIds.includes(id)))) {
    throw new BackupError(
      `server-id names servers ${serverIds.join(', ')}, but the ${noun}s are of servers ${servers.join(', ')}; restore refused`
    )
  }
  return serverIds.length > 0 ? serverIds.map(id => found.find(b => b.server.id === id) as Backup) : found
}

/** The backups, completed: failed ones refused, ones in progress waited for or refused. */
export async function completedBackups(
  api: VpsApi,
  backups: readonly Backup[],
  waitForBackup: boolean,
  waiting: { pollIntervalMs: number; deadline: Deadline; log: Logger }
): Promise<Backup[]> {
  const { noun, Noun } = api.points
  for (const backup of backups) {
    const status = safeText(backup.status, 40)
    if (isFailedStatus(backup.status)) {
      throw new BackupError(`${noun} ${backup.id} has status "${status}" and cannot be restored; restore refused`)
    }
    if (backup.status !== COMPLETED && !waitForBackup) {
      throw new BackupError(`${noun} ${backup.id} is ${status}, not completed; restore refused`)
    }
  }
  const running = backups.filter(b => b.status !== COMPLETED)
  if (running.length === 0) return [...backups]
  for (const backup of running) {
    waiting.log.info(
      `${Noun} ${backup.id} is ${safeText(backup.status, 40)}; waiting up to ${waiting.deadline.describe()} for it to complete before restoring`
    )
  }
  const { settled } = await waitForBackups(api, running, waiting)
  for (const backup of running) {
    const outcome = settled.get(backup.id) ?? { state: 'timed-out', status: backup.status }
    if (outcome.state !== 'done') {
      throw new BackupError(
        `${notCompleted(backup, outcome, waiting.deadline.describe(), noun).message}; nothing was restored`
      )
    }
  }
  return backups.map(b => {
    const outcome = settled.get(b.id)
    return outcome?.state === 'done' ? outcome.value : b
  })
}

/**
 * The newest (by created_at, then id) completed manual backup of the server, by its own server.id,
 * whose description starts with the prefix (the rule: chooseLatest). Never waits for one: newer
 * backups that are not completed are named in the log and passed over; one dated in the future is
 * named too.
 */
export async function latestBackup(
  api: Pick<VpsApi, 'listBackups' | 'now' | 'points'>,
  log: Logger,
  serverId: number,
  prefix: string
): Promise<Backup> {
  const listed = await api.listBackups({ serverId, backupType: MANUAL })
  const now = api.now()
  const choice = chooseLatest(listed, { serverId, keepPrefix: prefix, points: api.points }, now)
  for (const b of choice.passedOver) {
    log.info(
      `backup-id latest: passing over ${backupName(b, api.points.noun)} (${safeText(b.status, 40)}, not completed)`
    )
  }
  if (choice.aheadMs !== undefined) {
    log.warning(`backup-id latest: ${datedAhead(choice.backup, now, api.points)}, so it ranks as the latest`)
  }
  return choice.backup
}
