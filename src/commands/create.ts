import { COMPLETED, MANUAL, type Backup } from '../api/backup.js'
import type { CreatedBackup, VpsApi } from '../api/client.js'
import { backupName, lastSeen, notCompleted, waitForBackups } from '../backup-waiting.js'
import { formatDuration } from '../duration.js'
import { ApiError, BackupError, messageOf } from '../errors.js'
import type { CreateSettings } from '../input-helper.js'
import * as log from '../logger.js'
import { setBackupIds, setBackupOutputs, setBackupsOutput, setDeletedIds } from '../outputs.js'
import { formatSize, serverLabel, summariseBackup, summariseBackups } from '../report.js'
import { isAtLimit, planKeep, planRoom } from '../backup-policy.js'
import { applyKeep, deleteBackups, describeRule, reportKept } from '../retention.js'
import { waitWhileBusy } from '../server-waiting.js'
import { saveCreatedBackups } from '../state-helper.js'
import { safeText } from '../text.js'
import type { CommandContext } from './context.js'

const MAKING_ROOM = 'to make room under the limit of 10 manual backups'

/** One server of the step: what was there before, and what must go to make room. */
interface Plan {
  serverId: number
  before: Backup[]
  roomFor: Backup[]
}

/**
 * The main job, for one server or several: check every server first (room under the API's
 * limit, no restore running), make room where allowed, start every backup, hand the ids on at
 * once, wait for all of them together, then apply keep and keep-within to each server.
 */
export async function createCommand(settings: CreateSettings, { api, deadline }: CommandContext): Promise<void> {
  const { serverIds, retention } = settings
  const several = serverIds.length > 1
  const waiting = { pollIntervalMs: settings.pollIntervalMs, deadline, log }

  // Every check, for every server, before anything is changed. A restore still running comes
  // first: waiting for it may take minutes, and the lists that decide what to delete must be read
  // after it, not before.
  const { absent } = await waitWhileBusy(api, serverIds, 'backing it up', { ...waiting, debug: log.debug })
  if (absent.length > 0) throw notInServerList(absent)
  const plans: Plan[] = []
  for (const serverId of serverIds) {
    const before = await api.listBackups({ serverId, backupType: MANUAL })
    plans.push({ serverId, before, roomFor: makeRoom(api, before, serverId, retention) })
  }
  if (settings.dryRun) {
    for (const plan of plans) forecast(settings, plan, api.now())
    return
  }

  const deletedIds: number[] = []
  for (const plan of plans) deletedIds.push(...(await deleteBackups(api, plan.roomFor, MAKING_ROOM)))
  setDeletedIds(deletedIds)

  // All create requests at once; each backup's id goes out the moment the API accepts it.
  const accepted = new Map<number, Backup>()
  const started = await Promise.all(
    plans.map(async plan => {
      try {
        const created = await startBackup(settings, api, plan, deletedIds)
        accepted.set(plan.serverId, created.backup)
        const inOrder = serverIds.flatMap(id => accepted.get(id) ?? [])
        saveCreatedBackups(inOrder)
        setBackupIds(inOrder)
        if (!several) setBackupOutputs(created.backup)
        log.info(
          `Backup ${created.backup.id} of server ${safeText(serverLabel(created.backup))} ` +
            `${created.adopted ? 'found after an interrupted request' : 'started'}: "${safeText(settings.description, 120)}"`
        )
        return { plan, backup: created.backup }
      } catch (error) {
        if (!several) throw error
        return { plan, failed: `could not start a backup of server ${plan.serverId}: ${messageOf(error)}` }
      }
    })
  )
  const running = started.flatMap(s => (s.backup ? [s.backup] : []))
  if (several) setBackupsOutput(running)

  let final = new Map(running.map(b => [b.id, b]))
  let waitedMs: number | undefined
  const problems = started.flatMap(s => (s.failed === undefined ? [] : [s.failed]))
  if (settings.wait && running.length > 0) {
    log.info(
      `Waiting up to ${deadline.describe()} for ${running.length === 1 ? `backup ${running[0]?.id}` : `${running.length} backups`} to complete…`
    )
    const result = await waitForBackups(api, running, waiting)
    waitedMs = result.waitedMs
    final = new Map(
      running.map(backup => {
        const outcome = result.settled.get(backup.id) ?? { state: 'timed-out' as const, status: backup.status }
        if (outcome.state !== 'done') problems.push(notCompleted(backup, outcome, deadline.describe()).message)
        // With the status last seen: the create answer's in_progress would hide a backup that failed.
        return [backup.id, lastSeen(backup, outcome)]
      })
    )
    const completed = running.flatMap(b => (final.get(b.id)?.status === COMPLETED ? [final.get(b.id) as Backup] : []))
    if (several) setBackupsOutput(running.map(b => final.get(b.id) ?? b))
    else for (const only of running) setBackupOutputs(final.get(only.id) ?? only)
    for (const backup of completed) {
      const afterMs = result.settledAfterMs.get(backup.id) ?? waitedMs
      log.info(
        `Backup ${backup.id} completed in ${formatDuration(afterMs)} (${formatSize(backup.size_mb)}), ` +
          `${result.rounds} rounds of status checks`
      )
    }
    if (retention !== undefined) {
      for (const backup of completed) {
        deletedIds.push(...(await applyKeep(api, { ...retention, serverId: backup.server.id }, backup)))
        setDeletedIds(deletedIds)
      }
    }
  } else if (!settings.wait) {
    for (const backup of running) {
      log.info(
        `Not waiting (wait: false): backup ${backup.id} is ${safeText(backup.status, 40)}; it is not usable until completed`
      )
    }
  }

  if (!several && problems.length > 0) throw new BackupError(problems[0])
  for (const backup of running) {
    const now = final.get(backup.id) ?? backup
    log.notice(
      `Backup ${now.id} of server ${safeText(serverLabel(now))} is ${safeText(now.status, 40)}`,
      `VPS.org backup ${now.id}`
    )
  }
  if (!several) {
    const [only] = running
    if (only) await summariseBackup(final.get(only.id) ?? only, waitedMs, deletedIds)
    return
  }
  await summariseBackups(
    started.map(s => {
      const backup = s.backup ? (final.get(s.backup.id) ?? s.backup) : undefined
      const problem = s.failed ?? problems.find(p => backup !== undefined && p.includes(backupName(backup)))
      return {
        serverId: s.plan.serverId,
        backup,
        result: problem ?? (backup?.status === COMPLETED ? 'completed' : 'started')
      }
    }),
    waitedMs,
    deletedIds
  )
  if (problems.length > 0) {
    for (const problem of problems) log.error(problem)
    throw new BackupError(
      `${problems.length} of ${serverIds.length} servers have no completed backup from this step (each is named above)`
    )
  }
}

