/**
 * Following servers through a restore, by their `status` in the Servers API. VPS.org documents
 * `restoring` while a restore runs, and neither the status a server ends in nor how long a restore
 * takes to show: so the wait for a server is armed only once something shows `restoring`, and a
 * server that never does within RESTORE_GRACE_MS cannot be confirmed to have been restored.
 */
import type { VpsApi } from './api/client.js'
import { RESTORING, serverState } from './api/server.js'
import type { Deadline } from './deadline.js'
import { formatDuration } from './duration.js'
import { BackupError, type ApiError } from './errors.js'
import { pollUntilSettled, type PollLog, type Reading, type Settled } from './poller.js'
import { safeText } from './text.js'

/** How long a restore may take to show `restoring` before the wait gives up confirming it. */
export const RESTORE_GRACE_MS = 30_000

export interface ServerWaitOptions {
  pollIntervalMs: number
  deadline: Deadline
  log: PollLog
}

export interface RestoreTarget {
  serverId: number
  /** `web-server-01 (12345)` */
  label: string
  /** The server status the restore answer gave, if any. */
  answered?: string
}

type ServerRead =
  | { status: string }
  /** The API answered, but its answer cannot show the restore's end; `absent`: the server list, read without error, does not hold it. */
  | { unreadable: string; absent?: true }
  /** The read failed (an outage, a timeout, a refusal): it says nothing of the server. */
  | { failed: ApiError }

/** Each server's status, why its answer shows none, or why the read failed. */
async function readStatuses(
  api: Pick<VpsApi, 'getServers'>,
  serverIds: readonly number[]
): Promise<Map<number, ServerRead>> {
  const lookups = await api.getServers(serverIds)
  return new Map(
    serverIds.map((id): [number, ServerRead] => {
      const lookup = lookups.get(id)
      if (lookup === undefined) return [id, { unreadable: `server ${id} was not read` }]
      if ('error' in lookup) return [id, { failed: lookup.error }]
      if (lookup.server === undefined) {
        return [id, { unreadable: `server ${id} is not in the server list`, absent: true }]
      }
      if (lookup.server.status === undefined) return [id, { unreadable: `the API gave server ${id} without a status` }]
      return [id, { status: lookup.server.status }]
    })
  )
}

/**
 * A 401 or 403 to a server never read in this step says the token may not read servers: waiting
 * cannot help. Once a read of the server worked, it is a blip (a WAF, a proxy), as a 5xx is.
 */
function refusedForGood(error: ApiError, everRead: boolean): string | undefined {
  if (everRead || (error.status !== 401 && error.status !== 403)) return undefined
  return `the token may lack the permission to read servers (${error.message})`
}

/** How a restore ended: as the poller settles it, or at the timeout with the status unread. */
export type RestoreOutcome =
  | Settled<string>
  /** The wait ran out while the server's reads failed: the restore may still be running. */
  | { state: 'unread'; status: 'unknown'; why: string; sinceMs: number }

export interface RestoreWait {
  settled: Map<number, RestoreOutcome>
  waitedMs: number
}

/**
 * Waits until each restored server has shown `restoring` and then left it and any other state that
 * is not settled.
 * `done` carries the final status (`active`, or `stopped`); `failed` a server that ended
 * `suspended` or in an error; `unconfirmed` one whose end cannot be seen; `unread` one whose reads
 * failed until the timeout. A read that fails is a round without a status for that server alone:
 * the wait goes on, for it and the others, until the step's timeout.
 */
