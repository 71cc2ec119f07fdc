// @ts-check
/**
 * The switchable behaviour of the simulated API: how it stores and lists backups, how restores
 * unfold, and how it misbehaves where the references leave room. Set at start by
 * SimulatorOptions, changed by the simulator's setters, put back to the start values by reset().
 */

/** @import { BackupFields, SimBackup, SimSnapshot, SnapshotFields } from './kinds.js' */
/** @import { RestorePointStore } from './restore-points.js' */
/** @import { RestorePlan, ServerStore } from './servers.js' */

/**
 * Ways the backup and snapshot lists may misbehave (both alike). Each is off unless given.
 * @typedef {object} ListQuirks
 * @property {boolean} [ignoreServerFilter] `server_id` is ignored (not even validated): every server's
 *   backups come back, as from an API that ignores a filter or a proxy cache keyed on the path only.
 * @property {boolean} [ignoreTypeFilter] `backup_type` is ignored likewise.
 * @property {boolean} [duplicateAcrossPages] Every page after the first also starts with the last row
 *   of the previous page, as offset pagination gives when a backup is created while a client pages
 *   through the list. The repeated row is rendered when the later page is read, so its status may
 *   differ from the first copy's. `count` stays the number of distinct rows.
 * @property {'endless' | 'fragment'} [nextChain] A `next` chain that never ends. `endless`: every page
 *   links to the following one forever; the pages after the real ones each hold
 *   `endlessRowsPerPage` synthetic completed manual backups with fresh ids (never stored, of the
 *   server filtered on, else the first server), so a client that keeps every row grows without
 *   bound; `count` stays the number of real rows. `fragment`: every page's `next` is that same
 *   page's URL with a new fragment (`#p=1`, `#p=2`, …), which HTTP clients do not send, so
 *   following it reads the same page again.
 * @property {number} [endlessRowsPerPage] Rows of each synthetic page of `nextChain: 'endless'`;
 *   default the page size.
 * @property {number} [endlessDescriptionLength] The synthetic rows' descriptions are padded with dots
 *   to this many characters, so that an endless list grows in bytes faster than in rows; default no
 *   padding.
 */

/**
 * How the server reads answer (GET /api/v1/servers/ and /api/v1/servers/{id}/), which the docs
 * document only in part. Each is the default unless given.
 * @typedef {object} ServerReads
 * @property {'ok' | 404 | 405} [single] GET /api/v1/servers/{id}/: 'ok' (default), or 404 `{"detail":
 *   "Not found."}` for every id (an endpoint that does not exist), or 405 (one that does not allow GET).
 * @property {'ok' | 404 | 405} [list] GET /api/v1/servers/ likewise.
 * @property {boolean} [forbidden] Both answer 403 `{"detail": "You do not have permission to perform
 *   this action."}` (a token without the servers permission).
 * @property {boolean} [omitStatus] Both answer 200, but the server objects lack `status`.
 */

/**
 * The shape of the restore answer, which no document gives:
 * - `legacy` (default): 202 `{"status": "restoring", "server_id", "backup_id", "message"}`.
 * - `snapshot-like`: 200 `{"status": "success", "message", "backup": {"id", "created_at"}, "server":
 *   {"id", "name", "status": "restoring"}}`, the shape VPS.org documents for snapshot restores.
 * - `empty`: 202 with an empty body.
 * @typedef {'legacy' | 'snapshot-like' | 'empty'} RestoreAnswer
 */

/**
 * What one server's backups, snapshots and restores do differently from every other server's,
 * keyed by server id: so that one server among several can fail or take longer in the same run.
 * @typedef {Record<number, { backupDurationMs?: number, createOutcome?: string | null,
 *   restoreOutcome?: string, snapshotDurationMs?: number, snapshotOutcome?: string | null }>} ServerOverrides
 */

/** @typedef {'backupDurationMs' | 'createOutcome' | 'restoreOutcome' | 'snapshotDurationMs' | 'snapshotOutcome'} PerServer */

/**
 * @typedef {object} Behaviour
 * @property {number} backupDurationMs
 * @property {string | null} createOutcome
 * @property {ServerOverrides} byServer what one server does differently from the settings above
 * @property {number} clockOffsetMs
 * @property {number} proxyDateOffsetMs
 * @property {boolean} dateHeader
 * @property {ListQuirks} listQuirks
 * @property {number | null} descriptionMaxLength
 * @property {boolean} normaliseLineEndings
 * @property {204 | 202} deleteStatus
 * @property {number} restoreStartDelayMs
 * @property {number} restoreDurationMs
 * @property {string} restoreOutcome
 * @property {RestoreAnswer} restoreAnswer
 * @property {boolean} restoreNeverShowsRestoring
 * @property {ServerReads} serverReads
 * @property {number} snapshotDurationMs
 * @property {string | null} snapshotOutcome
 * @property {number | null} snapshotNameMaxLength
 */

/**
 * What the endpoints work on.
 * @typedef {object} ApiContext
 * @property {RestorePointStore<BackupFields, SimBackup>} backups changed by the requests
 * @property {RestorePointStore<SnapshotFields, SimSnapshot>} snapshots changed by the requests
 * @property {ServerStore} servers changed by the requests
 * @property {Behaviour} behaviour read at each request, so setters act at once
 * @property {number} pageSize
 * @property {() => number} now the simulator's clock (epoch ms): Date.now, or a test's fake clock
 */

const NEXT_CHAINS = ['endless', 'fragment']
const RESTORE_ANSWERS = ['legacy', 'snapshot-like', 'empty']
const READ_ANSWERS = ['ok', 404, 405]

