/**
 * A server as the Servers API describes it, and what its `status` says about a restore. VPS.org
 * documents `active`, `stopped` and `suspended` (the list filter) and `restoring` (a restore in
 * progress); nothing else, and no failure status: anything that names an error or a failure is
 * taken as one. Pure: no I/O.
 */
import { isRecord } from './messages.js'

export interface Server {
  id: number
  name: string
  /** Undefined when the API gave none: the restore's end cannot be seen. */
  status: string | undefined
  [field: string]: unknown
}

export const RESTORING = 'restoring'

/** Where a server stands after a restore was requested. */
export type ServerState =
  /** `active`: back and running. */
  | 'back'
  /** `stopped`: restored, but not running (VPS.org stops a server before restoring it). */
  | 'stopped'
  /** `suspended`, or a status naming an error or failure: needs a person. */
  | 'broken'
  /** `restoring`, or any other status that is not settled (`starting`, say). */
  | 'busy'

export function serverState(status: string): ServerState {
  const word = status.toLowerCase()
  if (word === 'active') return 'back'
  if (word === 'stopped') return 'stopped'
  if (word === 'suspended' || /error|fail/.test(word)) return 'broken'
  return 'busy'
}

export function decodeServer(value: unknown): Server | undefined {
  if (!isRecord(value) || !Number.isSafeInteger(value.id)) return undefined
  return {
    ...value,
    id: value.id as number,
    name: typeof value.name === 'string' ? value.name : '',
    status: typeof value.status === 'string' && value.status !== '' ? value.status : undefined
  }
}

/**
 * The server status a restore answer gives, if any: its `server.status` (the shape VPS.org
 * documents for snapshot restores), or a top-level `status` of `restoring`.
 */
export function statusInRestoreAnswer(answer: Record<string, unknown>): string | undefined {
  const server = answer.server
  if (isRecord(server) && typeof server.status === 'string') return server.status
  return answer.status === RESTORING ? RESTORING : undefined
}
