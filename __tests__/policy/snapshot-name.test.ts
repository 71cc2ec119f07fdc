// The snapshot's name (src/policy/snapshot-name.ts): the snapshot-name input refused unless usable as
// is, and the default made from the run within the bound.
import { describe, it, expect } from '@jest/globals'
import { InputError } from '../../src/base/errors.js'
import { SNAPSHOT_NAME_MAX_LENGTH, checkSnapshotName, defaultSnapshotName } from '../../src/policy/snapshot-name.js'

const SLUG = /^[A-Za-z0-9_-]+$/
const RUN = {
  repository: 'acme/shop',
  sha: '3f1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e',
  runId: 9876543210,
  runAttempt: 1
}

describe('snapshot-name as given', () => {
  it.each(['pre-deploy', 'a', 'A_b-9', '-_-', 'x'.repeat(SNAPSHOT_NAME_MAX_LENGTH)])('takes %s as it is', name => {
    expect(checkSnapshotName(name)).toBe(name)
  })

  it.each([
    ['', /snapshot-name "" is empty/],
    ['x'.repeat(SNAPSHOT_NAME_MAX_LENGTH + 1), /is 51 characters long; .*at most 50 characters/],
    ['pre deploy', /contains white space/],
    ['v1.2', /contains "\."/],
    ['café', /contains "é"/],
    ['ok/no', /contains "\/"/],
    ['tab\there', /contains white space/],
    ['emoji-🙂', /contains "🙂"/]
  ])('refuses %j, naming why and the rule', (name, why) => {
    expect(() => checkSnapshotName(name)).toThrow(InputError)
    expect(() => checkSnapshotName(name)).toThrow(why)
    expect(() => checkSnapshotName(name)).toThrow(/letters \(a-z, A-Z\), digits, hyphens and underscores only/)
  })

  it('counts characters, not UTF-16 units, and never rewrites', () => {
    // 50 code points of which one is outside the rule: refused for the character, not the length.
    expect(() => checkSnapshotName(`${'a'.repeat(49)}🙂`)).toThrow(/contains "🙂"/)
  })
})

