// @ts-check
/**
 * Django REST Framework conventions, for where the VPS.org reference is silent: error bodies,
 * body parsing and validation messages, token authentication, PageNumberPagination.
 */

/**
 * A request as the API sees it.
 * @typedef {object} ApiRequest
 * @property {string} method
 * @property {URL} url
 * @property {import('node:http').IncomingHttpHeaders} headers
 * @property {string} body
 * @property {string} origin scheme and host that absolute links are built from
 */

/** @typedef {{ status: number, body?: unknown, headers?: Record<string, string> }} ApiResponse */

/** An answer that ends request processing early (DRF raises exceptions for these too). */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {unknown} body
   * @param {Record<string, string>} [headers]
   */
  constructor(status, body, headers) {
    super(`HTTP ${status}`)
    /** @type {ApiResponse} */
    this.response = { status, body, headers }
  }
}

export const notFound = () => new ApiError(404, { detail: 'Not found.' })

export const permissionDenied = () =>
  new ApiError(403, { detail: 'You do not have permission to perform this action.' })

/**
 * @param {string} method
 * @param {string[]} allowed
 */
export const methodNotAllowed = (method, allowed) =>
  new ApiError(405, { detail: `Method "${method}" not allowed.` }, { Allow: allowed.join(', ') })

/**
 * @param {string} field
 * @param {string} message
 */
export const fieldError = (field, message) => new ApiError(400, { [field]: [message] })

/** @param {string} message */
export const nonFieldError = message => new ApiError(400, { non_field_errors: [message] })

/**
 * Body field types, strict on purpose: DRF would coerce "12" to 12, but a client sending strings
 * for integer fields is a bug worth catching.
 * @type {Record<'integer'|'string', { accepts: (value: unknown) => boolean, message: string }>}
 */
const FIELD_TYPES = {
  integer: { accepts: v => typeof v === 'number' && Number.isInteger(v), message: 'A valid integer is required.' },
  string: { accepts: v => typeof v === 'string', message: 'Not a valid string.' }
}

/**
 * Throws a DRF-style 400 listing every invalid field at once.
 * @param {Record<string, unknown>} data
 * @param {Record<string, { type: keyof FIELD_TYPES, required?: boolean }>} schema
 */
export function validateFields(data, schema) {
  /** @type {Record<string, string[]>} */
  const errors = {}
  for (const [field, rule] of Object.entries(schema)) {
    const value = data[field]
    if (value === undefined) {
      if (rule.required) errors[field] = ['This field is required.']
    } else if (value === null) {
      errors[field] = ['This field may not be null.']
    } else if (!FIELD_TYPES[rule.type].accepts(value)) {
      errors[field] = [FIELD_TYPES[rule.type].message]
    }
  }
  if (Object.keys(errors).length > 0) throw new ApiError(400, errors)
}

/** @param {unknown} value the name Python gives the type, as DRF's messages show it */
function pythonTypeName(value) {
  if (value === null) return 'NoneType'
  if (Array.isArray(value)) return 'list'
  if (typeof value === 'string') return 'str'
  if (typeof value === 'boolean') return 'bool'
  return Number.isInteger(value) ? 'int' : 'float'
}

/**
 * The JSON object in the body, parsed the way DRF's JSONParser does.
 * @param {ApiRequest} request
 * @returns {Record<string, unknown>}
 */
export function parseJsonObject(request) {
  // DRF does not parse an empty body: the serializer then reports the missing fields.
  if (request.body === '') return {}
  const contentType = request.headers['content-type'] ?? ''
  if (contentType.split(';')[0].trim().toLowerCase() !== 'application/json') {
    throw new ApiError(415, { detail: `Unsupported media type "${contentType}" in request.` })
  }
  /** @type {unknown} */
  let data
  try {
    data = JSON.parse(request.body)
  } catch (error) {
    throw new ApiError(400, { detail: `JSON parse error - ${/** @type {Error} */ (error).message}` })
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw nonFieldError(`Invalid data. Expected a dictionary, but got ${pythonTypeName(data)}.`)
  }
  return /** @type {Record<string, unknown>} */ (data)
}

