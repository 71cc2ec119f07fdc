// @ts-check
/**
 * What the simulator is started with (SimulatorOptions), and the behaviour (settings.js) that
 * makes at start, which reset() goes back to.
 */
import {
  checkClockOffset,
  checkDeleteStatus,
  checkDescriptionMaxLength,
  checkDuration,
  checkListQuirks,
  checkNameMaxLength,
  checkRestoreAnswer,
  checkServerReads
} from './settings.js'

/** @import { Behaviour, ListQuirks, RestoreAnswer, ServerReads } from './settings.js' */
/** @import { SimServer } from './servers.js' */

/**
 * @typedef {object} SimulatorOptions
 * @property {string} [token] The bearer token the API accepts; default 'test-token'.
 * @property {string} [host] Default '127.0.0.1'.
 * @property {number} [port] Default 0 (a free port).
 * @property {SimServer[]} [servers] Default [{id: 12345, name: 'web-server-01'}, {id: 23456, name:
 *   'db-server-01'}], with the other fields of the docs' example (see exampleServers()).
 * @property {number} [backupDurationMs] Time from creation until a manual backup created through POST
 *   is finished; default 2000.
 * @property {() => number} [now] The simulator's clock (epoch ms), by which backups finish, servers
 *   restore and answers are dated; default Date.now. The in-process tests give their fake clock.
 * @property {number} [snapshotDurationMs] Time from creation until a snapshot created through POST is
 *   finished; default 2000.
 * @property {number | null} [snapshotNameMaxLength] Snapshot names longer than this are refused with
 *   400; default null (no bound: VPS.org documents none).
 * @property {number} [pageSize] Results per page of the backup, snapshot and server lists; default 100.
 * @property {number} [keepAliveTimeoutMs] Default 75000 (nginx's default), so keep-alive connections
 *   survive long poll intervals.
 * @property {number} [clockOffsetMs] How far the API's clock is ahead of the machine's (negative:
 *   behind), as a runner's and an API's clocks may differ: backups created through POST get their
 *   created_at from it, and every answer's `Date` header follows it; they still finish after their
 *   duration by the machine's clock. Default 0.
 * @property {number} [proxyDateOffsetMs] How far a proxy in front of the API, whose clock differs, moves
 *   every answer's `Date` header (negative: back), as it stamps its own: created_at stays the API's.
 *   Default 0.
 * @property {boolean} [dateHeader] Whether answers carry a `Date` header (RFC 9110 §6.6.1, by the API's
 *   clock); default true. False: none does, as behind a proxy that strips it.
 * @property {ListQuirks} [listQuirks] How the backup and snapshot lists misbehave; default none.
 * @property {number | null} [descriptionMaxLength] Descriptions created through POST are stored cut to
 *   this many characters (code points), as a 255-character database column would keep them; default
 *   null (kept whole).
 * @property {boolean} [normaliseLineEndings] Descriptions created through POST are stored with `\r\n`
 *   and `\r` turned into `\n`; default false. (Surrounding white space is always trimmed, as DRF does.)
 * @property {204 | 202} [deleteStatus] What DELETE answers: 204 with an empty body (default, as
 *   documented) or 202 Accepted with `{"detail": "Deletion scheduled."}`; either way the backup is gone.
 * @property {number} [restoreStartDelayMs] After a restore is accepted, the server keeps showing its old
 *   status this long (a restore that has not visibly started yet); default 0.
 * @property {number} [restoreDurationMs] Then it shows `restoring` this long; default 3000.
 * @property {string} [restoreOutcome] Then it shows this status; default 'active'. The docs do not say
 *   what a restored server ends in: 'stopped', 'error', 'suspended' or any string can be set.
 * @property {RestoreAnswer} [restoreAnswer] The shape of the restore answer; default 'legacy'.
 * @property {boolean} [restoreNeverShowsRestoring] A restore is accepted and recorded, but the server's
 *   status never changes (it never shows `restoring`); default false.
 * @property {ServerReads} [serverReads] How the server reads answer; default all normal.
 */

// The two servers of the docs' example, field for field.
/** @type {SimServer[]} */
const DEFAULT_SERVERS = [
  {
    id: 12345,
    name: 'web-server-01',
    hostname: 'web01.example.com',
    status: 'active',
    ip_address: '203.0.113.10',
    location: 'us-west',
    plan: { id: 1, name: 'Standard VPS', vcpus: 2, memory: 4096, storage: 80 },
    os: { id: 5, name: 'Ubuntu 22.04 LTS' },
    created_at: '2025-01-10T14:30:00Z',
    updated_at: '2025-01-15T10:20:00Z'
  },
  {
    id: 23456,
    name: 'db-server-01',
    hostname: 'db01.example.com',
    status: 'active',
    ip_address: '203.0.113.11',
    location: 'us-east',
    plan: { id: 2, name: 'Performance VPS', vcpus: 4, memory: 8192, storage: 160 },
    os: { id: 3, name: 'Debian 12' },
    created_at: '2025-01-12T09:15:00Z',
    updated_at: '2025-01-16T08:45:00Z'
  }
]
const DEFAULT_DURATION_MS = 2000
const DEFAULT_RESTORE_DURATION_MS = 3000

/**
 * `count` servers for the `servers` option: the two default ones first (ids 12345 and 23456), then
 * `server-03`, `server-04`, … with ids 30003, 30004, …, all active.
 * @param {number} count
 * @returns {SimServer[]}
 */
export function exampleServers(count) {
  return Array.from({ length: count }, (_, i) => {
    if (i < DEFAULT_SERVERS.length) return structuredClone(DEFAULT_SERVERS[i])
    const n = String(i + 1).padStart(2, '0')
    return { id: 30001 + i, name: `server-${n}` }
  })
}

/**
 * The behaviour the options ask for, checked.
 * @param {SimulatorOptions} options
 * @returns {Behaviour}
 */
export function initialBehaviour(options) {
  return {
    backupDurationMs: checkDuration('backupDurationMs', options.backupDurationMs ?? DEFAULT_DURATION_MS),
    createOutcome: null,
    byServer: {},
    clockOffsetMs: checkClockOffset(options.clockOffsetMs ?? 0),
    proxyDateOffsetMs: checkClockOffset(options.proxyDateOffsetMs ?? 0, 'proxyDateOffsetMs'),
    dateHeader: options.dateHeader ?? true,
    listQuirks: checkListQuirks(options.listQuirks ?? {}),
    descriptionMaxLength: checkDescriptionMaxLength(options.descriptionMaxLength ?? null),
    normaliseLineEndings: options.normaliseLineEndings ?? false,
    deleteStatus: checkDeleteStatus(options.deleteStatus ?? 204),
    restoreStartDelayMs: checkDuration('restoreStartDelayMs', options.restoreStartDelayMs ?? 0),
    restoreDurationMs: checkDuration('restoreDurationMs', options.restoreDurationMs ?? DEFAULT_RESTORE_DURATION_MS),
    restoreOutcome: options.restoreOutcome ?? 'active',
    restoreAnswer: checkRestoreAnswer(options.restoreAnswer ?? 'legacy'),
    restoreNeverShowsRestoring: options.restoreNeverShowsRestoring ?? false,
    serverReads: checkServerReads(options.serverReads ?? {}),
    snapshotDurationMs: checkDuration('snapshotDurationMs', options.snapshotDurationMs ?? DEFAULT_DURATION_MS),
    snapshotOutcome: null,
    snapshotNameMaxLength: checkNameMaxLength(options.snapshotNameMaxLength ?? null)
  }
}
