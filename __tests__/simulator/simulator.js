// @ts-check
/**
 * A stand-in for the VPS.org backups API (reference: /work/shared/vps-org-backups-api.md),
 * served over real HTTP on loopback so that tests exercise the project's real HTTP client.
 *
 * It follows Django REST Framework conventions where the reference is silent (error bodies,
 * PageNumberPagination), resolves backup statuses lazily from the clock (no timers to leak),
 * and can inject the infrastructure faults a client meets in front of such an API: resets,
 * hangs, cut bodies, proxy error pages, gateway errors after the API acted, redirects and
 * connections refused.
 *
 * Types: simulator.d.ts.
 */
import http from 'node:http'

/** @typedef {import('./simulator.js').SimServer} SimServer */
/** @typedef {import('./simulator.js').SimBackup} SimBackup */
/** @typedef {import('./simulator.js').RecordedRequest} RecordedRequest */
/** @typedef {import('./simulator.js').FaultSpec} FaultSpec */
/** @typedef {import('./simulator.js').SimulatorOptions} SimulatorOptions */
/** @typedef {import('./simulator.js').Simulator} Simulator */
/** @typedef {import('./simulator.js').Recorder} Recorder */

const DEFAULT_TOKEN = 'test-token'
const DEFAULT_HOST = '127.0.0.1'
// Redirect targets live on another loopback address, so a client that forwards credentials
// across hosts on a redirect is caught (Linux routes all of 127.0.0.0/8 to lo).
const DEFAULT_RECORDER_HOST = '127.0.0.2'
/** @type {SimServer[]} */
const DEFAULT_SERVERS = [
  { id: 12345, name: 'web-server-01' },
  { id: 23456, name: 'db-server-01' }
]
const DEFAULT_BACKUP_DURATION_MS = 2000
const DEFAULT_PAGE_SIZE = 100
// nginx's keepalive_timeout default: keep-alive connections survive long poll intervals.
const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 75_000
const DEFAULT_REFUSE_MS = 1000

// Ids near the reference's examples (499, 501, 502).
const FIRST_BACKUP_ID = 501
const MAX_MANUAL_BACKUPS_PER_SERVER = 10
// The reference says automatic backups are kept 7–30 days depending on the plan.
const AUTOMATIC_RETENTION_MS = 30 * 24 * 60 * 60 * 1000
const BACKUP_TYPES = ['manual', 'automatic']

const CREATE_MESSAGE = 'Backup is being created. This may take several minutes depending on server size.'
const RESTORE_MESSAGE = 'Restore started. The server will be unavailable for several minutes.'

// ---------------------------------------------------------------------------------------------
// Backup state
// ---------------------------------------------------------------------------------------------

/**
 * A backup as stored. `status`/`sizeMb` is the state it was created in; `transition`, when set,
 * is the state it reaches at a given time, so reads resolve the status from the clock.
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

/** @typedef {{ status: string, sizeMb: number|null }} BackupState */

/** @param {number} ms */
const isoTimestamp = ms => new Date(ms).toISOString()

/**
 * The size a finished backup reports: positive and deterministic, so runs are reproducible.
 * @param {number} backupId
 */
const finishedSizeMb = backupId => 4000 + ((backupId * 37) % 1000)

/**
 * @param {BackupRecord} record
 * @param {number} now
 * @returns {BackupState}
 */
function stateAt(record, now) {
  return record.transition && now >= record.transition.at ? record.transition : record
}

class BackupStore {
  /**
   * @param {SimServer[]} servers
   * @param {number} backupDurationMs
   */
  constructor(servers, backupDurationMs) {
    /** @type {Map<number, SimServer>} */
    this.servers = new Map()
    servers.forEach(server => this.addServer(server))
    this.initialDurationMs = backupDurationMs
    /** @type {Array<{ serverId: number, backupId: number, at: number }>} */
    this.restores = []
    /** @type {Map<number, BackupRecord>} */
    this.backups = new Map()
    this.nextId = FIRST_BACKUP_ID
    this.durationMs = backupDurationMs
    /** @type {string|null} */
    this.createOutcome = null
  }

  /** Forgets backups and restores, and puts the lifecycle settings back; servers stay. */
  clear() {
    this.backups.clear()
    // In place: tests may hold a reference to the array.
    this.restores.length = 0
    this.nextId = FIRST_BACKUP_ID
    this.durationMs = this.initialDurationMs
    this.createOutcome = null
  }

