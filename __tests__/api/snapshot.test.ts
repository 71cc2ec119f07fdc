// Snapshot rows (src/api/snapshot.ts) read into the restore-point row the action uses for backups,
// and the snapshots' kind (src/api/kinds.ts).
import { describe, it, expect } from '@jest/globals'
import { RAW_CREATED_AT } from '../../src/api/backup.js'
import { SNAPSHOTS } from '../../src/api/kinds.js'
import { decodeSnapshot, mayBeCreatedSnapshot, snapshotCreateBody } from '../../src/api/snapshot.js'

// The docs' list example, field for field.
const LISTED = {
  id: 801,
  server: { id: 12345, name: 'web-server-01' },
  name: 'pre-migration-snapshot',
  status: 'completed',
  size_mb: 5120,
  created_at: '2025-01-15T18:30:00Z',
  description: 'Before major migration'
}
// The docs' create answer.
const CREATED = {
  id: 802,
  server: { id: 12345, name: 'web-server-01' },
  name: 'before-update-snapshot',
  status: 'in_progress',
  size_mb: null,
  created_at: '2025-01-16T16:15:00Z',
  description: 'Snapshot before system update',
  message: 'Snapshot is being created. This may take 3-10 minutes depending on server size.'
}

describe('decoding a snapshot row', () => {
  it("reads the docs' list row into the restore-point shape, with no type or expiry made up", () => {
    expect(decodeSnapshot(LISTED)).toEqual({ ...LISTED, backup_type: '', expires_at: null })
  })

  it("reads the docs' create answer, in progress without a size, keeping the message", () => {
    expect(decodeSnapshot(CREATED)).toEqual({ ...CREATED, backup_type: '', expires_at: null })
  })

  it('keeps what the API sends beyond the documented fields, a backup_type included', () => {
    const row = decodeSnapshot({ ...LISTED, backup_type: 'automatic', region: 'us-west' })
    expect(row).toMatchObject({ backup_type: 'automatic', region: 'us-west' })
  })

  it.each([
    ['no id', { ...LISTED, id: undefined }],
    ['an id that is a string', { ...LISTED, id: '801' }],
    ['an id beyond safe integers', { ...LISTED, id: 2 ** 60 }],
    ['no status', { ...LISTED, status: undefined }],
    ['a status that is not a string', { ...LISTED, status: 1 }],
    ['no server', { ...LISTED, server: undefined }],
    ['a server without id', { ...LISTED, server: { name: 'web' } }],
    ['a server id as a string', { ...LISTED, server: { id: '12345' } }],
    ['not an object', 'snapshot'],
    ['an array', [LISTED]],
    ['null', null]
  ])('refuses a row with %s: it can be neither followed, restored nor deleted safely', (_what, row) => {
    expect(decodeSnapshot(row)).toBeUndefined()
  })

  it('reads missing or malformed optional fields as empty, never as made-up values', () => {
    const row = decodeSnapshot({ id: 9, status: 'completed', server: { id: 1 } })
    expect(row).toEqual({
      id: 9,
      server: { id: 1, name: '' },
      name: '',
      status: 'completed',
      size_mb: null,
      created_at: '',
      description: '',
      backup_type: '',
      expires_at: null,
      [RAW_CREATED_AT]: undefined
    })
    expect(decodeSnapshot({ ...LISTED, name: 42, size_mb: '5120', description: null })).toMatchObject({
      name: '',
      size_mb: null,
      description: ''
    })
  })

  it('keeps a created_at that is not a string aside, as for backups, and out of JSON', () => {
    for (const raw of [null, 1737000000, { at: 'x' }]) {
      const row = decodeSnapshot({ ...LISTED, created_at: raw })
      expect(row?.created_at).toBe('')
      expect(row?.[RAW_CREATED_AT]).toEqual(raw)
      expect(JSON.parse(JSON.stringify(row))).not.toHaveProperty('RAW_CREATED_AT')
    }
    // A string that is not a date stays as given: reading dates is the policy's concern.
    const unreadable = decodeSnapshot({ ...LISTED, created_at: 'yesterday' })
    expect(unreadable?.created_at).toBe('yesterday')
    expect(unreadable && RAW_CREATED_AT in unreadable).toBe(false)
  })
})

describe("the snapshots' endpoints and rules", () => {
  it('limit 5, every snapshot counted whatever its fields say', () => {
    expect(SNAPSHOTS.limit).toBe(5)
    const row = decodeSnapshot({ ...LISTED, backup_type: 'automatic' })
    expect(row && SNAPSHOTS.counts(row)).toBe(true)
  })

  it('create body: server_id, name and description as given', () => {
    expect(JSON.parse(snapshotCreateBody(12345, 'pre-deploy-shop-run1-1', ' Pre-deploy snapshot\n'))).toEqual({
      server_id: 12345,
      name: 'pre-deploy-shop-run1-1',
      description: ' Pre-deploy snapshot\n'
    })
  })

  it('paths end with a slash, as every VPS.org path does', () => {
    expect(SNAPSHOTS.itemPath(801)).toBe('/api/v1/snapshots/801/')
    expect(SNAPSHOTS.restore(12345, 801).path).toBe('/api/v1/snapshots/801/restore/')
  })

  it('an uncertain create is matched by the same name, of the same server, not known before', () => {
    const row = decodeSnapshot(CREATED)
    if (!row) throw new Error('decoded')
    const name = 'before-update-snapshot'
    expect(mayBeCreatedSnapshot(row, 12345, name, new Set())).toBe(true)
    expect(mayBeCreatedSnapshot(row, 12345, name, new Set([802]))).toBe(false)
    expect(mayBeCreatedSnapshot(row, 23456, name, new Set())).toBe(false)
    expect(mayBeCreatedSnapshot(row, 12345, 'before-update', new Set())).toBe(false)
    expect(mayBeCreatedSnapshot(row, 12345, 'Before-Update-Snapshot', new Set())).toBe(false)
  })
})
