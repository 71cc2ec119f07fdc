/**
 * What commands return: what happened, as data. Presenters (src/presenters/) render it: the
 * outputs, the notices, the job summary and the step's error line. One server or several is one
 * shape: a row per server.
 */
import type { Backup } from '../api/backup.js'

/** One server's backup in a create or wait step. */
export interface ServerBackup {
  serverId: number
  /** As last seen; absent when its create request failed. */
  backup?: Backup
  /** Why the server has no completed backup from this step. */
  problem?: string
}

/** create and wait: every server's backup, in the order of server-id. */
export interface BackupsOutcome {
  /** None in a dry run: nothing was started. */
  servers: ServerBackup[]
  /** Every problem, in the order it arose. */
  problems: string[]
  /** How long the wait took; absent when not waited for. */
  waitedMs?: number
  /** Every backup deleted by this step (making room, keep, keep-within). */
  deletedIds: number[]
}

/** How one server's restore ended, for the summary. */
export interface RestoreEnded {
  label: string
  outcome: { state: string; status: string }
  text: string
}

/** restore (and the post step of restore-on-failure): the restores sent and how they ended. */
export interface RestoresOutcome {
  /** Servers the step restores (none in a dry run, or when none was left to claim). */
  servers: number
  /** The wait for the servers, when they were followed. */
  followed?: {
    ended: RestoreEnded[]
    waitedMs: number
    statuses: Array<{ serverId: number; status: string }>
  }
  /** Servers not restored as asked, in the order the problems arose. */
  problems: Array<{ backup: Backup; text: string }>
}
