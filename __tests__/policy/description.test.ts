import { describe, expect, it } from '@jest/globals'
import { DEFAULT_SNAPSHOT_PREFIX, defaultDescription } from '../../src/policy/description.js'

describe('defaultDescription', () => {
  it('names the repository, the short sha and the run', () => {
    expect(defaultDescription({ repository: 'acme/shop', sha: '3f1c2d9e8b7a', runId: 9876543210, runAttempt: 1 })).toBe(
      'Pre-deploy backup: acme/shop@3f1c2d9 (run 9876543210)'
    )
  })
  it('names a re-run attempt', () => {
    expect(defaultDescription({ repository: 'acme/shop', sha: 'abcdef0123', runId: 5, runAttempt: 2 })).toBe(
      'Pre-deploy backup: acme/shop@abcdef0 (run 5, attempt 2)'
    )
  })
  it('still starts with the prefix outside a runner', () => {
    expect(defaultDescription({})).toBe('Pre-deploy backup')
    expect(defaultDescription({ runId: NaN })).toBe('Pre-deploy backup')
    expect(defaultDescription({ runId: 7 })).toBe('Pre-deploy backup: run 7')
    expect(defaultDescription({ repository: 'a/b' })).toBe('Pre-deploy backup: a/b')
  })
  it('names the run only for a whole run id above 0', () => {
    const where = { repository: 'acme/shop', sha: '3f1c2d9e8b' }
    for (const runId of [undefined, 0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2]) {
      expect(defaultDescription({ ...where, runId })).toBe('Pre-deploy backup: acme/shop@3f1c2d9')
    }
    expect(defaultDescription({ ...where, runId: 1 })).toBe('Pre-deploy backup: acme/shop@3f1c2d9 (run 1)')
  })
  it('says snapshot for a snapshot', () => {
    expect(DEFAULT_SNAPSHOT_PREFIX).toBe('Pre-deploy snapshot')
    expect(defaultDescription({ runId: 7 }, DEFAULT_SNAPSHOT_PREFIX)).toBe('Pre-deploy snapshot: run 7')
  })
})
