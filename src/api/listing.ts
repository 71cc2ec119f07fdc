/**
 * Reading a list of the API: every page, within bounds, on api-url's origin only, with the rows
 * it cannot use skipped and reported once.
 */
import type { Deadline } from '../base/deadline.js'
import { ApiError } from '../base/errors.js'
import { excerpt, safeText } from '../base/text.js'
import type { HttpAnswer } from './http.js'
import { failure, isRecord, parseJson } from './messages.js'

/** What reading a list needs of the session (ApiSession is one): its one request path. */
export interface PageSource {
  readonly origin: string
  readonly deadline: Deadline
  readonly log: { warning(message: string): void }
  url(pathAndQuery: string): string
  pathOf(url: string): string
  send(method: 'GET', url: string, body: undefined, rule: 'idempotent'): Promise<HttpAnswer>
}

/**
 * Bounds on reading one list, far above any real account (VPS.org allows 10 manual backups, or 5
 * snapshots, per server): an API whose `next` links never end, or that pages forever, is stopped with one clear
 * error long before it could exhaust memory.
 */
export const LIST_LIMITS = { pages: 10_000, items: 100_000, bytes: 64 * 1024 * 1024 }

export interface ListNoun {
  /** `backup` */
  item: string
  /** `backup list` */
  list: string
}

/** What reading a list gave: its rows, and what it cost. */
export interface Listing<T> {
  items: T[]
  /** Pages read. */
  pages: number
  /** The `count` the first page gave, when it gave one. */
  count: number | undefined
  /** With firstPageOnly: whether the list has more pages than the one read. */
  morePages: boolean
}

/** Reads lists through the session's request path; one per session, so each bad row warns once. */
export class ListReader {
  /** Malformed rows already reported, so a wait that lists every few seconds warns once. */
  private readonly reportedMalformed = new Set<string>()

  constructor(private readonly source: PageSource) {}

  /**
   * Every row of a list, from every page, de-duplicated by id (when a row comes twice, as when a
   * backup is created while paging, the copy read last wins), in the API's order. Rows `decode`
   * cannot read are skipped with one warning. Stops with an error at the step's deadline and at
   * LIST_LIMITS.
   */
  async read<T extends { id: number }>(
    pathAndQuery: string,
    decode: (row: unknown) => T | undefined,
    noun: ListNoun,
    { firstPageOnly = false }: { firstPageOnly?: boolean } = {}
  ): Promise<Listing<T>> {
    const first = this.source.url(pathAndQuery)
    let url: string | undefined = first
    const seen = new Set<string>()
    const rows = new Map<number, T>()
    const malformed: unknown[] = []
    let bytes = 0
    let count: number | undefined
    let morePages = false
    while (url !== undefined) {
      const path = this.source.pathOf(url)
      // A 404 names the list, or the page of it that a `next` link led to (DRF's "Invalid page.").
      const notFound = seen.size === 0 ? `the ${noun.list}` : `page ${seen.size + 1} of the ${noun.list}`
      const request = { method: 'GET', path, notFound }
      const stop = (why: string): ApiError =>
        new ApiError(`reading the ${noun.list} (GET ${this.source.pathOf(first)}): ${why}`, request)
      if (seen.has(url)) throw stop(`its next links loop (back to ${path})`)
      if (seen.size >= LIST_LIMITS.pages) throw stop(`more than ${LIST_LIMITS.pages} pages; the API's paging is broken`)
      if (seen.size > 0 && this.source.deadline.expired()) {
        throw stop(`the ${this.source.deadline.describe()} timeout ran out after ${seen.size} pages`)
      }
      seen.add(url)
      const answer = await this.source.send('GET', url, undefined, 'idempotent')
      if (answer.status !== 200) throw failure(answer, request)
      bytes += answer.body.length
      const page = parseJson(answer, request)
      if (!isRecord(page) || !Array.isArray(page.results)) {
        throw new ApiError(`GET ${path} answered 200 without a results list: ${excerpt(answer.body)}`, request, 200)
      }
      for (const row of page.results) {
        const item = decode(row)
        if (item === undefined) malformed.push(row)
        else {
          rows.delete(item.id)
          rows.set(item.id, item)
        }
      }
      if (rows.size + malformed.length > LIST_LIMITS.items) {
        throw stop(`more than ${LIST_LIMITS.items} ${noun.item}s; the API's paging is broken`)
      }
      if (bytes > LIST_LIMITS.bytes) {
        throw stop(`more than ${LIST_LIMITS.bytes / (1024 * 1024)} MiB of answers; the API's paging is broken`)
      }
      if (seen.size === 1 && typeof page.count === 'number') count = page.count
      url = this.nextPage(page.next, url)
      if (firstPageOnly && url !== undefined) {
        morePages = true
        break
      }
    }
    this.reportMalformed(malformed, noun)
    return { items: [...rows.values()], pages: seen.size, count, morePages }
  }

  /** One warning for rows not seen before: they are skipped, never acted on. */
  private reportMalformed(rows: unknown[], noun: ListNoun): void {
    const fresh = rows.filter(row => {
      const key = JSON.stringify(row) ?? String(row)
      if (this.reportedMalformed.has(key)) return false
      this.reportedMalformed.add(key)
      return true
    })
    if (fresh.length === 0) return
    const ids = fresh.flatMap(row => (isRecord(row) && Number.isSafeInteger(row.id) ? [row.id as number] : []))
    const which = ids.length ? ` (ids ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''})` : ''
    this.source.log.warning(
      `Skipped ${fresh.length} row${fresh.length === 1 ? '' : 's'} of the ${noun.list}${which} that ` +
        `${fresh.length === 1 ? 'is' : 'are'} not a usable ${noun.item} (no id, status or server id), ` +
        `e.g. ${excerpt(JSON.stringify(fresh[0]) ?? String(fresh[0]), 160)}; never acted on`
    )
  }

  /**
   * The next page's URL, only on api-url's origin: the token goes nowhere else. Without its
   * fragment, which is never sent and must not hide a loop.
   */
  private nextPage(next: unknown, current: string): string | undefined {
    if (next === null || next === undefined || next === '') return undefined
    const request = { method: 'GET', path: this.source.pathOf(current) }
    let url: URL
    try {
      if (typeof next !== 'string') throw new TypeError('not a string')
      url = new URL(next, current)
    } catch {
      throw new ApiError(
        `GET ${request.path}: the next link ${safeText(JSON.stringify(next), 80)} is not a URL`,
        request,
        200
      )
    }
    if (url.origin !== this.source.origin) {
      throw new ApiError(
        `GET ${request.path}: refusing to follow a next link to another origin (${safeText(url.origin, 80)}); ` +
          `the token is only sent to ${this.source.origin}`,
        request,
        200
      )
    }
    url.hash = ''
    return url.href
  }
}
