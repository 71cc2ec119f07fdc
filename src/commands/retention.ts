import type { Backup } from '../api-client.js'
import { BackupError } from '../errors.js'
import { COMPLETED } from '../poller.js'
import { safeText } from '../text.js'

/** VPS.org refuses an 11th manual backup of a server. */
export const MANUAL_BACKUP_LIMIT = 10

export interface RetentionRule {
  serverId: number
  keepPrefix: string
}

/**
 * A backup this action may delete to keep numbers in bounds: a completed manual backup of the
 * same server whose description starts with the prefix and whose age can be read. Automatic
 * backups, other servers' backups, other descriptions and unfinished backups are never touched.
 */
export function isPrunable(backup: Backup, rule: RetentionRule): boolean {
  return (
    backup.backup_type === 'manual' &&
    backup.server.id === rule.serverId &&
    backup.status === COMPLETED &&
    backup.description.startsWith(rule.keepPrefix) &&
    !Number.isNaN(Date.parse(backup.created_at))
  )
}

/** Oldest first by created_at (then id), never by the API's list order. */
export function oldestFirst(backups: Backup[]): Backup[] {
  return [...backups].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id)
}

/** Newest first, for lists shown to people. Backups without a readable date go last. */
export function newestFirst(backups: Backup[]): Backup[] {
  const time = (b: Backup): number => {
    const t = Date.parse(b.created_at)
    return Number.isNaN(t) ? -Infinity : t
  }
  return [...backups].sort((a, b) => time(b) - time(a) || b.id - a.id)
}

/**
 * After the new backup completed: the oldest matching backups beyond `keep`, the new one
 * counting as one of those kept and never deleted.
 */
export function backupsBeyondKeep(backups: Backup[], rule: RetentionRule, keep: number, newBackupId: number): Backup[] {
  const others = oldestFirst(backups.filter(b => b.id !== newBackupId && isPrunable(b, rule)))
  return others.slice(0, Math.max(0, others.length - (keep - 1)))
}

/**
 * Before creating: the server's manual backups must leave room for one more. Returns the
 * backups to delete first (none while below the limit), or says why there is no room.
 */
export function backupsToMakeRoom(backups: Backup[], rule: RetentionRule, keep: number | undefined): Backup[] {
  const manual = backups.filter(b => b.backup_type === 'manual' && b.server.id === rule.serverId)
  const excess = manual.length - (MANUAL_BACKUP_LIMIT - 1)
  if (excess <= 0) return []
  const where = `server ${rule.serverId} already has ${manual.length} manual backups, the VPS.org limit of ${MANUAL_BACKUP_LIMIT}`
  if (keep === undefined) {
    throw new BackupError(
      `${where}: set the keep input (e.g. keep: 5) to let this action delete the oldest "${safeText(rule.keepPrefix, 60)}" ` +
        'backups, or delete some by hand; nothing was deleted'
    )
  }
  const candidates = oldestFirst(manual.filter(b => isPrunable(b, rule)))
  if (candidates.length < excess) {
    throw new BackupError(
      `${where}, and only ${candidates.length} of them may be deleted (completed, description starting with ` +
        `"${safeText(rule.keepPrefix, 60)}"), ${excess} needed; delete some by hand; nothing was deleted`
    )
  }
  return candidates.slice(0, excess)
}
