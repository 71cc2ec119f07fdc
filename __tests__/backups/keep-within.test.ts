// keep-within (GitHub issue 11): retention by age, alone and with keep, per server, measured back
// from the new backup's created_at by the API's clock, at the limit of 10, in a dry run, and never
// touching the new backup or anything newer. Each test runs the action in process (support/
// in-process.ts) against the simulator over real HTTP, both on one fake clock (ages are dated on
// it), and asserts exactly which backups survive.
import { describe, expect, it } from '@jest/globals'
import {
  errorLines,
  expectOneLineError,
  expectOnlyGets,
  expectTokenNowhere,
  parseJsonOutput
} from '../support/run-action.js'
import { useInProcessSimulator } from '../support/in-process.js'
import { type RecordedRequest, type SimBackup } from '../../tools/simulator/index.js'
import { DB, LIST, PREFIX, TOKEN, WEB, deletePath } from '../support/simulator-fixture.js'

const BACKUP_MS = 1500
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

// Four backups a page, so retention reads every list across pages.
const { sim, clock, run } = useInProcessSimulator({ pageSize: 4, backupDurationMs: BACKUP_MS })

/** A backup created `ageMs` before now (negative: after now), by the runner's (virtual) clock. */
function aged(
  serverId: number,
  ageMs: number,
  description = `${PREFIX}: ${ageMs / HOUR}h old`,
  extra: Partial<Omit<SimBackup, 'server'>> = {}
): SimBackup {
  return sim.addBackup({ serverId, description, created_at: new Date(clock.now() - ageMs).toISOString(), ...extra })
}

const sorted = (ids: Array<number | undefined>): Array<number | undefined> =>
  [...ids].sort((a, b) => (a ?? 0) - (b ?? 0))

const idsOf = (backups: SimBackup[]): number[] => backups.map(b => b.id)

function survivors(): Array<number | undefined> {
  return sorted(idsOf(sim.backups()))
}

const deletes = (requests: RecordedRequest[]): string[] => requests.filter(r => r.method === 'DELETE').map(r => r.path)

/** The create request of the run, which must be the only one. */
function onlyCreate(): RecordedRequest {
  const posts = sim.requests.filter(r => r.method === 'POST')
  expect(posts.map(r => r.path)).toEqual([LIST])
  return posts[0]
}

/**
 * Ten manual backups of WEB: six matching ones within 2 days, two outside the window (the younger
 * first), two others older still; and an automatic one, which does not count.
 */
function fillToLimit(): { within: SimBackup[]; outside: [SimBackup, SimBackup]; others: SimBackup[] } {
  const within = [1, 5, 9, 20, 30, 40].map(hours => aged(WEB, hours * HOUR))
  const outside: [SimBackup, SimBackup] = [aged(WEB, 3 * DAY), aged(WEB, 5 * DAY)]
  const others = [aged(WEB, 10 * DAY, 'Manual snapshot'), aged(WEB, 20 * DAY, 'Before migration')]
  aged(WEB, 30 * DAY, `${PREFIX}: nightly`, { backup_type: 'automatic' })
  return { within, outside, others }
}

// -------------------------------------------------------------------------------------------------

