// @ts-check
/**
 * A stand-in for the VPS.org API (its Backups and Servers API references, as docs/permissions.md
 * lists the requests), served over real HTTP on loopback so that tests, `npm run demo` and
 * `npm run bench` exercise the project's real HTTP client.
 *
 * It follows Django REST Framework conventions where the references are silent (error bodies,
 * PageNumberPagination), resolves backup and server statuses lazily from the clock (no timers to
 * leak), can make the API misbehave where the references leave room (settings.js), and can inject
 * the infrastructure faults a client meets in front of such an API: resets, hangs, delays, cut or
 * oversized bodies, answers that trickle, proxy error pages, gateway errors after the API acted,
 * redirects and connections refused.
 *
 * Modules: backups.js, snapshots.js and servers.js (state, with lifecycle.js for what time
 * finishes), backups-api.js, snapshots-api.js and servers-api.js (endpoints) on drf.js (DRF
 * conventions) and listing.js (the paged lists and their quirks), settings.js (switchable
 * behaviour), snapshot-controls.js (the snapshot members), faults.js with pauses.js (waits that
 * close() ends), listen.js and wire.js (HTTP). Faults, holds, the Date header and the clock offset
 * apply to every endpoint alike. The types are the JSDoc below; TypeScript
 * reads them from here.
 */
import { BackupStore } from './backups.js'
import { backupRoutes } from './backups-api.js'
import { router } from './drf.js'
import { FaultQueue } from './faults.js'
import { listen, readRequest } from './listen.js'
import { ServerStore } from './servers.js'
import { serverRoutes } from './servers-api.js'
import { checkNameMaxLength, snapshotControls } from './snapshot-controls.js'
import { SnapshotStore } from './snapshots.js'
import { snapshotRoutes } from './snapshots-api.js'
import {
  checkDeleteStatus,
  checkDescriptionMaxLength,
  checkClockOffset,
  checkDuration,
  checkListQuirks,
  checkRestoreAnswer,
  checkServerReads,
  withServerSetting
} from './settings.js'
import { bodyResponse, send } from './wire.js'

/** @typedef {import('./servers.js').SimServer} SimServer */
/** @typedef {import('./servers.js').SimServerDetail} SimServerDetail */
/** @typedef {import('./servers.js').SimPlan} SimPlan */
/** @typedef {import('./backups.js').SimBackup} SimBackup */
/** @typedef {import('./backups.js').BackupInput} BackupInput */
/** @typedef {import('./snapshots.js').SimSnapshot} SimSnapshot */
/** @typedef {import('./snapshots.js').SnapshotInput} SnapshotInput */
/** @typedef {import('./servers.js').AcceptedRestore} AcceptedRestore */
/** @typedef {import('./listen.js').RecordedRequest} RecordedRequest */
/** @typedef {import('./faults.js').FaultSpec} FaultSpec */
/** @typedef {import('./faults.js').FaultKind} FaultKind */
/** @typedef {import('./faults.js').HoldMatch} HoldMatch */
/** @typedef {import('./faults.js').HeldRequest} HeldRequest */
/** @typedef {import('./settings.js').ListQuirks} ListQuirks */
/** @typedef {import('./settings.js').ServerReads} ServerReads */
/** @typedef {import('./settings.js').RestoreAnswer} RestoreAnswer */
/** @import { Behaviour } from './settings.js' */

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

/**
 * A running simulator. Its URL is e.g. 'http://127.0.0.1:41234' (no trailing slash).
 * @typedef {Readonly<SimulatorMembers & import('./snapshot-controls.js').SnapshotMembers>} Simulator
 */

