// The backup policy at its edges (GitHub issue 22 §8): the rules policy/backups.test.ts states, pinned where
// a changed comparison, tie-break or message would otherwise pass unseen (what `npm run test:mutation` finds):
// whose rows the limit counts, equal dates, a keep-within window's exact end, and the refusals word for word.
import { describe, expect, it } from '@jest/globals'
import { decodeBackup, type Backup } from '../../src/api/backup.js'
import { chooseLatest, newestFirst, parseDateTime } from '../../src/policy/backups.js'
import { describeRule, eligibleAhead, isAtLimit, makingRoom, planKeep, planRoom } from '../../src/policy/retention.js'
import { BACKUPS, SNAPSHOTS } from '../../src/api/kinds.js'
import { DAY, NOW, PREFIX, SERVER, backup, byApi } from '../support/policy-fixture.js'

const OTHER = 99
const scope = { serverId: SERVER, keepPrefix: PREFIX, points: BACKUPS }

const undatedBackup = (id: number): Backup => decodeBackup({ ...backup(id, 1), created_at: null }) as Backup
const at = (day: number): number => Date.parse(`2026-01-${String(day).padStart(2, '0')}T00:00:00Z`)
const ids = (backups: readonly Backup[]): number[] => backups.map(b => b.id)
const days = (n: number, from = 1): Backup[] => Array.from({ length: n }, (_, i) => backup(from + i, from + i))

describe('RFC 3339 fractions and offsets', () => {
  it('reads up to nine digits of a second (to the millisecond), and refuses ten', () => {
    expect(parseDateTime('2025-01-15T10:00:00.123456789Z')).toBe(Date.parse('2025-01-15T10:00:00.123Z'))
    expect(parseDateTime('2025-01-15T10:00:00.1234567890Z')).toBeUndefined()
  })

  it('reads the largest offset, +23:59, and refuses a minute of 60', () => {
    expect(parseDateTime('2025-01-15T23:59:00+23:59')).toBe(Date.parse('2025-01-15T00:00:00Z'))
    expect(parseDateTime('2025-01-15T10:00:00+00:60')).toBeUndefined()
    expect(parseDateTime('2025-02-30T10:00:00+01:00')).toBeUndefined()
  })
})

describe('the limit counts only the server’s own rows of the kind', () => {
  const nine = days(9)

  it('is at the limit with ten counted rows of the server, and not with nine', () => {
    expect(isAtLimit(nine, SERVER, BACKUPS)).toBe(false)
    expect(isAtLimit([...nine, backup(10, 10)], SERVER, BACKUPS)).toBe(true)
    expect(isAtLimit([...nine, backup(10, 10), backup(11, 11)], SERVER, BACKUPS)).toBe(true)
  })

  it('never counts another server’s row nor one the kind does not count', () => {
    const automatic = backup(10, 10, { backup_type: 'automatic' })
    const elsewhere = backup(11, 10, { server: { id: OTHER, name: 'db' } })
    expect(isAtLimit([...nine, automatic, elsewhere], SERVER, BACKUPS)).toBe(false)
    expect(planRoom([...nine, automatic, elsewhere], SERVER, undefined, BACKUPS, byApi(NOW))).toEqual({
      remove: [],
      undated: []
    })
    // A snapshot counts whatever its type: five of them fill the server.
    expect(isAtLimit([automatic, ...days(4)], SERVER, SNAPSHOTS)).toBe(true)
    expect(isAtLimit([elsewhere, ...days(4)], SERVER, SNAPSHOTS)).toBe(false)
  })

  it('below the limit, deletes nothing and asks for nothing, even with undated rows and no keep', () => {
    const withUndated = [...days(8), undatedBackup(20)]
    expect(planRoom(withUndated, SERVER, undefined, BACKUPS, byApi(NOW))).toEqual({ remove: [], undated: [] })
    expect(planRoom(withUndated, SERVER, { keepPrefix: PREFIX }, BACKUPS, byApi(NOW))).toEqual({
      remove: [],
      undated: []
    })
  })
})

describe('latest on equal dates', () => {
  it('chooses the higher id of two backups of the same instant, and names only newer ones passed over', () => {
    const all = [
      backup(5, 3),
      backup(4, 3),
      backup(3, 3, { status: 'in_progress' }),
      backup(6, 3, { status: 'pending' }),
      backup(8, 4, { status: 'in_progress' }),
      backup(7, 2, { status: 'in_progress' }),
      backup(9, 5, { status: 'in_progress', server: { id: OTHER, name: 'db' } }),
      backup(10, 5, { status: 'in_progress', description: 'by hand' })
    ]
    const choice = chooseLatest(all, scope, NOW)
    expect(choice.backup.id).toBe(5)
    // Newest first: 8 (a later day), then 6 (the same instant, a higher id); never 3 nor 7, nor one out of scope.
    expect(ids(choice.passedOver)).toEqual([8, 6])
    // One not completed (failed, too) of the chosen one's instant with a higher id is passed over.
    expect(ids(chooseLatest([backup(1, 3), backup(2, 3, { status: 'failed' })], scope, NOW).passedOver)).toEqual([2])
  })

  it('lists the same instant by id, newest first', () => {
    expect(ids(newestFirst([backup(1, 3), backup(3, 3), backup(2, 3)]))).toEqual([3, 2, 1])
  })
})

