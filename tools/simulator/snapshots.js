// @ts-check
/**
 * The snapshots the simulated API holds (reference: /work/shared/vps-org-servers-api.md §2).
 * Statuses are resolved from the clock when read (lifecycle.js), as the backups' are.
 *
 * VPS.org documents two snapshot statuses, `in_progress` and `completed`, and no failure value:
 * the simulator's choice for a snapshot that ends badly is `failed` (setSnapshotOutcome), the
 * word the backups use; any other string can be set.
 */
import { finishEarly, stateAt, transitionAfter } from './lifecycle.js'
import { isoTimestamp } from './servers.js'

/** @import { ServerStore } from './servers.js' */
/** @import { RawRow } from './backups.js' */

/**
 * A snapshot as the API represents it.
 * @typedef {object} SimSnapshot
 * @property {number} id
 * @property {{ id: number, name: string }} server
 * @property {string} name letters, digits, hyphens and underscores
 * @property {string} status `in_progress`, `completed`, or a failure (the simulator's `failed`).
 * @property {number|null} size_mb null until completed.
 * @property {string} created_at ISO-8601 UTC.
 * @property {string} description
 */

/**
 * What addSnapshot takes: any field of SimSnapshot but `server`, and the id of an existing server.
 * @typedef {Partial<Omit<SimSnapshot, 'server'>> & { serverId: number }} SnapshotInput
 */

/**
 * A snapshot as stored; `transition` as in lifecycle.js.
 * @typedef {object} SnapshotRecord
 * @property {number} id
 * @property {number} serverId
 * @property {string} name
 * @property {string} status
 * @property {number|null} sizeMb
 * @property {string} createdAt
 * @property {string} description
 * @property {{ at: number, status: string, sizeMb: number|null } | null} transition
 */

// Ids near the docs' examples (798, 801, 802), apart from the backups' (501…).
const FIRST_SNAPSHOT_ID = 801
export const MAX_SNAPSHOTS_PER_SERVER = 5

/**
 * The size a finished snapshot reports (the docs' examples: 4856, 5120): a whole server, so larger
 * than a backup; positive and deterministic.
 * @param {number} snapshotId
 */
const finishedSizeMb = snapshotId => 5000 + ((snapshotId * 53) % 1000)

export class SnapshotStore {
  /**
   * @param {ServerStore} servers the servers snapshots belong to
   * @param {() => number} [now] the clock new snapshots are dated by
   */
  constructor(servers, now = () => Date.now()) {
    this.servers = servers
    this.now = now
    /** @type {Map<number, SnapshotRecord>} */
    this.snapshots = new Map()
    this.nextId = FIRST_SNAPSHOT_ID
    /** @type {RawRow[]} rows the list shows verbatim, for malformed snapshots */
    this.rawRows = []
    /** list answers given so far, which numbers `nextChain: 'fragment'` links */
    this.listAnswers = 0
  }

  /** Forgets snapshots and raw rows. */
  clear() {
    this.snapshots.clear()
    this.nextId = FIRST_SNAPSHOT_ID
    this.rawRows = []
    this.listAnswers = 0
  }

  /** @param {number} id */
  snapshot(id) {
    return this.snapshots.get(id)
  }

  /** @returns {SnapshotRecord[]} */
  list() {
    return [...this.snapshots.values()]
  }

  /**
   * Every snapshot of the server counts towards the limit, whatever its status: the docs give
   * one limit per server and no kinds of snapshot.
   * @param {number} serverId
   */
  count(serverId) {
    return this.list().filter(s => s.serverId === serverId).length
  }

  /**
   * Inserts a snapshot as given (no lifecycle), filling in defaults.
   * @param {SnapshotInput} partial
   */
  insert(partial) {
    if (!this.servers.has(partial.serverId)) {
      throw new Error(`simulator: addSnapshot for unknown server ${partial.serverId}`)
    }
    const id = partial.id ?? this.nextId
    if (this.snapshots.has(id)) throw new Error(`simulator: snapshot ${id} exists already`)
    const status = partial.status ?? 'completed'
    return this.#store({
      id,
      serverId: partial.serverId,
      name: partial.name ?? `snapshot-${id}`,
      status,
      sizeMb: partial.size_mb !== undefined ? partial.size_mb : status === 'completed' ? 5000 : null,
      createdAt: partial.created_at ?? isoTimestamp(this.now()),
      description: partial.description ?? '',
      transition: null
    })
  }

  /**
   * Starts a snapshot the way POST does: in progress, ending after `durationMs` with `outcome`
   * (null: completed), captured now. created_at is stamped by the API's clock, `clockOffsetMs` off
   * the machine's; it finishes by the machine's.
   * @param {number} serverId
   * @param {{ name: string, description: string }} fields
   * @param {{ durationMs: number, outcome: string | null, clockOffsetMs?: number }} lifecycle
   */
  create(serverId, { name, description }, { durationMs, outcome, clockOffsetMs = 0 }) {
    const now = this.now()
    const id = this.nextId
    return this.#store({
      id,
      serverId,
      name,
      status: 'in_progress',
      sizeMb: null,
      createdAt: isoTimestamp(now + clockOffsetMs),
      description,
      transition: transitionAfter(now, durationMs, outcome, finishedSizeMb(id))
    })
  }

  /**
   * Completed snapshots that are never stored, with fresh ids, for lists that never end.
   * @param {number} count
   * @param {number} serverId
   * @param {number} [descriptionLength] descriptions padded with dots to this many characters
   * @returns {SimSnapshot[]}
   */
  synthetic(count, serverId, descriptionLength = 0) {
    const createdAt = isoTimestamp(this.now())
    return Array.from({ length: count }, () => {
      const id = this.nextId++
      return this.toJson(
        {
          id,
          serverId,
          name: `synthetic-snapshot-${id}`,
          status: 'completed',
          sizeMb: finishedSizeMb(id),
          createdAt,
          description: `Synthetic snapshot ${id}`.padEnd(descriptionLength, '.'),
          transition: null
        },
        this.now()
      )
    })
  }

  /** @param {SnapshotRecord} record */
  #store(record) {
    this.snapshots.set(record.id, record)
    this.nextId = Math.max(this.nextId, record.id + 1)
    return record
  }

  /**
   * @param {number} id
   * @param {number} now
   */
  finish(id, now) {
    finishEarly(this.snapshots.get(id), now, `snapshot ${id}`, 'finishSnapshot')
  }

  /** @param {number} id */
  remove(id) {
    return this.snapshots.delete(id)
  }

  /**
   * The API representation at `now` (a fresh object, safe to hand out).
   * @param {SnapshotRecord} record
   * @param {number} now
   * @returns {SimSnapshot}
   */
  toJson(record, now) {
    const state = stateAt(record, now)
    return {
      id: record.id,
      server: this.servers.ref(record.serverId),
      name: record.name,
      status: state.status,
      size_mb: state.sizeMb,
      created_at: record.createdAt,
      description: record.description
    }
  }
}