/**
 * DRF TokenAuthentication with the keyword "Bearer", messages included.
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @param {string} token
 */
export function authenticate(headers, token) {
  const challenge = { 'WWW-Authenticate': 'Bearer' }
  /** @param {string} detail */
  const unauthorized = detail => new ApiError(401, { detail }, challenge)
  const words = (headers.authorization ?? '').split(/\s+/).filter(Boolean)
  if (words.length === 0 || words[0].toLowerCase() !== 'bearer') {
    throw unauthorized('Authentication credentials were not provided.')
  }
  if (words.length === 1) throw unauthorized('Invalid token header. No credentials provided.')
  if (words.length > 2) throw unauthorized('Invalid token header. Token string should not contain spaces.')
  if (words[1] !== token) throw unauthorized('Invalid token.')
}

/**
 * DRF reads a query parameter with `query_params.get`, which takes the last value.
 * @param {URLSearchParams} params
 * @param {string} name
 */
export const lastQueryValue = (params, name) => params.getAll(name).at(-1)

/**
 * A list order that is stable but visibly not creation order (nor its reverse), like the
 * reference's example, so a client that trusts the order of `results` fails. Fibonacci hashing
 * spreads consecutive ids around the 32-bit range.
 * @param {{ id: number }} a
 * @param {{ id: number }} b
 */
export function byScrambledOrder(a, b) {
  const scramble = (/** @type {number} */ id) => Math.imul(id, 0x9e3779b1) >>> 0
  return scramble(a.id) - scramble(b.id) || a.id - b.id
}

/**
 * DRF PageNumberPagination: `page` is 1-based or 'last'; anything else, or out of range, is 404.
 * An empty list still has page 1. `unbounded` accepts any page after the last, for lists that
 * never end.
 * @param {number} count
 * @param {number} pageSize
 * @param {string|undefined} requested
 * @param {{ unbounded?: boolean }} [options]
 */
export function choosePage(count, pageSize, requested, { unbounded = false } = {}) {
  const pageCount = Math.max(1, Math.ceil(count / pageSize))
  const number = !requested ? 1 : requested === 'last' ? pageCount : /^\d+$/.test(requested) ? Number(requested) : NaN
  if (!(number >= 1 && (unbounded || number <= pageCount))) throw new ApiError(404, { detail: 'Invalid page.' })
  return { number, pageCount, start: (number - 1) * pageSize, end: number * pageSize }
}

/**
 * An absolute link to another page of the same query, built like DRF's replace_query_param /
 * remove_query_param: other parameters kept, keys sorted, and no `page` for page 1.
 * @param {ApiRequest} request
 * @param {number} pageNumber
 */
export function pageLink(request, pageNumber) {
  const params = new URLSearchParams(request.url.searchParams)
  params.delete('page')
  if (pageNumber > 1) params.set('page', String(pageNumber))
  params.sort()
  const query = params.toString()
  return `${request.origin}${request.url.pathname}${query ? `?${query}` : ''}`
}

/**
 * @typedef {object} Route
 * @property {RegExp} pattern matched against the pathname; groups become handler params
 * @property {Record<string, (request: ApiRequest, params: string[]) => ApiResponse>} methods
 */

/**
 * The API as a function from request to response: authentication, then the first route whose
 * pattern matches, 404 when none does and 405 when it has no handler for the method.
 * @param {string} token
 * @param {Route[]} routes
 * @returns {(request: ApiRequest) => ApiResponse}
 */
export function router(token, routes) {
  return function handle(request) {
    try {
      authenticate(request.headers, token)
      for (const route of routes) {
        const match = route.pattern.exec(request.url.pathname)
        if (!match) continue
        const handler = route.methods[request.method]
        if (!handler) throw methodNotAllowed(request.method, Object.keys(route.methods))
        return handler(request, match.slice(1))
      }
      throw notFound()
    } catch (error) {
      if (error instanceof ApiError) return error.response
      throw error
    }
  }
}
