/**
 * Which backups `keep` may delete, and deleting them. The rules are pure and safe under
 * concurrent runs: a run never deletes a backup newer than its own, so whatever order runs
 * interleave in, the newest backups survive.
 */
import { COMPLETED, MANUAL, byAge, createdAtMs, oldestFirst, type Backup } from './api/backup.js'
import type { VpsApi } from './api/client.js'
import { formatDuration } from './duration.js'
import { BackupError } from './errors.js'
import type { RetentionSettings } from './input-helper.js'
import * as log from './logger.js'
import { safeText } from './text.js'

/** VPS.org refuses an 11th manual backup of a server. */
export const MANUAL_BACKUP_LIMIT = 10

export interface RetentionRule extends RetentionSettings {
  serverId: number
}

/**
 * A backup this action may delete to keep numbers in bounds: a completed manual backup of the
 * server (by its own `server.id`, whatever filter the list was asked for) whose description
 * starts with the prefix and whose age can be read. Automatic backups, other servers' backups,
 * other descriptions and unfinished backups are never touched.
 */
export function isPrunable(backup: Backup, rule: RetentionRule): boolean {
  return (
    backup.backup_type === MANUAL &&
    backup.server.id === rule.serverId &&
    backup.status === COMPLETED &&
    backup.description.startsWith(rule.keepPrefix) &&
    !Number.isNaN(createdAtMs(backup))
  )
}

function manualBackupsOf(backups: readonly Backup[], serverId: number): Backup[] {
  return backups.filter(b => b.backup_type === MANUAL && b.server.id === serverId)
}

/**
 * After this run's backup completed: the prunable backups ranked by (created_at, id); this run's
 * backup and every newer one survive and count toward `keep`, and of the older ones only as many
 * as `keep` leaves room for, and those created less than `keepWithinMs` before this run's backup
 * (by the API's clock, both dates being the API's). A backup survives when either rule keeps it.
 * So a run never deletes another run's newer backup, and at least min(keep, backups) remain
 * whatever concurrent runs do.
 */
export function backupsBeyondKeep(backups: readonly Backup[], rule: RetentionRule, own: Backup): Backup[] {
  const ranked = oldestFirst(backups.filter(b => b.id !== own.id && isPrunable(b, rule)))
  const older = ranked.filter(b => byAge(b, own) < 0)
  const newer = ranked.length - older.length
  const keptByCount = rule.keep === undefined ? 0 : Math.max(0, rule.keep - 1 - newer)
  const byCount = new Set(older.slice(Math.max(0, older.length - keptByCount)).map(b => b.id))
  const window = rule.keepWithinMs
  const byAgeRule = (b: Backup): boolean => window !== undefined && createdAtMs(b) >= createdAtMs(own) - window
  return older.filter(b => !byCount.has(b.id) && !byAgeRule(b))
}

/** Whether the server has no room for one more manual backup. */
export function isAtLimit(backups: readonly Backup[], serverId: number): boolean {
  return manualBackupsOf(backups, serverId).length >= MANUAL_BACKUP_LIMIT
}

/**
 * Before creating: the server's manual backups must leave room for one more. Returns the
 * backups to delete first (none while below the limit), or says why there is no room.
 */
export function backupsToMakeRoom(
  backups: readonly Backup[],
  serverId: number,
  retention: RetentionSettings | undefined,
  now: number = Date.now()
): Backup[] {
  const manual = manualBackupsOf(backups, serverId)
  const excess = manual.length - (MANUAL_BACKUP_LIMIT - 1)
  if (excess <= 0) return []
  const where = `server ${serverId} already has ${manual.length} manual backups, the VPS.org limit of ${MANUAL_BACKUP_LIMIT}`
  if (retention === undefined) {
    throw new BackupError(
      `${where}: set the keep input (e.g. keep: 5) to let this action delete the oldest backups whose ` +
        'description starts with keep-prefix, or delete some by hand; nothing was deleted'
    )
  }
  // Before the new backup exists, keep-within's window is measured back from now.
  const window = retention.keepWithinMs
  const outsideWindow = (b: Backup): boolean => window === undefined || createdAtMs(b) < now - window
  const candidates = oldestFirst(manual.filter(b => isPrunable(b, { ...retention, serverId }) && outsideWindow(b)))
  if (candidates.length < excess) {
    throw new BackupError(
      `${where}, and only ${candidates.length} of them may be deleted (completed, description starting with ` +
        `"${safeText(retention.keepPrefix, 60)}"${window === undefined ? '' : `, older than keep-within ${formatDuration(window)}`}), ` +
        `${excess} needed; delete some by hand; nothing was deleted`
    )
  }
  return candidates.slice(0, excess)
}

/**
 * Deletes the given backups one by one, logging each; returns the ids deleted. A backup already
 * gone (a concurrent run deleted it first) is not an error, and not counted as deleted here.
 */
export async function deleteBackups(api: VpsApi, backups: readonly Backup[], why: string): Promise<number[]> {
  const deleted: number[] = []
  for (const backup of backups) {
    const what = `backup ${backup.id} (${safeText(backup.created_at, 40)}, "${safeText(backup.description, 80)}")`
    if ((await api.deleteBackup(backup.id)) === 'already-gone') {
      log.info(`Backup ${backup.id} was already gone (deleted by another run or by hand) when deleting it ${why}`)
      continue
    }
    deleted.push(backup.id)
    log.info(`Deleted ${what}, ${why}`)
  }
  return deleted
}

/**
 * keep, once this run's backup completed: lists the server's manual backups afresh and deletes
 * those beyond keep. Returns the ids deleted. When this run's backup is no longer listed, another
 * run's keep or a person deleted it: nothing is deleted, and the step fails saying so, since the
 * backup it reports is gone.
 */
export async function applyKeep(api: VpsApi, rule: RetentionRule, own: Backup): Promise<number[]> {
  const current = await api.listBackups({ serverId: rule.serverId, backupType: MANUAL })
  const listed = current.find(b => b.id === own.id)
  if (!listed) {
    throw new BackupError(
      `backup ${own.id} of server ${rule.serverId} completed but is no longer listed: another run's keep, or a person, ` +
        'deleted it; keep deleted nothing. Run the deploys of one server one at a time (see "Concurrent runs" in the README)'
    )
  }
  return deleteBackups(api, backupsBeyondKeep(current, rule, listed), `by ${describeRule(rule)}`)
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
