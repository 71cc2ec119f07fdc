/**
 * Retention's acts, the one workflow that applies policy/retention.ts: reading the lists it decides
 * from, deleting what it says may go (to make room before creating, by keep and keep-within after),
 * forecasting both in a dry run, and saying what it kept and why. Safe under concurrent runs: a run
 * never deletes a backup newer than its own.
 */
import { MANUAL, type Backup } from '../api/backup.js'
import type { ClockReading } from '../api/http-date.js'
import { FUTURE_TOLERANCE_MS, createdAt, shownCreatedAt } from '../policy/backups.js'
import {
  describeRule,
  eligibleAhead,
  isAtLimit,
  makingRoom,
  planKeep,
  planRoom,
  type Retention
} from '../policy/retention.js'
import { formatDuration } from '../base/duration.js'
import { BackupError } from '../base/errors.js'
import { safeText } from '../base/text.js'
import type { CommandContext } from '../context.js'
import type { RestorePoints } from '../api/kinds.js'

/**
 * Says which backups retention kept because their date cannot be read, and which rank newest
 * because they are dated in the future: both are a wrong date in the API, never passed over in
 * silence. Each backup once a step.
 */
export function reportKept(
  { log, named, api }: Pick<CommandContext, 'log' | 'named' | 'api'>,
  plan: { undated: readonly Backup[]; ahead?: readonly Backup[] },
  now: number,
  clock: ClockReading['clock'] = "the API's"
): void {
  const fresh = (backup: Backup): boolean => {
    if (named.has(backup.id)) return false
    named.add(backup.id)
    return true
  }
  for (const backup of plan.undated.filter(fresh)) {
    log.warning(
      `Kept ${api.points.noun} ${backup.id} ("${safeText(backup.description, 80)}"): its ${shownCreatedAt(backup)} is not an ` +
        'RFC 3339 date-time, so its age is unknown and retention never deletes it'
    )
  }
  for (const backup of (plan.ahead ?? []).filter(fresh))
    log.warning(`${datedAhead(backup, now, api.points, clock)}: it ranks as the newest and keeps its place`)
}

/** `Backup 7 is dated 2099-01-01T00:00:00Z, 73d02h past the API's clock (2026-…)` (or the runner's). */
export function datedAhead(
  backup: Backup,
  now: number,
  { Noun }: RestorePoints,
  clock: ClockReading['clock'] = "the API's"
): string {
  const ahead = (createdAt(backup) ?? now) - now
  return (
    `${Noun} ${backup.id} is dated ${safeText(backup.created_at, 40)}, ${formatDuration(ahead)} past ${clock} clock ` +
    `(${new Date(now).toISOString()}; more than ${formatDuration(FUTURE_TOLERANCE_MS)} ahead is a wrong date)`
  )
}

/**
 * Deletes the given backups one by one, logging each; returns the ids deleted. A backup already
 * gone (a concurrent run deleted it first) is not an error, and not counted as deleted here.
 */
export async function deleteBackups(
  { api, log }: Pick<CommandContext, 'api' | 'log'>,
  backups: readonly Backup[],
  why: string
): Promise<number[]> {
  const deleted: number[] = []
  for (const backup of backups) {
    const what = `${api.points.noun} ${backup.id} (${safeText(backup.created_at, 40)}, "${safeText(backup.description, 80)}")`
    if ((await api.deleteBackup(backup.id)) === 'already-gone') {
      log.info(
        `${api.points.Noun} ${backup.id} was already gone (deleted by another run or by hand) when deleting it ${why}`
      )
      continue
    }
    deleted.push(backup.id)
    log.info(`Deleted ${what}, ${why}`)
  }
  return deleted
}

/**
 * What must go before creating, measured from the earlier of the API's clock and the runner's (see
 * VpsApi.deletionNow); names the backups dated ahead of it, and those kept for a date it cannot read.
 */
export function makeRoom(
  context: CommandContext,
  backups: readonly Backup[],
  serverId: number,
  retention: Retention | undefined
): Backup[] {
  // Below the limit no age matters: the clock is not read (nor its absence warned of).
  const { points } = context.api
  if (!isAtLimit(backups, serverId, points)) return []
  const now = context.api.deletionNow()
  if (retention !== undefined) {
    const ahead = eligibleAhead(backups, { ...retention, serverId, points }, now.at)
    reportKept(context, { undated: [], ahead }, now.at, now.clock)
  }
  const plan = planRoom(backups, serverId, retention, points, now)
  reportKept(context, plan, now.at, now.clock)
  return plan.remove
}