describe('keep-within alone', () => {
  it('deletes the completed matching manual backups older than the window, after the new one completed', async () => {
    const inside = [aged(WEB, 1 * DAY), aged(WEB, 47 * HOUR)]
    const outside = [aged(WEB, 49 * HOUR), aged(WEB, 10 * DAY)]
    // All older than the window, none of them retention's to delete.
    const untouchable = [
      aged(WEB, 30 * DAY, `${PREFIX}: nightly`, { backup_type: 'automatic' }),
      aged(WEB, 30 * DAY, 'Manual snapshot'),
      aged(WEB, 30 * DAY, `${PREFIX}: still running`, { status: 'in_progress' }),
      aged(WEB, 30 * DAY, `${PREFIX}: broken`, { status: 'failed' }),
      aged(DB, 30 * DAY, `${PREFIX}: another server`)
    ]

    const result = await run({ 'server-id': String(WEB), 'keep-within': '2d' })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    const newId = Number(result.outputs['backup-id'])
    const create = onlyCreate()
    expect(create.json).toEqual({ server_id: WEB, description: expect.stringMatching(/^Pre-deploy backup: /) })
    expect(deletes(sim.requests).sort()).toEqual(idsOf(outside).map(deletePath).sort())
    for (const del of sim.requests.filter(r => r.method === 'DELETE')) {
      expect(del.at).toBeGreaterThanOrEqual(create.at + BACKUP_MS)
    }
    expect(parseJsonOutput<number[]>(result, 'deleted-ids').sort()).toEqual(idsOf(outside).sort())
    expect(survivors()).toEqual(sorted([...idsOf(inside), ...idsOf(untouchable), newId]))
    for (const backup of outside) expect(result.log).toContain(`Deleted backup ${backup.id} (`)
    expect(result.log).toMatch(/, by keep-within 2d$/m)
    expectTokenNowhere(result, TOKEN)
  })

  it.each([
    ['1w3d', 9 * DAY, 11 * DAY],
    ['2w', 13 * DAY, 15 * DAY],
    ['36h', 35 * HOUR, 37 * HOUR],
    ['5h', 4 * HOUR + 30 * MINUTE, 5 * HOUR + 30 * MINUTE],
    ['1d12h', 35 * HOUR, 37 * HOUR]
  ])('reads keep-within %s in weeks, days and hours', async (within, inMs, outMs) => {
    const inside = aged(WEB, inMs)
    const outside = aged(WEB, outMs)

    const result = await run({ 'server-id': String(WEB), 'keep-within': within })

    expect(result.exitCode).toBe(0)
    expect(deletes(sim.requests)).toEqual([deletePath(outside.id)])
    expect(parseJsonOutput(result, 'deleted-ids')).toEqual([outside.id])
    expect(survivors()).toEqual(sorted([inside.id, Number(result.outputs['backup-id'])]))
  })

  it('never deletes the new backup nor a backup newer than it, whatever its age rule says', async () => {
    // Dated after this run's backup (another run's, say): newer, so out of this run's reach.
    const newer = [aged(WEB, -2 * HOUR), aged(WEB, -1 * DAY)]
    const older = aged(WEB, 3 * DAY)

    const result = await run({ 'server-id': String(WEB), 'keep-within': '1h', keep: '1' })

    expect(result.exitCode).toBe(0)
    const newId = Number(result.outputs['backup-id'])
    expect(deletes(sim.requests)).toEqual([deletePath(older.id)])
    expect(survivors()).toEqual(sorted([...idsOf(newer), newId]))
  })

  it("measures the window back from the new backup's created_at, by the API's clock, not the runner's", async () => {
    // The API's clock is three days behind the runner's: its new backup is dated three days ago.
    sim.setClockOffset(-3 * DAY)
    // One day before the new backup by the API's clock, though four days before the runner's now.
    const withinByApi = aged(WEB, 4 * DAY)
    const outsideByApi = aged(WEB, 6 * DAY)
    // After the new backup by the API's clock.
    const newerByApi = aged(WEB, 1 * HOUR)

    const result = await run({ 'server-id': String(WEB), 'keep-within': '2d' })

    expect(result.exitCode).toBe(0)
    const newId = Number(result.outputs['backup-id'])
    expect(Date.parse(result.outputs['created-at'] ?? '')).toBeLessThan(clock.now() - 2 * DAY)
    expect(deletes(sim.requests)).toEqual([deletePath(outsideByApi.id)])
    expect(survivors()).toEqual(sorted([withinByApi.id, newerByApi.id, newId]))
  })

  it('refuses a malformed or out-of-range keep-within before any request', async () => {
    const refusals: Array<[Record<string, string>, string]> = [
      [{ 'keep-within': '30s1m' }, 'keep-within "30s1m" is refused: m means months'],
      // restic's months, this action's minutes elsewhere: neither is guessed.
      [
        { 'keep-within': '6m' },
        'keep-within "6m" is refused: m means months in restic\'s --keep-within and minutes in this action\'s ' +
          'timeout and poll-interval; write days or hours instead, e.g. 180d'
      ],
      [{ 'keep-within': '90m' }, 'keep-within "90m" is refused: m means months'],
      [{ 'keep-within': '6mo' }, 'keep-within "6mo" is refused: mo (months) has no fixed length'],
      [{ 'keep-within': '1y' }, 'keep-within "1y" is refused: y (years) has no fixed length'],
      [{ 'keep-within': '2x' }, 'keep-within must be a duration like'],
      [{ 'keep-within': '0d' }, 'keep-within must be a positive duration'],
      [{ 'keep-within': '3651d' }, 'keep-within must be at most 3650d'],
      [{ 'keep-within': '30d', description: 'Nightly snapshot' }, 'does not start with keep-prefix']
    ]
    for (const [extra, said] of refusals) {
      const result = await run({ 'server-id': String(WEB), ...extra })
      expectOneLineError(result, said)
    }
    expect(sim.requests).toEqual([])
  })
})

// -------------------------------------------------------------------------------------------------

