// @ts-check
/**
 * The endpoints of one kind of restore point (kinds.js), the same for backups and snapshots: the
 * list, create and delete, and restore where the kind has its own, with DRF conventions (drf.js)
 * where the documentation is silent and the lists' quirks and paging (listing.js).
 */
import { ApiError, lastQueryValue, nonFieldError, notFound, parseJsonObject, validateFields } from './drf.js'
import { stateAt } from './lifecycle.js'
import { listPage, listedRows, serverFilter } from './listing.js'
import { NOT_RESTORABLE, NOT_RESTORABLE_MESSAGE } from './servers-api.js'
import { forServer, restorePlan, storedDescription } from './settings.js'

/** @import { ApiRequest, ApiResponse, Route } from './drf.js' */
/** @import { Kind } from './kinds.js' */
/** @import { RestorePointStore } from './restore-points.js' */
/** @import { ApiContext } from './settings.js' */

/**
 * What the endpoints of one kind work on.
 * @template O, R
 * @typedef {Omit<ApiContext, 'backups' | 'snapshots'> & { kind: Kind<O, R>, store: RestorePointStore<O, R> }} PointContext
 */

const DELETE_SCHEDULED = 'Deletion scheduled.'

/**
 * @template O, R
 * @param {Kind<O, R>} kind
 * @param {RestorePointStore<O, R>} store
 * @param {ApiContext} context
 * @returns {Route[]}
 */
export function restorePointRoutes(kind, store, { servers, behaviour, pageSize, now }) {
  /** @type {PointContext<O, R>} */
  const point = { kind, store, servers, behaviour, pageSize, now }
  const base = `^/api/v1/${kind.plural}/`
  /** @type {Route[]} */
  const routes = [
    {
      pattern: new RegExp(`${base}$`),
      methods: { GET: request => listRows(point, request), POST: request => createRow(point, request) }
    },
    // No GET: neither kind's documentation has an endpoint to read one.
    { pattern: new RegExp(`${base}(\\d+)/$`), methods: { DELETE: (_request, [id]) => deleteRow(point, id) } }
  ]
  const restore = kind.restore
  if (restore) {
    routes.push({
      pattern: new RegExp(`${base}(\\d+)/restore/$`),
      methods: { POST: (request, [id]) => restoreFrom(point, restore, request, id) }
    })
  }
  return routes
}

/**
 * Validated filters of the list; an empty value means "no filter", as in django-filter. A filter
 * the quirks ignore is not read at all.
 * @template O, R
 * @param {Kind<O, R>} kind
 * @param {ApiRequest} request
 * @param {import('./settings.js').ListQuirks} quirks
 */
function listFilters(kind, request, quirks) {
  const params = request.url.searchParams
  /** @type {Record<string, string[]>} */
  const errors = {}
  const serverId = serverFilter(params, quirks, errors)
  /** @type {Record<string, string | undefined>} */
  const values = {}
  for (const filter of kind.filters) {
    const value = (!quirks[filter.ignoredBy] && lastQueryValue(params, filter.param)) || undefined
    if (value !== undefined && !filter.choices.includes(value)) {
      errors[filter.param] = [`Select a valid choice. ${value} is not one of the available choices.`]
    }
    values[filter.param] = value
  }
  if (Object.keys(errors).length > 0) throw new ApiError(400, errors)
  return { serverId, values }
}

/**
 * @template O, R
 * @param {PointContext<O, R>} point
 * @param {ApiRequest} request
 * @returns {ApiResponse}
 */
function listRows({ kind, store, servers, behaviour, pageSize, now: clock }, request) {
  const quirks = behaviour.listQuirks
  const { serverId, values } = listFilters(kind, request, quirks)
  const rows = listedRows({
    records: store.list(),
    rawRows: store.rawRows,
    serverId,
    keep: r =>
      kind.filters.every(({ param, matches }) => {
        const value = values[param]
        return value === undefined || matches(r.own, value)
      }),
    render: (record, now) => store.toJson(record, now)
  })
  return listPage(request, {
    rows,
    pageSize,
    quirks,
    countAnswer: () => ++store.listAnswers,
    now: clock(),
    // A page of an endless list: rows of the server filtered on, else of the first server.
    synthetic: count => {
      const owner = serverId !== undefined && servers.has(serverId) ? serverId : servers.ids()[0]
      return owner === undefined ? [] : store.synthetic(count, owner, values, quirks.endlessDescriptionLength)
    }
  })
}

/**
 * @template O, R
 * @param {PointContext<O, R>} point
 * @param {ApiRequest} request
 * @returns {ApiResponse}
 */
function createRow({ kind, store, servers, behaviour }, request) {
  const data = parseJsonObject(request)
  validateFields(data, kind.createFields)
  const serverId = /** @type {number} */ (data.server_id)
  const own = kind.created(data, behaviour)
  if (!servers.has(serverId)) throw notFound()
  const { max, what } = kind.limit
  if (store.countTowardLimit(serverId) >= max) {
    throw nonFieldError(`Maximum number of ${what} (${max}) reached for this server.`)
  }
  const description = storedDescription(typeof data.description === 'string' ? data.description : '', behaviour)
  const record = store.create(serverId, description, own, {
    durationMs: forServer(behaviour, serverId, kind.durationSetting),
    outcome: forServer(behaviour, serverId, kind.outcomeSetting),
    clockOffsetMs: behaviour.clockOffsetMs
  })
  // The state it was created in: creation has only started, even with a zero duration.
  return { status: 201, body: { ...store.toJson(record, -Infinity), message: kind.createMessage } }
}

/**
 * @template O, R
 * @param {PointContext<O, R>} point
 * @param {string} id
 * @returns {ApiResponse}
 */
function deleteRow({ store, behaviour }, id) {
  if (!store.remove(Number(id))) throw notFound()
  // 202: the API only scheduled the deletion, yet the row is gone from the list at once.
  return behaviour.deleteStatus === 202 ? { status: 202, body: { detail: DELETE_SCHEDULED } } : { status: 204 }
}

/**
 * @template O, R
 * @param {PointContext<O, R>} point
 * @param {NonNullable<Kind<O, R>['restore']>} restore
 * @param {ApiRequest} request
 * @param {string} id
 * @returns {ApiResponse}
 */
function restoreFrom({ kind, store, servers, behaviour, now: clock }, restore, request, id) {
  const record = store.get(Number(id))
  if (!record) throw notFound()
  // No body is documented: an empty one or any JSON object is taken, its fields ignored.
  parseJsonObject(request)
  const now = clock()
  if (stateAt(record, now).status !== 'completed') throw nonFieldError(`${kind.title} is not completed.`)
  const serverId = record.serverId
  if (NOT_RESTORABLE.includes(servers.statusAt(serverId, now))) throw nonFieldError(NOT_RESTORABLE_MESSAGE)
  servers.restore(serverId, restore.from(record.id), now, restorePlan(behaviour, serverId))
  return {
    status: 200,
    body: {
      status: 'success',
      message: restore.message,
      [kind.noun]: restore.shown(record),
      server: { ...servers.ref(serverId), status: 'restoring' }
    }
  }
}
