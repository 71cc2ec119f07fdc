/**
 * Following servers through a restore, by their `status` in the Servers API. VPS.org documents
 * `restoring` while a restore runs, and neither the status a server ends in nor how long a restore
 * takes to show: so the wait for a server is armed only once something shows `restoring`, and a
 * server that never does within RESTORE_GRACE_MS cannot be confirmed to have been restored.
 */
import type { VpsApi } from '../api/client.js'
import { RESTORING, serverState } from '../api/server.js'
import type { Clock } from '../base/clock.js'
import { formatDuration } from '../base/duration.js'
import type { ApiError } from '../base/errors.js'
import { pollUntilSettled, type PollLog, type Reading, type Settled } from '../base/polling.js'
import { readStatuses, type ServerRead, type ServerWaitOptions } from './server-status.js'
import { safeText } from '../base/text.js'

/** How long a restore may take to show `restoring` before the wait gives up confirming it. */
export const RESTORE_GRACE_MS = 30_000

export interface RestoreTarget {
  serverId: number
  /** `web-server-01 (12345)` */
  label: string
  /** The server status the restore answer gave, if any. */
  answered?: string
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
 * Reads one round of the restored servers: armed by a read of the server only, not by the restore
 * answer (VPS.org stops a server before restoring it, so a `stopped`, or a not yet changed
 * `active`, read right after an answer that says `restoring` is the restore not begun, not a
 * restore finished).
 */
class RestoreJudge {
  private readonly armed = new Set<number>()
  private readonly everRead: Set<number>
  /** Servers whose last read failed: why, and since when in the wait. */
  readonly failing = new Map<number, { why: string; sinceMs: number }>()
  private readonly answered: Map<number, string | undefined>
  private readonly labels: Map<number, string>
  private readonly started: number

  constructor(
    targets: readonly RestoreTarget[],
    private readonly clock: Clock,
    private readonly log: PollLog,
    readBefore: ReadonlySet<number> | undefined
  ) {
    this.started = clock.now()
    this.everRead = new Set(readBefore)
    this.answered = new Map(targets.map(t => [t.serverId, t.answered]))
    this.labels = new Map(targets.map(t => [t.serverId, t.label]))
  }

  judge(serverId: number, read: ServerRead): Reading<string> {
    if ('failed' in read) return this.readFailed(serverId, read.failed)
    if ('unreadable' in read) return { state: 'unconfirmed', status: 'unknown', why: read.unreadable }
    this.everRead.add(serverId)
    this.failing.delete(serverId)
    const { status } = read
    if (status.toLowerCase() === RESTORING) this.armed.add(serverId)
    switch (serverState(status)) {
      case 'broken':
        return { state: 'failed', status, why: `is ${safeText(status, 40)} after the restore request` }
      case 'busy':
        return { state: 'waiting', status }
      case 'back':
      case 'stopped':
        if (this.armed.has(serverId)) return { state: 'done', status, value: status }
        // Not started yet, as far as can be seen.
        if (this.clock.now() - this.started < RESTORE_GRACE_MS) return { state: 'waiting', status }
        return {
          state: 'unconfirmed',
          status,
          why:
            `${this.answered.get(serverId) === RESTORING ? `the API answered "${RESTORING}", but ` : ''}no read of the server ` +
            `showed "${RESTORING}" within ${formatDuration(RESTORE_GRACE_MS)} of the request (it is ${safeText(status, 40)}): ` +
            'the restore may not have started, or ended unseen'
        }
    }
  }

  /** A read that failed: a round without a status for this server alone, unless it is for good. */
  private readFailed(serverId: number, failed: ApiError): Reading<string> {
    const refused = refusedForGood(failed, this.everRead.has(serverId))
    if (refused !== undefined) return { state: 'unconfirmed', status: 'unknown', why: refused }
    const why = safeText(failed.message, 200)
    const sinceMs = this.failing.get(serverId)?.sinceMs ?? this.clock.now() - this.started
    if (!this.failing.has(serverId)) {
      this.log.info(
        `Server ${safeText(this.labels.get(serverId) ?? String(serverId))}: its status could not be read after ` +
          `${formatDuration(sinceMs)} (${why}); the restore may still be running, so the wait goes on`
      )
    }
    this.failing.set(serverId, { why, sinceMs })
    return { state: 'waiting', status: 'unknown' }
  }
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
  const judge = new RestoreJudge(targets, options.deadline.clock, options.log, options.readBefore)
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
      return new Map(pending.map(s => [s.key, judge.judge(s.key, reads.get(s.key) ?? { unreadable: 'not read' })]))
    },
    { ...options, plural: 'servers' }
  )
  const outcomes = new Map<number, RestoreOutcome>()
  for (const [serverId, outcome] of settled) {
    const unread = judge.failing.get(serverId)
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
 * The one-line reason a restore did not end well, for the step's error or warning. `point` names
 * what the server is restored from: `backup 900`, `snapshot 41`.
 */
export function restoreOutcomeText(label: string, point: string, outcome: RestoreOutcome, timeout: string): string {
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
        `timed out after ${timeout} waiting for server ${label} to finish restoring from ${point}: its status ` +
        `could not be read since ${formatDuration(outcome.sinceMs)} after the request (${outcome.why}); the restore was ` +
        'accepted and may still be running: check the server in the VPS.org panel before restoring it again'
      )
  }
}