/** Deletes what makeRoom chose; returns the ids deleted. */
export function deleteForRoom(
  context: Pick<CommandContext, 'api' | 'log'>,
  backups: readonly Backup[]
): Promise<number[]> {
  return deleteBackups(context, backups, makingRoom(context.api.points))
}

/**
 * The API refused a create with a 400: when a fresh list shows the server at the limit (another
 * run took the last slot since this one looked; the error body is not documented, so the list
 * decides), room is made once more. Returns the fresh list and the ids deleted, or undefined when
 * the server is not at the limit.
 */
export async function makeRoomAgain(
  context: CommandContext,
  serverId: number,
  retention: Retention | undefined
): Promise<{ listed: Backup[]; deleted: number[] } | undefined> {
  const { api, log } = context
  const listed = await api.listBackups({ serverId, backupType: MANUAL })
  const { points } = api
  if (!isAtLimit(listed, serverId, points)) return undefined
  const roomFor = makeRoom(context, listed, serverId, retention)
  log.warning(
    `The API refused the ${points.noun} of server ${serverId} (400) and the server is now at the limit of ` +
      `${points.limit} ${points.counted}: another run took the last slot. Making room once more and trying again`
  )
  return { listed, deleted: await deleteForRoom(context, roomFor) }
}

/**
 * keep, once this run's backup completed: lists the server's manual backups (or snapshots: the
 * kind is the API's, `api.points`) afresh and deletes those beyond keep. Returns the ids deleted.
 * When this run's backup is no longer listed, another run's keep or a person deleted it: nothing is
 * deleted, and the step fails saying so, since the backup it reports is gone.
 */
export async function applyKeep(context: CommandContext, retention: Retention, own: Backup): Promise<number[]> {
  const { api, log } = context
  const serverId = own.server.id
  const current = await api.listBackups({ serverId, backupType: MANUAL })
  const listed = current.find(b => b.id === own.id)
  if (!listed) {
    throw new BackupError(
      `${api.points.noun} ${own.id} of server ${serverId} completed but is no longer listed: another run's keep, or a person, ` +
        'deleted it; keep deleted nothing. Run the deploys of one server one at a time (see "Concurrent runs" in the README)'
    )
  }
  const now = api.now()
  const plan = planKeep(current, { ...retention, serverId, points: api.points }, listed, now)
  reportKept(context, plan, now)
  if (plan.ownUndated) {
    log.warning(
      `${describeRule(retention)} deleted nothing: ${api.points.noun} ${own.id}'s own ${shownCreatedAt(listed)} is not an RFC 3339 ` +
        `date-time, so which ${api.points.noun}s are older than it is unknown`
    )
    return []
  }
  return deleteBackups(context, plan.remove, `by ${describeRule(retention)}`)
}

/** dry-run: what making room would delete before creating. */
export function forecastRoom({ log, api }: Pick<CommandContext, 'log' | 'api'>, roomFor: readonly Backup[]): void {
  for (const backup of roomFor) {
    log.info(
      `Dry run: would delete ${api.points.noun} ${backup.id} (${safeText(backup.created_at, 40)}) to stay under the limit`
    )
  }
}

/**
 * dry-run: what keep and keep-within would delete once the new backup completed, from what is left
 * after making room. The new backup would be the newest, created now (`now`: making room's).
 */
export function forecastKeep(
  context: CommandContext,
  retention: Retention,
  serverId: number,
  remaining: readonly Backup[],
  now: ClockReading
): void {
  const { log, api } = context
  const { noun } = api.points
  log.info(
    `Dry run: would then apply ${describeRule(retention)} to the "${safeText(retention.keepPrefix, 60)}" ${noun}s of server ${serverId}`
  )
  const plan = planKeep(remaining, { ...retention, serverId, points: api.points }, undefined, now.at)
  reportKept(context, plan, now.at, now.clock)
  for (const backup of plan.remove) {
    log.info(
      `Dry run: would then delete ${noun} ${backup.id} (${safeText(backup.created_at, 40)}), by ${describeRule(retention)}`
    )
  }
}
