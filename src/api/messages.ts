/**
 * How the API's answers are put into words: one line that names the request and carries the API's
 * own message, from bodies that may be DRF JSON, empty, not JSON, or an HTML page from a proxy.
 */
import { ApiError, type RequestDescription } from '../base/errors.js'
import { excerpt, safeText } from '../base/text.js'
import type { HttpAnswer } from './http.js'

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The API's own words from an error body: DRF's `detail`, `non_field_errors` and per-field lists,
 * or a short excerpt of a body that is not JSON (an HTML page from a proxy, say).
 */
export function apiMessage(body: string): string {
  if (body.trim() === '') return 'empty body'
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return `"${excerpt(body)}"`
  }
  if (typeof parsed === 'string') return safeText(parsed)
  if (Array.isArray(parsed)) return safeText(parsed.map(String).join(' '))
  if (!isRecord(parsed)) return `"${excerpt(body)}"`
  const parts: string[] = []
  for (const [field, value] of Object.entries(parsed)) {
    const text = Array.isArray(value)
      ? value.map(String).join(' ')
      : typeof value === 'string'
        ? value
        : JSON.stringify(value)
    parts.push(field === 'detail' || field === 'non_field_errors' ? text : `${field}: ${text}`)
  }
  return parts.length ? safeText(parts.join('; '), 300) : `"${excerpt(body)}"`
}

/**
 * An ApiError for an answer that is not the expected success, with the API's own words. A 404
 * says that what the request's own description names (`request.notFound`) does not exist.
 */
export function failure(answer: HttpAnswer, request: RequestDescription): ApiError {
  const where = `${answer.status} on ${request.method} ${request.path}`
  const said = apiMessage(answer.body)
  switch (answer.status) {
    case 404:
      return new ApiError(`${request.notFound ?? request.path} not found (${where}): ${said}`, request, 404)
    case 401:
      return new ApiError(
        `the VPS.org API refused the token (${where}: ${said}); check the api-token secret`,
        request,
        401
      )
    case 403:
      return new ApiError(
        `the token is not allowed to ${permissionFor(request)} (${where}: ${said}); ` +
          'give it that permission, or use a token that has it',
        request,
        403
      )
    case 400:
      return new ApiError(`the VPS.org API rejected ${request.method} ${request.path} (400): ${said}`, request, 400)
    case 429:
      return new ApiError(`the VPS.org API is rate limiting this token (${where}: ${said})`, request, 429)
    default:
      return new ApiError(`the VPS.org API answered ${where}: ${said}`, request, answer.status)
  }
}

/**
 * What a request needs the token to be allowed, in words: VPS.org documents no permission names,
 * so it is said by the API the request belongs to (backups, snapshots or servers) and what it
 * does there.
 */
export function permissionFor({ method, path }: RequestDescription): string {
  const api = /\/api\/v1\/(backups|snapshots|servers)\//.exec(path)?.[1]
  if (api === undefined) return `send ${method} ${path}`
  if (method === 'GET') return `read ${api}`
  if (/\/restore\/(\?|$)/.test(path)) return api === 'servers' ? 'restore servers' : `restore servers from ${api}`
  if (method === 'POST') return `create ${api}`
  if (method === 'DELETE') return `delete ${api}`
  return `change ${api}`
}

export function redirectError(answer: HttpAnswer, request: RequestDescription): ApiError {
  const location = answer.headers.location
  let target = 'no Location given'
  if (location) {
    try {
      const url = new URL(location, 'http://relative.invalid')
      target = url.origin === 'http://relative.invalid' ? url.pathname : `${url.origin}${url.pathname}`
    } catch {
      target = String(location)
    }
  }
  return new ApiError(
    `${request.method} ${request.path} answered ${answer.status}, redirecting to ${safeText(target, 120)}; ` +
      'redirects are not followed so the token is not sent elsewhere: check api-url',
    request,
    answer.status
  )
}

/** The body as JSON, or an ApiError that says what came instead. */
export function parseJson(answer: HttpAnswer, request: RequestDescription): unknown {
  try {
    return JSON.parse(answer.body) as unknown
  } catch {
    const what = answer.body.trim() === '' ? 'an empty body' : `a body that is not JSON: "${excerpt(answer.body)}"`
    throw new ApiError(
      `${request.method} ${request.path} answered ${answer.status} with ${what}`,
      request,
      answer.status
    )
  }
}

/** The body as JSON, or undefined: for answers whose shape is not documented or may be unreadable. */
export function parseJsonOr(body: string): unknown {
  try {
    return JSON.parse(body) as unknown
  } catch {
    return undefined
  }
}