describe('latest refuses in one line that says what is wrong and what to do', () => {
  it('names every undated candidate, up to five', () => {
    const two = [backup(1, 3), undatedBackup(7), undatedBackup(8)]
    expect(() => chooseLatest(two, scope, NOW)).toThrow(
      `backup-id latest refused for server ${SERVER}: backup 7 (created_at null), backup 8 (created_at null) have a ` +
        'created_at that is not an RFC 3339 date-time, so which backup is the newest is unknown; name the backup to ' +
        'restore in backup-id (e.g. backup-id: 7); nothing was restored'
    )
    const five = [7, 8, 9, 10, 11].map(undatedBackup)
    expect(() => chooseLatest(five, scope, NOW)).toThrow(
      /: backup 7 .*, backup 11 \(created_at null\) have a created_at/
    )
    expect(() => chooseLatest([...five, undatedBackup(12)], scope, NOW)).toThrow(
      /backup 11 \(created_at null\) and 1 more have a created_at/
    )
  })

  it('says whose backups it looked for when none is completed', () => {
    expect(() => chooseLatest([backup(1, 3, { status: 'failed' })], scope, NOW)).toThrow(
      `no completed manual backup of server ${SERVER} whose description starts with "${PREFIX}" for backup-id latest; ` +
        'nothing was restored'
    )
  })
})

describe('keep on equal dates and at the window’s end', () => {
  it('counts a backup of its own instant with a higher id as newer: kept, and counted toward keep', () => {
    const own = backup(5, 3)
    const all = [backup(1, 1), backup(2, 2), backup(4, 3), own, backup(6, 3)]
    expect(ids(planKeep(all, { ...scope, keep: 1 }, own, NOW).remove)).toEqual([1, 2, 4])
    expect(ids(planKeep(all, { ...scope, keep: 2 }, own, NOW).remove)).toEqual([1, 2, 4])
    expect(ids(planKeep(all, { ...scope, keep: 3 }, own, NOW).remove)).toEqual([1, 2])
  })

  it('ranks by date before id: an older backup with a higher id is older, a newer one with a lower id newer', () => {
    const own = backup(5, 3)
    const all = [backup(9, 1), backup(2, 4), own]
    expect(ids(planKeep(all, { ...scope, keep: 1 }, own, NOW).remove)).toEqual([9])
  })

  it('keeps a backup created exactly keep-within before its own, and deletes one a millisecond older', () => {
    const own = backup(9, 9)
    const edge = backup(5, 5)
    const older = backup(4, 1, { created_at: new Date(at(5) - 1).toISOString() })
    const plan = planKeep([older, edge, own], { ...scope, keepWithinMs: 4 * DAY }, own, NOW)
    expect(ids(plan.remove)).toEqual([4])
  })

  it('at the limit, deletes only what is older than keep-within before now, exactly at its end kept', () => {
    const ten = days(10)
    const now = at(6)
    const within = { keepPrefix: PREFIX, keepWithinMs: 5 * DAY }
    // Backup 1 is exactly 5 days old: kept. Keep-within 5 days less 1 ms leaves it deletable.
    expect(() => planRoom(ten, SERVER, within, BACKUPS, byApi(now))).toThrow(/only 0 of them may be deleted/)
    expect(ids(planRoom(ten, SERVER, { ...within, keepWithinMs: 5 * DAY - 1 }, BACKUPS, byApi(now)).remove)).toEqual([
      1
    ])
  })

  it('deletes as many as the limit needs when exactly that many may go', () => {
    const ten = days(10).map(b => (b.id > 1 ? { ...b, description: 'by hand' } : b))
    expect(ids(planRoom(ten, SERVER, { keepPrefix: PREFIX }, BACKUPS, byApi(NOW)).remove)).toEqual([1])
    const eleven = [...days(10), backup(11, 11, { description: 'by hand' })]
    const twoNeeded = eleven.map(b => (b.id > 2 && b.id < 11 ? { ...b, description: 'by hand' } : b))
    expect(ids(planRoom(twoNeeded, SERVER, { keepPrefix: PREFIX }, BACKUPS, byApi(NOW)).remove)).toEqual([1, 2])
  })
})

