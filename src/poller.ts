import { COMPLETED, isFailedStatus, type Backup } from './api/backup.js'
import type { VpsApi } from './api/client.js'
import { sleep, type Deadline } from './deadline.js'
import { formatDuration } from './duration.js'
import { BackupError } from './errors.js'
import { safeText } from './text.js'

const FIRST_CHECK_MS = 1000
/** Each pause is this share of the time waited so far: checks thin out as a backup runs long. */
const GROWTH = 0.2
/** A person watching the job sees a line at least this often. */
export const HEARTBEAT_MS = 30_000

/**
 * The pause before the next status check: about a second at first, so a short backup is noticed
 * at once, then a fifth of the time waited so far, up to `maxIntervalMs`. A 20 s backup costs
 * about 13 checks and is noticed within 2 s; a 10 min one costs about 60.
 */
export function pollDelay(elapsedMs: number, maxIntervalMs: number): number {
  return Math.min(maxIntervalMs, Math.max(FIRST_CHECK_MS, Math.round(elapsedMs * GROWTH)))
}

export interface WaitLog {
  info(message: string): void
}

export interface WaitOptions {
  pollIntervalMs: number
  deadline: Deadline
  log: WaitLog
}

export interface WaitResult {
  backup: Backup
  waitedMs: number
  checks: number
}

/**
 * Follows a backup until it is `completed`, through the documented list endpoint (there is no
 * endpoint for one backup), filtered by its server and type and found by id, never by position.
 * Fails when it ends in a failed status, disappears, or the deadline passes.
 */
export async function waitForBackup(
  client: Pick<VpsApi, 'listBackups'>,
  backup: Backup,
  options: WaitOptions
): Promise<WaitResult> {
  const { deadline, log, pollIntervalMs } = options
  const started = Date.now()
  const subject = `backup ${backup.id} of server ${backup.server.id}`
  let current = backup
  let checks = 0
  let lastHeartbeat = started
  for (;;) {
    const waitedMs = Date.now() - started
    if (current.status === COMPLETED) return { backup: current, waitedMs, checks }
    if (isFailedStatus(current.status)) {
      throw new BackupError(
        `${subject} ended with status "${safeText(current.status, 40)}" after ${formatDuration(waitedMs)}`
      )
    }
    if (deadline.expired()) {
      throw new BackupError(
        `timed out after ${deadline.describe()} waiting for ${subject} to complete (last status: ${safeText(current.status, 40)}); ` +
          'the backup may still complete: raise timeout for larger servers'
      )
    }
    await sleep(Math.min(pollDelay(waitedMs, pollIntervalMs), deadline.remainingMs()))
    const listed = await client.listBackups({ serverId: backup.server.id, backupType: backup.backup_type || undefined })
    checks++
    const found = listed.find(b => b.id === backup.id)
    const now = Date.now()
    if (found && found.server.id !== backup.server.id) {
      throw new BackupError(
        `the backup list gives ${subject} as a backup of server ${found.server.id}; not following it further`
      )
    }
    if (!found) {
      throw new BackupError(
        `${subject} is no longer listed (last status: ${safeText(current.status, 40)}); it was deleted or dropped by VPS.org`
      )
    }
    if (found.status !== current.status) {
      log.info(
        `Backup ${backup.id}: ${safeText(current.status, 40)} → ${safeText(found.status, 40)} after ${formatDuration(now - started)}`
      )
      lastHeartbeat = now
    } else if (now - lastHeartbeat >= HEARTBEAT_MS) {
      log.info(
        `Still waiting for backup ${backup.id} (${safeText(found.status, 40)}): ${formatDuration(now - started)} so far, ` +
          `${formatDuration(deadline.remainingMs(now))} left before the timeout`
      )
      lastHeartbeat = now
    }
    current = found
  }
}