describe('the default snapshot name', () => {
  it('names the repository, the commit, the run and the attempt', () => {
    expect(defaultSnapshotName(RUN)).toBe('pre-deploy-shop-3f1c2d9-run9876543210-1')
    expect(defaultSnapshotName({ ...RUN, runAttempt: 3 })).toBe('pre-deploy-shop-3f1c2d9-run9876543210-3')
  })

  it('turns each run of other characters into one hyphen, none at the ends of a part', () => {
    expect(defaultSnapshotName({ ...RUN, repository: 'acme/my.web app' })).toBe(
      'pre-deploy-my-web-app-3f1c2d9-run9876543210-1'
    )
    expect(defaultSnapshotName({ ...RUN, repository: 'acme/.café_ünïcode.' })).toBe(
      'pre-deploy-caf-_-n-code-3f1c2d9-run9876543210-1'
    )
    expect(defaultSnapshotName({ ...RUN, repository: 'acme/日本語' })).toBe('pre-deploy-3f1c2d9-run9876543210-1')
  })

  it('cuts the repository first, so the run and attempt survive; exactly the bound', () => {
    const name = defaultSnapshotName({ ...RUN, repository: `acme/${'r'.repeat(200)}` })
    expect(name).toHaveLength(SNAPSHOT_NAME_MAX_LENGTH)
    expect(name).toMatch(/^pre-deploy-r+-3f1c2d9-run9876543210-1$/)
    // One character under the bound when the repository is that much shorter: not cut at all.
    const fits = 'r'.repeat(SNAPSHOT_NAME_MAX_LENGTH - 'pre-deploy--3f1c2d9-run9876543210-1'.length)
    expect(defaultSnapshotName({ ...RUN, repository: `acme/${fits}` })).toBe(
      `pre-deploy-${fits}-3f1c2d9-run9876543210-1`
    )
    expect(defaultSnapshotName({ ...RUN, repository: `acme/${fits}r` })).toHaveLength(SNAPSHOT_NAME_MAX_LENGTH)
  })

  it('leaves no hyphen dangling where the cut falls, and drops a repository with no room at all', () => {
    const name = defaultSnapshotName({ ...RUN, repository: `acme/${'a'.repeat(14)}-bbbbbbbb` })
    expect(name.length).toBeLessThanOrEqual(SNAPSHOT_NAME_MAX_LENGTH)
    expect(name).not.toMatch(/--/)
    const huge = { ...RUN, runId: Number.MAX_SAFE_INTEGER, runAttempt: Number.MAX_SAFE_INTEGER }
    const tight = defaultSnapshotName({ ...huge, repository: 'acme/shop' })
    // The largest ids take 47 characters: the repository goes, the sha keeps what fits.
    expect(tight).toBe(`pre-deploy-3f-run${Number.MAX_SAFE_INTEGER}-${Number.MAX_SAFE_INTEGER}`)
    expect(tight).toHaveLength(SNAPSHOT_NAME_MAX_LENGTH)
    expect(defaultSnapshotName({ ...huge, repository: undefined, sha: undefined })).toHaveLength(47)
  })

  it.each([
    [{}, 'pre-deploy'],
    [{ repository: '', sha: '', runId: undefined, runAttempt: undefined }, 'pre-deploy'],
    [{ repository: 'acme/shop' }, 'pre-deploy-shop'],
    [{ sha: '3f1c2d9e' }, 'pre-deploy-3f1c2d9'],
    [{ runId: 42 }, 'pre-deploy-run42'],
    [{ runAttempt: 2 }, 'pre-deploy'],
    [{ runId: NaN, runAttempt: 1 }, 'pre-deploy'],
    [{ runId: 0, runAttempt: 0 }, 'pre-deploy'],
    [{ runId: 42, runAttempt: NaN }, 'pre-deploy-run42'],
    [{ repository: 'noslash', runId: 7, runAttempt: 1 }, 'pre-deploy-noslash-run7-1'],
    [{ repository: '///', sha: '!!!', runId: 7, runAttempt: 1 }, 'pre-deploy-run7-1']
  ])('with missing or empty values %j: %s', (run, expected) => {
    expect(defaultSnapshotName(run)).toBe(expected)
  })

  it('keeps the hyphens of a name, one for each run of other characters, none at the ends', () => {
    expect(defaultSnapshotName({ ...RUN, repository: 'acme/--my..shop--' })).toBe(
      'pre-deploy-my-shop-3f1c2d9-run9876543210-1'
    )
    expect(defaultSnapshotName({ ...RUN, repository: 'acme/my--shop' })).toBe(
      'pre-deploy-my--shop-3f1c2d9-run9876543210-1'
    )
  })

  it('drops every hyphen the cut leaves at the end of a part, and only there', () => {
    // 50 - 'pre-deploy--3f1c2d9-run9876543210-1'.length = 15 characters left for the repository.
    expect(defaultSnapshotName({ ...RUN, repository: `acme/a-b${'c'.repeat(3)}${'-'.repeat(12)}x` })).toBe(
      'pre-deploy-a-bccc-3f1c2d9-run9876543210-1'
    )
  })

  it('names the run and attempt only for whole numbers above 0', () => {
    for (const runId of [0, -1, 1.5]) expect(defaultSnapshotName({ runId, runAttempt: 2 })).toBe('pre-deploy')
    for (const runAttempt of [0, -1, 1.5]) expect(defaultSnapshotName({ runId: 7, runAttempt })).toBe('pre-deploy-run7')
  })

  it('is always a name checkSnapshotName takes', () => {
    const runs = [
      RUN,
      {},
      { ...RUN, repository: `o/${'é'.repeat(300)}` },
      { ...RUN, repository: `o/${'x'.repeat(300)}`, sha: 'z'.repeat(40) },
      { ...RUN, runId: Number.MAX_SAFE_INTEGER, runAttempt: Number.MAX_SAFE_INTEGER }
    ]
    for (const run of runs) {
      const name = defaultSnapshotName(run)
      expect(name).toMatch(SLUG)
      expect(checkSnapshotName(name)).toBe(name)
    }
  })
})
