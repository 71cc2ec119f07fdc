import { describe, expect, it } from '@jest/globals'
import { apiMessage, failure, permissionFor } from '../../src/api/messages.js'

describe('a 403 names what the request needed', () => {
  it.each([
    ['GET', '/api/v1/backups/?server_id=1', 'read backups'],
    ['POST', '/api/v1/backups/', 'create backups'],
    ['DELETE', '/api/v1/backups/501/', 'delete backups'],
    ['GET', '/api/v1/servers/12345/', 'read servers'],
    ['GET', '/base/api/v1/servers/', 'read servers'],
    ['POST', '/api/v1/servers/12345/restore/', 'restore servers'],
    ['PATCH', '/api/v1/servers/12345/', 'change servers'],
    ['GET', '/api/v1/snapshots/?server_id=1', 'read snapshots'],
    ['POST', '/api/v1/snapshots/', 'create snapshots'],
    ['DELETE', '/api/v1/snapshots/801/', 'delete snapshots'],
    ['POST', '/api/v1/snapshots/801/restore/', 'restore servers from snapshots'],
    ['GET', '/api/v2/other/', 'send GET /api/v2/other/']
  ])('%s %s: %s', (method, path, needed) => {
    expect(permissionFor({ method, path })).toBe(needed)
    const error = failure({ status: 403, headers: {}, body: '{"detail": "No."}' }, { method, path })
    expect(error.message).toBe(
      `the token is not allowed to ${needed} (403 on ${method} ${path}: No.); give it that permission, or use a token that has it`
    )
  })
})

describe('apiMessage', () => {
  it('reads DRF error bodies', () => {
    expect(apiMessage('{"detail":"Not found."}')).toBe('Not found.')
    expect(apiMessage('{"non_field_errors":["Maximum reached."]}')).toBe('Maximum reached.')
    expect(apiMessage('{"server_id":["This field is required."],"description":["Too long."]}')).toBe(
      'server_id: This field is required.; description: Too long.'
    )
  })
  it('copes with empty, non-JSON and HTML bodies', () => {
    expect(apiMessage('')).toBe('empty body')
    expect(apiMessage('Service Unavailable')).toBe('"Service Unavailable"')
    expect(apiMessage('<html><body><h1>502 Bad Gateway</h1></body></html>')).toBe('"502 Bad Gateway"')
    expect(apiMessage('{"detail": "cut')).toBe('"{"detail": "cut"')
  })
})