/**
 * Sends the create request. When the API refuses it with a 400 and a fresh list shows the server
 * at the limit (another run took the last slot since this one looked; the error body is not
 * documented, so the list decides), room is made under keep once more and the request sent
 * again, once.
 */
async function startBackup(
  settings: CreateSettings,
  api: VpsApi,
  plan: Plan,
  deletedIds: number[]
): Promise<CreatedBackup> {
  const { serverId } = plan
  try {
    return await api.createBackup(serverId, settings.description, new Set(plan.before.map(b => b.id)))
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error
    const fresh = await api.listBackups({ serverId, backupType: MANUAL })
    if (!isAtLimit(fresh, serverId)) throw error
    const roomFor = makeRoom(api, fresh, serverId, settings.retention)
    log.warning(
      `The API refused the backup of server ${serverId} (400) and the server is now at the limit of 10 manual ` +
        'backups: another run took the last slot. Making room once more and trying again'
    )
    deletedIds.push(...(await deleteBackups(api, roomFor, MAKING_ROOM)))
    setDeletedIds(deletedIds)
    return api.createBackup(serverId, settings.description, new Set(fresh.map(b => b.id)))
  }
}

/** What must go before creating, by the API's clock; says what it kept for a date it cannot read. */
function makeRoom(
  api: VpsApi,
  backups: readonly Backup[],
  serverId: number,
  retention: CreateSettings['retention']
): Backup[] {
  // Below the limit no age matters: the clock is not read (nor its absence warned of).
  if (!isAtLimit(backups, serverId)) return []
  const now = api.now()
  const plan = planRoom(backups, serverId, retention, now)
  reportKept(plan, now)
  return plan.remove
}

/**
 * dry-run: what a real run would delete and create, from what it has read. The new backup would
 * be the newest, created now by the API's clock.
 */
function forecast(settings: CreateSettings, { serverId, before, roomFor }: Plan, now: number): void {
  const { retention } = settings
  for (const backup of roomFor) {
    log.info(`Dry run: would delete backup ${backup.id} (${safeText(backup.created_at, 40)}) to stay under the limit`)
  }
  log.info(
    `Dry run: would create a manual backup of server ${serverId} described "${safeText(settings.description, 120)}"`
  )
  if (retention === undefined) return
  log.info(
    `Dry run: would then apply ${describeRule(retention)} to the "${safeText(retention.keepPrefix, 60)}" backups of server ${serverId}`
  )
  const remaining = before.filter(b => !roomFor.includes(b))
  const plan = planKeep(remaining, { ...retention, serverId }, undefined, now)
  reportKept(plan, now)
  for (const backup of plan.remove) {
    log.info(
      `Dry run: would then delete backup ${backup.id} (${safeText(backup.created_at, 40)}), by ${describeRule(retention)}`
    )
  }
}

/**
 * The server list, read in full and without error, does not hold these servers: server-id is a typo
 * or another account's server. The step fails before it deletes or creates anything.
 */
function notInServerList(serverIds: number[]): BackupError {
  const which = serverIds.length === 1 ? `server ${serverIds[0]} is` : `servers ${serverIds.join(', ')} are`
  return new BackupError(
    `${which} not in the VPS.org server list of this token's account: server-id may be wrong; nothing was changed`
  )
}