describe('keep-within with keep', () => {
  it('keeps what either rule keeps, for each server on its own', async () => {
    // WEB: nothing within 2d, so keep 3 decides: the new one and the two newest stay.
    const webKept = [aged(WEB, 3 * DAY), aged(WEB, 4 * DAY)]
    const webGone = [aged(WEB, 5 * DAY), aged(WEB, 9 * DAY)]
    // DB: four within 2d, more than keep 3 would leave: keep-within decides.
    const dbKept = [aged(DB, 1 * HOUR), aged(DB, 10 * HOUR), aged(DB, 1 * DAY), aged(DB, 36 * HOUR)]
    const dbGone = [aged(DB, 3 * DAY)]
    const other = aged(DB, 20 * DAY, 'Manual snapshot')

    const result = await run({ 'server-id': `${WEB} ${DB}`, keep: '3', 'keep-within': '2d' })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    const ids = parseJsonOutput<Record<string, number>>(result, 'backup-ids')
    const gone = idsOf([...webGone, ...dbGone])
    expect(deletes(sim.requests).sort()).toEqual(gone.map(deletePath).sort())
    expect(parseJsonOutput<number[]>(result, 'deleted-ids').sort()).toEqual([...gone].sort())
    expect(survivors()).toEqual(sorted([...idsOf(webKept), ...idsOf(dbKept), other.id, ids[WEB], ids[DB]]))
    expect(result.log).toMatch(/, by keep 3 and keep-within 2d$/m)
  })
})

// -------------------------------------------------------------------------------------------------

describe('the limit of 10 with only keep-within', () => {
  it('makes room only from backups outside the window, then applies keep-within to the rest', async () => {
    const { within, outside, others } = fillToLimit()
    const [younger, oldest] = outside
    const automatic = sim.backups().filter(b => b.backup_type === 'automatic')

    const result = await run({ 'server-id': String(WEB), 'keep-within': '2d' })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    const changes = sim.requests.filter(r => r.method !== 'GET').map(r => `${r.method} ${r.path}`)
    expect(changes).toEqual([`DELETE ${deletePath(oldest.id)}`, `POST ${LIST}`, `DELETE ${deletePath(younger.id)}`])
    expect(parseJsonOutput(result, 'deleted-ids')).toEqual([oldest.id, younger.id])
    expect(survivors()).toEqual(
      sorted([...idsOf(within), ...idsOf(others), ...idsOf(automatic), Number(result.outputs['backup-id'])])
    )
  })

  it('fails clearly, changing nothing, when every matching backup is within the window', async () => {
    const { outside } = fillToLimit()
    // The two outside the window are replaced by matching ones within it.
    for (const backup of outside) {
      await fetch(`${sim.url}${deletePath(backup.id)}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${TOKEN}` }
      })
    }
    aged(WEB, 2 * HOUR)
    aged(WEB, 3 * HOUR)
    const before = sim.backups()
    const from = sim.requests.length

    const result = await run({ 'server-id': String(WEB), 'keep-within': '2d' })

    expectOneLineError(
      result,
      `server ${WEB} already has 10 manual backups, the VPS.org limit of 10, and only 0 of them may be deleted ` +
        `(completed, description starting with "${PREFIX}", older than keep-within 2d), 1 needed; ` +
        "keep-within 2d keeps 8 of them (created in the 2d before the API's now); " +
        'shorten keep-within or delete some by hand; nothing was deleted'
    )
    expectOnlyGets(sim.requests.slice(from))
    expect(sim.backups()).toEqual(before)
  })
})

// -------------------------------------------------------------------------------------------------

describe('dry-run with keep-within', () => {
  it('reads only, and names what it would delete to make room and then by keep-within', async () => {
    const [younger, oldest] = fillToLimit().outside
    const before = sim.backups()

    const result = await run({ 'server-id': String(WEB), 'keep-within': '2d', 'dry-run': 'true' })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expectOnlyGets(sim.requests)
    expect(sim.backups()).toEqual(before)
    const named = [...result.log.matchAll(/^Dry run: would (?:then )?delete backup (\d+) .*$/gm)].map(m => m[0])
    expect(named).toEqual([
      `Dry run: would delete backup ${oldest.id} (${oldest.created_at}) to stay under the limit`,
      `Dry run: would then delete backup ${younger.id} (${younger.created_at}), by keep-within 2d`
    ])
    expect(result.log).toContain(`Dry run: would create a manual backup of server ${WEB}`)
    expect(result.outputs).toEqual({})
  })
})

// -------------------------------------------------------------------------------------------------

describe('keep-within with command wait', () => {
  it('applies keep-within once the backup started earlier completed', async () => {
    const inside = aged(WEB, 2 * HOUR)
    const outside = aged(WEB, 2 * DAY)
    const started = await run({ 'server-id': String(WEB), wait: 'false' })
    expect(started.exitCode).toBe(0)
    const id = Number(started.outputs['backup-id'])

    const waited = await run({ command: 'wait', 'backup-id': String(id), 'keep-within': '1d' })

    expect(errorLines(waited.log)).toEqual([])
    expect(waited.exitCode).toBe(0)
    expect(waited.outputs.status).toBe('completed')
    expect(deletes(sim.requests)).toEqual([deletePath(outside.id)])
    expect(parseJsonOutput(waited, 'deleted-ids')).toEqual([outside.id])
    expect(survivors()).toEqual(sorted([inside.id, id]))
  })
})
