// Backup dates and the clock they are measured on (GitHub issue 14 §2, §3, §9): `latest` never
// passes over a backup it cannot date, retention never deletes one and says so, backup ages are
// measured on the API's clock (its Date header), the runner's only with a warning, and a backup
// dated in the future is named. Each test runs the action in process (support/in-process.ts)
// against the simulator over real HTTP, both on one fake clock. That a zoneless date is UTC
// whatever the runner's TZ is in e2e/backup-dates.e2e.test.ts: TZ belongs to the process.
import { describe, expect, it } from '@jest/globals'
import { useInProcessSimulator } from '../support/in-process.js'
import { errorLines, expectOneLineError, expectOnlyGets, warningLines } from '../support/run-action.js'
import { LIST, PREFIX, WEB, deletePath, nonGet, restorePath } from '../support/simulator-fixture.js'
import type { SimBackup } from '../../tools/simulator/index.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

const fx = useInProcessSimulator({ backupDurationMs: 300, restoreDurationMs: 300 })
const { sim, run, add, clock } = fx

const restoreLatest = (extra: Record<string, string> = {}) =>
  run({ command: 'restore', 'backup-id': 'latest', 'server-id': String(WEB), wait: 'false', ...extra })
const restores = () => sim.requests.filter(r => r.method === 'POST' && r.path === restorePath(WEB))
const deletes = () => fx.seen('DELETE').map(r => r.path)
const iso = (ms: number): string => new Date(ms).toISOString()

/** A row of the backup list with created_at exactly as given (or left out): not a stored backup. */
function rawRow(id: number, createdAt: { created_at?: unknown }): void {
  sim.addRawListRow(
    {
      id,
      server: { id: WEB, name: 'web-server-01' },
      backup_type: 'manual',
      status: 'completed',
      size_mb: 1,
      expires_at: null,
      description: `${PREFIX}: newest`,
      ...createdAt
    },
    { serverId: WEB }
  )
}

/** Ten completed matching backups of WEB, dated by `at(k)` for k = 1…10 (10: the oldest). */
function tenDated(at: (k: number) => number): SimBackup[] {
  return Array.from({ length: 10 }, (_, i) => add(WEB, `${PREFIX}: ${i + 1}`, iso(at(i + 1)))).reverse()
}

describe('backup-id latest and dates it cannot read', () => {
  it.each<[string, { created_at?: unknown }, string]>([
    ['null', { created_at: null }, 'created_at null'],
    ['missing', {}, 'no created_at'],
    ['a number', { created_at: 1767225600 }, 'created_at 1767225600'],
    ['a date without a time', { created_at: '2099-01-01' }, 'created_at "2099-01-01"'],
    ['an HTTP date', { created_at: 'Thu, 01 Jan 2099 00:00:00 GMT' }, 'created_at "Thu, 01 Jan 2099 00:00:00 GMT"']
  ])(
    'refuses, naming the backup and its created_at (%s), rather than restore an older one',
    async (_c, field, shown) => {
      add(WEB, `${PREFIX}: older`, '2025-03-01T10:00:00Z')
      rawRow(900, field)

      const result = await restoreLatest()

      expectOneLineError(
        result,
        `backup-id latest refused for server ${WEB}: backup 900 (${shown}) has a created_at that is not an RFC 3339 ` +
          'date-time, so which backup is the newest is unknown; name the backup to restore in backup-id ' +
          '(e.g. backup-id: 900); nothing was restored'
      )
      expect(nonGet(sim.requests)).toEqual([])
    }
  )

  it('refuses naming them when no candidate can be dated, rather than saying there is none', async () => {
    rawRow(900, { created_at: null })
    rawRow(901, { created_at: 'yesterday' })

    const result = await restoreLatest()

    expectOneLineError(result, 'backup 900 (created_at null), backup 901 (created_at "yesterday") have a created_at')
    expect(nonGet(sim.requests)).toEqual([])
  })

  it('warns, naming it, when the latest is dated more than 10 minutes past the API clock', async () => {
    add(WEB, `${PREFIX}: today`, iso(clock.now() - HOUR))
    const future = add(WEB, `${PREFIX}: from 2099`, '2099-01-01T00:00:00Z')

    const result = await restoreLatest()

    expect(result.exitCode).toBe(0)
    expect(restores().map(r => r.json)).toEqual([{ backup_id: future.id }])
    expect(warningLines(result.log)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^backup-id latest: Backup ${future.id} is dated 2099-01-01T00:00:00Z, \\d+d\\d*h? past the API's clock`
        )
      )
    ])
  })
})

describe('retention and dates it cannot read or that lie ahead', () => {
  it('never deletes a backup whose created_at is not RFC 3339, and says it kept it', async () => {
    // Date.parse reads it (as a midnight); RFC 3339 does not.
    const undated = add(WEB, `${PREFIX}: date only`, '2020-01-15')
    const old = add(WEB, `${PREFIX}: old`, '2024-01-15T00:00:00Z')

    const result = await run({ 'server-id': String(WEB), keep: '1' })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(deletes()).toEqual([deletePath(old.id)])
    expect(warningLines(result.log)).toEqual([
      `Kept backup ${undated.id} ("${PREFIX}: date only"): its created_at "2020-01-15" is not an RFC 3339 date-time, ` +
        'so its age is unknown and retention never deletes it'
    ])
  })

  it('names a backup dated far ahead, which keeps its place under keep', async () => {
    const future = add(WEB, `${PREFIX}: from 2099`, '2099-01-01T00:00:00Z')
    const old = add(WEB, `${PREFIX}: old`, '2024-01-15T00:00:00Z')

    const result = await run({ 'server-id': String(WEB), keep: '2' })

    expect(result.exitCode).toBe(0)
    expect(deletes()).toEqual([deletePath(old.id)])
    expect(warningLines(result.log)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Backup ${future.id} is dated 2099-01-01T00:00:00Z, .* past the API's clock .*: it ranks as the newest and keeps its place$`
        )
      )
    ])
  })
})

