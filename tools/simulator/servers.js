// @ts-check
/**
 * The servers the simulated API holds (as VPS.org's Servers API shows them), and their status over
 * time. A restore or a timed status is a timeline resolved from the clock when read,
 * as backups are: no timers, and `updated_at` is the time of the last transition passed.
 */

/**
 * @typedef {object} SimPlan
 * @property {number} id
 * @property {string} name
 * @property {number} vcpus
 * @property {number} memory MB, presumably (the docs give no unit).
 * @property {number} storage GB, presumably.
 */

/**
 * A server as given to the simulator: an id and a name; every other documented field is optional.
 * @typedef {object} SimServer
 * @property {number} id
 * @property {string} name
 * @property {string} [hostname] Default: the name, lowercased, + '.example.com'.
 * @property {string} [status] Default 'active'. The docs name active, stopped and suspended, and
 *   restoring in a restore answer; any string is accepted.
 * @property {string} [ip_address] Default 203.0.113.<10 + position among the servers>.
 * @property {string} [location] Default 'us-west'.
 * @property {SimPlan} [plan] Default {id: 1, name: 'Standard VPS', vcpus: 2, memory: 4096, storage: 80}.
 * @property {{ id: number, name: string }} [os] Default {id: 5, name: 'Ubuntu 22.04 LTS'}.
 * @property {string} [created_at] Default '2025-01-10T14:30:00Z'.
 * @property {string} [updated_at] Default created_at; then the time of each status change.
 */

/**
 * A server as the Servers API represents it, status resolved at the time of reading.
 * @typedef {object} SimServerDetail
 * @property {number} id
 * @property {string} name
 * @property {string} hostname
 * @property {string} status
 * @property {string} ip_address
 * @property {string} location
 * @property {SimPlan} plan
 * @property {{ id: number, name: string }} os
 * @property {string} created_at ISO-8601 UTC.
 * @property {string} updated_at ISO-8601 UTC; changes with each status transition.
 */

/**
 * How a restore accepted now unfolds (captured at acceptance: later changes of the settings do not
 * affect it).
 * @typedef {object} RestorePlan
 * @property {number} startDelayMs the old status stays visible this long
 * @property {number} durationMs then `restoring` this long
 * @property {string} outcome then this status
 * @property {boolean} neverShowsRestoring the server's status does not change at all
 */

/**
 * @typedef {object} ServerRecord
 * @property {SimServerDetail} initial as added, for reset()
 * @property {string} status before the timeline
 * @property {string} updatedAt before the timeline
 * @property {Array<{ at: number, status: string }>} timeline transitions still to come, in order
 */

/**
 * A restore the API accepted: from a backup (`backupId`) or from a snapshot (`snapshotId`), never
 * both. (Not a union, so tests that know they restored a backup read `backupId` as they are.)
 * @typedef {{ serverId: number, backupId?: number, snapshotId?: number, at: number }} AcceptedRestore
 */

/** @param {number} ms */
export const isoTimestamp = ms => new Date(ms).toISOString()

/** Fields of the servers the docs' example shows, for a server given with an id and name only. */
const DEFAULT_FIELDS = {
  status: 'active',
  location: 'us-west',
  plan: { id: 1, name: 'Standard VPS', vcpus: 2, memory: 4096, storage: 80 },
  os: { id: 5, name: 'Ubuntu 22.04 LTS' },
  created_at: '2025-01-10T14:30:00Z'
}

/**
 * @param {ServerRecord} record
 * @param {number} now
 * @returns {{ status: string, updatedAt: string }}
 */
function stateAt(record, now) {
  const passed = record.timeline.filter(step => step.at <= now).at(-1)
  return passed ? { status: passed.status, updatedAt: isoTimestamp(passed.at) } : record
}

export class ServerStore {
  /** @param {SimServer[]} servers */
  constructor(servers) {
    /** @type {Map<number, ServerRecord>} */
    this.records = new Map()
    /** @type {AcceptedRestore[]} */
    this.restores = []
    servers.forEach(server => this.add(server))
  }

