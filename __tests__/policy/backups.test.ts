// The backup policy in process (GitHub issues 14 §2–4, §9 and 16): how dates are read, how backups
// rank, what latest chooses, what keep, keep-within and the limit of 10 keep, all with `now` given.
import { describe, expect, it } from '@jest/globals'
import { decodeBackup, type Backup } from '../../src/api/backup.js'
import { ApiClock, parseHttpDate } from '../../src/api/http-date.js'
import {
  FUTURE_TOLERANCE_MS,
  chooseLatest,
  createdAt,
  newestFirst,
  parseDateTime,
  shownCreatedAt
} from '../../src/policy/backups.js'
import { planKeep, planRoom } from '../../src/policy/retention.js'
import { BACKUPS } from '../../src/api/kinds.js'
import { DAY, NOW, PREFIX, SERVER, backup, byApi } from '../support/policy-fixture.js'

const HOUR = 3_600_000
const rule = { serverId: SERVER, keepPrefix: PREFIX, keep: 2, points: BACKUPS }
const scope = { serverId: SERVER, keepPrefix: PREFIX, points: BACKUPS }

/** A backup as decodeBackup reads the API's row, created_at as given (or left out). */
function fromApi(id: number, createdAtField: { created_at?: unknown }): Backup {
  const row = { ...backup(id, 1), ...createdAtField }
  if (!('created_at' in createdAtField)) delete (row as Record<string, unknown>).created_at
  return decodeBackup(row) as Backup
}
const ids = (backups: readonly Backup[]): number[] => backups.map(b => b.id)

describe('parseDateTime (RFC 3339 date-time)', () => {
  it.each([
    ['2025-01-15T10:00:00Z', '2025-01-15T10:00:00.000Z'],
    ['2025-01-15t10:00:00z', '2025-01-15T10:00:00.000Z'],
    ['2025-01-15 10:00:00Z', '2025-01-15T10:00:00.000Z'],
    ['2025-01-15T10:00:00.5Z', '2025-01-15T10:00:00.500Z'],
    ['2025-01-15T10:00:00.123456+00:00', '2025-01-15T10:00:00.123Z'],
    ['2025-01-15T12:30:00+02:30', '2025-01-15T10:00:00.000Z'],
    ['2025-01-15T05:00:00-05:00', '2025-01-15T10:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2016-12-31T23:59:60Z', '2016-12-31T23:59:59.999Z'],
    // Zoneless: UTC, whatever the runner's time zone.
    ['2025-01-15T10:00:00', '2025-01-15T10:00:00.000Z'],
    ['2025-01-15T10:00:00.250', '2025-01-15T10:00:00.250Z']
  ])('reads %s', (text, iso) => {
    expect(new Date(parseDateTime(text) as number).toISOString()).toBe(iso)
  })

  it.each([
    '',
    'yesterday',
    '2025-01-15',
    '2025-01-15T10:00Z',
    '2025-1-15T10:00:00Z',
    '2025-01-15T10:00:00 Z',
    '2025-01-15T10:00:00+0200',
    '2025-01-15T10:00:00+02',
    '2025-02-30T10:00:00Z',
    '2025-02-29T10:00:00Z',
    '2025-13-01T10:00:00Z',
    '2025-01-15T24:00:00Z',
    '2025-01-15T10:60:00Z',
    '2025-01-15T10:00:00+24:00',
    '2025-01-15T10:00:00.Z',
    ' 2025-01-15T10:00:00Z',
    'Wed, 15 Jan 2025 10:00:00 GMT',
    '1736935200',
    '2025-01-15T10:00:00Z trailing'
  ])('refuses %p, which Date.parse may read', text => {
    expect(parseDateTime(text)).toBeUndefined()
  })
})

