// @ts-check
/**
 * The backups the simulated API holds. Statuses are resolved from the clock when read (no
 * timers), so a test can never leak one and a backup "finishes" exactly when its time has come.
 */
import { finishEarly, stateAt, transitionAfter } from './lifecycle.js'
import { isoTimestamp } from './servers.js'

/** @import { ServerStore } from './servers.js' */

/**
 * A backup as the API represents it (reference: /work/shared/vps-org-backups-api.md).
 * @typedef {object} SimBackup
 * @property {number} id
 * @property {{ id: number, name: string }} server
 * @property {'manual'|'automatic'} backup_type
 * @property {string} status `in_progress`, `completed`, or a failure such as `failed`.
 * @property {number|null} size_mb null until completed.
 * @property {string} created_at ISO-8601 UTC.
 * @property {string|null} expires_at null for manual backups.
 * @property {string} description
 */

/**
 * What addBackup takes: any field of SimBackup but `server`, and the id of an existing server.
 * @typedef {Partial<Omit<SimBackup, 'server'>> & { serverId: number }} BackupInput
 */

/**
 * A backup as stored. `status`/`sizeMb` is the state it was created in; `transition`, when set,
 * is the state it reaches at a given time, so reads resolve the status from the clock (lifecycle.js).
 * @typedef {object} BackupRecord
 * @property {number} id
 * @property {number} serverId
 * @property {'manual'|'automatic'} backupType
 * @property {string} status
 * @property {number|null} sizeMb
 * @property {string} createdAt
 * @property {string|null} expiresAt
 * @property {string} description
 * @property {{ at: number, status: string, sizeMb: number|null } | null} transition
 */

/** @typedef {import('./lifecycle.js').TimedState} BackupState */

/** @typedef {{ row: unknown, serverId: number | undefined }} RawRow */

// Ids near the reference's examples (499, 501, 502).
const FIRST_BACKUP_ID = 501
export const MAX_MANUAL_BACKUPS_PER_SERVER = 10
// The reference says automatic backups are kept 7–30 days depending on the plan.
const AUTOMATIC_RETENTION_MS = 30 * 24 * 60 * 60 * 1000
export const BACKUP_TYPES = ['manual', 'automatic']

/**
 * The size a finished backup reports: positive and deterministic, so runs are reproducible.
 * @param {number} backupId
 */
const finishedSizeMb = backupId => 4000 + ((backupId * 37) % 1000)

export class BackupStore {
  /**
   * @param {ServerStore} servers the servers backups belong to
   * @param {() => number} [now] the clock new backups are dated by
   */
  constructor(servers, now = () => Date.now()) {
    this.servers = servers
    this.now = now
    /** @type {Map<number, BackupRecord>} */
    this.backups = new Map()
    this.nextId = FIRST_BACKUP_ID
    /** @type {RawRow[]} rows the list shows verbatim, for malformed backups */
    this.rawRows = []
    /** list answers given so far, which numbers `nextChain: 'fragment'` links */
    this.listAnswers = 0
  }

  /** Forgets backups and raw rows. */
  clear() {
    this.backups.clear()
    this.nextId = FIRST_BACKUP_ID
    this.rawRows = []
    this.listAnswers = 0
  }

  /** @param {number} id */
  backup(id) {
    return this.backups.get(id)
  }

  /** @returns {BackupRecord[]} */
  list() {
    return [...this.backups.values()]
  }

  /** @param {number} serverId */
  manualBackupCount(serverId) {
    return this.list().filter(b => b.serverId === serverId && b.backupType === 'manual').length
  }