  /** @param {SimServer} server */
  addServer(server) {
    if (this.servers.has(server.id)) throw new Error(`simulator: server ${server.id} exists already`)
    this.servers.set(server.id, { id: server.id, name: server.name })
  }

  /** @param {number} id */
  server(id) {
    return this.servers.get(id)
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
   * @param {Partial<Omit<SimBackup,'server'>> & { serverId: number }} partial
   */
  insert(partial) {
    if (!this.servers.has(partial.serverId)) {
      throw new Error(`simulator: addBackup for unknown server ${partial.serverId}`)
    }
    const id = partial.id ?? this.nextId
    if (this.backups.has(id)) throw new Error(`simulator: backup ${id} exists already`)
    const backupType = partial.backup_type ?? 'manual'
    const status = partial.status ?? 'completed'
    const createdAt = partial.created_at ?? isoTimestamp(Date.now())
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
   * Starts a manual backup the way POST does: in progress, finishing after the duration and with
   * the outcome configured now (later changes to either do not affect it).
   * @param {number} serverId
   * @param {string} description
   */
  createManual(serverId, description) {
    const now = Date.now()
    const id = this.nextId
    const finalStatus = this.createOutcome ?? 'completed'
    return this.#store({
      id,
      serverId,
      backupType: 'manual',
      status: 'in_progress',
      sizeMb: null,
      createdAt: isoTimestamp(now),
      expiresAt: null,
      description,
      transition: {
        at: now + this.durationMs,
        status: finalStatus,
        sizeMb: finalStatus === 'completed' ? finishedSizeMb(id) : null
      }
    })
  }

