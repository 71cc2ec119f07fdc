/**
 * Every output the action sets goes through here; action.yml and README.md list the same ones,
 * and OUTPUTS_SET_BY says which command sets which (a test compares the three).
 */
import * as core from '@actions/core'
import type { Backup } from './api/backup.js'
import type { Command } from './input-helper.js'

export const OUTPUTS_SET_BY = {
  'backup-id': ['create', 'wait', 'restore'],
  'backup-ids': ['create', 'restore'],
  status: ['create', 'wait', 'restore'],
  'size-mb': ['create', 'wait'],
  'created-at': ['create', 'wait'],
  'server-id': ['create', 'wait', 'restore'],
  'server-name': ['create', 'wait'],
  backup: ['create', 'wait'],
  backups: ['create', 'list'],
  'deleted-ids': ['create', 'wait', 'delete'],
  restore: ['restore'],
  'server-status': ['restore'],
  count: ['list']
} as const satisfies Record<string, readonly Command[]>

type Output = keyof typeof OUTPUTS_SET_BY

function set(name: Output, value: string): void {
  core.setOutput(name, value)
}

/** The outputs that describe one backup: create sets them as soon as the API accepts it. */
export function setBackupOutputs(backup: Backup): void {
  set('backup-id', String(backup.id))
  set('status', backup.status)
  set('size-mb', backup.size_mb === null ? '' : String(backup.size_mb))
  set('created-at', backup.created_at)
  set('server-id', String(backup.server.id))
  set('server-name', backup.server.name)
  set('backup', JSON.stringify(backup))
}

/** Server id → backup id, as a JSON object: set again each time the API accepts one more backup. */
export function setBackupIds(backups: Iterable<Backup>): void {
  set('backup-ids', JSON.stringify(Object.fromEntries([...backups].map(b => [String(b.server.id), b.id]))))
}

/** Several servers: the backup objects, in the order of server-id. */
export function setBackupsOutput(backups: readonly Backup[]): void {
  set('backups', JSON.stringify(backups))
}

export function setDeletedIds(ids: readonly number[]): void {
  set('deleted-ids', JSON.stringify(ids))
}

/**
 * As soon as the API accepted the restores: what was started, from which backup. One server:
 * backup-id, server-id, status and restore as for one; several: restore as an object by server.
 */
export function setRestoreOutputs(
  accepted: ReadonlyArray<{ backup: Backup; answer: Record<string, unknown> }>,
  several: boolean
): void {
  if (accepted.length === 0) return
  setBackupIds(accepted.map(a => a.backup))
  const [only] = accepted
  if (!several && only !== undefined) {
    set('backup-id', String(only.backup.id))
    set('server-id', String(only.backup.server.id))
    set('status', typeof only.answer.status === 'string' ? only.answer.status : 'accepted')
    set('restore', JSON.stringify(only.answer))
    return
  }
  set('restore', JSON.stringify(Object.fromEntries(accepted.map(a => [String(a.backup.server.id), a.answer]))))
}

/** Once the wait for the servers ended: the status each ended in (one server: the status alone). */
export function setServerStatuses(
  statuses: ReadonlyArray<{ serverId: number; status: string }>,
  several: boolean
): void {
  const [only] = statuses
  if (!several && only !== undefined) set('server-status', only.status)
  else set('server-status', JSON.stringify(Object.fromEntries(statuses.map(s => [String(s.serverId), s.status]))))
}

export function setListOutputs(backups: readonly Backup[]): void {
  set('backups', JSON.stringify(backups))
  set('count', String(backups.length))
}