  /** @param {SimServer} server */
  add(server) {
    if (this.records.has(server.id)) throw new Error(`simulator: server ${server.id} exists already`)
    const createdAt = server.created_at ?? DEFAULT_FIELDS.created_at
    /** @type {SimServerDetail} */
    const initial = {
      id: server.id,
      name: server.name,
      hostname: server.hostname ?? `${server.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}.example.com`,
      status: server.status ?? DEFAULT_FIELDS.status,
      ip_address: server.ip_address ?? `203.0.113.${10 + (this.records.size % 240)}`,
      location: server.location ?? DEFAULT_FIELDS.location,
      plan: structuredClone(server.plan ?? DEFAULT_FIELDS.plan),
      os: structuredClone(server.os ?? DEFAULT_FIELDS.os),
      created_at: createdAt,
      updated_at: server.updated_at ?? createdAt
    }
    this.records.set(server.id, { initial, status: initial.status, updatedAt: initial.updated_at, timeline: [] })
  }

  /** Statuses back to what they were when added, restores forgotten; the servers stay. */
  reset() {
    for (const record of this.records.values()) {
      record.status = record.initial.status
      record.updatedAt = record.initial.updated_at
      record.timeline = []
    }
    // In place: tests may hold a reference to the array.
    this.restores.length = 0
  }

  /** @param {number} id */
  has(id) {
    return this.records.has(id)
  }

  /**
   * The id, once checked: a setting for a server that does not exist would silently never apply.
   * @param {number} id
   */
  known(id) {
    this.#record(id)
    return id
  }

  /** @returns {number[]} */
  ids() {
    return [...this.records.keys()]
  }

  /**
   * What a backup shows of its server.
   * @param {number} id
   */
  ref(id) {
    const { initial } = this.#record(id)
    return { id: initial.id, name: initial.name }
  }

  /**
   * @param {number} id
   * @param {number} now
   */
  statusAt(id, now) {
    return stateAt(this.#record(id), now).status
  }

  /**
   * The API representation (a fresh object, safe to hand out).
   * @param {number} id
   * @param {number} now
   * @returns {SimServerDetail}
   */
  toJson(id, now) {
    const record = this.#record(id)
    const { status, updatedAt } = stateAt(record, now)
    return { ...structuredClone(record.initial), status, updated_at: updatedAt }
  }

  /**
   * Starts a restore's timeline from the status the server shows now.
   * @param {number} id
   * @param {{ backupId: number } | { snapshotId: number }} from what the server is restored from
   * @param {number} now
   * @param {RestorePlan} plan
   */
  restore(id, from, now, plan) {
    this.restores.push({ serverId: id, ...from, at: now })
    if (plan.neverShowsRestoring) return
    const record = this.#settle(id, now)
    const started = now + plan.startDelayMs
    record.timeline = [
      { at: started, status: 'restoring' },
      { at: started + plan.durationMs, status: plan.outcome }
    ]
  }

  /**
   * Puts a server into `status` now, and with `until`, into `then` at that time.
   * @param {number} id
   * @param {string} status
   * @param {number} now
   * @param {{ at: number, then: string }} [until]
   */
  setStatus(id, status, now, until) {
    const record = this.#settle(id, now)
    record.status = status
    record.updatedAt = isoTimestamp(now)
    record.timeline = until ? [{ at: until.at, status: until.then }] : []
  }

  /**
   * Folds the transitions already passed into the record and drops those to come.
   * @param {number} id
   * @param {number} now
   */
  #settle(id, now) {
    const record = this.#record(id)
    Object.assign(record, stateAt(record, now), { timeline: [] })
    return record
  }

  /** @param {number} id */
  #record(id) {
    const record = this.records.get(id)
    if (!record) throw new Error(`simulator: no server ${id}`)
    return record
  }
}