describe("backup ages on the API's clock", () => {
  it('at the limit, an API 3 days behind: keep-within 1d keeps a backup 10 hours old by its dates', async () => {
    sim.setClockOffset(-3 * DAY)
    const apiNow = clock.now() - 3 * DAY
    tenDated(k => apiNow - k * HOUR)
    const before = sim.backups()

    const result = await run({ 'server-id': String(WEB), 'keep-within': '1d' })

    expectOneLineError(
      result,
      `server ${WEB} already has 10 manual backups, the VPS.org limit of 10, and only 0 of them may be deleted`,
      "keep-within 1d keeps 10 of them (created in the 1d before the API's now); shorten keep-within"
    )
    expect(nonGet(sim.requests)).toEqual([])
    expect(sim.backups()).toEqual(before)
  })

  it('at the limit, an API 3 days ahead: makes room from backups old enough on both clocks, and says they differ', async () => {
    // On a whole second: a Date header has whole seconds, so the two clocks are exactly 3 days apart.
    clock.advance(1000 - (clock.now() % 1000))
    sim.setClockOffset(3 * DAY)
    const apiNow = clock.now() + 3 * DAY
    // Old enough by the API's clock and by the runner's (1 to 10 hours more than keep-within).
    const ten = tenDated(k => apiNow - 4 * DAY - k * HOUR)

    const result = await run({ 'server-id': String(WEB), 'keep-within': '1d' })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    const changes = nonGet(sim.requests).map(r => `${r.method} ${r.path}`)
    expect(changes[0]).toBe(`DELETE ${deletePath(ten[0].id)}`)
    expect(changes[1]).toBe(`POST ${LIST}`)
    expect(warningLines(result.log)).toEqual([expect.stringMatching(/^The API's clock .* are 3d apart: /)])
  })

  it('at the limit, an API 3 days ahead: deletes nothing old enough by its clock only', async () => {
    sim.setClockOffset(3 * DAY)
    const apiNow = clock.now() + 3 * DAY
    // 2 days old and more by the API's clock, dated 14 to 23 hours ahead of the runner's.
    tenDated(k => apiNow - 2 * DAY - k * HOUR)
    const before = sim.backups()

    const result = await run({ 'server-id': String(WEB), 'keep-within': '1d' })

    expectOneLineError(
      result,
      '10 of them are dated ahead of the clock',
      "past the runner's now",
      'delete some by hand'
    )
    expect(nonGet(sim.requests)).toEqual([])
    expect(sim.backups()).toEqual(before)
  })

  it('a dry run forecasts keep-within from now on the API clock, 3 days behind', async () => {
    sim.setClockOffset(-3 * DAY)
    const apiNow = clock.now() - 3 * DAY
    const recent = add(WEB, `${PREFIX}: 10h`, iso(apiNow - 10 * HOUR))
    const old = add(WEB, `${PREFIX}: 2d`, iso(apiNow - 2 * DAY))

    const result = await run({ 'server-id': String(WEB), 'keep-within': '1d', 'dry-run': 'true' })

    expect(result.exitCode).toBe(0)
    expectOnlyGets(sim.requests)
    const named = [...result.log.matchAll(/^Dry run: would then delete backup (\d+) /gm)].map(m => Number(m[1]))
    expect(named).toEqual([old.id])
    expect(named).not.toContain(recent.id)
  })

  it("without a Date header, measures on the runner's clock and says so once", async () => {
    sim.setDateHeader(false)
    const now = clock.now()
    const ten = tenDated(k => now - k * 5 * HOUR)

    const result = await run({ 'server-id': `${WEB}`, 'keep-within': '1d', keep: '3' })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(warningLines(result.log)).toEqual([
      'No answer of the API carried a readable Date header, so backup ages (keep-within, the limit of 10, dates in ' +
        "the future) are measured on the runner's clock, which may differ from the API's"
    ])
    // Made room from outside the window (older than 1d: 25h and more), then kept what is within it
    // (5h to 20h) and the new backup.
    const changes = nonGet(sim.requests).map(r => `${r.method} ${r.path}`)
    expect(changes.slice(0, 2)).toEqual([`DELETE ${deletePath(ten[0].id)}`, `POST ${LIST}`])
    expect(sim.backups()).toHaveLength(5)
  })
})

describe('backup-id as JSON', () => {
  it.each([
    [
      '{"12345": [501]}',
      'backup-id as JSON must give each server one backup id, like {"12345": 9001}; server 12345 has [501]'
    ],
    [
      '{"12345": 501, "12345": 502}',
      'backup-id names server 12345 twice (a repeated key, of which JSON keeps only the last)'
    ]
  ])('refuses %s in one line, before any request', async (value, said) => {
    const result = await run({ command: 'restore', 'backup-id': value })
    expectOneLineError(result, said)
    expect(sim.requests).toEqual([])
  })
})
