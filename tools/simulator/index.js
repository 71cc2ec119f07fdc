// @ts-check
/**
 * A stand-in for the VPS.org API (its Backups, Snapshots and Servers APIs), served over real HTTP
 * on loopback so that tests, `npm run demo` and `npm run bench` exercise the project's real HTTP
 * client.
 *
 * It follows Django REST Framework conventions where the documentation is silent (error bodies,
 * PageNumberPagination), resolves backup, snapshot and server statuses lazily from the clock (no
 * timers to leak), can make the API misbehave where the documentation leaves room (settings.js),
 * and can inject the infrastructure faults a client meets in front of such an API: resets, hangs,
 * delays, cut or oversized bodies, answers that trickle, proxy error pages, gateway errors after the
 * API acted, redirects and connections refused.
 *
 * Modules: kinds.js (backups and snapshots, each described once: paths, filters, limit, rows,
 * restore), restore-points.js and servers.js (state, with lifecycle.js for what time finishes),
 * restore-points-api.js (the endpoints of either kind) and servers-api.js on drf.js (DRF
 * conventions) and listing.js (the paged lists and their quirks), options.js and settings.js
 * (switchable behaviour), controls.js (the members below), faults.js with pauses.js (waits that
 * close() ends), listen.js and wire.js (HTTP). Faults, holds, the Date header and the clock offset
 * apply to every endpoint alike. The types are the JSDoc below; TypeScript reads them from here.
 */
import { restoreSettingMembers, kindMembers, settingMembers } from './controls.js'
import { router } from './drf.js'
import { FaultQueue } from './faults.js'
import { BACKUPS, SNAPSHOTS } from './kinds.js'
import { listen, readRequest } from './listen.js'
import { exampleServers, initialBehaviour } from './options.js'
import { RestorePointStore } from './restore-points.js'
import { restorePointRoutes } from './restore-points-api.js'
import { ServerStore } from './servers.js'
import { serverRoutes } from './servers-api.js'
import { bodyResponse, send } from './wire.js'

export { exampleServers }

/** @typedef {import('./servers.js').SimServer} SimServer */
/** @typedef {import('./servers.js').SimServerDetail} SimServerDetail */
/** @typedef {import('./servers.js').SimPlan} SimPlan */
/** @typedef {import('./kinds.js').SimBackup} SimBackup */
/** @typedef {import('./kinds.js').BackupInput} BackupInput */
/** @typedef {import('./kinds.js').SimSnapshot} SimSnapshot */
/** @typedef {import('./kinds.js').SnapshotInput} SnapshotInput */
/** @typedef {import('./options.js').SimulatorOptions} SimulatorOptions */
/** @typedef {import('./servers.js').AcceptedRestore} AcceptedRestore */
/** @typedef {import('./listen.js').RecordedRequest} RecordedRequest */
/** @typedef {import('./faults.js').FaultSpec} FaultSpec */
/** @typedef {import('./faults.js').FaultKind} FaultKind */
/** @typedef {import('./faults.js').HoldMatch} HoldMatch */
/** @typedef {import('./faults.js').HeldRequest} HeldRequest */
/** @typedef {import('./settings.js').ListQuirks} ListQuirks */
/** @typedef {import('./settings.js').ServerReads} ServerReads */
/** @typedef {import('./settings.js').RestoreAnswer} RestoreAnswer */

