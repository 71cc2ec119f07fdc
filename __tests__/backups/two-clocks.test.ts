// An age that decides a deletion rests on two clocks (GitHub issue 20 §3): making room at the limit
// of 10, and its dry-run forecast, measure from the earlier of the API's Date header and the
// runner's clock, so a backup goes only when it is old enough on both; one warning names both
// times when they differ; backups dated ahead of that now are named, and a refusal says their dates
// are ahead rather than that keep-within keeps them. Here a proxy in front of the API stamps its own
// Date, ten years off, while created_at stays the API's (which agrees with the runner). In process
// (support/in-process.ts), against the simulator over real HTTP, both on one fake clock.
import { describe, expect, it } from '@jest/globals'
import { useInProcessSimulator } from '../support/in-process.js'
import { errorLines, expectOneLineError, expectOnlyGets, warningLines } from '../support/run-action.js'
import { LIST, PREFIX, WEB, deletePath, nonGet } from '../support/simulator-fixture.js'
import type { SimBackup } from '../../tools/simulator/index.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const TEN_YEARS = 3650 * DAY

const fx = useInProcessSimulator({ backupDurationMs: 300 })
const { sim, run, add, clock } = fx

const iso = (ms: number): string => new Date(ms).toISOString()
/** To the minute: a Date header has whole seconds, and the run takes no virtual time before it is read. */
const minute = (ms: number): string => iso(ms).slice(0, 16)

/** Completed matching backups of WEB made `hours` before now (by the API's created_at and the runner's clock), oldest first. */
function madeHoursAgo(...hours: number[]): SimBackup[] {
  return [...hours].sort((a, b) => b - a).map(h => add(WEB, `${PREFIX}: ${h}h`, iso(clock.now() - h * HOUR)))
}

const clockWarnings = (log: string): string[] => warningLines(log).filter(line => line.startsWith("The API's clock"))

describe('a proxy whose Date is 10 years ahead, at the limit of 10 with keep-within 1d', () => {
  it('deletes nothing made 10 hours earlier, refuses saying keep-within keeps them, and names both clocks once', async () => {
    sim.setProxyDateOffset(TEN_YEARS)
    const [tenHoursOld] = madeHoursAgo(10, 9, 8, 7, 6, 5, 4, 3, 2, 1) as [SimBackup]
    const before = sim.backups()

    const result = await run({ 'server-id': String(WEB), 'keep-within': '1d' })

    expectOneLineError(
      result,
      `server ${WEB} already has 10 manual backups, the VPS.org limit of 10, and only 0 of them may be deleted`,
      "keep-within 1d keeps 10 of them (created in the 1d before the runner's now); shorten keep-within"
    )
    expect(nonGet(sim.requests)).toEqual([])
    expect(sim.backups()).toEqual(before)
    expect(sim.backups().map(b => b.id)).toContain(tenHoursOld.id)
    expect(warningLines(result.log)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^The API's clock \\(by its Date header: ${minute(clock.now() + TEN_YEARS)}.*\\) and the runner's ` +
            `\\(${minute(clock.now())}.*\\) are 36\\d\\dd(\\d\\dh)? apart: ages that decide a deletion are measured from the ` +
            'earlier, so a backup is deleted only when it is old enough on both$'
        )
      )
    ])
  })

  it('makes room from a backup old enough on both; keep-within afterwards measures from the new created_at', async () => {
    sim.setProxyDateOffset(TEN_YEARS)
    const [twoDaysOld, ...recent] = madeHoursAgo(48, 9, 8, 7, 6, 5, 4, 3, 2, 1) as [SimBackup, ...SimBackup[]]

    const result = await run({ 'server-id': String(WEB), 'keep-within': '1d' })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(nonGet(sim.requests).map(r => `${r.method} ${r.path}`)).toEqual([
      `DELETE ${deletePath(twoDaysOld.id)}`,
      `POST ${LIST}`
    ])
    const survivors = sim.backups().map(b => b.id)
    expect(survivors).toEqual(expect.arrayContaining([...recent.map(b => b.id), Number(result.outputs['backup-id'])]))
    expect(clockWarnings(result.log)).toHaveLength(1)
  })

  it('a dry run forecasts from the same now: keep-within would then delete nothing made within the day', async () => {
    sim.setProxyDateOffset(TEN_YEARS)
    const [twoDaysOld] = madeHoursAgo(48, 9, 8, 7, 6, 5, 4, 3, 2, 1) as [SimBackup]

    const result = await run({ 'server-id': String(WEB), 'keep-within': '1d', 'dry-run': 'true' })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expectOnlyGets(sim.requests)
    const wouldDelete = [...result.log.matchAll(/^Dry run: would (?:then )?delete backup (\d+) /gm)].map(m =>
      Number(m[1])
    )
    expect(wouldDelete).toEqual([twoDaysOld.id])
    // Making room and the forecast both measured from now: the clocks are named once.
    expect(clockWarnings(result.log)).toHaveLength(1)
  })
})

describe('a proxy whose Date is 10 years behind, at the limit of 10 with keep-within 1d', () => {
  it('refuses saying their dates are ahead of the clock, not that keep-within keeps them, and names each', async () => {
    sim.setProxyDateOffset(-TEN_YEARS)
    const ten = madeHoursAgo(10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
    const before = sim.backups()

    const result = await run({ 'server-id': String(WEB), 'keep-within': '1d' })

    const error = expectOneLineError(
      result,
      `server ${WEB} already has 10 manual backups, the VPS.org limit of 10, and only 0 of them may be deleted`,
      "10 of them are dated ahead of the clock, more than 10m00s past the API's now " +
        `(${minute(clock.now() - TEN_YEARS)}`,
      'a wrong date or a wrong clock, from which no age is measured; delete some by hand; nothing was deleted'
    )
    expect(error).not.toContain('keep-within 1d keeps')
    expect(nonGet(sim.requests)).toEqual([])
    expect(sim.backups()).toEqual(before)
    const warnings = warningLines(result.log)
    expect(clockWarnings(result.log)).toHaveLength(1)
    for (const backup of ten) {
      expect(warnings).toContainEqual(
        expect.stringMatching(
          new RegExp(`^Backup ${backup.id} is dated ${backup.created_at}, 36\\d\\dd\\d\\dh past the API's clock \\(`)
        )
      )
    }
    expect(warnings).toHaveLength(11)
  })
})
