// @ts-check
/**
 * The Backups API (reference: /work/shared/vps-org-backups-api.md): list, create and delete,
 * with DRF conventions (drf.js) where the reference is silent, and the list's quirks.
 */
import { ApiError, lastQueryValue, nonFieldError, notFound, parseJsonObject, validateFields } from './drf.js'
import { BACKUP_TYPES, MAX_MANUAL_BACKUPS_PER_SERVER } from './backups.js'
import { listPage, listedRows, serverFilter } from './listing.js'
import { forServer, storedDescription } from './settings.js'

/** @import { ApiRequest, Route } from './drf.js' */
/** @import { ApiContext, ListQuirks } from './settings.js' */

const CREATE_MESSAGE = 'Backup is being created. This may take several minutes depending on server size.'
const DELETE_SCHEDULED = 'Deletion scheduled.'

/**
 * Validated filters of the list endpoint; an empty value means "no filter", as in django-filter.
 * A filter the quirks ignore is not read at all.
 * @param {URLSearchParams} params
 * @param {ListQuirks} quirks
 */
function parseListFilters(params, quirks) {
  /** @type {Record<string, string[]>} */
  const errors = {}
  const serverId = serverFilter(params, quirks, errors)
  const backupType = (!quirks.ignoreTypeFilter && lastQueryValue(params, 'backup_type')) || undefined
  if (backupType !== undefined && !BACKUP_TYPES.includes(backupType)) {
    errors.backup_type = [`Select a valid choice. ${backupType} is not one of the available choices.`]
  }
  if (Object.keys(errors).length > 0) throw new ApiError(400, errors)
  const type = /** @type {'manual'|'automatic'|undefined} */ (backupType)
  return { serverId, backupType: type }
}

/**
 * @param {ApiContext} context
 * @returns {Route[]}
 */
export function backupRoutes({ backups, servers, behaviour, pageSize, now: clock }) {
  /** @param {ApiRequest} request */
  function listBackups(request) {
    const quirks = behaviour.listQuirks
    const { serverId, backupType } = parseListFilters(request.url.searchParams, quirks)
    const rows = listedRows({
      records: backups.list(),
      rawRows: backups.rawRows,
      serverId,
      keep: b => backupType === undefined || b.backupType === backupType,
      render: (record, now) => backups.toJsonAt(record, now)
    })
    return listPage(request, {
      rows,
      pageSize,
      quirks,
      countAnswer: () => ++backups.listAnswers,
      now: clock(),
      synthetic: count => syntheticRows(serverId, backupType, count, quirks.endlessDescriptionLength)
    })
  }

  /**
   * A page of an endless list: backups of the server filtered on, else of the first server.
   * @param {number | undefined} serverId
   * @param {'manual'|'automatic'|undefined} backupType
   * @param {number} count
   * @param {number} [descriptionLength]
   */
  function syntheticRows(serverId, backupType, count, descriptionLength) {
    const owner = serverId !== undefined && servers.has(serverId) ? serverId : servers.ids()[0]
    return owner === undefined ? [] : backups.synthetic(count, owner, backupType ?? 'manual', descriptionLength)
  }

  /** @param {ApiRequest} request */
  function createBackup(request) {
    const data = parseJsonObject(request)
    validateFields(data, { server_id: { type: 'integer', required: true }, description: { type: 'string' } })
    const serverId = /** @type {number} */ (data.server_id)
    if (!servers.has(serverId)) throw notFound()
    if (backups.manualBackupCount(serverId) >= MAX_MANUAL_BACKUPS_PER_SERVER) {
      throw nonFieldError(
        `Maximum number of manual backups (${MAX_MANUAL_BACKUPS_PER_SERVER}) reached for this server.`
      )
    }
    const description = storedDescription(typeof data.description === 'string' ? data.description : '', behaviour)
    const record = backups.createManual(serverId, description, {
      durationMs: forServer(behaviour, serverId, 'backupDurationMs'),
      outcome: forServer(behaviour, serverId, 'createOutcome'),
      clockOffsetMs: behaviour.clockOffsetMs
    })
    // The state it was created in: creation has only started, even with a zero duration.
    return { status: 201, body: { ...backups.toJson(record, record), message: CREATE_MESSAGE } }
  }

  /**
   * @param {ApiRequest} _request
   * @param {string[]} params
   */
  function deleteBackup(_request, [backupId]) {
    if (!backups.remove(Number(backupId))) throw notFound()
    // 202: the API only scheduled the deletion, yet the backup is gone from the list at once.
    return behaviour.deleteStatus === 202 ? { status: 202, body: { detail: DELETE_SCHEDULED } } : { status: 204 }
  }

  return [
    { pattern: /^\/api\/v1\/backups\/$/, methods: { GET: listBackups, POST: createBackup } },
    // No GET: the reference documents no endpoint to read one backup.
    { pattern: /^\/api\/v1\/backups\/(\d+)\/$/, methods: { DELETE: deleteBackup } }
  ]
}
