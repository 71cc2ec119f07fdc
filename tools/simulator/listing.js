// @ts-check
/**
 * The paginated lists of restore points (backups, snapshots): DRF PageNumberPagination with the
 * list quirks of settings.js applied the same way to each, and their shared `server_id` filter.
 */
import { byScrambledOrder, choosePage, lastQueryValue, pageLink } from './drf.js'

/** @import { ApiRequest, ApiResponse } from './drf.js' */
/** @import { ListQuirks } from './settings.js' */
/** @import { RawRow } from './restore-points.js' */

/**
 * The `server_id` filter, validated into `errors` (an empty value means "no filter", as in
 * django-filter); not read at all when the quirks ignore it.
 * @param {URLSearchParams} params
 * @param {ListQuirks} quirks
 * @param {Record<string, string[]>} errors
 * @returns {number | undefined}
 */
export function serverFilter(params, quirks, errors) {
  const serverId = (!quirks.ignoreServerFilter && lastQueryValue(params, 'server_id')) || undefined
  if (serverId === undefined) return undefined
  if (!/^-?\d+$/.test(serverId.trim())) {
    errors.server_id = ['A valid integer is required.']
    return undefined
  }
  return Number(serverId)
}

/**
 * The rows a list shows: the records it keeps (of the server filtered on), in an order that is no
 * order (VPS.org documents none), each rendered when its page is read; then the raw rows of that
 * server, verbatim.
 * @template {{ id: number, serverId: number }} R
 * @param {{ records: R[], rawRows: RawRow[], serverId: number | undefined, keep?: (record: R) => boolean,
 *   render: (record: R, now: number) => unknown }} source
 * @returns {Array<(now: number) => unknown>}
 */
export function listedRows({ records, rawRows, serverId, keep = () => true, render }) {
  return [
    ...records
      .filter(r => (serverId === undefined || r.serverId === serverId) && keep(r))
      .sort(byScrambledOrder)
      .map(record => (/** @type {number} */ now) => render(record, now)),
    ...rawRows
      .filter(raw => serverId === undefined || raw.serverId === undefined || raw.serverId === serverId)
      .map(raw => () => raw.row)
  ]
}

/**
 * @typedef {object} ListSource
 * @property {Array<(now: number) => unknown>} rows the matching rows, rendered when the page is read,
 *   so a row repeated on a later page shows its state then
 * @property {number} pageSize
 * @property {ListQuirks} quirks
 * @property {() => number} countAnswer counts an answer given, returning how many this list has given
 *   (numbers the fragments of `nextChain: 'fragment'`)
 * @property {number} now when the page is read, on the simulator's clock
 * @property {(count: number) => unknown[]} synthetic `count` fresh rows for a page past the real ones
 *   of `nextChain: 'endless'`
 */

/**
 * The page the request asks for.
 * @param {ApiRequest} request
 * @param {ListSource} source
 * @returns {ApiResponse}
 */
export function listPage(request, { rows, pageSize, quirks, countAnswer, synthetic, now }) {
  const endless = quirks.nextChain === 'endless'
  const page = choosePage(rows.length, pageSize, lastQueryValue(request.url.searchParams, 'page'), {
    unbounded: endless
  })
  const repeated = quirks.duplicateAcrossPages && page.number > 1 ? 1 : 0
  const results =
    page.number <= page.pageCount
      ? rows.slice(page.start - repeated, page.end).map(render => render(now))
      : synthetic(quirks.endlessRowsPerPage ?? pageSize)
  const answerNumber = countAnswer()
  /** @type {string | null} */
  let next = page.number < page.pageCount || endless ? pageLink(request, page.number + 1) : null
  if (quirks.nextChain === 'fragment') next = `${pageLink(request, page.number)}#p=${answerNumber}`
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
