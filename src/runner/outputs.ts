/**
 * Every output the action sets goes through here; action.yml and README.md list the same ones,
 * and OUTPUTS_SET_BY (commands/registry.ts) says which command sets which (a test compares the three).
 */
import type { Backup } from '../api/backup.js'
import type { Runner } from './port.js'

/** Every output of action.yml; each command unit says which of them it sets. */
export const OUTPUTS = [
  'backup-id',
  'backup-ids',
  'status',
  'size-mb',
  'created-at',
  'server-id',
  'server-name',
  'backup',
  'backups',
  'deleted-ids',
  'restore',
  'server-status',
  'count'
] as const

export type Output = (typeof OUTPUTS)[number]

/** The outputs sink: set progressively, as each fact is known, so a step stopped later still has them. */
export class Outputs {
  constructor(private readonly runner: Pick<Runner, 'setOutput'>) {}

  private set(name: Output, value: string): void {
    this.runner.setOutput(name, value)
  }

  /** The outputs that describe one backup: create sets them as soon as the API accepts it. */
  setBackupOutputs(backup: Backup): void {
    this.set('backup-id', String(backup.id))
    this.set('status', backup.status)
    this.set('size-mb', backup.size_mb === null ? '' : String(backup.size_mb))
    this.set('created-at', backup.created_at)
    this.set('server-id', String(backup.server.id))
    this.set('server-name', backup.server.name)
    this.set('backup', JSON.stringify(backup))
  }

  /** Server id → backup id, as a JSON object: set again each time the API accepts one more backup. */
  setBackupIds(backups: Iterable<Backup>): void {
    this.set('backup-ids', JSON.stringify(Object.fromEntries([...backups].map(b => [String(b.server.id), b.id]))))
  }

  /** Several servers: the backup objects, in the order of server-id. */
  setBackupsOutput(backups: readonly Backup[]): void {
    this.set('backups', JSON.stringify(backups))
  }

  setDeletedIds(ids: readonly number[]): void {
    this.set('deleted-ids', JSON.stringify(ids))
  }

  /**
   * As soon as the API accepted the restores: what was started, from which backup. One server:
   * backup-id, server-id, status and restore as for one; several: restore as an object by server.
   */
  setRestoreOutputs(
    accepted: ReadonlyArray<{ backup: Backup; answer: Record<string, unknown> }>,
    several: boolean
  ): void {
    if (accepted.length === 0) return
    this.setBackupIds(accepted.map(a => a.backup))
    const [only] = accepted
    if (!several && only !== undefined) {
      this.set('backup-id', String(only.backup.id))
      this.set('server-id', String(only.backup.server.id))
      this.set('status', typeof only.answer.status === 'string' ? only.answer.status : 'accepted')
      this.set('restore', JSON.stringify(only.answer))
      return
    }
    this.set('restore', JSON.stringify(Object.fromEntries(accepted.map(a => [String(a.backup.server.id), a.answer]))))
  }

  /** Once the wait for the servers ended: the status each ended in (one server: the status alone). */
  setServerStatuses(statuses: ReadonlyArray<{ serverId: number; status: string }>, several: boolean): void {
    const [only] = statuses
    if (!several && only !== undefined) this.set('server-status', only.status)
    else
      this.set('server-status', JSON.stringify(Object.fromEntries(statuses.map(s => [String(s.serverId), s.status]))))
  }

  setListOutputs(backups: readonly Backup[]): void {
    this.set('backups', JSON.stringify(backups))
    this.set('count', String(backups.length))
  }
}
