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

/** `absent`: the server list was read without error and does not hold the server. */
type ServerRead = { status: string } | { unreadable: string; absent?: true }

/** Each server's status, or why it cannot be read (so the restore's end cannot be seen). */
async function readStatuses(
  api: Pick<VpsApi, 'getServers'>,
  serverIds: readonly number[]
): Promise<Map<number, ServerRead>> {
  let servers
  try {
    servers = await api.getServers(serverIds)
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      const why = `the token may lack the permission to read servers (${error.message})`
      return new Map(serverIds.map(id => [id, { unreadable: why }]))
    }
    throw error
  }
  return new Map(
    serverIds.map((id): [number, ServerRead] => {
      const server = servers.get(id)
      if (server === undefined) return [id, { unreadable: `server ${id} is not in the server list`, absent: true }]
      if (server.status === undefined) return [id, { unreadable: `the API gave server ${id} without a status` }]
      return [id, { status: server.status }]
    })
  )
}

/**
 * Waits until each restored server has shown `restoring` and then left it and any other state that
 * is not settled.
 * `done` carries the final status (`active`, or `stopped`); `failed` a server that ended
 * `suspended` or in an error; `unconfirmed` one whose end cannot be seen.
 */
export async function waitForRestores(
  api: Pick<VpsApi, 'getServers'>,
  targets: readonly RestoreTarget[],
  options: ServerWaitOptions
): Promise<PollResult<number, string>> {
  const started = Date.now()
  // Armed by a read of the server only, not by the restore answer: VPS.org stops a server before
  // restoring it, so a `stopped` (or a not yet changed `active`) read right after an answer that
  // says `restoring` is the restore not begun, not a restore finished.
  const armed = new Set<number>()
  const answered = new Map(targets.map(t => [t.serverId, t.answered]))
  const judge = (serverId: number, read: ServerRead): Reading<string> => {
    if ('unreadable' in read) return { state: 'unconfirmed', status: 'unknown', why: read.unreadable }
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
        if (Date.now() - started < RESTORE_GRACE_MS) return { state: 'waiting', status }
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
  return pollUntilSettled(
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
}

/**
 * Before backing up or restoring servers: waits while an earlier restore (or another operation)
 * of any of them is running. A server that cannot be read is not waited for: the check is a
 * courtesy the token may not allow, not a condition. Returns the servers that the server list,
 * read without error, does not hold.
 */
export async function waitWhileBusy(
  api: Pick<VpsApi, 'getServers'>,
  serverIds: readonly number[],
  before: string,
  options: ServerWaitOptions & { debug: (message: string) => void }
): Promise<number[]> {
  const reads = await readStatuses(api, serverIds).catch(
    (error: unknown) =>
      new Map<number, ServerRead>(
        serverIds.map(id => [id, { unreadable: error instanceof Error ? error.message : String(error) }])
      )
  )
  const busy: Array<{ serverId: number; status: string }> = []
  const absent: number[] = []
  for (const [serverId, read] of reads) {
    if ('absent' in read) absent.push(serverId)
    else if ('unreadable' in read)
      options.debug(`Could not check whether server ${serverId} is busy: ${read.unreadable}`)
    else if (serverState(read.status) === 'busy') busy.push({ serverId, status: read.status })
  }
  if (busy.length === 0) return absent
  for (const { serverId, status } of busy) {
    options.log.info(
      `Server ${serverId} is ${safeText(status, 40)} (a restore or another operation started before this step); ` +
        `waiting up to ${options.deadline.describe()} for it to settle before ${before}`
    )
  }
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
          const read = now.get(key) ?? { unreadable: 'not read' }
          if ('unreadable' in read) return [key, { state: 'unconfirmed', status: 'unknown', why: read.unreadable }]
          return [
            key,
            serverState(read.status) === 'busy'
              ? { state: 'waiting', status: read.status }
              : { state: 'done', status: read.status, value: read.status }
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
  return absent
}

/** The one-line reason a restore did not end well, for the step's error or warning. */
export function restoreOutcomeText(label: string, settled: Settled<string>, timeout: string): string {
  switch (settled.state) {
    case 'done':
      return `server ${label} is ${settled.status}`
    case 'failed':
      return `server ${label} ${settled.why}`
    case 'unconfirmed':
      return `could not confirm that the restore of server ${label} finished: ${settled.why}; check the server in the VPS.org panel`
    case 'timed-out':
      return (
        `timed out after ${timeout} waiting for server ${label} to finish restoring ` +
        `(last status: ${safeText(settled.status, 40)}); the restore may still finish: check it in the VPS.org panel`
      )
  }
}
