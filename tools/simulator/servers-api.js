// @ts-check
/**
 * The Servers API as far as VPS.org documents it: the server list, one server, and restore from a
 * backup (a snapshot's restore is the Snapshots API's: restore-points-api.js). What the docs leave
 * open (the single GET, the restore answer, error bodies) follows DRF and can be switched (settings.js).
 */
import {
  byScrambledOrder,
  choosePage,
  fieldError,
  lastQueryValue,
  methodNotAllowed,
  nonFieldError,
  notFound,
  pageLink,
  parseJsonObject,
  permissionDenied,
  validateFields
} from './drf.js'
import { stateAt } from './lifecycle.js'
import { restorePlan } from './settings.js'

/** @import { ApiRequest, ApiResponse, Route } from './drf.js' */
/** @import { ApiContext } from './settings.js' */
/** @import { SimServerDetail } from './servers.js' */

const LEGACY_MESSAGE = 'Restore started. The server will be unavailable for several minutes.'
const SNAPSHOT_LIKE_MESSAGE = 'Server is being restored from backup. This may take 5-15 minutes.'
// The docs' one line for a snapshot restore's 400; `restoring` is the state they name, `suspended`
// the one the server list's filter names that cannot be acted on.
export const NOT_RESTORABLE = ['restoring', 'suspended']
export const NOT_RESTORABLE_MESSAGE = 'Server is not in a valid state for restoration.'

/**
 * @param {ApiContext} context
 * @returns {Route[]}
 */
export function serverRoutes(context) {
  return [
    { pattern: /^\/api\/v1\/servers\/$/, methods: { GET: request => listServers(context, request) } },
    { pattern: /^\/api\/v1\/servers\/(\d+)\/$/, methods: { GET: (_request, [id]) => getServer(context, id) } },
    {
      pattern: /^\/api\/v1\/servers\/(\d+)\/restore\/$/,
      methods: { POST: (request, [id]) => restoreServer(context, request, Number(id)) }
    }
  ]
}

/**
 * Applies the serverReads switches to a read, first the permission (DRF checks it before looking
 * anything up), then whether the endpoint exists.
 * @param {ApiContext['behaviour']} behaviour
 * @param {'single' | 'list'} which
 */
function checkReadable(behaviour, which) {
  const reads = behaviour.serverReads
  if (reads.forbidden) throw permissionDenied()
  const answer = reads[which] ?? 'ok'
  if (answer === 404) throw notFound()
  // As if the path took other methods only: update and delete a server, create one.
  if (answer === 405) throw methodNotAllowed('GET', which === 'single' ? ['PUT', 'PATCH', 'DELETE'] : ['POST'])
}

/**
 * @param {ApiContext['behaviour']} behaviour
 * @param {SimServerDetail} server
 */
function shown(behaviour, server) {
  if (!behaviour.serverReads.omitStatus) return server
  const { status: _status, ...rest } = server
  return rest
}

/**
 * @param {ApiContext} context
 * @param {ApiRequest} request
 * @returns {ApiResponse}
 */
function listServers({ servers, behaviour, pageSize, now: clock }, request) {
  checkReadable(behaviour, 'list')
  const params = request.url.searchParams
  // Plain text filters, as django-filter's CharFilter: any value, an empty one is no filter.
  const status = lastQueryValue(params, 'status') || undefined
  const location = lastQueryValue(params, 'location') || undefined
  const now = clock()
  const matching = servers
    .ids()
    .map(id => servers.toJson(id, now))
    .filter(server => status === undefined || server.status === status)
    .filter(server => location === undefined || server.location === location)
    .sort(byScrambledOrder)
  const page = choosePage(matching.length, pageSize, lastQueryValue(params, 'page'))
  return {
    status: 200,
    body: {
      count: matching.length,
      next: page.number < page.pageCount ? pageLink(request, page.number + 1) : null,
      previous: page.number > 1 ? pageLink(request, page.number - 1) : null,
      results: matching.slice(page.start, page.end).map(server => shown(behaviour, server))
    }
  }
}

/**
 * @param {ApiContext} context
 * @param {string} serverId
 * @returns {ApiResponse}
 */
function getServer({ servers, behaviour, now: clock }, serverId) {
  checkReadable(behaviour, 'single')
  if (!servers.has(Number(serverId))) throw notFound()
  return { status: 200, body: shown(behaviour, servers.toJson(Number(serverId), clock())) }
}

/**
 * @param {ApiContext} context
 * @param {ApiRequest} request
 * @param {number} serverId
 * @returns {ApiResponse}
 */
function restoreServer({ backups, servers, behaviour, now: clock }, request, serverId) {
  if (!servers.has(serverId)) throw notFound()
  const data = parseJsonObject(request)
  validateFields(data, { backup_id: { type: 'integer', required: true } })
  const backup = backups.get(/** @type {number} */ (data.backup_id))
  if (!backup) throw fieldError('backup_id', 'Backup not found.')
  if (backup.serverId !== serverId) throw fieldError('backup_id', 'Backup does not belong to this server.')
  const now = clock()
  if (stateAt(backup, now).status !== 'completed') throw fieldError('backup_id', 'Backup is not completed.')
  if (NOT_RESTORABLE.includes(servers.statusAt(serverId, now))) throw nonFieldError(NOT_RESTORABLE_MESSAGE)
  servers.restore(serverId, { backupId: backup.id }, now, restorePlan(behaviour, serverId))
  switch (behaviour.restoreAnswer) {
    case 'empty':
      return { status: 202 }
    case 'snapshot-like':
      return {
        status: 200,
        body: {
          status: 'success',
          message: SNAPSHOT_LIKE_MESSAGE,
          backup: { id: backup.id, created_at: backup.createdAt },
          server: { ...servers.ref(serverId), status: 'restoring' }
        }
      }
    default:
      return {
        status: 202,
        body: { status: 'restoring', server_id: serverId, backup_id: backup.id, message: LEGACY_MESSAGE }
      }
  }
}
