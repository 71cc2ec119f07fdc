// @ts-check
/**
 * The switchable behaviour of the simulated API: how it stores and lists backups, and how it
 * misbehaves where the reference leaves room. Set at start by SimulatorOptions, changed by the
 * simulator's setters, put back to the start values by reset().
 */

/**
 * Ways the backup list may misbehave. Each is off unless given.
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
 */

/**
 * @typedef {object} Behaviour
 * @property {number} backupDurationMs
 * @property {string | null} createOutcome
 * @property {ListQuirks} listQuirks
 * @property {number | null} descriptionMaxLength
 * @property {boolean} normaliseLineEndings
 * @property {204 | 202} deleteStatus
 */

const NEXT_CHAINS = ['endless', 'fragment']

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
  const known = ['ignoreServerFilter', 'ignoreTypeFilter', 'duplicateAcrossPages', 'nextChain', 'endlessRowsPerPage']
  const unknown = Object.keys(quirks).filter(key => !known.includes(key))
  if (unknown.length > 0) throw new Error(`simulator: unknown list quirk ${unknown.join(', ')}`)
  if (quirks.nextChain !== undefined && !NEXT_CHAINS.includes(quirks.nextChain)) {
    throw new Error(`simulator: nextChain must be one of ${NEXT_CHAINS.join(', ')}`)
  }
  if (quirks.endlessRowsPerPage !== undefined)
    requireNonNegativeInteger('endlessRowsPerPage', quirks.endlessRowsPerPage)
  return { ...quirks }
}

/** @param {number | null} length */
export function checkDescriptionMaxLength(length) {
  return length === null ? null : requireNonNegativeInteger('descriptionMaxLength', length)
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
