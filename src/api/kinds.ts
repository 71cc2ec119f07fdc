/**
 * The two kinds of restore point VPS.org offers, as the rest of the action sees them: backups (at
 * most 10 manual ones per server) and snapshots (at most 5 per server). The kind is chosen once, by
 * the `kind` input, and carried by the API client (VpsApi.points): commands and the policy ask it
 * what counts towards the limit and what to call a row, never which kind they work with. Pure.
 */
import { MANUAL, type Backup } from './backup.js'
import { SNAPSHOT_LIMIT } from './snapshot.js'

export const KINDS = ['backup', 'snapshot'] as const
export type RestorePointKind = (typeof KINDS)[number]

export interface RestorePoints {
  readonly kind: RestorePointKind
  /** What a row is called in messages, the summary and the log. */
  readonly noun: RestorePointKind
  /** The noun at the start of a sentence. */
  readonly Noun: 'Backup' | 'Snapshot'
  /** How many rows that count a server may hold: the API refuses one more. */
  readonly limit: number
  /** Whether a row counts towards the limit (and so may be chosen by latest or deleted by keep). */
  counts(row: Backup): boolean
  /** `manual backups`, `snapshots`: what the limit counts, in messages. */
  readonly counted: string
  /** `manual backup`, `snapshot`: one of what the limit counts. */
  readonly countedOne: string
  /** The list's column that tells rows apart beyond their description: a backup's type, a snapshot's name. */
  readonly detail: { readonly header: string; of(row: Backup): string }
}

export const BACKUPS: RestorePoints = {
  kind: 'backup',
  noun: 'backup',
  Noun: 'Backup',
  limit: 10,
  counts: row => row.backup_type === MANUAL,
  counted: 'manual backups',
  countedOne: 'manual backup',
  detail: { header: 'Type', of: row => row.backup_type }
}

/** VPS.org documents no kinds of snapshot: every snapshot of a server counts. */
export const SNAPSHOTS: RestorePoints = {
  kind: 'snapshot',
  noun: 'snapshot',
  Noun: 'Snapshot',
  limit: SNAPSHOT_LIMIT,
  counts: () => true,
  counted: 'snapshots',
  countedOne: 'snapshot',
  detail: { header: 'Name', of: row => ('name' in row && typeof row.name === 'string' ? row.name : '') }
}

export function restorePointsOf(kind: RestorePointKind): RestorePoints {
  return kind === 'snapshot' ? SNAPSHOTS : BACKUPS
}
