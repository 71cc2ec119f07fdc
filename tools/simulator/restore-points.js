// @ts-check
/**
 * The restore points of one kind (kinds.js) the simulated API holds: backups or snapshots. Statuses
 * are resolved from the clock when read (lifecycle.js: no timers), so a test can never leak one and
 * a backup or snapshot "finishes" exactly when its time has come.
 */
import { finishEarly, stateAt, transitionAfter } from './lifecycle.js'
import { isoTimestamp } from './servers.js'

/** @import { ServerStore } from './servers.js' */
/** @import { Kind, PointInput, PointRecord } from './kinds.js' */

/** @typedef {{ row: unknown, serverId: number | undefined }} RawRow */

/**
 * @template O the fields of the kind's own
 * @template R the row its API shows
 */
export class RestorePointStore {
  /**
   * @param {Kind<O, R>} kind
   * @param {ServerStore} servers the servers they belong to
   * @param {() => number} [now] the clock new ones are dated by
   */
  constructor(kind, servers, now = () => Date.now()) {
    this.kind = kind
    this.servers = servers
    this.now = now
    /** @type {Map<number, PointRecord<O>>} */
    this.records = new Map()
    this.nextId = kind.firstId
    /** @type {RawRow[]} rows the list shows verbatim, for malformed ones */
    this.rawRows = []
    /** list answers given so far, which numbers `nextChain: 'fragment'` links */
    this.listAnswers = 0
  }

  /** Forgets every record and raw row; ids restart. */
  clear() {
    this.records.clear()
    this.nextId = this.kind.firstId
    this.rawRows = []
    this.listAnswers = 0
  }

  /** @param {number} id */
  get(id) {
    return this.records.get(id)
  }

  /** @returns {PointRecord<O>[]} */
  list() {
    return [...this.records.values()]
  }

  /**
   * How many of the server's count towards the kind's limit (status whatever).
   * @param {number} serverId
   */
  countTowardLimit(serverId) {
    return this.list().filter(r => r.serverId === serverId && this.kind.limit.counts(r.own)).length
  }

  /**
   * Inserts one as given (no lifecycle), filling in defaults.
   * @param {PointInput<R>} partial
   */
  insert(partial) {
    const { noun, title } = this.kind
    if (!this.servers.has(partial.serverId)) {
      throw new Error(`simulator: add${title} for unknown server ${partial.serverId}`)
    }
    const input = /** @type {PointInput<R> & { id?: number, status?: string, size_mb?: number | null,
      created_at?: string, description?: string }} */ (partial)
    const id = input.id ?? this.nextId
    if (this.records.has(id)) throw new Error(`simulator: ${noun} ${id} exists already`)
    const status = input.status ?? 'completed'
    const createdAt = input.created_at ?? isoTimestamp(this.now())
    return this.#store({
      id,
      serverId: partial.serverId,
      status,
      sizeMb: input.size_mb !== undefined ? input.size_mb : status === 'completed' ? this.kind.addedSizeMb : null,
      createdAt,
      description: input.description ?? '',
      own: this.kind.added(partial, id, createdAt),
      transition: null
    })
  }

  /**
   * Starts one the way POST does: in progress, ending after `durationMs` with `outcome` (null:
   * completed), captured now, so later changes of the settings do not affect it. Its created_at is
   * stamped by the API's clock, `clockOffsetMs` off the machine's; it finishes by the machine's.
   * @param {number} serverId
   * @param {string} description
   * @param {O} own
   * @param {{ durationMs: number, outcome: string | null, clockOffsetMs?: number }} lifecycle
   */
  create(serverId, description, own, { durationMs, outcome, clockOffsetMs = 0 }) {
    const now = this.now()
    const id = this.nextId
    return this.#store({
      id,
      serverId,
      status: 'in_progress',
      sizeMb: null,
      createdAt: isoTimestamp(now + clockOffsetMs),
      description,
      own,
      transition: transitionAfter(now, durationMs, outcome, this.kind.finishedSizeMb(id))
    })
  }

  /**
   * Completed rows that are never stored, with fresh ids, for lists that never end.
   * @param {number} count
   * @param {number} serverId
   * @param {Record<string, string | undefined>} filters the list's filters, which the rows match
   * @param {number} [descriptionLength] descriptions padded with dots to this many characters
   * @returns {R[]}
   */
  synthetic(count, serverId, filters, descriptionLength = 0) {
    const createdAt = isoTimestamp(this.now())
    return Array.from({ length: count }, () => {
      const id = this.nextId++
      return this.toJson(
        {
          id,
          serverId,
          status: 'completed',
          sizeMb: this.kind.finishedSizeMb(id),
          createdAt,
          description: `Synthetic ${this.kind.noun} ${id}`.padEnd(descriptionLength, '.'),
          own: this.kind.synthetic(id, createdAt, filters),
          transition: null
        },
        this.now()
      )
    })
  }

  /** @param {PointRecord<O>} record */
  #store(record) {
    this.records.set(record.id, record)
    this.nextId = Math.max(this.nextId, record.id + 1)
    return record
  }

  /**
   * Makes one started through POST, still in progress, reach the state its lifecycle ends in now,
   * instead of when its duration runs out.
   * @param {number} id
   * @param {number} now
   */
  finish(id, now) {
    finishEarly(this.records.get(id), now, `${this.kind.noun} ${id}`, `finish${this.kind.title}`)
  }

  /** @param {number} id */
  remove(id) {
    return this.records.delete(id)
  }

  /**
   * The API representation at `now` (a fresh object, safe to hand out); -Infinity: as created.
   * @param {PointRecord<O>} record
   * @param {number} now
   * @returns {R}
   */
  toJson(record, now) {
    return this.kind.row(record, stateAt(record, now), this.servers.ref(record.serverId))
  }
}
