// @ts-check
/**
 * The Snapshots API (reference: /work/shared/vps-org-servers-api.md §2): list, create, restore and
 * delete, with DRF conventions (drf.js) where the reference is silent, and the lists' quirks and
 * paging shared with the backups (listing.js).
 *
 * The simulator's choices where the reference says nothing:
 * - name: DRF's SlugField rule, ASCII letters, digits, hyphens and underscores (the docs say
 *   "letters/digits, hyphens, underscores"), trimmed first as DRF does; no length bound unless
 *   snapshotNameMaxLength is set (Django's SlugField defaults to 50). Names need not be unique.
 * - a snapshot that ends badly shows `failed` (no failure value is documented; see snapshots.js);
 * - restore takes no body (an empty one, or any JSON object, which is ignored), refuses a snapshot
 *   that is not completed with 400, and puts the server through the same timeline as a backup
 *   restore (servers.js);
 * - DELETE answers as the backups' DELETE does: 204 (or 202 with setDeleteStatus), 404 when unknown.
 */
import { ApiError, fieldError, nonFieldError, notFound, parseJsonObject, validateFields } from './drf.js'
import { listPage, listedRows, serverFilter } from './listing.js'
import { NOT_RESTORABLE, NOT_RESTORABLE_MESSAGE } from './servers-api.js'
import { forServer, restorePlan, storedDescription } from './settings.js'
import { MAX_SNAPSHOTS_PER_SERVER } from './snapshots.js'
import { stateAt } from './lifecycle.js'

/** @import { ApiRequest, Route } from './drf.js' */
/** @import { ApiContext } from './settings.js' */

const CREATE_MESSAGE = 'Snapshot is being created. This may take 3-10 minutes depending on server size.'
const RESTORE_MESSAGE = 'Server is being restored from snapshot. This may take 5-15 minutes.'
const DELETE_SCHEDULED = 'Deletion scheduled.'
// Django's validate_slug, as DRF's SlugField applies it.
const SLUG = /^[-a-zA-Z0-9_]+$/
const SLUG_MESSAGE = 'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'

/**
 * @param {ApiContext} context
 * @returns {Route[]}
 */
export function snapshotRoutes({ snapshots, servers, behaviour, pageSize, now: clock }) {
  /** @param {ApiRequest} request */
  function listSnapshots(request) {
    const quirks = behaviour.listQuirks
    /** @type {Record<string, string[]>} */
    const errors = {}
    const serverId = serverFilter(request.url.searchParams, quirks, errors)
    if (Object.keys(errors).length > 0) throw new ApiError(400, errors)
    const rows = listedRows({
      records: snapshots.list(),
      rawRows: snapshots.rawRows,
      serverId,
      render: (record, now) => snapshots.toJson(record, now)
    })
    return listPage(request, {
      rows,
      pageSize,
      quirks,
      countAnswer: () => ++snapshots.listAnswers,
      now: clock(),
      synthetic: count => {
        const owner = serverId !== undefined && servers.has(serverId) ? serverId : servers.ids()[0]
        return owner === undefined ? [] : snapshots.synthetic(count, owner, quirks.endlessDescriptionLength)
      }
    })
  }

  /**
   * The name as DRF's SlugField takes it: trimmed, not blank, a slug, within the bound if any.
   * @param {string} raw
   */
  function validName(raw) {
    const name = raw.trim()
    if (name === '') throw fieldError('name', 'This field may not be blank.')
    const max = behaviour.snapshotNameMaxLength
    if (max !== null && [...name].length > max) {
      throw fieldError('name', `Ensure this field has no more than ${max} characters.`)
    }
    if (!SLUG.test(name)) throw fieldError('name', SLUG_MESSAGE)
    return name
  }

  /** @param {ApiRequest} request */
  function createSnapshot(request) {
    const data = parseJsonObject(request)
    validateFields(data, {
      server_id: { type: 'integer', required: true },
      name: { type: 'string', required: true },
      description: { type: 'string' }
    })
    const serverId = /** @type {number} */ (data.server_id)
    const name = validName(/** @type {string} */ (data.name))
    if (!servers.has(serverId)) throw notFound()
    if (snapshots.count(serverId) >= MAX_SNAPSHOTS_PER_SERVER) {
      throw nonFieldError(`Maximum number of snapshots (${MAX_SNAPSHOTS_PER_SERVER}) reached for this server.`)
    }
    const description = storedDescription(typeof data.description === 'string' ? data.description : '', behaviour)
    const record = snapshots.create(
      serverId,
      { name, description },
      {
        durationMs: forServer(behaviour, serverId, 'snapshotDurationMs'),
        outcome: forServer(behaviour, serverId, 'snapshotOutcome'),
        clockOffsetMs: behaviour.clockOffsetMs
      }
    )
    // The state it was created in: creation has only started, even with a zero duration.
    return { status: 201, body: { ...snapshots.toJson(record, -Infinity), message: CREATE_MESSAGE } }
  }

  /**
   * @param {ApiRequest} request
   * @param {string[]} params
   */
  function restoreSnapshot(request, [snapshotId]) {
    const snapshot = snapshots.snapshot(Number(snapshotId))
    if (!snapshot) throw notFound()
    // No body is documented: an empty one or any JSON object is taken, its fields ignored.
    parseJsonObject(request)
    const now = clock()
    if (stateAt(snapshot, now).status !== 'completed') throw nonFieldError('Snapshot is not completed.')
    const serverId = snapshot.serverId
    if (NOT_RESTORABLE.includes(servers.statusAt(serverId, now))) throw nonFieldError(NOT_RESTORABLE_MESSAGE)
    servers.restore(serverId, { snapshotId: snapshot.id }, now, restorePlan(behaviour, serverId))
    return {
      status: 200,
      body: {
        status: 'success',
        message: RESTORE_MESSAGE,
        snapshot: { id: snapshot.id, name: snapshot.name, created_at: snapshot.createdAt },
        server: { ...servers.ref(serverId), status: 'restoring' }
      }
    }
  }

  /**
   * @param {ApiRequest} _request
   * @param {string[]} params
   */
  function deleteSnapshot(_request, [snapshotId]) {
    if (!snapshots.remove(Number(snapshotId))) throw notFound()
    return behaviour.deleteStatus === 202 ? { status: 202, body: { detail: DELETE_SCHEDULED } } : { status: 204 }
  }

  return [
    { pattern: /^\/api\/v1\/snapshots\/$/, methods: { GET: listSnapshots, POST: createSnapshot } },
    // No GET: the docs document no endpoint to read one snapshot.
    { pattern: /^\/api\/v1\/snapshots\/(\d+)\/$/, methods: { DELETE: deleteSnapshot } },
    { pattern: /^\/api\/v1\/snapshots\/(\d+)\/restore\/$/, methods: { POST: restoreSnapshot } }
  ]
}