export async function waitForRestores(
  api: Pick<VpsApi, 'getServers'>,
  targets: readonly RestoreTarget[],
  options: ServerWaitOptions & { readBefore?: ReadonlySet<number> }
): Promise<RestoreWait> {
  const { clock } = options.deadline
  const started = clock.now()
  // Armed by a read of the server only, not by the restore answer: VPS.org stops a server before
  // restoring it, so a `stopped` (or a not yet changed `active`) read right after an answer that
  // says `restoring` is the restore not begun, not a restore finished.
  const armed = new Set<number>()
  const everRead = new Set(options.readBefore)
  /** Servers whose last read failed: why, and since when in the wait. */
  const failing = new Map<number, { why: string; sinceMs: number }>()
  const answered = new Map(targets.map(t => [t.serverId, t.answered]))
  const labels = new Map(targets.map(t => [t.serverId, t.label]))
  const judge = (serverId: number, read: ServerRead): Reading<string> => {
    if ('failed' in read) {
      const refused = refusedForGood(read.failed, everRead.has(serverId))
      if (refused !== undefined) return { state: 'unconfirmed', status: 'unknown', why: refused }
      const why = safeText(read.failed.message, 200)
      const sinceMs = failing.get(serverId)?.sinceMs ?? clock.now() - started
      if (!failing.has(serverId)) {
        options.log.info(
          `Server ${safeText(labels.get(serverId) ?? String(serverId))}: its status could not be read after ` +
            `${formatDuration(sinceMs)} (${why}); the restore may still be running, so the wait goes on`
        )
      }
      failing.set(serverId, { why, sinceMs })
      return { state: 'waiting', status: 'unknown' }
    }
    if ('unreadable' in read) return { state: 'unconfirmed', status: 'unknown', why: read.unreadable }
    everRead.add(serverId)
    failing.delete(serverId)
    const { status } = read
    if (status.toLowerCase() === RESTORING) armed.add(serverId)
    switch (serverState(status)) {
      case 'broken':
        return { state: 'failed', status, why: `is ${safeText(status, 40)} after the restore request` }
      case 'busy':
        return { state: 'waiting', status }
      case 'back':
      case 'stopped':
        if (armed.has(serverId)) return { state: 'done', status, value: status }
        // Not started yet, as far as can be seen.
        if (clock.now() - started < RESTORE_GRACE_MS) return { state: 'waiting', status }
        return {
          state: 'unconfirmed',
          status,
          why:
            `${answered.get(serverId) === RESTORING ? `the API answered "${RESTORING}", but ` : ''}no read of the server ` +
            `showed "${RESTORING}" within ${formatDuration(RESTORE_GRACE_MS)} of the request (it is ${safeText(status, 40)}): ` +
            'the restore may not have started, or ended unseen'
        }
    }
  }
  const subjects = targets.map(target => ({
    key: target.serverId,
    name: `server ${target.label}`,
    label: `Server ${target.label}`,
    first: { state: 'waiting' as const, status: target.answered ?? 'accepted' }
  }))
  const { settled, waitedMs } = await pollUntilSettled(
    subjects,
    async pending => {
      const reads = await readStatuses(
        api,
        pending.map(s => s.key)
      )
      return new Map(pending.map(s => [s.key, judge(s.key, reads.get(s.key) ?? { unreadable: 'not read' })]))
    },
    { ...options, plural: 'servers' }
  )
  const outcomes = new Map<number, RestoreOutcome>()
  for (const [serverId, outcome] of settled) {
    const unread = failing.get(serverId)
    outcomes.set(
      serverId,
      outcome.state === 'timed-out' && unread !== undefined
        ? { state: 'unread', status: 'unknown', ...unread }
        : outcome
    )
  }
  return { settled: outcomes, waitedMs }
}

/**
 * Before backing up or restoring servers: waits while an earlier restore (or another operation)
 * of any of them is running. A server that cannot be read is not waited for: the check is a
 * courtesy the token may not allow, not a condition. Once a busy server is waited for, a read
 * that fails is a round without news, not the end of the wait. Returns the servers read (whose
 * token may read them), and those the server list, read without error, does not hold.
 */