describe('eligible backups dated ahead of the clock', () => {
  it('are the completed ones in scope dated more than 10 minutes past now, oldest first', () => {
    const now = at(5)
    const all = [
      backup(3, 9),
      backup(1, 8),
      backup(2, 5, { created_at: new Date(now + 10 * 60_000).toISOString() }),
      backup(4, 9, { status: 'in_progress' }),
      backup(5, 9, { server: { id: OTHER, name: 'db' } }),
      backup(6, 9, { description: 'other' }),
      backup(7, 1)
    ]
    expect(ids(eligibleAhead(all, scope, now))).toEqual([1, 3])
  })
})

describe('the limit’s refusal, word for word', () => {
  const undated = (n: number): Backup[] => Array.from({ length: n }, (_, i) => undatedBackup(i + 1))
  const ahead = backup(50, 1, { created_at: '2099-01-01T00:00:00Z' })

  it('without keep, says what to set', () => {
    expect(() => planRoom(days(10), SERVER, undefined, BACKUPS, byApi(NOW))).toThrow(
      `server ${SERVER} already has 10 manual backups, the VPS.org limit of 10: set the keep input (e.g. keep: 5) to let ` +
        'this action delete the oldest backups whose description starts with keep-prefix, or delete some by hand; ' +
        'nothing was deleted'
    )
  })

  it('for snapshots, counts and suggests by their own limit of 5', () => {
    expect(() => planRoom(days(5), SERVER, undefined, SNAPSHOTS, byApi(NOW))).toThrow(
      `server ${SERVER} already has 5 snapshots, the VPS.org limit of 5: set the keep input (e.g. keep: 3) to let ` +
        'this action delete the oldest snapshots whose description starts with keep-prefix'
    )
  })

  it('without keep-within, names the undated ones and nothing dated ahead, which may go', () => {
    expect(() => planRoom([...undated(10), ahead], SERVER, { keepPrefix: PREFIX }, BACKUPS, byApi(NOW))).toThrow(
      `server ${SERVER} already has 11 manual backups, the VPS.org limit of 10, and only 1 of them may be deleted ` +
        `(completed, description starting with "${PREFIX}"), 2 needed; backup 1 (created_at null), backup 2 ` +
        '(created_at null), backup 3 (created_at null), backup 4 (created_at null), backup 5 (created_at null) and 5 ' +
        'more kept: created_at not an RFC 3339 date-time; delete some by hand; nothing was deleted'
    )
  })

  it('with keep-within, counts what it keeps apart from what may go', () => {
    const within = { keepPrefix: PREFIX, keepWithinMs: 10 * DAY }
    expect(() => planRoom(days(11), SERVER, within, BACKUPS, byApi(at(12)))).toThrow(
      `server ${SERVER} already has 11 manual backups, the VPS.org limit of 10, and only 1 of them may be deleted ` +
        `(completed, description starting with "${PREFIX}", older than keep-within 10d), 2 needed; keep-within 10d ` +
        "keeps 10 of them (created in the 10d before the API's now); shorten keep-within or delete some by hand; " +
        'nothing was deleted'
    )
  })

  it('with keep-within keeping none, names the one dated ahead and does not blame keep-within', () => {
    const within = { keepPrefix: PREFIX, keepWithinMs: DAY }
    expect(() => planRoom([...undated(9), ahead], SERVER, within, BACKUPS, byApi(at(20)))).toThrow(
      `server ${SERVER} already has 10 manual backups, the VPS.org limit of 10, and only 0 of them may be deleted ` +
        `(completed, description starting with "${PREFIX}", older than keep-within 1d), 1 needed; 1 of them is dated ` +
        "ahead of the clock, more than 10m00s past the API's now (2026-01-20T00:00:00.000Z): a wrong date or a wrong " +
        'clock, from which no age is measured; backup 1 (created_at null), backup 2 (created_at null), backup 3 ' +
        '(created_at null), backup 4 (created_at null), backup 5 (created_at null) and 4 more kept: created_at not ' +
        'an RFC 3339 date-time; delete some by hand; nothing was deleted'
    )
  })
})

describe('what retention says of itself', () => {
  it('names its rule: keep, keep-within or both', () => {
    expect(describeRule({ keepPrefix: PREFIX, keep: 3 })).toBe('keep 3')
    expect(describeRule({ keepPrefix: PREFIX, keepWithinMs: 2 * DAY })).toBe('keep-within 2d')
    expect(describeRule({ keepPrefix: PREFIX, keep: 3, keepWithinMs: 2 * DAY })).toBe('keep 3 and keep-within 2d')
  })

  it('says why it deletes before creating, by the kind', () => {
    expect(makingRoom(BACKUPS)).toBe('to make room under the limit of 10 manual backups')
    expect(makingRoom(SNAPSHOTS)).toBe('to make room under the limit of 5 snapshots')
  })
})
