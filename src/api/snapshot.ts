/**
 * A snapshot as the VPS.org Snapshots API describes it (servers reference §2), read into the row
 * type the rest of the action uses for a restore point (Backup), and what is particular to the
 * snapshots' create. Its paths, limit and what counts toward it are the kind's (kinds.ts). Pure: no I/O.
 *
 * A snapshot has no `backup_type` and no `expires_at`: they are read as a backup row lacking them
 * is ('' and null), never made up, so the outputs show only what the API sent. VPS.org documents
 * no kinds of snapshot (no automatic ones): every snapshot of a server counts towards its limit,
 * and may be chosen by `latest` or deleted by retention when its description starts with
 * keep-prefix and it is completed. Policy code that asks for `backup_type === 'manual'` must ask
 * the kind instead (`SNAPSHOTS.counts`), or it would see no snapshot at all: a safe failure
 * (nothing deleted, the limit met by the API's 400) but a wrong one.
 */
import { decodeBackup, type Backup } from './backup.js'

/** A snapshot row: a restore point with its name. */
export interface Snapshot extends Backup {
  /** '' when the API gave none (it always should: the name is required on create). */
  name: string
}

/**
 * A row of an answer as a Snapshot, or undefined when it lacks what this action relies on (its
 * id, status and server id), exactly as for backups: created_at that cannot be read is kept
 * aside (RAW_CREATED_AT) the same way.
 */
export function decodeSnapshot(value: unknown): Snapshot | undefined {
  const row = decodeBackup(value)
  if (row === undefined) return undefined
  return { ...row, name: typeof row.name === 'string' ? row.name : '' }
}

/** The create request's body: the name and description sent as given (neither is rewritten). */
export function snapshotCreateBody(serverId: number, name: string, description: string): string {
  return JSON.stringify({ server_id: serverId, name, description })
}

/**
 * After an uncertain create: whether `row` is the snapshot that request made. A name is a slug, so
 * the API stores it as sent (DRF trims white space, which a slug has none of): the same name, of
 * the same server, not listed before the request. Unique names per run and attempt make a second
 * match another run's, which the caller refuses to guess between, as for backups.
 */
export function mayBeCreatedSnapshot(
  row: Snapshot,
  serverId: number,
  name: string,
  knownIds: ReadonlySet<number>
): boolean {
  return row.server.id === serverId && row.name === name && !knownIds.has(row.id)
}