  /**
   * Inserts a backup as given (no lifecycle), filling in defaults.
   * @param {BackupInput} partial
   */
  insert(partial) {
    if (!this.servers.has(partial.serverId)) {
      throw new Error(`simulator: addBackup for unknown server ${partial.serverId}`)
    }
    const id = partial.id ?? this.nextId
    if (this.backups.has(id)) throw new Error(`simulator: backup ${id} exists already`)
    const backupType = partial.backup_type ?? 'manual'
    const status = partial.status ?? 'completed'
    const createdAt = partial.created_at ?? isoTimestamp(this.now())
    const automaticExpiry = isoTimestamp(Date.parse(createdAt) + AUTOMATIC_RETENTION_MS)
    return this.#store({
      id,
      serverId: partial.serverId,
      backupType,
      status,
      sizeMb: partial.size_mb !== undefined ? partial.size_mb : status === 'completed' ? 1000 : null,
      createdAt,
      expiresAt:
        partial.expires_at !== undefined ? partial.expires_at : backupType === 'automatic' ? automaticExpiry : null,
      description: partial.description ?? '',
      transition: null
    })
  }

  /**
   * Starts a manual backup the way POST does: in progress, finishing after `durationMs` with
   * `outcome` (captured now: later changes of the settings do not affect it). Its created_at is
   * stamped by the API's clock, `clockOffsetMs` off the machine's; it finishes by the machine's.
   * @param {number} serverId
   * @param {string} description
   * @param {{ durationMs: number, outcome: string | null, clockOffsetMs?: number }} lifecycle
   */
  createManual(serverId, description, { durationMs, outcome, clockOffsetMs = 0 }) {
    const now = this.now()
    const id = this.nextId
    return this.#store({
      id,
      serverId,
      backupType: 'manual',
      status: 'in_progress',
      sizeMb: null,
      createdAt: isoTimestamp(now + clockOffsetMs),
      expiresAt: null,
      description,
      transition: transitionAfter(now, durationMs, outcome, finishedSizeMb(id))
    })
  }

  /**
   * Completed manual backups that are never stored, with fresh ids, for lists that never end.
   * @param {number} count
   * @param {number} serverId
   * @param {'manual'|'automatic'} backupType
   * @param {number} [descriptionLength] descriptions padded with dots to this many characters
   * @returns {SimBackup[]}
   */
  synthetic(count, serverId, backupType, descriptionLength = 0) {
    const createdAt = isoTimestamp(this.now())
    return Array.from({ length: count }, () => {
      const id = this.nextId++
      /** @type {BackupRecord} */
      const record = {
        id,
        serverId,
        backupType,
        status: 'completed',
        sizeMb: finishedSizeMb(id),
        createdAt,
        expiresAt: backupType === 'automatic' ? isoTimestamp(Date.parse(createdAt) + AUTOMATIC_RETENTION_MS) : null,
        description: `Synthetic backup ${id}`.padEnd(descriptionLength, '.'),
        transition: null
      }
      return this.toJson(record, record)
    })
  }

  /** @param {BackupRecord} record */
  #store(record) {
    this.backups.set(record.id, record)
    this.nextId = Math.max(this.nextId, record.id + 1)
    return record
  }

  /**
   * Makes a backup started through POST, still in progress, reach the state its lifecycle ends in
   * now, instead of when its duration runs out.
   * @param {number} id
   * @param {number} now
   */
  finish(id, now) {
    finishEarly(this.backups.get(id), now, `backup ${id}`, 'finishBackup')
  }

  /** @param {number} id */
  remove(id) {
    return this.backups.delete(id)
  }

  /**
   * The API representation (a fresh object, safe to hand out).
   * @param {BackupRecord} record
   * @param {BackupState} state
   * @returns {SimBackup}
   */
  toJson(record, state) {
    return {
      id: record.id,
      server: this.servers.ref(record.serverId),
      backup_type: record.backupType,
      status: state.status,
      size_mb: state.sizeMb,
      created_at: record.createdAt,
      expires_at: record.expiresAt,
      description: record.description
    }
  }

  /**
   * @param {BackupRecord} record
   * @param {number} now
   */
  toJsonAt(record, now) {
    return this.toJson(record, stateAt(record, now))
  }
}