/**
 * @typedef {object} SimulatorMembers
 * @property {string} url e.g. 'http://127.0.0.1:41234', no trailing slash.
 * @property {RecordedRequest[]} requests Every request received, in order, including the ones a fault
 *   handled.
 * @property {number} connections TCP connections accepted so far (since start or the last reset()).
 * @property {number} openConnections TCP connections open now.
 * @property {number} maxOpenConnections The most TCP connections open at the same time since start or
 *   the last reset() (which starts it from the connections open then), e.g. to check that a client
 *   used at most 2 at once.
 * @property {AcceptedRestore[]} restores Restores the API
 *   accepted, in order (restoreNeverShowsRestoring included). The API refuses a restore with 400
 *   `{"non_field_errors": ["Server is not in a valid state for restoration."]}` while the server
 *   shows `restoring` or `suspended`, e.g. while an earlier restore runs.
 * @property {(server: SimServer) => void} addServer Adds a server (status and other fields as given,
 *   else the defaults of SimServer). Throws when a server with that id exists already.
 * @property {() => SimServerDetail[]} servers Copies of the servers as the API shows them, in the order
 *   added, statuses resolved as of now.
 * @property {(id: number, status: string, options?: { untilMs?: number, forMs?: number, then?: string })
 *   => void} setServerStatus Puts a server into `status` now (e.g. `restoring`, as an earlier run may
 *   have left it), ending any restore timeline it was in. With `untilMs` (a Date.now() time) or `forMs`
 *   (from now), it turns into `then` (default 'active') at that time. Throws for an unknown server.
 * @property {(partial: BackupInput) => SimBackup} addBackup Adds a backup directly (no lifecycle: its
 *   status stays as given). Defaults: next id, manual, completed, size_mb 1000 when completed (else
 *   null), created_at now, expires_at null for manual and created_at + 30 days for automatic,
 *   description ''. Throws for an unknown server.
 * @property {() => SimBackup[]} backups Deep copies of the current backups in insertion order, statuses
 *   resolved as of now.
 * @property {(ms: number, options?: { serverId?: number }) => void} setBackupDuration Duration of backups
 *   created from now on; with `serverId`, of that server's only (the others keep the general one), e.g.
 *   one server among several whose backup outlasts the timeout. Throws for an unknown server.
 * @property {(status: string | null, options?: { serverId?: number }) => void} setCreateOutcome null
 *   (default): backups created via POST end 'completed'; a string such as 'failed' makes the backups
 *   created from now on end with that status (size_mb stays null). With `serverId`, for that server's
 *   backups only (null then makes them complete whatever the general outcome), e.g. one server failing
 *   among several. Throws for an unknown server.
 * @property {(ms: number) => void} setClockOffset How far the API's clock is ahead of the machine's from
 *   now on (see the option clockOffsetMs), e.g. -3 days for an API whose created_at lags the runner's.
 * @property {(ms: number) => void} setProxyDateOffset How far every answer's `Date` header is moved from
 *   now on, and nothing else (see the option proxyDateOffsetMs).
 * @property {(on: boolean) => void} setDateHeader Whether answers from now on carry a `Date` header (see
 *   the option dateHeader).
 * @property {(id: number) => void} finishBackup Makes a backup started through POST and still in
 *   progress end now (completed, or the create outcome it was started with) rather than when its
 *   duration runs out: with a long duration, the test decides when a backup completes, e.g. to keep
 *   one run's backup in progress while another run reads the list. Throws for an unknown backup, one
 *   added with addBackup (no lifecycle) and one that has ended already.
 * @property {(quirks: ListQuirks) => void} setListQuirks How the backup list misbehaves from now on;
 *   replaces the quirks set before (`{}` turns them all off). Throws on an unknown quirk.
 * @property {(storage: { descriptionMaxLength?: number | null, normaliseLineEndings?: boolean }) => void}
 *   setDescriptionStorage How descriptions created through POST from now on are stored (see the
 *   options of the same names); what is not given stays as it is.
 * @property {(status: 204 | 202) => void} setDeleteStatus What DELETE answers from now on (see the
 *   option deleteStatus).
 * @property {(ms: number) => void} setRestoreDuration How long restores accepted from now on show
 *   `restoring` (see the option restoreDurationMs).
 * @property {(ms: number) => void} setRestoreStartDelay How long restores accepted from now on leave the
 *   old status visible first (see the option restoreStartDelayMs).
 * @property {(status: string, options?: { serverId?: number }) => void} setRestoreOutcome The status
 *   restores accepted from now on end in: 'active' (default), 'stopped', 'error', 'suspended' or any
 *   string; with `serverId`, restores of that server only, e.g. one server among several that does not
 *   come back. Throws for an unknown server.
 * @property {(shape: RestoreAnswer) => void} setRestoreAnswer The shape of the restore answer from now on.
 * @property {(never: boolean) => void} setRestoreNeverShowsRestoring With true, restores accepted from
 *   now on leave the server's status as it is.
 * @property {(reads: ServerReads) => void} setServerReads How the server reads answer from now on;
 *   replaces the settings made before (`{}` puts them all back to normal). Throws on an unknown one.
 * @property {(row: unknown, options?: { serverId?: number, list?: 'backups' | 'snapshots' }) => void}
 *   addRawListRow Puts `row` verbatim into the backup list (or, with `list: 'snapshots'`, the snapshot
 *   list), after the stored rows (e.g. `{"id": 900, "server": null}`, to test
 *   malformed rows). A list filtered by `server_id` includes it only when `serverId` is that server,
 *   or when no `serverId` was given; `backup_type` does not filter it. It counts in `count` and is
 *   paged like any row, but it is not a backup: not in backups(), and DELETE or restore of its id
 *   answer as for an unknown backup. reset() drops it.
 * @property {(spec: FaultSpec) => void} fault Queues a fault; each request takes the first queued fault
 *   that matches and has uses left.
 * @property {(match: HoldMatch) => HeldRequest} hold Holds the first request matching `match`
 *   unprocessed until `release()`, then processes and answers it normally: for deterministic
 *   interleavings, e.g. of two action runs against one simulator. Queued with the faults (a request
 *   takes the first queued fault or hold that matches). close() still ends promptly, leaving a held
 *   request unprocessed.
 * @property {() => void} clearFaults Drops every queued fault and hold not taken yet.
 * @property {(ms: number) => Promise<void>} refuseConnections Refuses connections from now for `ms`
 *   (extending a refusal in progress), as the `refuse` fault does: open connections are destroyed,
 *   then the simulator listens again on the same port. Resolves once nothing listens any more.
 * @property {() => void} reset Clears backups and snapshots (ids restart), raw rows, requests, restores,
 *   queued faults and holds, and the connection counts; puts servers back to the status they were
 *   added with (restore timelines and setServerStatus forgotten), and every setting (backup and
 *   snapshot duration and outcome, snapshot name bound, clock offsets, Date header, list quirks,
 *   description storage, delete status, restore timing, outcome and answer, server reads, and those
 *   set for single servers) back to its value at start;
 *   keeps servers and token. Requests already held stay held.
 * @property {() => Promise<void>} close Closes the server and destroys every open socket, hung and held
 *   ones included, and ends every delay; requests not answered yet are left unprocessed. Idempotent.
 */