/**
 * A running simulator. Its URL is e.g. 'http://127.0.0.1:41234' (no trailing slash).
 * @typedef {Readonly<SimulatorMembers & import('./controls.js').KindMembers>} Simulator
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
 * @property {(ms: number) => void} setClockOffset How far the API's clock is ahead of the machine's from
 *   now on (see the option clockOffsetMs), e.g. -3 days for an API whose created_at lags the runner's.
 * @property {(ms: number) => void} setProxyDateOffset How far every answer's `Date` header is moved from
 *   now on, and nothing else (see the option proxyDateOffsetMs).
 * @property {(on: boolean) => void} setDateHeader Whether answers from now on carry a `Date` header (see
 *   the option dateHeader).
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
 * @property {(length: number | null) => void} setSnapshotNameMaxLength Snapshot names longer than this
 *   (code points) are refused with 400 from now on; null (default): no bound, as documented.
 * @property {(reads: ServerReads) => void} setServerReads How the server reads answer from now on;
 *   replaces the settings made before (`{}` puts them all back to normal). Throws on an unknown one.
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
const DEFAULT_PAGE_SIZE = 100
// nginx's keepalive_timeout default: keep-alive connections survive long poll intervals.
const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 75_000

/**
 * Starts the simulator on loopback.
 * @param {SimulatorOptions} [options]
 * @returns {Promise<Simulator>}
 */
export async function startSimulator(options = {}) {
  const { token = DEFAULT_TOKEN, host = DEFAULT_HOST, port = 0, pageSize = DEFAULT_PAGE_SIZE } = options
  const { keepAliveTimeoutMs = DEFAULT_KEEP_ALIVE_TIMEOUT_MS, now: clock = () => Date.now() } = options
  const initial = initialBehaviour(options)
  // Setters replace values and never change them in place, so a shallow copy restores the start.
  const behaviour = { ...initial }
  const servers = new ServerStore(options.servers ?? exampleServers(2))
  const stores = {
    backups: new RestorePointStore(BACKUPS, servers, clock),
    snapshots: new RestorePointStore(SNAPSHOTS, servers, clock)
  }
  const context = { ...stores, servers, behaviour, pageSize, now: clock }
  const api = router(token, [
    ...restorePointRoutes(BACKUPS, stores.backups, context),
    ...restorePointRoutes(SNAPSHOTS, stores.snapshots, context),
    ...serverRoutes(context)
  ])
  const faults = new FaultQueue()
  /** @type {RecordedRequest[]} */
  const requests = []
  const listener = await serve({ host, port, keepAliveTimeoutMs }, { api, behaviour, clock, faults, requests })
  const controls = { behaviour, knownServer: (/** @type {number} */ id) => servers.known(id), now: clock }
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
    ...serverMembers(servers, clock),
    ...kindMembers(stores, controls),
    ...settingMembers(controls),
    ...restoreSettingMembers(controls),
    fault: spec => faults.add(spec),
    hold: match => faults.hold(match),
    refuseConnections: ms => listener.refuse(ms),
    clearFaults: () => faults.clear(),
    reset() {
      Object.assign(behaviour, initial)
      stores.backups.clear()
      stores.snapshots.clear()
      servers.reset()
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
 * Serves the API: each request recorded, dated by the API's clock, and answered by the API unless a
 * queued fault or hold takes it.
 * @param {{ host: string, port: number, keepAliveTimeoutMs: number }} address
 * @param {{ api: (request: import('./drf.js').ApiRequest) => import('./drf.js').ApiResponse,
 *   behaviour: import('./settings.js').Behaviour, clock: () => number, faults: FaultQueue,
 *   requests: RecordedRequest[] }} parts
 */
async function serve(address, { api, behaviour, clock, faults, requests }) {
  const listener = await listen(address, async (req, res) => {
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
  return listener
}

/**
 * The members about servers.
 * @param {ServerStore} servers
 * @param {() => number} clock
 */
function serverMembers(servers, clock) {
  return {
    restores: servers.restores,
    addServer: (/** @type {SimServer} */ server) => servers.add(server),
    servers() {
      const now = clock()
      return servers.ids().map(id => servers.toJson(id, now))
    },
    /** @type {(id: number, status: string, options?: { untilMs?: number, forMs?: number, then?: string }) => void} */
    setServerStatus(id, status, { untilMs, forMs, then = 'active' } = {}) {
      if (untilMs !== undefined && forMs !== undefined) throw new Error('simulator: give untilMs or forMs, not both')
      const now = clock()
      const at = untilMs ?? (forMs === undefined ? undefined : now + forMs)
      servers.setStatus(id, status, now, at === undefined ? undefined : { at, then })
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
