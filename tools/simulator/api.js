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
import { storedDescription } from './settings.js'
import { BACKUP_TYPES, MAX_MANUAL_BACKUPS_PER_SERVER, stateAt } from './store.js'

/** @import { ApiRequest, ApiResponse } from './drf.js' */
/** @import { Behaviour, ListQuirks } from './settings.js' */
/** @import { BackupStore } from './store.js' */

const CREATE_MESSAGE = 'Backup is being created. This may take several minutes depending on server size.'
const RESTORE_MESSAGE = 'Restore started. The server will be unavailable for several minutes.'
const DELETE_SCHEDULED = 'Deletion scheduled.'

/**
 * Validated filters of the list endpoint; an empty value means "no filter", as in django-filter.
 * A filter the quirks ignore is not read at all.
 * @param {URLSearchParams} params
 * @param {ListQuirks} quirks
 */
function parseListFilters(params, quirks) {
  const serverId = (!quirks.ignoreServerFilter && lastQueryValue(params, 'server_id')) || undefined
  const backupType = (!quirks.ignoreTypeFilter && lastQueryValue(params, 'backup_type')) || undefined
  /** @type {Record<string, string[]>} */
  const errors = {}
  if (serverId !== undefined && !/^-?\d+$/.test(serverId.trim())) {
    errors.server_id = ['A valid integer is required.']
  }
  if (backupType !== undefined && !BACKUP_TYPES.includes(backupType)) {
    errors.backup_type = [`Select a valid choice. ${backupType} is not one of the available choices.`]
  }
  if (Object.keys(errors).length > 0) throw new ApiError(400, errors)
  const type = /** @type {'manual'|'automatic'|undefined} */ (backupType)
  return { serverId: serverId === undefined ? undefined : Number(serverId), backupType: type }
}

/**
 * @param {BackupStore} store changed by the requests
 * @param {Behaviour} behaviour read at each request, so setters act at once
 * @param {{ token: string, pageSize: number }} options
 * @returns {(request: ApiRequest) => ApiResponse}
 */
export function createApi(store, behaviour, { token, pageSize }) {
  /** @param {ApiRequest} request */
  function listBackups(request) {
    const quirks = behaviour.listQuirks
    const { serverId, backupType } = parseListFilters(request.url.searchParams, quirks)
    // Rendered when the page is read, so a row repeated on a later page shows its state then.
    /** @type {Array<(now: number) => unknown>} */
    const rows = [
      ...store
        .list()
        .filter(b => serverId === undefined || b.serverId === serverId)
        .filter(b => backupType === undefined || b.backupType === backupType)
        .sort(byScrambledOrder)
        .map(record => (/** @type {number} */ now) => store.toJsonAt(record, now)),
      ...store.rawRows
        .filter(raw => serverId === undefined || raw.serverId === undefined || raw.serverId === serverId)
        .map(raw => () => raw.row)
    ]
    const endless = quirks.nextChain === 'endless'
    const requested = lastQueryValue(request.url.searchParams, 'page')
    const page = choosePage(rows.length, pageSize, requested, { unbounded: endless })
    const repeated = quirks.duplicateAcrossPages && page.number > 1 ? 1 : 0
    const now = Date.now()
    const results =
      page.number <= page.pageCount
        ? rows.slice(page.start - repeated, page.end).map(render => render(now))
        : syntheticRows(serverId, backupType, quirks.endlessRowsPerPage ?? pageSize)
    store.listAnswers++
    /** @type {string | null} */
    let next = page.number < page.pageCount || endless ? pageLink(request, page.number + 1) : null
    if (quirks.nextChain === 'fragment') next = `${pageLink(request, page.number)}#p=${store.listAnswers}`
    return {
      status: 200,
      body: {
        count: rows.length,
        next,
        previous: page.number > 1 ? pageLink(request, page.number - 1) : null,
        results
      }
    }
  }

  /**
   * A page of an endless list: backups of the server filtered on, else of the first server.
   * @param {number | undefined} serverId
   * @param {'manual'|'automatic'|undefined} backupType
   * @param {number} count
   */
  function syntheticRows(serverId, backupType, count) {
    const server = (serverId !== undefined && store.server(serverId)) || store.servers.values().next().value
    return server ? store.synthetic(count, server.id, backupType ?? 'manual') : []
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
    const description = storedDescription(typeof data.description === 'string' ? data.description : '', behaviour)
    const record = store.createManual(server.id, description, {
      durationMs: behaviour.backupDurationMs,
      outcome: behaviour.createOutcome
    })
    // The state it was created in: creation has only started, even with a zero duration.
    return { status: 201, body: { ...store.toJson(record, record), message: CREATE_MESSAGE } }
  }

  /**
   * @param {ApiRequest} _request
   * @param {string[]} params
   */
  function deleteBackup(_request, [backupId]) {
    if (!store.remove(Number(backupId))) throw notFound()
    // 202: the API only scheduled the deletion, yet the backup is gone from the list at once.
    return behaviour.deleteStatus === 202 ? { status: 202, body: { detail: DELETE_SCHEDULED } } : { status: 204 }
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