/**
 * @param {string} what
 * @param {unknown} value
 */
function requireNonNegativeInteger(what, value) {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`simulator: ${what} must be a non-negative integer, not ${String(value)}`)
  }
  return value
}

/**
 * A copy, checked, so a typo fails the test that made it instead of silently changing nothing.
 * @param {ListQuirks} quirks
 * @returns {ListQuirks}
 */
export function checkListQuirks(quirks) {
  const known = [
    'ignoreServerFilter',
    'ignoreTypeFilter',
    'duplicateAcrossPages',
    'nextChain',
    'endlessRowsPerPage',
    'endlessDescriptionLength'
  ]
  const unknown = Object.keys(quirks).filter(key => !known.includes(key))
  if (unknown.length > 0) throw new Error(`simulator: unknown list quirk ${unknown.join(', ')}`)
  if (quirks.nextChain !== undefined && !NEXT_CHAINS.includes(quirks.nextChain)) {
    throw new Error(`simulator: nextChain must be one of ${NEXT_CHAINS.join(', ')}`)
  }
  if (quirks.endlessRowsPerPage !== undefined)
    requireNonNegativeInteger('endlessRowsPerPage', quirks.endlessRowsPerPage)
  if (quirks.endlessDescriptionLength !== undefined)
    requireNonNegativeInteger('endlessDescriptionLength', quirks.endlessDescriptionLength)
  return { ...quirks }
}

/**
 * @param {ServerReads} reads
 * @returns {ServerReads}
 */
export function checkServerReads(reads) {
  const known = ['single', 'list', 'forbidden', 'omitStatus']
  const unknown = Object.keys(reads).filter(key => !known.includes(key))
  if (unknown.length > 0) throw new Error(`simulator: unknown server read setting ${unknown.join(', ')}`)
  for (const which of /** @type {const} */ (['single', 'list'])) {
    if (reads[which] !== undefined && !READ_ANSWERS.includes(reads[which])) {
      throw new Error(`simulator: serverReads.${which} must be 'ok', 404 or 405`)
    }
  }
  return { ...reads }
}

/** @param {RestoreAnswer} answer */
export function checkRestoreAnswer(answer) {
  if (!RESTORE_ANSWERS.includes(answer)) {
    throw new Error(`simulator: the restore answer must be one of ${RESTORE_ANSWERS.join(', ')}`)
  }
  return answer
}

/**
 * @param {string} what
 * @param {number} ms
 */
export function checkDuration(what, ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new Error(`simulator: ${what} must be a duration in ms, not ${String(ms)}`)
  }
  return ms
}

/**
 * @param {number} ms
 * @param {string} [what]
 */
export function checkClockOffset(ms, what = 'clockOffsetMs') {
  if (typeof ms !== 'number' || !Number.isInteger(ms)) {
    throw new Error(`simulator: ${what} must be a whole number of ms, not ${String(ms)}`)
  }
  return ms
}

/** @param {number | null} length */
export function checkDescriptionMaxLength(length) {
  return length === null ? null : requireNonNegativeInteger('descriptionMaxLength', length)
}

/** @param {number | null} length */
export function checkNameMaxLength(length) {
  if (length !== null && !(Number.isInteger(length) && length >= 1)) {
    throw new Error(`simulator: snapshotNameMaxLength must be a positive integer or null, not ${String(length)}`)
  }
  return length
}

/** @param {number} status */
export function checkDeleteStatus(status) {
  if (status !== 204 && status !== 202) throw new Error(`simulator: deleteStatus must be 204 or 202, not ${status}`)
  return status
}

/**
 * The description as the API stores it: trimmed as DRF's CharField does (trim_whitespace), then,
 * when switched on, with normalised line endings and cut to the column's length.
 * @param {string} raw
 * @param {Behaviour} behaviour
 */
export function storedDescription(raw, behaviour) {
  let description = raw.trim()
  if (behaviour.normaliseLineEndings) description = description.replace(/\r\n?/g, '\n')
  // Code points, as a database counts characters, so a cut never splits a surrogate pair.
  if (behaviour.descriptionMaxLength !== null) {
    description = [...description].slice(0, behaviour.descriptionMaxLength).join('')
  }
  return description
}

/**
 * The setting `name` for `serverId`: its own when one was set for it, else the one of every server.
 * @template {PerServer} K
 * @param {Behaviour} behaviour
 * @param {number} serverId
 * @param {K} name
 * @returns {Behaviour[K]}
 */
export function forServer(behaviour, serverId, name) {
  const own = behaviour.byServer[serverId]
  return own !== undefined && Object.hasOwn(own, name) ? /** @type {Behaviour[K]} */ (own[name]) : behaviour[name]
}

/**
 * `byServer` with one more setting for one server: a new object, so reset() can put back the start.
 * @template {PerServer} K
 * @param {ServerOverrides} byServer
 * @param {number} serverId
 * @param {K} name
 * @param {Behaviour[K]} value
 * @returns {ServerOverrides}
 */
export function withServerSetting(byServer, serverId, name, value) {
  return { ...byServer, [serverId]: { ...byServer[serverId], [name]: value } }
}

/**
 * How a restore of `serverId` accepted now unfolds, from a backup or a snapshot alike.
 * @param {Behaviour} behaviour
 * @param {number} serverId
 * @returns {RestorePlan}
 */
export function restorePlan(behaviour, serverId) {
  return {
    startDelayMs: behaviour.restoreStartDelayMs,
    durationMs: behaviour.restoreDurationMs,
    outcome: forServer(behaviour, serverId, 'restoreOutcome'),
    neverShowsRestoring: behaviour.restoreNeverShowsRestoring
  }
}
