/**
 * Servers by their `status` in the Servers API: reading a round of statuses, and waiting while an
 * operation that was running before the step (a restore) ends. Following a restore the step
 * started is restores/waiting.ts.
 */
import type { VpsApi } from '../api/client.js'
import { serverState } from '../api/server.js'
import type { Deadline } from '../base/deadline.js'
import { BackupError, type ApiError } from '../base/errors.js'
import { pollUntilSettled, type PollLog, type Reading } from '../base/polling.js'
import { safeText } from '../base/text.js'

export interface ServerWaitOptions {
  pollIntervalMs: number
  deadline: Deadline
  log: PollLog
}

export type ServerRead =
  | { status: string }
  /** The API answered, but its answer cannot show the restore's end; `absent`: the server list, read without error, does not hold it. */
  | { unreadable: string; absent?: true }
  /** The read failed (an outage, a timeout, a refusal): it says nothing of the server. */
  | { failed: ApiError }

/** Each server's status, why its answer shows none, or why the read failed. */
export async function readStatuses(
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

/** A first read of the servers: those busy, those read, and those the server list does not hold. */
function firstLook(
  reads: Map<number, ServerRead>,
  debug: (message: string) => void
): { busy: Map<number, string>; read: Set<number>; absent: number[] } {
  const busy = new Map<number, string>()
  const read = new Set<number>()
  const absent: number[] = []
  for (const [serverId, found] of reads) {
    if ('failed' in found) {
      debug(`Could not check whether server ${serverId} is busy: ${found.failed.message}`)
    } else if ('unreadable' in found) {
      if (found.absent) absent.push(serverId)
      debug(`Could not check whether server ${serverId} is busy: ${found.unreadable}`)
    } else {
      read.add(serverId)
      if (serverState(found.status) === 'busy') busy.set(serverId, found.status)
    }
  }
  return { busy, read, absent }
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
  const { busy, read, absent } = firstLook(await readStatuses(api, serverIds), options.debug)
  if (busy.size === 0) return { read, absent }
  for (const [serverId, status] of busy) {
    options.log.info(
      `Server ${serverId} is ${safeText(status, 40)} (a restore or another operation started before this step); ` +
        `waiting up to ${options.deadline.describe()} for it to settle before ${before}`
    )
  }
  const { settled } = await pollUntilSettled(
    [...busy].map(([serverId, status]) => ({
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
      return new Map(pending.map(({ key }) => [key, stillBusy(key, now.get(key), busy, options.debug)]))
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

/** One busy server's round: a read that failed is a round without news (`last` keeps its status). */
function stillBusy(
  serverId: number,
  found: ServerRead = { unreadable: 'not read' },
  last: Map<number, string>,
  debug: (message: string) => void
): Reading<string> {
  if ('failed' in found) {
    debug(`Could not read server ${serverId}: ${found.failed.message}; still waiting`)
    return { state: 'waiting', status: last.get(serverId) ?? 'unknown' }
  }
  if ('unreadable' in found) return { state: 'unconfirmed', status: 'unknown', why: found.unreadable }
  last.set(serverId, found.status)
  return serverState(found.status) === 'busy'
    ? { state: 'waiting', status: found.status }
    : { state: 'done', status: found.status, value: found.status }
}
