/**
 * The two kinds of restore point VPS.org offers, each one object: its endpoints' paths, how a row
 * of its answers reads, what its list filters by, what it is called, its limit per server and what
 * counts toward it, and the list's detail column. The kind is chosen once, by the `kind` input, and
 * carried by the API client (VpsApi.points); every other use is handed it explicitly (nothing
 * falls back to backups). Pure.
 */
import type { RequestDescription } from '../base/errors.js'
import { MANUAL, decodeBackup, type Backup } from './backup.js'
import type { ListNoun } from './listing.js'
import { decodeSnapshot } from './snapshot.js'

export const KINDS = ['backup', 'snapshot'] as const
export type RestorePointKind = (typeof KINDS)[number]

/** A restore request: where it goes, its body, and what a 404 to it means. */
export type RestoreRequest = RequestDescription & { body: string | undefined }

export interface RestorePoints {
  readonly kind: RestorePointKind
  /** The list's and create's path. */
  readonly path: string
  /** One row's path (DELETE). */
  itemPath(id: number): string
  /** The request that restores `serverId` from row `pointId`. */
  restore(serverId: number, pointId: number): RestoreRequest
  /** A row of an answer, or undefined when it lacks what this action relies on (id, status, server id). */
  readonly decode: (row: unknown) => Backup | undefined
  /** Whether the list takes `backup_type` (snapshots have no type): a filter it cannot take is not sent. */
  readonly typed: boolean
  /** What a row is called in messages, the summary and the log. */
  readonly noun: RestorePointKind
  /** The noun at the start of a sentence. */
  readonly Noun: 'Backup' | 'Snapshot'
  /** What a row and the list are called in the API's messages. */
  readonly listNoun: ListNoun
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

const BACKUPS_PATH = '/api/v1/backups/'
const SNAPSHOTS_PATH = '/api/v1/snapshots/'
const SERVERS_PATH = '/api/v1/servers/'

/** At most 10 manual backups per server; automatic ones do not count. */
export const BACKUPS: RestorePoints = {
  kind: 'backup',
  path: BACKUPS_PATH,
  itemPath: id => `${BACKUPS_PATH}${id}/`,
  /** POSTed to the server; the docs do not say which of the two a 404 means. */
  restore: (serverId, pointId) => ({
    method: 'POST',
    path: `${SERVERS_PATH}${serverId}/restore/`,
    body: JSON.stringify({ backup_id: pointId }),
    notFound: `server ${serverId} or backup ${pointId}`
  }),
  decode: decodeBackup,
  typed: true,
  noun: 'backup',
  Noun: 'Backup',
  listNoun: { item: 'backup', list: 'backup list' },
  limit: 10,
  counts: row => row.backup_type === MANUAL,
  counted: 'manual backups',
  countedOne: 'manual backup',
  detail: { header: 'Type', of: row => row.backup_type }
}

/** At most 5 snapshots per server. VPS.org documents no kinds of snapshot: every snapshot of a server counts. */
export const SNAPSHOTS: RestorePoints = {
  kind: 'snapshot',
  path: SNAPSHOTS_PATH,
  itemPath: id => `${SNAPSHOTS_PATH}${id}/`,
  /**
   * A snapshot names its server: its restore is POSTed to the snapshot, with no body (none is
   * documented; ApiSession sends no Content-Type with no body), and its 404 is documented as the
   * snapshot's.
   */
  restore: (_serverId, pointId) => ({
    method: 'POST',
    path: `${SNAPSHOTS_PATH}${pointId}/restore/`,
    body: undefined,
    notFound: `snapshot ${pointId}`
  }),
  decode: decodeSnapshot,
  typed: false,
  noun: 'snapshot',
  Noun: 'Snapshot',
  listNoun: { item: 'snapshot', list: 'snapshot list' },
  limit: 5,
  counts: () => true,
  counted: 'snapshots',
  countedOne: 'snapshot',
  detail: { header: 'Name', of: row => ('name' in row && typeof row.name === 'string' ? row.name : '') }
}

export function restorePointsOf(kind: RestorePointKind): RestorePoints {
  return kind === 'snapshot' ? SNAPSHOTS : BACKUPS
}
