/**
 * Waiting until backups are `completed`, through the documented list endpoint (there is no
 * endpoint for one backup), each found by id and checked to be of its server, never by position.
 */
import { COMPLETED, MANUAL, isFailedStatus, type Backup } from '../api/backup.js'
import type { VpsApi } from '../api/client.js'
import type { Deadline } from '../base/deadline.js'
import { formatDuration } from '../base/duration.js'
import { BackupError } from '../base/errors.js'
import { pollUntilSettled, type PollLog, type PollResult, type Reading, type Settled } from '../base/polling.js'
import type { RestorePoints } from '../api/kinds.js'
import { safeText } from '../base/text.js'

export interface BackupWaitOptions {
  pollIntervalMs: number
  deadline: Deadline
  log: PollLog
}

/** `backup 7 of server 12345`, `snapshot 7 of server 12345`: what the kind calls it (`noun`). */
export function backupName(backup: Backup, noun: RestorePoints['noun']): string {
  return `${noun} ${backup.id} of server ${backup.server.id}`
}

/** What the list says of a backup being waited for. */
function readBackup(
  noun: RestorePoints['noun'],
  expected: Backup,
  found: Backup | undefined,
  lastStatus: string,
  waitedMs: () => number
): Reading<Backup> {
  if (found === undefined) {
    return {
      state: 'failed',
      status: lastStatus,
      why: `is no longer listed (last status: ${safeText(lastStatus, 40)}); it was deleted or dropped by VPS.org`
    }
  }
  if (found.server.id !== expected.server.id) {
    return {
      state: 'failed',
      status: found.status,
      why: `is listed as a ${noun} of server ${found.server.id}; not following it further`
    }
  }
  if (found.status === COMPLETED) return { state: 'done', status: found.status, value: found }
  if (isFailedStatus(found.status)) {
    return {
      state: 'failed',
      status: found.status,
      why: `ended with status "${safeText(found.status, 40)}" after ${formatDuration(waitedMs())}`
    }
  }
  return { state: 'waiting', status: found.status }
}

/**
 * Follows the backups until each has settled: completed, failed, gone, or timed out. A round of
 * checks costs the cheaper of one filtered list request per server still waited for, and the
 * pages of one list of every manual backup (its size known from the count on its first page).
 */
export async function waitForBackups(
  api: Pick<VpsApi, 'listBackups' | 'sizeOfList' | 'points'>,
  backups: readonly Backup[],
  options: BackupWaitOptions
): Promise<PollResult<number, Backup>> {
  const { clock } = options.deadline
  const started = clock.now()
  const elapsed = (): number => clock.now() - started
  const byId = new Map(backups.map(b => [b.id, b]))
  const lastStatus = new Map(backups.map(b => [b.id, b.status]))
  let manualListPages: number | undefined
  const { noun, Noun } = api.points
  const subjects = backups.map(backup => ({
    key: backup.id,
    name: backupName(backup, noun),
    label: `${Noun} ${backup.id}`,
    first: readBackup(noun, backup, backup, backup.status, elapsed)
  }))

  /** Each server's backups as listed this round, by the cheapest requests. */
  async function listServers(waited: readonly Backup[]): Promise<Map<number, Backup[]>> {
    const serverIds = [...new Set(waited.map(b => b.server.id))]
    if (serverIds.length > 1 && waited.every(b => b.backup_type === MANUAL)) {
      manualListPages ??= (await api.sizeOfList({ backupType: MANUAL })).pages
      if (manualListPages < serverIds.length) {
        const listed = await api.listBackups({ backupType: MANUAL })
        return new Map(serverIds.map(id => [id, listed.filter(b => b.server.id === id)]))
      }
    }
    // No request waits for another: at most two connections carry them (MAX_CONNECTIONS).
    return new Map(
      await Promise.all(
        serverIds.map(async serverId => {
          const types = new Set(waited.filter(b => b.server.id === serverId).map(b => b.backup_type))
          const backupType = types.size === 1 ? [...types][0] || undefined : undefined
          return [serverId, await api.listBackups({ serverId, backupType })] as const
        })
      )
    )
  }

  return pollUntilSettled(
    subjects,
    async pending => {
      const waited = pending.map(({ key }) => byId.get(key) as Backup)
      const listed = await listServers(waited)
      const readings = new Map<number, Reading<Backup>>()
      for (const backup of waited) {
        const found = listed.get(backup.server.id)?.find(b => b.id === backup.id)
        const reading = readBackup(noun, backup, found, lastStatus.get(backup.id) ?? '', elapsed)
        lastStatus.set(backup.id, reading.status)
        readings.set(backup.id, reading)
      }
      return readings
    },
    { ...options, plural: `${noun}s` }
  )
}

/** The error for a backup (or snapshot: `noun`) that did not complete, naming it and what happened. */
export function notCompleted(
  backup: Backup,
  settled: Settled<Backup>,
  timeout: string,
  noun: RestorePoints['noun']
): BackupError {
  const name = backupName(backup, noun)
  switch (settled.state) {
    case 'timed-out':
      return new BackupError(
        `timed out after ${timeout} waiting for ${name} to complete (last status: ${safeText(settled.status, 40)}); ` +
          `the ${noun} may still complete: raise timeout for larger servers`
      )
    case 'failed':
    case 'unconfirmed':
      return new BackupError(`${name} ${settled.why}`)
    case 'done':
      return new BackupError(`${name} completed`)
  }
}

/** The backup as it was last seen: its final state, or the one it was in when the wait ended. */
export function lastSeen(backup: Backup, settled: Settled<Backup>): Backup {
  return settled.state === 'done' ? settled.value : { ...backup, status: settled.status }
}
