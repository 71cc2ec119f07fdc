/**
 * Following a server through a restore, by its `status` in the Servers API. VPS.org documents
 * `restoring` while a restore runs, and neither the status a server ends in nor how long a restore
 * takes to show: so the wait is armed only once something shows `restoring`, and a server that
 * never does within RESTORE_GRACE_MS cannot be confirmed to have been restored.
 */
import type { VpsApi } from './api/client.js'
import { RESTORING, serverState } from './api/server.js'
import type { Deadline } from './deadline.js'
import { formatDuration } from './duration.js'
import { ApiError, BackupError } from './errors.js'
import { pollUntilSettled, type PollLog, type PollResult, type Reading, type Settled } from './poller.js'
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

/** A read of the server that cannot tell how the restore ends, or undefined when it can. */
async function readStatus(
  api: Pick<VpsApi, 'getServer'>,
  serverId: number
): Promise<{ status: string } | { unreadable: string }> {
  let server
  try {
    server = await api.getServer(serverId)
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      return { unreadable: `the token may lack the permission to read servers (${error.message})` }
    }
    throw error
  }
  if (server === undefined) return { unreadable: `server ${serverId} is not in the server list` }
  if (server.status === undefined) return { unreadable: `the API gave server ${serverId} without a status` }
  return { status: server.status }
}

/**
 * Waits until each restored server has left `restoring` and any other state that is not settled.
 * `done` carries the final status (`active`, or `stopped`); `failed` a server that ended
 * `suspended` or in an error; `unconfirmed` one whose end cannot be seen.
 */
export async function waitForRestores(
  api: Pick<VpsApi, 'getServer'>,
  targets: readonly RestoreTarget[],
  options: ServerWaitOptions
): Promise<PollResult<number, string>> {
  const started = Date.now()
  const armed = new Set(targets.filter(t => t.answered === RESTORING).map(t => t.serverId))
  const read = async (serverId: number): Promise<Reading<string>> => {
    const found = await readStatus(api, serverId)
    if ('unreadable' in found) return { state: 'unconfirmed', status: 'unknown', why: found.unreadable }
    const { status } = found
    if (status.toLowerCase() === RESTORING) armed.add(serverId)
    switch (serverState(status)) {
      case 'broken':
        return { state: 'failed', status, why: `is ${safeText(status, 40)} after the restore request` }
      case 'busy':
        return { state: 'waiting', status }
      case 'back':
      case 'stopped':
        if (armed.has(serverId)) return { state: 'done', status, value: status }
        if (Date.now() - started < RESTORE_GRACE_MS) return { state: 'waiting', status }
        return {
          state: 'unconfirmed',
          status,
          why:
            `no read of the server showed "${RESTORING}" within ${formatDuration(RESTORE_GRACE_MS)} of the request ` +
            `(it is ${safeText(status, 40)}): the restore may not have started, or ended unseen`
        }
    }
  }
  const subjects = targets.map(target => ({
    key: target.serverId,
    name: `server ${target.label}`,
    label: `Server ${target.label}`,
    first: { state: 'waiting' as const, status: target.answered ?? 'accepted' }
  }))
  return pollUntilSettled(
    subjects,
    async pending => new Map(await Promise.all(pending.map(async s => [s.key, await read(s.key)] as const))),
    { ...options, plural: 'servers' }
  )
}

/** Waits, before backing up or restoring a server, while an earlier restore of it is running. */
export async function waitWhileRestoring(
  api: Pick<VpsApi, 'getServer'>,
  serverId: number,
  before: string,
  options: ServerWaitOptions & { debug: (message: string) => void }
): Promise<void> {
  const found = await readStatus(api, serverId).catch((error: unknown) => ({
    unreadable: error instanceof Error ? error.message : String(error)
  }))
  if ('unreadable' in found) {
    options.debug(`Could not check whether server ${serverId} is being restored: ${found.unreadable}`)
    return
  }
  if (serverState(found.status) !== 'busy') return
  options.log.info(
    `Server ${serverId} is ${safeText(found.status, 40)} (a restore or another operation started before this step); ` +
      `waiting up to ${options.deadline.describe()} for it to settle before ${before}`
  )
  const { settled } = await pollUntilSettled(
    [
      {
        key: serverId,
        name: `server ${serverId}`,
        label: `Server ${serverId}`,
        first: { state: 'waiting', status: found.status }
      }
    ],
    async () => {
      const now = await readStatus(api, serverId)
      const reading: Reading<string> =
        'unreadable' in now
          ? { state: 'unconfirmed', status: 'unknown', why: now.unreadable }
          : serverState(now.status) === 'busy'
            ? { state: 'waiting', status: now.status }
            : { state: 'done', status: now.status, value: now.status }
      return new Map([[serverId, reading]])
    },
    { ...options, plural: 'servers' }
  )
  const outcome = settled.get(serverId)
  if (outcome?.state === 'timed-out') {
    throw new BackupError(
      `timed out after ${options.deadline.describe()} waiting for server ${serverId} to leave ` +
        `"${safeText(outcome.status, 40)}" before ${before}; nothing was changed`
    )
  }
  if (outcome?.state === 'done' && serverState(outcome.value) === 'broken') {
    throw new BackupError(
      `server ${serverId} is ${safeText(outcome.value, 40)} after the operation that was running; not ${before}`
    )
  }
}

/** The one-line reason a restore did not end well, for the step's error or warning. */
export function restoreOutcomeText(label: string, settled: Settled<string>, timeout: string): string {
  switch (settled.state) {
    case 'done':
      return `server ${label} is ${settled.status}`
    case 'failed':
      return `server ${label} ${settled.why}`
    case 'unconfirmed':
      return `could not confirm that the restore of server ${label} finished: ${settled.why}; check it in the VPS.org panel`
    case 'timed-out':
      return (
        `timed out after ${timeout} waiting for server ${label} to finish restoring ` +
        `(last status: ${safeText(settled.status, 40)}); the restore may still finish: check it in the VPS.org panel`
      )
  }
}