describe('created_at as decoded', () => {
  it('reads a string date, and names a missing, null, number or malformed one as the API gave it', () => {
    expect(createdAt(fromApi(1, { created_at: '2025-01-15T10:00:00Z' }))).toBe(Date.parse('2025-01-15T10:00:00Z'))
    const cases: Array<[{ created_at?: unknown }, string]> = [
      [{}, 'no created_at'],
      [{ created_at: null }, 'created_at null'],
      [{ created_at: 1736935200 }, 'created_at 1736935200'],
      [{ created_at: '15 January 2025' }, 'created_at "15 January 2025"']
    ]
    for (const [field, shown] of cases) {
      const b = fromApi(1, field)
      expect(createdAt(b)).toBeUndefined()
      expect(shownCreatedAt(b)).toBe(shown)
      // The raw value stays out of the outputs.
      expect((JSON.parse(JSON.stringify(b)) as { created_at: unknown }).created_at).toBe(
        typeof field.created_at === 'string' ? field.created_at : ''
      )
    }
  })

  it('lists newest first by (created_at, id), undated last', () => {
    const all = [backup(1, 5), fromApi(2, { created_at: null }), backup(3, 5), backup(4, 9)]
    expect(ids(newestFirst(all))).toEqual([4, 3, 1, 2])
  })
})

describe('the API clock (Date header)', () => {
  it.each([
    ['Sun, 06 Nov 1994 08:49:37 GMT', '1994-11-06T08:49:37.000Z'],
    ['Sunday, 06-Nov-94 08:49:37 GMT', '1994-11-06T08:49:37.000Z'],
    ['Sun Nov  6 08:49:37 1994', '1994-11-06T08:49:37.000Z']
  ])('reads %s', (text, iso) => {
    expect(new Date(parseHttpDate(text, NOW) as number).toISOString()).toBe(iso)
  })

  it.each(['', 'yesterday', '1994-11-06T08:49:37Z', 'Sun, 31 Feb 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 08:49:37 CET'])(
    'refuses %p',
    text => expect(parseHttpDate(text, NOW)).toBeUndefined()
  )

  it('is the last readable Date plus the monotonic time since, unmoved by a garbled one', () => {
    let mono = 1000
    const clock = new ApiClock(
      () => mono,
      () => NOW
    )
    expect(clock.now()).toBeUndefined()
    clock.note('garbage')
    expect(clock.now()).toBeUndefined()
    clock.note('Sun, 06 Nov 1994 08:49:37 GMT')
    mono += 2500
    clock.note(undefined)
    clock.note('not a date')
    expect(clock.now()).toBe(Date.parse('1994-11-06T08:49:37Z') + 2500)
  })
})

describe('latest', () => {
  it('chooses the newest completed backup in scope, naming newer ones not completed', () => {
    const all = [
      backup(1, 3),
      backup(2, 4),
      backup(3, 5, { status: 'in_progress' }),
      backup(4, 9, { description: 'other' }),
      backup(5, 9, { server: { id: 99, name: 'x' } }),
      backup(6, 9, { backup_type: 'automatic' })
    ]
    const choice = chooseLatest(all, scope, NOW)
    expect(choice.backup.id).toBe(2)
    expect(ids(choice.passedOver)).toEqual([3])
    expect(choice.aheadMs).toBeUndefined()
  })

  it.each([{}, { created_at: null }, { created_at: 1736935200 }, { created_at: '2026-01-20' }])(
    'refuses when a candidate has created_at %p, naming it and what to do',
    field => {
      const all = [backup(1, 3), fromApi(7, field), backup(2, 4)]
      expect(() => chooseLatest(all, scope, NOW)).toThrow(
        new RegExp(
          `backup-id latest refused for server ${SERVER}: backup 7 \\(${shownCreatedAt(fromApi(7, field)).replace(/[()"]/g, '.')}\\) ` +
            'has a created_at that is not an RFC 3339 date-time.*name the backup to restore in backup-id \\(e.g. backup-id: 7\\)'
        )
      )
    }
  )

  it('says so when there is no completed backup, and flags one dated far past now', () => {
    expect(() => chooseLatest([backup(1, 3, { status: 'failed' })], scope, NOW)).toThrow(/no completed manual backup/)
    const future = backup(9, 1, { created_at: '2099-01-01T00:00:00Z' })
    const choice = chooseLatest([backup(1, 3), future], scope, NOW)
    expect(choice.backup.id).toBe(9)
    expect(choice.aheadMs).toBe(Date.parse('2099-01-01T00:00:00Z') - NOW)
    const soon = backup(9, 1, { created_at: new Date(NOW + FUTURE_TOLERANCE_MS).toISOString() })
    expect(chooseLatest([soon], scope, NOW).aheadMs).toBeUndefined()
  })
})

