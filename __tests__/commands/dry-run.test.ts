// dry-run (GitHub issue 3): every command reads what it needs (GET only), says what it would do,
// and changes nothing.
// In process (support/in-process.ts), against the simulator over real HTTP, both on one fake clock.
import { describe, expect, it } from '@jest/globals'
import { useInProcessSimulator } from '../support/in-process.js'
import { errorLines, expectOnlyGets, expectTokenNowhere } from '../support/run-action.js'
import { DB, PREFIX, TOKEN, WEB, nonGet } from '../support/simulator-fixture.js'

// Three backups a page, so every read of the list has to follow `next`.
const fx = useInProcessSimulator({ pageSize: 3, backupDurationMs: 1500 })
const { run: runAction, mark, since, add } = fx

describe('dry-run', () => {
  it('create with keep at the limit: reads only, names what it would delete and create, changes nothing', async () => {
    // Ten matching manual backups; the oldest (by created_at) is neither the first nor the last id.
    const days = [14, 12, 18, 11, 16, 13, 19, 15, 17, 20]
    const existing = days.map((day, i) => add(WEB, `${PREFIX}: run ${i}`, `2025-02-${day}T10:00:00Z`))
    const oldest = existing[3]
    const before = fx.sim.backups()
    const from = mark()

    const run = await runAction({ 'server-id': String(WEB), keep: '10', 'dry-run': 'true' })

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expectOnlyGets(since(from))
    expect(fx.sim.backups()).toEqual(before)
    expect(run.log).toMatch(new RegExp(`would delete backup ${oldest.id}\\b`))
    expect(run.log.match(/would delete backup \d+/g)).toHaveLength(1)
    expect(run.log).toMatch(new RegExp(`would create a manual backup of server ${WEB}`))
    expect(run.outputs['backup-id']).toBeUndefined()
    expectTokenNowhere(run, TOKEN)
  })

  it('create at the limit without keep: fails as the real run would, having only read', async () => {
    for (let i = 1; i <= 10; i++) add(WEB, `${PREFIX}: run ${i}`, `2025-02-${10 + i}T10:00:00Z`)
    const before = fx.sim.backups()

    const run = await runAction({ 'server-id': String(WEB), 'dry-run': 'true' })

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/\b10\b.*\bkeep\b/)
    expectOnlyGets(fx.sim.requests)
    expect(fx.sim.backups()).toEqual(before)
  })

  it('create with keep: also names the backups retention would delete afterwards', async () => {
    const a = add(WEB, `${PREFIX}: a`, '2025-01-03T10:00:00Z')
    const b = add(WEB, `${PREFIX}: b`, '2025-01-01T10:00:00Z')
    const c = add(WEB, `${PREFIX}: c`, '2025-01-02T10:00:00Z')
    add(WEB, 'Other', '2024-01-01T10:00:00Z')
    const before = fx.sim.backups()
    const from = mark()

    const run = await runAction({ 'server-id': String(WEB), keep: '2', 'dry-run': 'true' })

    expect(run.exitCode).toBe(0)
    expectOnlyGets(since(from))
    expect(fx.sim.backups()).toEqual(before)
    // keep 2, the new one included: a (newest) stays, b and c would go.
    const named = (run.log.match(/would (?:then )?delete backup (\d+)/g) ?? []).map(s => Number(/(\d+)$/.exec(s)?.[1]))
    expect(named.sort()).toEqual([b.id, c.id].sort())
    expect(named).not.toContain(a.id)
  })

  it('restore: reads only, names the server and backup it would restore, restores nothing', async () => {
    const target = add(DB, 'db backup', '2025-03-01T10:00:00Z')
    add(WEB, 'web backup', '2025-03-02T10:00:00Z')
    const before = fx.sim.backups()
    const from = mark()

    const run = await runAction({ command: 'restore', 'backup-id': String(target.id), 'dry-run': 'true' })

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expectOnlyGets(since(from))
    expect(fx.sim.restores).toEqual([])
    expect(fx.sim.backups()).toEqual(before)
    expect(run.log).toMatch(new RegExp(`would restore server db-server-01 \\(${DB}\\) from backup ${target.id}\\b`))
  })

  it('restore: still refuses a backup of another server', async () => {
    const other = add(DB, 'db backup', '2025-03-01T10:00:00Z')

    const run = await runAction({
      command: 'restore',
      'server-id': String(WEB),
      'backup-id': String(other.id),
      'dry-run': 'true'
    })

    expect(run.exitCode).toBe(1)
    expect(errorLines(run.log)[0]).toContain(`backup ${other.id}`)
    expect(nonGet(fx.sim.requests)).toEqual([])
  })

  it('delete: reads only, names the backup it would delete, deletes nothing', async () => {
    const target = add(WEB, 'web backup', '2025-03-02T10:00:00Z')
    add(DB, 'db backup', '2025-03-01T10:00:00Z')
    const before = fx.sim.backups()
    const from = mark()

    const run = await runAction({ command: 'delete', 'backup-id': String(target.id), 'dry-run': 'true' })

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expectOnlyGets(since(from))
    expect(fx.sim.backups()).toEqual(before)
    expect(run.log).toMatch(new RegExp(`would delete backup ${target.id}\\b`))
  })

  it('delete: fails naming a backup that does not exist, still only reading', async () => {
    add(WEB, 'web backup', '2025-03-02T10:00:00Z')

    const run = await runAction({ command: 'delete', 'backup-id': '999', 'dry-run': 'true' })

    expect(run.exitCode).toBe(1)
    expect(errorLines(run.log)[0]).toMatch(/backup 999\b.*not found/)
    expectOnlyGets(fx.sim.requests)
  })
})
