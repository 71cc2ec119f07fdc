/**
 * Retention's acts: deleting what the policy (policy/backups.ts) says may go, and saying what it
 * kept and why. Safe under concurrent runs: a run never deletes a backup newer than its own.
 */
import { MANUAL, type Backup } from '../api/backup.js'
import type { ClockReading } from '../api/http-date.js'
import { FUTURE_TOLERANCE_MS, createdAt, planKeep, shownCreatedAt, type RetentionRule } from '../policy/backups.js'
import { formatDuration } from '../base/duration.js'
import { BackupError } from '../base/errors.js'
import type { RetentionSettings } from '../runner/inputs.js'
import { safeText } from '../base/text.js'
import type { CommandContext } from '../context.js'
import type { RestorePoints } from '../api/kinds.js'

export type { RetentionRule } from '../policy/backups.js'

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
 * keep, once this run's backup completed: lists the server's manual backups (or snapshots: the
 * kind is the API's, `api.points`) afresh and deletes those beyond keep. Returns the ids deleted. When this run's backup is no longer listed, another
 * run's keep or a person deleted it: nothing is deleted, and the step fails saying so, since the
 * backup it reports is gone.
 */
export async function applyKeep(
  context: CommandContext,
  rule: Omit<RetentionRule, 'points'>,
  own: Backup
): Promise<number[]> {
  const { api, log } = context
  const current = await api.listBackups({ serverId: rule.serverId, backupType: MANUAL })
  const listed = current.find(b => b.id === own.id)
  if (!listed) {
    throw new BackupError(
      `${api.points.noun} ${own.id} of server ${rule.serverId} completed but is no longer listed: another run's keep, or a person, ` +
        'deleted it; keep deleted nothing. Run the deploys of one server one at a time (see "Concurrent runs" in the README)'
    )
  }
  const now = api.now()
  const plan = planKeep(current, { ...rule, points: api.points }, listed, now)
  reportKept(context, plan, now)
  if (plan.ownUndated) {
    log.warning(
      `${describeRule(rule)} deleted nothing: ${api.points.noun} ${own.id}'s own ${shownCreatedAt(listed)} is not an RFC 3339 ` +
        `date-time, so which ${api.points.noun}s are older than it is unknown`
    )
    return []
  }
  return deleteBackups(context, plan.remove, `by ${describeRule(rule)}`)
}

/** `keep 5 and keep-within 30d`, for log lines. */
export function describeRule(rule: RetentionSettings): string {
  return [
    rule.keep === undefined ? '' : `keep ${rule.keep}`,
    rule.keepWithinMs === undefined ? '' : `keep-within ${formatDuration(rule.keepWithinMs)}`
  ]
    .filter(Boolean)
    .join(' and ')
}