  /** @param {BackupRecord} record */
  #store(record) {
    this.backups.set(record.id, record)
    this.nextId = Math.max(this.nextId, record.id + 1)
    return record
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
    const server = /** @type {SimServer} */ (this.servers.get(record.serverId))
    return {
      id: record.id,
      server: { id: server.id, name: server.name },
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

// ---------------------------------------------------------------------------------------------
// The API (DRF conventions)
// ---------------------------------------------------------------------------------------------

/**
 * @typedef {object} ApiRequest
 * @property {string} method
 * @property {URL} url
 * @property {http.IncomingHttpHeaders} headers
 * @property {string} body
 * @property {string} origin scheme and host that absolute links are built from
 */

/** @typedef {{ status: number, body?: unknown, headers?: Record<string, string> }} ApiResponse */

/** An answer that ends request processing early (DRF raises exceptions for these too). */
class ApiError extends Error {
  /**
   * @param {number} status
   * @param {unknown} body
   * @param {Record<string, string>} [headers]
   */
  constructor(status, body, headers) {
    super(`HTTP ${status}`)
    /** @type {ApiResponse} */
    this.response = { status, body, headers }
  }
}

const notFound = () => new ApiError(404, { detail: 'Not found.' })

/**
 * @param {string} field
 * @param {string} message
 */
const fieldError = (field, message) => new ApiError(400, { [field]: [message] })

/**
 * Body field types, strict on purpose: DRF would coerce "12" to 12, but a client sending strings
 * for integer fields is a bug worth catching.
 * @type {Record<'integer'|'string', { accepts: (value: unknown) => boolean, message: string }>}
 */
const FIELD_TYPES = {
  integer: { accepts: v => typeof v === 'number' && Number.isInteger(v), message: 'A valid integer is required.' },
  string: { accepts: v => typeof v === 'string', message: 'Not a valid string.' }
}

/**
 * Throws a DRF-style 400 listing every invalid field at once.
 * @param {Record<string, unknown>} data
 * @param {Record<string, { type: keyof FIELD_TYPES, required?: boolean }>} schema
 */
function validateFields(data, schema) {
  /** @type {Record<string, string[]>} */
  const errors = {}
  for (const [field, rule] of Object.entries(schema)) {
    const value = data[field]
    if (value === undefined) {
      if (rule.required) errors[field] = ['This field is required.']
    } else if (value === null) {
      errors[field] = ['This field may not be null.']
    } else if (!FIELD_TYPES[rule.type].accepts(value)) {
      errors[field] = [FIELD_TYPES[rule.type].message]
    }
  }
  if (Object.keys(errors).length > 0) throw new ApiError(400, errors)
}

/** @param {unknown} value the name Python gives the type, as DRF's messages show it */
function pythonTypeName(value) {
  if (value === null) return 'NoneType'
  if (Array.isArray(value)) return 'list'
  if (typeof value === 'string') return 'str'
  if (typeof value === 'boolean') return 'bool'
  return Number.isInteger(value) ? 'int' : 'float'
}

/**
 * The JSON object in the body, parsed the way DRF's JSONParser does.
 * @param {ApiRequest} request
 * @returns {Record<string, unknown>}
 */
function parseJsonObject(request) {
  // DRF does not parse an empty body: the serializer then reports the missing fields.
  if (request.body === '') return {}
  const contentType = request.headers['content-type'] ?? ''
  if (contentType.split(';')[0].trim().toLowerCase() !== 'application/json') {
    throw new ApiError(415, { detail: `Unsupported media type "${contentType}" in request.` })
  }
  /** @type {unknown} */
  let data
  try {
    data = JSON.parse(request.body)
  } catch (error) {
    throw new ApiError(400, { detail: `JSON parse error - ${/** @type {Error} */ (error).message}` })
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ApiError(400, {
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(data)}.`]
    })
  }
  return /** @type {Record<string, unknown>} */ (data)
}

/**
 * DRF TokenAuthentication with the keyword "Bearer", messages included.
 * @param {http.IncomingHttpHeaders} headers
 * @param {string} token
 */
function authenticate(headers, token) {
  const challenge = { 'WWW-Authenticate': 'Bearer' }
  /** @param {string} detail */
  const unauthorized = detail => new ApiError(401, { detail }, challenge)
  const words = (headers.authorization ?? '').split(/\s+/).filter(Boolean)
  if (words.length === 0 || words[0].toLowerCase() !== 'bearer') {
    throw unauthorized('Authentication credentials were not provided.')
  }
  if (words.length === 1) throw unauthorized('Invalid token header. No credentials provided.')
  if (words.length > 2) throw unauthorized('Invalid token header. Token string should not contain spaces.')
  if (words[1] !== token) throw unauthorized('Invalid token.')
}

/**
 * DRF reads a query parameter with `query_params.get`, which takes the last value.
 * @param {URLSearchParams} params
 * @param {string} name
 */
const lastQueryValue = (params, name) => params.getAll(name).at(-1)

/**
 * Validated filters of the list endpoint; an empty value means "no filter", as in django-filter.
 * @param {URLSearchParams} params
 */
function parseListFilters(params) {
  const serverId = lastQueryValue(params, 'server_id') || undefined
  const backupType = lastQueryValue(params, 'backup_type') || undefined
  /** @type {Record<string, string[]>} */
  const errors = {}
  if (serverId !== undefined && !/^-?\d+$/.test(serverId.trim())) {
    errors.server_id = ['A valid integer is required.']
  }
  if (backupType !== undefined && !BACKUP_TYPES.includes(backupType)) {
    errors.backup_type = [`Select a valid choice. ${backupType} is not one of the available choices.`]
  }
  if (Object.keys(errors).length > 0) throw new ApiError(400, errors)
  return { serverId: serverId === undefined ? undefined : Number(serverId), backupType }
}

/**
 * The list order: stable but visibly not creation order (nor its reverse), like the reference's
 * example, so a client that trusts the order of `results` fails. Fibonacci hashing spreads
 * consecutive ids around the 32-bit range.
 * @param {BackupRecord} a
 * @param {BackupRecord} b
 */
function byScrambledOrder(a, b) {
  const scramble = (/** @type {number} */ id) => Math.imul(id, 0x9e3779b1) >>> 0
  return scramble(a.id) - scramble(b.id) || a.id - b.id
}

/**
 * DRF PageNumberPagination: `page` is 1-based or 'last'; anything else, or out of range, is 404.
 * An empty list still has page 1.
 * @param {number} count
 * @param {number} pageSize
 * @param {string|undefined} requested
 */
function choosePage(count, pageSize, requested) {
  const pageCount = Math.max(1, Math.ceil(count / pageSize))
  const number = !requested ? 1 : requested === 'last' ? pageCount : /^\d+$/.test(requested) ? Number(requested) : NaN
  if (!(number >= 1 && number <= pageCount)) throw new ApiError(404, { detail: 'Invalid page.' })
  return { number, pageCount, start: (number - 1) * pageSize, end: number * pageSize }
}

/**
 * An absolute link to another page of the same query, built like DRF's replace_query_param /
 * remove_query_param: other parameters kept, keys sorted, and no `page` for page 1.
 * @param {ApiRequest} request
 * @param {number} pageNumber
 */
function pageLink(request, pageNumber) {
  const params = new URLSearchParams(request.url.searchParams)
  params.delete('page')
  if (pageNumber > 1) params.set('page', String(pageNumber))
  params.sort()
  const query = params.toString()
  return `${request.origin}${request.url.pathname}${query ? `?${query}` : ''}`
}

/**
 * @typedef {object} Route
 * @property {RegExp} pattern matched against the pathname; groups become handler params
 * @property {Record<string, (request: ApiRequest, params: string[]) => ApiResponse>} methods
 */

/**
 * The API as a function from request to response. It changes `store`.
 * @param {BackupStore} store
 * @param {{ token: string, pageSize: number }} options
 * @returns {(request: ApiRequest) => ApiResponse}
 */
function createApi(store, { token, pageSize }) {
  /** @type {Route[]} */
  const routes = [
    { pattern: /^\/api\/v1\/backups\/$/, methods: { GET: listBackups, POST: createBackup } },
    { pattern: /^\/api\/v1\/backups\/(\d+)\/$/, methods: { DELETE: deleteBackup } },
    { pattern: /^\/api\/v1\/servers\/(\d+)\/restore\/$/, methods: { POST: restoreServer } }
  ]

  /** @param {ApiRequest} request */
  function listBackups(request) {
    const { serverId, backupType } = parseListFilters(request.url.searchParams)
    const matching = store
      .list()
      .filter(b => serverId === undefined || b.serverId === serverId)
      .filter(b => backupType === undefined || b.backupType === backupType)
      .sort(byScrambledOrder)
    const page = choosePage(matching.length, pageSize, lastQueryValue(request.url.searchParams, 'page'))
    const now = Date.now()
    return {
      status: 200,
      body: {
        count: matching.length,
        next: page.number < page.pageCount ? pageLink(request, page.number + 1) : null,
        previous: page.number > 1 ? pageLink(request, page.number - 1) : null,
        results: matching.slice(page.start, page.end).map(record => store.toJsonAt(record, now))
      }
    }
  }

  /** @param {ApiRequest} request */
  function createBackup(request) {
    const data = parseJsonObject(request)
    validateFields(data, { server_id: { type: 'integer', required: true }, description: { type: 'string' } })
    const server = store.server(/** @type {number} */ (data.server_id))
    if (!server) throw notFound()
    if (store.manualBackupCount(server.id) >= MAX_MANUAL_BACKUPS_PER_SERVER) {
      throw new ApiError(400, {
        non_field_errors: [
          `Maximum number of manual backups (${MAX_MANUAL_BACKUPS_PER_SERVER}) reached for this server.`
        ]
      })
    }
    // DRF's CharField trims surrounding white space (trim_whitespace=True by default).
    const description = typeof data.description === 'string' ? data.description.trim() : ''
    const record = store.createManual(server.id, description)
    // The state it was created in: creation has only started, even with a zero duration.
    return { status: 201, body: { ...store.toJson(record, record), message: CREATE_MESSAGE } }
  }

  /**
   * @param {ApiRequest} _request
   * @param {string[]} params
   */
  function deleteBackup(_request, [backupId]) {
    if (!store.remove(Number(backupId))) throw notFound()
    return { status: 204 }
  }

  /**
   * @param {ApiRequest} request
   * @param {string[]} params
   */
  function restoreServer(request, [serverIdParam]) {
    const server = store.server(Number(serverIdParam))
    if (!server) throw notFound()
    const data = parseJsonObject(request)
    validateFields(data, { backup_id: { type: 'integer', required: true } })
    const backup = store.backup(/** @type {number} */ (data.backup_id))
    if (!backup) throw fieldError('backup_id', 'Backup not found.')
    if (backup.serverId !== server.id) throw fieldError('backup_id', 'Backup does not belong to this server.')
    const now = Date.now()
    if (stateAt(backup, now).status !== 'completed') throw fieldError('backup_id', 'Backup is not completed.')
    store.restores.push({ serverId: server.id, backupId: backup.id, at: now })
    return {
      status: 202,
      body: { status: 'restoring', server_id: server.id, backup_id: backup.id, message: RESTORE_MESSAGE }
    }
  }

  return function handle(request) {
    try {
      authenticate(request.headers, token)
      for (const route of routes) {
        const match = route.pattern.exec(request.url.pathname)
        if (!match) continue
        const handler = route.methods[request.method]
        if (!handler) {
          throw new ApiError(
            405,
            { detail: `Method "${request.method}" not allowed.` },
            { Allow: Object.keys(route.methods).join(', ') }
          )
        }
        return handler(request, match.slice(1))
      }
      throw notFound()
    } catch (error) {
      if (error instanceof ApiError) return error.response
      throw error
    }
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP plumbing
// ---------------------------------------------------------------------------------------------

/** @typedef {{ status: number, headers: Record<string, string>, payload: Buffer }} WireResponse */

/** @param {number} status */
const forbidsBody = status => status === 204 || status === 304 || (status >= 100 && status < 200)

/**
 * @param {number} status
 * @param {Buffer} payload
 * @param {Record<string, string>} [headers]
 * @returns {WireResponse}
 */
function wireResponse(status, payload, headers = {}) {
  if (forbidsBody(status)) return { status, headers, payload: Buffer.alloc(0) }
  return { status, headers: { ...headers, 'Content-Length': String(payload.length) }, payload }
}

/**
 * A body as sent: nothing for undefined, a string as is (text/plain), anything else as JSON.
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
function bodyResponse(status, body, headers = {}) {
  if (body === undefined) return wireResponse(status, Buffer.alloc(0), headers)
  if (typeof body === 'string') {
    return wireResponse(status, Buffer.from(body), { 'Content-Type': 'text/plain; charset=utf-8', ...headers })
  }
  return wireResponse(status, Buffer.from(JSON.stringify(body)), { 'Content-Type': 'application/json', ...headers })
}

/**
 * The same response with another payload, Content-Length matching it.
 * @param {WireResponse} response
 * @param {Buffer} payload
 */
const withPayload = (response, payload) => wireResponse(response.status, payload, response.headers)

/** @param {Buffer} payload */
const firstHalf = payload => payload.subarray(0, Math.floor(payload.length / 2))

/**
 * Sends status and headers; `extraHeaders` override the response's own.
 * @param {http.ServerResponse} res
 * @param {WireResponse} response
 * @param {Record<string, string>} [extraHeaders]
 */
function writeHead(res, response, extraHeaders = {}) {
  // setHeader, unlike an object passed to writeHead, replaces names case-insensitively.
  for (const headers of [response.headers, extraHeaders]) {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  }
  res.writeHead(response.status)
}

/**
 * @param {http.ServerResponse} res
 * @param {WireResponse} response
 * @param {Record<string, string>} [extraHeaders]
 */
function send(res, response, extraHeaders) {
  writeHead(res, response, extraHeaders)
  res.end(response.payload)
}

/**
 * A TCP reset (RST), as a crashing proxy or a dropped connection gives, rather than a clean close.
 * @param {http.ServerResponse} res
 */
const resetConnection = res => res.socket?.resetAndDestroy()

/**
 * An nginx-generated error page, as a proxy in front of the API answers.
 * @param {number} status
 * @param {Record<string, string>} [headers]
 */
function nginxPage(status, headers = {}) {
  const title = `${status} ${http.STATUS_CODES[status] ?? ''}`.trim()
  const html =
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  return wireResponse(status, Buffer.from(html), { 'Content-Type': 'text/html', Server: 'nginx', ...headers })
}

/** @type {Record<number, string>} */
const DRF_DETAILS = {
  429: 'Request was throttled.',
  500: 'A server error occurred.',
  503: 'Service temporarily unavailable, try again later.'
}

/**
 * Reads a request completely and records it.
 * @param {http.IncomingMessage} req
 * @returns {Promise<{ record: RecordedRequest, url: URL }>}
 */
async function readRequest(req) {
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  const body = Buffer.concat(chunks).toString('utf8')
  // Only the path and query matter; the base is a placeholder (the Host header may be anything).
  const url = new URL(req.url ?? '/', 'http://placeholder')
  /** @type {unknown} */
  let json
  try {
    json = body === '' ? undefined : JSON.parse(body)
  } catch {
    json = undefined
  }
  const record = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...req.headers },
    body,
    json,
    at: Date.now()
  }
  return { record, url }
}

/**
 * An HTTP server on loopback that counts its connections, can stop accepting them for a while,
 * and can always be closed promptly.
 * @param {{ host: string, port: number, keepAliveTimeoutMs: number }} options
 * @param {(req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>} onRequest
 */
async function listen({ host, port, keepAliveTimeoutMs }, onRequest) {
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set()
  const server = http.createServer((req, res) => {
    onRequest(req, res).catch(error => {
      // The client went away while sending its request: there is no one to answer.
      if (req.socket.destroyed) return
      // A bug in the simulator: make it visible to the test rather than hang the client.
      console.error('simulator: request failed', error)
      if (!res.headersSent) send(res, bodyResponse(500, { detail: `Simulator error: ${error}` }))
      else res.destroy()
    })
  })
  server.keepAliveTimeout = keepAliveTimeoutMs
  /** @param {number} atPort */
  const start = atPort =>
    new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(atPort, host, () => {
        server.off('error', reject)
        resolve(undefined)
      })
    })
  /**
   * Stops accepting connections at once and destroys the open ones but `keep` (hung and stalled
   * requests would otherwise keep close() waiting forever).
   * @param {import('node:net').Socket} [keep]
   * @returns {Promise<void>}
   */
  const stop = keep => {
    /** @type {Promise<void>} */
    const stopped = new Promise((resolve, reject) =>
      server.close(error => (error ? reject(error) : resolve(undefined)))
    )
    sockets.forEach(socket => socket !== keep && socket.destroy())
    return stopped
  }

  // A refusal in progress: not listening until `until`, then listening again on the same port.
  let refusal = /** @type {{ until: number, stopped: Promise<void>, done: Promise<void> } | undefined} */ (undefined)
  /** @type {(() => void) | undefined} ends the wait of a refusal early, for close() */
  let wake
  /** @param {number} ms */
  const pause = ms =>
    new Promise(resolve => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve(undefined)
      }
    })

  const listener = {
    url: '',
    connections: 0,
    /** @type {Promise<void> | undefined} */
    closing: undefined,
    /**
     * Refuses connections for `ms` from now (a refusal in progress is extended), then listens
     * again on the same port. Resolves once nothing listens any more.
     * @param {number} ms
     * @param {import('node:net').Socket} [keep] a connection left open, to answer on it
     * @returns {Promise<void>}
     */
    refuse(ms, keep) {
      if (listener.closing) return listener.closing
      if (refusal) {
        refusal.until = Math.max(refusal.until, Date.now() + ms)
        return refusal.stopped
      }
      // Errors surface through `done`: `stopped` is also left to fault answers, which do not wait.
      const stopping = stop(keep)
      const current = { until: Date.now() + ms, stopped: stopping.catch(() => {}), done: Promise.resolve() }
      current.done = (async () => {
        await stopping
        while (!listener.closing && Date.now() < current.until) await pause(current.until - Date.now())
        if (listener.closing) return
        await start(address.port)
        // close() came while binding: it waits for this refusal, so stop here.
        if (listener.closing) await stop()
      })()
        .catch(error => console.error('simulator: could not listen again', error))
        .finally(() => {
          refusal = undefined
        })
      refusal = current
      return current.stopped
    },
    close() {
      listener.closing ??= (async () => {
        if (!refusal) return stop()
        wake?.()
        sockets.forEach(socket => socket.destroy())
        await refusal.done
      })()
      return listener.closing
    }
  }
  server.on('connection', socket => {
    listener.connections++
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await start(port)
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  listener.url = `http://${urlHost}:${address.port}`
  return listener
}

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

/**
 * How each fault kind answers. `process` runs the request through the API (changing state) and
 * returns the response it would have sent; `refuse` stops accepting connections for a while.
 * @type {Record<FaultSpec['kind'], (res: http.ServerResponse, spec: FaultSpec, process: () => WireResponse,
 *   refuse: (ms: number, keep?: import('node:net').Socket) => Promise<void>) => void>}
 */
const FAULT_ANSWERS = {
  status(res, spec) {
    const status = spec.status ?? 503
    const body =
      spec.body !== undefined ? spec.body : { detail: DRF_DETAILS[status] ?? http.STATUS_CODES[status] ?? 'Error.' }
    send(res, bodyResponse(status, body), spec.headers)
  },
  // After the API acted: a gateway that gave up waiting, or failed to relay the answer.
  'status-after'(res, spec, process) {
    process()
    const status = spec.status ?? 504
    send(res, spec.body !== undefined ? bodyResponse(status, spec.body) : nginxPage(status), spec.headers)
  },
  'reset-before': res => resetConnection(res),
  'reset-after'(res, _spec, process) {
    process()
    resetConnection(res)
  },
  // Nothing at all: the socket stays open until close() destroys it.
  hang() {},
  'stall-body'(res, spec, process) {
    const response = process()
    writeHead(res, response, spec.headers)
    res.write(firstHalf(response.payload))
  },
  html: (res, spec) => send(res, nginxPage(spec.status ?? 502), spec.headers),
  'truncated-json'(res, spec, process) {
    const response = process()
    send(res, withPayload(response, firstHalf(response.payload)), spec.headers)
  },
  redirect: (res, spec) =>
    send(res, nginxPage(spec.status ?? 302, { Location: /** @type {string} */ (spec.location) }), spec.headers),
  refuse(res, spec, process, refuse) {
    const ms = spec.durationMs ?? DEFAULT_REFUSE_MS
    if (!spec.graceful) {
      // Closes this request's connection too, unanswered.
      void refuse(ms)
      return
    }
    // Nothing listens any more by the time the answer, which closes its connection, arrives.
    const response = process()
    void refuse(ms, res.socket ?? undefined)
    send(res, response, { ...spec.headers, Connection: 'close' })
  }
}

class FaultQueue {
  /** @type {Array<{ spec: FaultSpec, remaining: number }>} */
  #queued = []

  /** @param {FaultSpec} spec */
  add(spec) {
    // Fail loudly on a typo: a fault that silently never fires makes a test pass for nothing.
    if (!Object.hasOwn(FAULT_ANSWERS, spec.kind)) throw new Error(`simulator: unknown fault kind "${spec.kind}"`)
    if (spec.kind === 'redirect' && !spec.location) throw new Error('simulator: a redirect fault needs a location')
    this.#queued.push({ spec: { ...spec }, remaining: spec.times ?? 1 })
  }

  clear() {
    this.#queued = []
  }

  /**
   * Takes one use of the first queued fault matching the request.
   * @param {string} method
   * @param {string} path
   */
  take(method, path) {
    const index = this.#queued.findIndex(({ spec, remaining }) => remaining > 0 && matches(spec, method, path))
    if (index === -1) return undefined
    const entry = this.#queued[index]
    entry.remaining--
    if (entry.remaining <= 0) this.#queued.splice(index, 1)
    return entry.spec
  }
}

/**
 * @param {FaultSpec} spec
 * @param {string} method
 * @param {string} path
 */
function matches(spec, method, path) {
  if (spec.method && spec.method.toUpperCase() !== method) return false
  if (spec.path === undefined) return true
  // search() ignores a /g regexp's lastIndex, which test() would carry from one request to the next.
  return typeof spec.path === 'string' ? spec.path === path : path.search(spec.path) !== -1
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
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
    keepAliveTimeoutMs = DEFAULT_KEEP_ALIVE_TIMEOUT_MS
  } = options
  const store = new BackupStore(servers, backupDurationMs)
  const api = createApi(store, { token, pageSize })
  const faults = new FaultQueue()
  /** @type {RecordedRequest[]} */
  const requests = []

  const listener = await listen({ host, port, keepAliveTimeoutMs }, async (req, res) => {
    const { record, url } = await readRequest(req)
    requests.push(record)
    const process = () => {
      const origin = `http://${req.headers.host ?? new URL(listener.url).host}`
      const response = api({ method: record.method, url, headers: req.headers, body: record.body, origin })
      return bodyResponse(response.status, response.body, response.headers)
    }
    const fault = faults.take(record.method, record.path)
    if (fault) FAULT_ANSWERS[fault.kind](res, fault, process, listener.refuse)
    else send(res, process())
  })

  return {
    url: listener.url,
    requests,
    get connections() {
      return listener.connections
    },
    restores: store.restores,
    addServer: server => store.addServer(server),
    addBackup: partial => store.toJsonAt(store.insert(partial), Date.now()),
    backups() {
      const now = Date.now()
      return store.list().map(record => store.toJsonAt(record, now))
    },
    setBackupDuration(ms) {
      store.durationMs = ms
    },
    setCreateOutcome(status) {
      store.createOutcome = status
    },
    fault: spec => faults.add(spec),
    refuseConnections: ms => listener.refuse(ms),
    clearFaults: () => faults.clear(),
    reset() {
      store.clear()
      requests.length = 0
      faults.clear()
      listener.connections = 0
    },
    close: () => listener.close()
  }
}

/**
 * @param {{ host?: string, port?: number, status?: number, body?: unknown }} [options]
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