describe('keep and keep-within', () => {
  it('keeps this run and every newer backup, and as many older ones as keep leaves room for', () => {
    const all = [backup(1, 1), backup(2, 2), backup(3, 3), backup(4, 4), backup(5, 5)]
    const remove = (r: typeof rule, own: Backup): number[] => ids(planKeep(all, r, own, NOW).remove)
    expect(remove(rule, all[4])).toEqual([1, 2, 3])
    // Concurrent runs' newer backups (4, 5) count toward keep: this run (3) keeps no older one,
    // and touches no newer one, even with keep 1.
    expect(remove(rule, all[2])).toEqual([1, 2])
    expect(remove({ ...rule, keep: 1 }, all[2])).toEqual([1, 2])
    expect(remove({ ...rule, keep: 4 }, all[2])).toEqual([1])
    expect(remove({ ...rule, keep: 10 }, all[4])).toEqual([])
    expect(remove({ ...rule, keep: 6 }, all[2])).toEqual([])
  })

  it('ranks by created_at, then id, never touches what is not eligible, and keeps what it cannot date', () => {
    const own = backup(10, 9)
    const undated = [fromApi(24, { created_at: 'yesterday' }), fromApi(25, { created_at: null })]
    const all = [
      own,
      backup(7, 8),
      backup(6, 8),
      backup(20, 1, { status: 'in_progress' }),
      backup(21, 1, { backup_type: 'automatic' }),
      backup(22, 1, { server: { id: 99, name: 'other' } }),
      backup(23, 1, { description: 'Before migration' }),
      // Date.parse reads this one (as a local midnight): RFC 3339 does not.
      backup(26, 1, { created_at: '2026-01-01' }),
      ...undated
    ]
    const plan = planKeep(all, rule, own, NOW)
    expect(ids(plan.remove)).toEqual([6])
    expect(ids(plan.undated).sort()).toEqual([24, 25, 26])
  })

  it('deletes nothing when its own backup cannot be dated', () => {
    const all = [backup(1, 1), backup(2, 2), fromApi(3, { created_at: null })]
    const plan = planKeep(all, { ...rule, keep: 1 }, all[2], NOW)
    expect(plan).toMatchObject({ remove: [], ownUndated: true })
  })

  it('with keep-within, keeps what is younger than the window before this run, and what either rule keeps', () => {
    const all = [backup(1, 1), backup(2, 5), backup(3, 8), backup(4, 9), backup(5, 10)]
    const within = (days: number): number => days * DAY
    const remove = (r: Partial<typeof rule> & { keepWithinMs?: number }, own: Backup): number[] =>
      ids(planKeep(all, { serverId: SERVER, keepPrefix: 'Pre', points: BACKUPS, ...r }, own, NOW).remove)
    expect(remove({ keepWithinMs: within(3) }, all[4])).toEqual([1, 2])
    expect(remove({ keep: 4, keepWithinMs: within(3) }, all[4])).toEqual([1])
    expect(remove({ keepWithinMs: within(1) }, all[2])).toEqual([1, 2])
  })

  it('forecasts from the backup a run would create now by the API clock, ranked after any of the same instant', () => {
    const apiNow = Date.parse('2026-01-10T00:00:00Z')
    const all = [backup(1, 1), backup(2, 8), backup(3, 9), backup(4, 10)]
    const plan = planKeep(all, { ...scope, keepWithinMs: 1.5 * DAY }, undefined, apiNow)
    expect(ids(plan.remove)).toEqual([1, 2])
    expect(ids(planKeep(all, { ...scope, keep: 1 }, undefined, apiNow).remove)).toEqual([1, 2, 3, 4])
  })

  it('names a backup dated more than 10 minutes past now, which ranks newest', () => {
    const all = [backup(1, 1), backup(2, 2), backup(3, 3, { created_at: '2099-01-01T00:00:00Z' })]
    const plan = planKeep(all, { ...rule, keep: 2 }, all[1], NOW)
    expect(ids(plan.remove)).toEqual([1])
    expect(ids(plan.ahead)).toEqual([3])
  })
})