/**
 * A plain recording HTTP server, e.g. the target of a redirect on a second loopback host.
 * @typedef {object} Recorder
 * @property {string} url
 * @property {RecordedRequest[]} requests
 * @property {() => Promise<void>} close
 */

/**
 * @typedef {object} RecorderOptions
 * @property {string} [host] Default '127.0.0.2'.
 * @property {number} [port] Default 0 (a free port).
 * @property {number} [status] Default 200.
 * @property {unknown} [body] Default {"count": 0, "results": []}; a string is sent as is, anything
 *   else as JSON.
 */

const DEFAULT_TOKEN = 'test-token'
const DEFAULT_HOST = '127.0.0.1'
// Redirect targets live on another loopback address, so a client that forwards credentials
// across hosts on a redirect is caught (Linux routes all of 127.0.0.0/8 to lo).
const DEFAULT_RECORDER_HOST = '127.0.0.2'
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
const DEFAULT_BACKUP_DURATION_MS = 2000
const DEFAULT_RESTORE_DURATION_MS = 3000
const DEFAULT_PAGE_SIZE = 100
// nginx's keepalive_timeout default: keep-alive connections survive long poll intervals.
const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 75_000

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
 * Starts the simulator on loopback.
 * @param {SimulatorOptions} [options]
 * @returns {Promise<Simulator>}
 */
