// @ts-check
/**
 * The endpoints of the VPS.org API (reference: /work/shared/vps-org-backups-api.md), as a
 * function from request to response that changes the store. DRF conventions (drf.js) fill in
 * what the reference leaves open.
 */
import {
  ApiError,
  byScrambledOrder,
  choosePage,
  fieldError,
  lastQueryValue,
  nonFieldError,
  notFound,
  pageLink,
  parseJsonObject,
  router,
  validateFields
} from './drf.js'
import { BACKUP_TYPES, MAX_MANUAL_BACKUPS_PER_SERVER, stateAt } from './store.js'

/** @import { ApiRequest, ApiResponse } from './drf.js' */
/** @import { BackupStore } from './store.js' */

const CREATE_MESSAGE = 'Backup is being created. This may take several minutes depending on server size.'
const RESTORE_MESSAGE = 'Restore started. The server will be unavailable for several minutes.'

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
 * @param {BackupStore} store
 * @param {{ token: string, pageSize: number }} options
 * @returns {(request: ApiRequest) => ApiResponse}
 */
export function createApi(store, { token, pageSize }) {
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
      throw nonFieldError(
        `Maximum number of manual backups (${MAX_MANUAL_BACKUPS_PER_SERVER}) reached for this server.`
      )
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

  return router(token, [
    { pattern: /^\/api\/v1\/backups\/$/, methods: { GET: listBackups, POST: createBackup } },
    { pattern: /^\/api\/v1\/backups\/(\d+)\/$/, methods: { DELETE: deleteBackup } },
    { pattern: /^\/api\/v1\/servers\/(\d+)\/restore\/$/, methods: { POST: restoreServer } }
  ])
}