describe('the limit of 10', () => {
  const ten = Array.from({ length: 10 }, (_, i) => backup(i + 1, i + 1))

  it('makes room from the oldest eligible backups, or says why it cannot', () => {
    const nine = ten.slice(0, 9)
    expect(planRoom(nine, SERVER, rule, BACKUPS, byApi(NOW))).toEqual({ remove: [], undated: [] })
    expect(ids(planRoom(ten, SERVER, rule, BACKUPS, byApi(NOW)).remove)).toEqual([1])
    expect(() => planRoom(ten, SERVER, undefined, BACKUPS, byApi(NOW))).toThrow(/limit of 10.*set the keep input/)
    const unprunable = ten.map(b => ({ ...b, description: 'mine' }))
    expect(() => planRoom(unprunable, SERVER, rule, BACKUPS, byApi(NOW))).toThrow(/only 0 of them may be deleted/)
  })

  it('with keep-within, measures back from now (the API clock), and names keep-within as what keeps them', () => {
    const now = Date.parse('2026-01-12T00:00:00Z')
    const within = { keepPrefix: PREFIX, keepWithinMs: 5 * DAY }
    expect(ids(planRoom(ten, SERVER, within, BACKUPS, byApi(now)).remove)).toEqual([1])
    // The same backups, with the API's now on 6 January: none is older than 5 days; those dated
    // after 6 January (7 to 10) are ahead of the clock, not kept by keep-within (issue 20 §3).
    expect(() => planRoom(ten, SERVER, within, BACKUPS, byApi(now - 6 * DAY))).toThrow(
      'only 0 of them may be deleted (completed, description starting with "Pre-deploy backup", older than ' +
        "keep-within 5d), 1 needed; keep-within 5d keeps 6 of them (created in the 5d before the API's now); " +
        "4 of them are dated ahead of the clock, more than 10m00s past the API's now (2026-01-06T00:00:00.000Z): " +
        'a wrong date or a wrong clock, from which no age is measured; ' +
        'shorten keep-within or delete some by hand; nothing was deleted'
    )
    // Measured on the runner's clock, the refusal says so.
    expect(() => planRoom(ten, SERVER, within, BACKUPS, { at: now - 6 * DAY, clock: "the runner's" })).toThrow(
      "keep-within 5d keeps 6 of them (created in the 5d before the runner's now); 4 of them are dated ahead of the " +
        "clock, more than 10m00s past the runner's now"
    )
    expect(
      ids(planRoom(ten, SERVER, { ...within, keepWithinMs: 10 * HOUR }, BACKUPS, byApi(now - 6 * DAY)).remove)
    ).toEqual([1])
  })

  it('never deletes a backup it cannot date, and names it', () => {
    const undated = ten.map((b, i) => (i < 2 ? fromApi(b.id, { created_at: null }) : b))
    const plan = planRoom(undated, SERVER, rule, BACKUPS, byApi(NOW))
    expect(ids(plan.remove)).toEqual([3])
    expect(ids(plan.undated)).toEqual([1, 2])
    const allUndated = ten.map(b => fromApi(b.id, { created_at: '2026-01-01' }))
    expect(() => planRoom(allUndated, SERVER, rule, BACKUPS, byApi(NOW))).toThrow(
      /only 0 of them may be deleted .*; backup 1 \(created_at "2026-01-01"\), .* and 5 more kept: created_at not an RFC 3339 date-time; delete some by hand/
    )
  })
})
