// @ts-check
/**
 * Responses as bytes on the wire. Every answer is built as a WireResponse first, so that faults
 * can cut, delay or replace the bytes the API would have sent.
 */
import http from 'node:http'

/**
 * @typedef {object} WireResponse
 * @property {number} status
 * @property {Record<string, string>} headers
 * @property {Buffer} payload
 */

/** @param {number} status */
const forbidsBody = status => status === 204 || status === 304 || (status >= 100 && status < 200)

/**
 * @param {number} status
 * @param {Buffer} payload
 * @param {Record<string, string>} [headers]
 * @returns {WireResponse}
 */
export function wireResponse(status, payload, headers = {}) {
  if (forbidsBody(status)) return { status, headers, payload: Buffer.alloc(0) }
  return { status, headers: { ...headers, 'Content-Length': String(payload.length) }, payload }
}

/**
 * A body as sent: nothing for undefined, a string as is (text/plain), anything else as JSON.
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 * @returns {WireResponse}
 */
export function bodyResponse(status, body, headers = {}) {
  if (body === undefined) return wireResponse(status, Buffer.alloc(0), headers)
  if (typeof body === 'string') {
    return wireResponse(status, Buffer.from(body), { 'Content-Type': 'text/plain; charset=utf-8', ...headers })
  }
  return wireResponse(status, Buffer.from(JSON.stringify(body)), { 'Content-Type': 'application/json', ...headers })
}

/**
 * The same response with another payload, Content-Length matching it.
 * @param {WireResponse} response
 * @param {Buffer} payload
 */
export const withPayload = (response, payload) => wireResponse(response.status, payload, response.headers)

/** @param {Buffer} payload */
export const firstHalf = payload => payload.subarray(0, Math.floor(payload.length / 2))

/**
 * Sends status and headers; `extraHeaders` override the response's own.
 * @param {http.ServerResponse} res
 * @param {WireResponse} response
 * @param {Record<string, string>} [extraHeaders]
 */
export function writeHead(res, response, extraHeaders = {}) {
  // setHeader, unlike an object passed to writeHead, replaces names case-insensitively.
  for (const headers of [response.headers, extraHeaders]) {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  }
  res.writeHead(response.status)
}

/**
 * @param {http.ServerResponse} res
 * @param {WireResponse} response
 * @param {Record<string, string>} [extraHeaders]
 */
export function send(res, response, extraHeaders) {
  writeHead(res, response, extraHeaders)
  res.end(response.payload)
}

/**
 * A TCP reset (RST), as a crashing proxy or a dropped connection gives, rather than a clean close.
 * @param {http.ServerResponse} res
 */
export const resetConnection = res => res.socket?.resetAndDestroy()

/**
 * An nginx-generated error page, as a proxy in front of the API answers.
 * @param {number} status
 * @param {Record<string, string>} [headers]
 */
export function nginxPage(status, headers = {}) {
  const title = `${status} ${http.STATUS_CODES[status] ?? ''}`.trim()
  const html =
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  return wireResponse(status, Buffer.from(html), { 'Content-Type': 'text/html', Server: 'nginx', ...headers })
}