export async function waitWhileBusy(
  api: Pick<VpsApi, 'getServers'>,
  serverIds: readonly number[],
  before: string,
  options: ServerWaitOptions & { debug: (message: string) => void }
): Promise<{ read: Set<number>; absent: number[] }> {
  const reads = await readStatuses(api, serverIds)
  const busy: Array<{ serverId: number; status: string }> = []
  const read = new Set<number>()
  const absent: number[] = []
  for (const [serverId, found] of reads) {
    if ('failed' in found) {
      options.debug(`Could not check whether server ${serverId} is busy: ${found.failed.message}`)
    } else if ('unreadable' in found) {
      if (found.absent) absent.push(serverId)
      options.debug(`Could not check whether server ${serverId} is busy: ${found.unreadable}`)
    } else {
      read.add(serverId)
      if (serverState(found.status) === 'busy') busy.push({ serverId, status: found.status })
    }
  }
  if (busy.length === 0) return { read, absent }
  for (const { serverId, status } of busy) {
    options.log.info(
      `Server ${serverId} is ${safeText(status, 40)} (a restore or another operation started before this step); ` +
        `waiting up to ${options.deadline.describe()} for it to settle before ${before}`
    )
  }
  const last = new Map(busy.map(({ serverId, status }) => [serverId, status]))
  const { settled } = await pollUntilSettled(
    busy.map(({ serverId, status }) => ({
      key: serverId,
      name: `server ${serverId}`,
      label: `Server ${serverId}`,
      first: { state: 'waiting' as const, status }
    })),
    async pending => {
      const now = await readStatuses(
        api,
        pending.map(s => s.key)
      )
      return new Map(
        pending.map(({ key }): [number, Reading<string>] => {
          const found = now.get(key) ?? { unreadable: 'not read' }
          if ('failed' in found) {
            options.debug(`Could not read server ${key}: ${found.failed.message}; still waiting`)
            return [key, { state: 'waiting', status: last.get(key) ?? 'unknown' }]
          }
          if ('unreadable' in found) return [key, { state: 'unconfirmed', status: 'unknown', why: found.unreadable }]
          last.set(key, found.status)
          return [
            key,
            serverState(found.status) === 'busy'
              ? { state: 'waiting', status: found.status }
              : { state: 'done', status: found.status, value: found.status }
          ]
        })
      )
    },
    { ...options, plural: 'servers' }
  )
  for (const [serverId, outcome] of settled) {
    if (outcome.state === 'timed-out') {
      throw new BackupError(
        `timed out after ${options.deadline.describe()} waiting for server ${serverId} to leave ` +
          `"${safeText(outcome.status, 40)}" before ${before}; nothing was changed`
      )
    }
    if (outcome.state === 'done' && serverState(outcome.value) === 'broken') {
      throw new BackupError(
        `server ${serverId} is ${safeText(outcome.value, 40)} after the operation that was running; not ${before}`
      )
    }
  }
  return { read, absent }
}

/** The one-line reason a restore did not end well, for the step's error or warning. */
export function restoreOutcomeText(label: string, backupId: number, outcome: RestoreOutcome, timeout: string): string {
  switch (outcome.state) {
    case 'done':
      return `server ${label} is ${outcome.status}`
    case 'failed':
      return `server ${label} ${outcome.why}`
    case 'unconfirmed':
      return `could not confirm that the restore of server ${label} finished: ${outcome.why}; check the server in the VPS.org panel`
    case 'timed-out':
      return (
        `timed out after ${timeout} waiting for server ${label} to finish restoring ` +
        `(last status: ${safeText(outcome.status, 40)}); the restore may still finish: check it in the VPS.org panel`
      )
    case 'unread':
      return (
        `timed out after ${timeout} waiting for server ${label} to finish restoring from backup ${backupId}: its status ` +
        `could not be read since ${formatDuration(outcome.sinceMs)} after the request (${outcome.why}); the restore was ` +
        'accepted and may still be running: check the server in the VPS.org panel before restoring it again'
      )
  }
}