export async function startSimulator(options = {}) {
  const {
    token = DEFAULT_TOKEN,
    host = DEFAULT_HOST,
    port = 0,
    servers = DEFAULT_SERVERS,
    backupDurationMs = DEFAULT_BACKUP_DURATION_MS,
    pageSize = DEFAULT_PAGE_SIZE,
    keepAliveTimeoutMs = DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    now: clock = () => Date.now()
  } = options
  /** @type {Behaviour} */
  const initial = {
    backupDurationMs,
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
    snapshotDurationMs: checkDuration('snapshotDurationMs', options.snapshotDurationMs ?? DEFAULT_BACKUP_DURATION_MS),
    snapshotOutcome: null,
    snapshotNameMaxLength: checkNameMaxLength(options.snapshotNameMaxLength ?? null)
  }
  // Setters replace values and never change them in place, so a shallow copy restores the start.
  const behaviour = { ...initial }
  const serverStore = new ServerStore(servers)
  const backupStore = new BackupStore(serverStore, clock)
  const snapshotStore = new SnapshotStore(serverStore, clock)
  const context = {
    backups: backupStore,
    snapshots: snapshotStore,
    servers: serverStore,
    behaviour,
    pageSize,
    now: clock
  }
  const api = router(token, [...backupRoutes(context), ...snapshotRoutes(context), ...serverRoutes(context)])
  const faults = new FaultQueue()
  /** @type {RecordedRequest[]} */
  const requests = []
  /** A setting for a server that does not exist would silently never apply. */
  const knownServer = (/** @type {number} */ id) => {
    if (!serverStore.has(id)) throw new Error(`simulator: no server ${id}`)
    return id
  }

  const listener = await listen({ host, port, keepAliveTimeoutMs }, async (req, res) => {
    const { record, url } = await readRequest(req)
    // When it was read, on the simulator's clock (a fake one in the in-process tests).
    record.at = clock()
    requests.push(record)
    // Node would send the machine's time; the API's clock is offset from it (and a proxy's from that), or sends none.
    res.sendDate = false
    const dated = clock() + behaviour.clockOffsetMs + behaviour.proxyDateOffsetMs
    if (behaviour.dateHeader) res.setHeader('Date', new Date(dated).toUTCString())
    const process = () => {
      const origin = `http://${req.headers.host ?? new URL(listener.url).host}`
      const response = api({ method: record.method, url, headers: req.headers, body: record.body, origin })
      return bodyResponse(response.status, response.body, response.headers)
    }
    const fault = faults.take(record.method, record.path, record.json)
    if (fault) await faults.answer(fault, { res, record, process, refuse: listener.refuse })
    else send(res, process())
  })

  return {
    url: listener.url,
    requests,
    get connections() {
      return listener.connections
    },
    get openConnections() {
      return listener.openConnections
    },
    get maxOpenConnections() {
      return listener.maxOpenConnections
    },
    restores: serverStore.restores,
    addServer: server => serverStore.add(server),
    servers() {
      const now = clock()
      return serverStore.ids().map(id => serverStore.toJson(id, now))
    },
    setServerStatus(id, status, { untilMs, forMs, then = 'active' } = {}) {
      if (untilMs !== undefined && forMs !== undefined) throw new Error('simulator: give untilMs or forMs, not both')
      const now = clock()
      const at = untilMs ?? (forMs === undefined ? undefined : now + forMs)
      serverStore.setStatus(id, status, now, at === undefined ? undefined : { at, then })
    },
    addBackup: partial => backupStore.toJsonAt(backupStore.insert(partial), clock()),
    backups() {
      const now = clock()
      return backupStore.list().map(record => backupStore.toJsonAt(record, now))
    },
    setBackupDuration(ms, { serverId } = {}) {
      if (serverId === undefined) behaviour.backupDurationMs = ms
      else behaviour.byServer = withServerSetting(behaviour.byServer, knownServer(serverId), 'backupDurationMs', ms)
    },
    finishBackup(id) {
      backupStore.finish(id, clock())
    },
    setCreateOutcome(status, { serverId } = {}) {
      if (serverId === undefined) behaviour.createOutcome = status
      else behaviour.byServer = withServerSetting(behaviour.byServer, knownServer(serverId), 'createOutcome', status)
    },
    setClockOffset(ms) {
      behaviour.clockOffsetMs = checkClockOffset(ms)
    },
    setProxyDateOffset(ms) {
      behaviour.proxyDateOffsetMs = checkClockOffset(ms, 'proxyDateOffsetMs')
    },
    setDateHeader(on) {
      behaviour.dateHeader = on
    },
    setListQuirks(quirks) {
      behaviour.listQuirks = checkListQuirks(quirks)
    },
    setDescriptionStorage({ descriptionMaxLength, normaliseLineEndings }) {
      if (descriptionMaxLength !== undefined) {
        behaviour.descriptionMaxLength = checkDescriptionMaxLength(descriptionMaxLength)
      }
      if (normaliseLineEndings !== undefined) behaviour.normaliseLineEndings = normaliseLineEndings
    },
    setDeleteStatus(status) {
      behaviour.deleteStatus = checkDeleteStatus(status)
    },
    addRawListRow(row, { serverId, list = 'backups' } = {}) {
      const store = list === 'snapshots' ? snapshotStore : backupStore
      store.rawRows.push({ row: structuredClone(row), serverId })
    },
    setRestoreDuration(ms) {
      behaviour.restoreDurationMs = checkDuration('restoreDurationMs', ms)
    },
    setRestoreStartDelay(ms) {
      behaviour.restoreStartDelayMs = checkDuration('restoreStartDelayMs', ms)
    },
    setRestoreOutcome(status, { serverId } = {}) {
      if (serverId === undefined) behaviour.restoreOutcome = status
      else behaviour.byServer = withServerSetting(behaviour.byServer, knownServer(serverId), 'restoreOutcome', status)
    },
    setRestoreAnswer(shape) {
      behaviour.restoreAnswer = checkRestoreAnswer(shape)
    },
    setRestoreNeverShowsRestoring(never) {
      behaviour.restoreNeverShowsRestoring = never
    },
    setServerReads(reads) {
      behaviour.serverReads = checkServerReads(reads)
    },
    ...snapshotControls({ snapshots: snapshotStore, behaviour, knownServer, now: clock }),
    fault: spec => faults.add(spec),
    hold: match => faults.hold(match),
    refuseConnections: ms => listener.refuse(ms),
    clearFaults: () => faults.clear(),
    reset() {
      Object.assign(behaviour, initial)
      backupStore.clear()
      snapshotStore.clear()
      serverStore.reset()
      requests.length = 0
      faults.clear()
      listener.connections = 0
      listener.maxOpenConnections = listener.openConnections
    },
    close() {
      faults.close()
      return listener.close()
    }
  }
}

/**
 * Starts a recorder that answers every request with the same status and body.
 * @param {RecorderOptions} [options]
 * @returns {Promise<Recorder>}
 */
export async function startRecorder(options = {}) {
  const { host = DEFAULT_RECORDER_HOST, port = 0, status = 200, body = { count: 0, results: [] } } = options
  /** @type {RecordedRequest[]} */
  const requests = []
  const response = bodyResponse(status, body)
  const listener = await listen({ host, port, keepAliveTimeoutMs: DEFAULT_KEEP_ALIVE_TIMEOUT_MS }, async (req, res) => {
    requests.push((await readRequest(req)).record)
    send(res, response)
  })
  return { url: listener.url, requests, close: () => listener.close() }
}
