// keep, and the limit of 10 manual backups (GitHub issues 3 and 8): retention deletes only the
// oldest completed matching manual backups of the server, and makes room at the limit when allowed.
// In process (support/in-process.ts), against the simulator over real HTTP, both on one fake clock.
import { describe, expect, it } from '@jest/globals'
import { useInProcessSimulator } from '../support/in-process.js'
import { errorLines, expectTokenNowhere, parseJsonOutput } from '../support/run-action.js'
import { type SimBackup } from '../../tools/simulator/index.js'
import { DB, LIST, PREFIX, TOKEN, WEB, deletePath, ids, nonGet } from '../support/simulator-fixture.js'

const BACKUP_MS = 1500
// Three backups a page, so every read of the list has to follow `next`.
const fx = useInProcessSimulator({ pageSize: 3, backupDurationMs: BACKUP_MS })
const { run: runAction, mark, since, add, listOrder } = fx

describe('create with keep (retention)', () => {
  it('deletes only the oldest completed matching manual backups of the server, by created_at', async () => {
    // Matching, completed, manual, this server, in an order by age that is neither their id
    // order nor the simulator's list order: a (oldest) and b are the two to go.
    const d = add(WEB, `${PREFIX}: acme/shop@d (run 4)`, '2025-01-10T10:00:00Z')
    const a = add(WEB, `${PREFIX}: acme/shop@a (run 1)`, '2025-01-01T10:00:00Z')
    const b = add(WEB, `${PREFIX}: acme/shop@b (run 2)`, '2025-01-02T10:00:00Z')
    const c = add(WEB, `${PREFIX}: acme/shop@c (run 3)`, '2025-01-05T10:00:00Z')
    // Never to be touched, all older than every matching one.
    const untouchable = [
      add(WEB, `${PREFIX}: nightly`, '2024-12-01T03:00:00Z', { backup_type: 'automatic' }),
      add(DB, `${PREFIX}: db`, '2024-11-01T10:00:00Z'),
      add(WEB, 'Before migration', '2024-12-15T10:00:00Z'),
      add(WEB, 'pre-deploy backup: lower case', '2024-12-16T10:00:00Z'),
      add(WEB, `${PREFIX}: still running`, '2024-12-20T10:00:00Z', { status: 'in_progress' }),
      add(WEB, `${PREFIX}: broken`, '2024-12-21T10:00:00Z', { status: 'failed' })
    ]
    // The fixture discriminates: neither id order nor list order gives the two oldest.
    const expectedDeleted = [a.id, b.id]
    const matchingIds = [d.id, a.id, b.id, c.id]
    const listed = (await listOrder(`?server_id=${WEB}&backup_type=manual`)).filter(id => matchingIds.includes(id))
    for (const wrong of [matchingIds.slice(0, 2), matchingIds.slice(-2), listed.slice(0, 2), listed.slice(-2)]) {
      expect([...wrong].sort()).not.toEqual([...expectedDeleted].sort())
    }
    const from = mark()

    const run = await runAction({ 'server-id': String(WEB), keep: '3' })

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    const newId = Number(run.outputs['backup-id'])
    const requests = since(from)
    const create = requests.filter(r => r.method === 'POST' && r.path === LIST)
    expect(create).toHaveLength(1)
    expect(create[0]?.json).toEqual({ server_id: WEB, description: expect.stringMatching(/^Pre-deploy backup/) })
    const deletes = requests.filter(r => r.method === 'DELETE')
    expect(deletes.map(r => r.path).sort()).toEqual(expectedDeleted.map(deletePath).sort())
    expect(nonGet(requests)).toHaveLength(3)
    // Only after the new backup completed.
    for (const del of deletes) expect(del.at).toBeGreaterThanOrEqual((create[0]?.at ?? Infinity) + BACKUP_MS)

    expect(ids(fx.sim.backups())).toEqual(ids([d, c, ...untouchable, { id: newId }]))
    expect(fx.sim.backups().find(x => x.id === newId)?.status).toBe('completed')
    expect(parseJsonOutput<number[]>(run, 'deleted-ids').sort()).toEqual([...expectedDeleted].sort())
    expect(run.outputs.status).toBe('completed')
    expectTokenNowhere(run, TOKEN)
  })

  it('outputs deleted-ids [] when nothing is beyond keep', async () => {
    add(WEB, `${PREFIX}: one`, '2025-01-01T10:00:00Z')
    add(WEB, `${PREFIX}: two`, '2025-01-02T10:00:00Z')
    const before = ids(fx.sim.backups())
    const from = mark()

    const run = await runAction({ 'server-id': String(WEB), keep: '3' })

    expect(run.exitCode).toBe(0)
    expect(parseJsonOutput(run, 'deleted-ids')).toEqual([])
    expect(since(from).filter(r => r.method === 'DELETE')).toEqual([])
    expect(ids(fx.sim.backups())).toEqual([...before, Number(run.outputs['backup-id'])])
  })

  it('uses keep-prefix to recognise the backups it may delete', async () => {
    const oldRelease = add(WEB, 'Release 1.0', '2025-01-01T10:00:00Z')
    const newerRelease = add(WEB, 'Release 1.1', '2025-01-02T10:00:00Z')
    const predeploy = add(WEB, `${PREFIX}: x`, '2024-01-01T10:00:00Z')

    const run = await runAction({
      'server-id': String(WEB),
      keep: '1',
      'keep-prefix': 'Release',
      description: 'Release 1.2'
    })

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    const newId = Number(run.outputs['backup-id'])
    expect(parseJsonOutput<number[]>(run, 'deleted-ids').sort()).toEqual([oldRelease.id, newerRelease.id].sort())
    expect(ids(fx.sim.backups())).toEqual([predeploy.id, newId])
  })

  it.each([
    ['a description not starting with the default prefix', { description: 'Nightly snapshot' }],
    ['a keep-prefix the default description does not start with', { 'keep-prefix': 'Release' }]
  ])('refuses keep with %s before any request', async (_name, extra) => {
    add(WEB, `${PREFIX}: one`, '2025-01-01T10:00:00Z')

    const run = await runAction({ 'server-id': String(WEB), keep: '2', ...extra })

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('keep')
    expect(errors[0]).toContain('keep-prefix')
    expect(fx.sim.requests).toEqual([])
    expect(fx.sim.backups()).toHaveLength(1)
  })
})

describe('the limit of 10 manual backups', () => {
  /** Ten manual backups of WEB: `matching` of them completed with the prefix, the rest not. */
  function fillToLimit(matching: number): SimBackup[] {
    const backups: SimBackup[] = []
    // Creation days in an order unlike id order; the oldest matching one is in the middle.
    const days = [14, 12, 18, 11, 16, 13, 19, 15, 17, 20]
    for (let i = 0; i < 10; i++) {
      const description = i < matching ? `${PREFIX}: run ${i}` : `Manual snapshot ${i}`
      backups.push(add(WEB, description, `2025-02-${days[i]}T10:00:00Z`))
    }
    // Automatic backups and other servers' backups do not count.
    add(WEB, `${PREFIX}: nightly`, '2025-01-01T03:00:00Z', { backup_type: 'automatic' })
    add(DB, `${PREFIX}: db`, '2025-01-01T10:00:00Z')
    return backups
  }

  it('at 10 without keep: fails naming the limit and the keep input, deleting and creating nothing', async () => {
    fillToLimit(10)
    const before = fx.sim.backups()
    const from = mark()

    const run = await runAction({ 'server-id': String(WEB) })

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/\b10\b/)
    expect(errors[0]).toMatch(/\bkeep\b/)
    expect(nonGet(since(from))).toEqual([])
    expect(fx.sim.backups()).toEqual(before)
    expect(run.outputs['backup-id']).toBeUndefined()
  })

  it('at 10 with keep: deletes exactly the oldest matching backup first, then creates', async () => {
    const existing = fillToLimit(6)
    // Oldest matching completed by created_at: index 3 (day 11).
    const oldest = existing[3]
    const from = mark()

    const run = await runAction({ 'server-id': String(WEB), keep: '10' })

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    const changes = nonGet(since(from))
    expect(changes.map(r => `${r.method} ${r.path}`)).toEqual([`DELETE ${deletePath(oldest.id)}`, `POST ${LIST}`])
    const newId = Number(run.outputs['backup-id'])
    expect(fx.sim.backups().filter(b => b.server.id === WEB && b.backup_type === 'manual')).toHaveLength(10)
    expect(fx.sim.backups().map(b => b.id)).not.toContain(oldest.id)
    expect(fx.sim.backups().map(b => b.id)).toContain(newId)
    expect(parseJsonOutput(run, 'deleted-ids')).toEqual([oldest.id])
    expect(run.log).toContain(`Deleted backup ${oldest.id}`)
  })

  it('at 10 with keep but none that may be deleted: fails clearly, deleting and creating nothing', async () => {
    fillToLimit(0)
    const before = fx.sim.backups()
    const from = mark()

    const run = await runAction({ 'server-id': String(WEB), keep: '3' })

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/\b10\b/)
    expect(errors[0]).toContain(PREFIX)
    expect(errors[0]).toMatch(/nothing was deleted/)
    expect(nonGet(since(from))).toEqual([])
    expect(fx.sim.backups()).toEqual(before)
  })

  it('below the limit (9 manual, others not counted): creates without deleting', async () => {
    const existing = fillToLimit(10)
    // Back to nine manual backups of WEB.
    await fetch(`${fx.sim.url}${deletePath(existing[0].id)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` }
    })
    const from = mark()

    const run = await runAction({ 'server-id': String(WEB), wait: 'false' })

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(nonGet(since(from)).map(r => `${r.method} ${r.path}`)).toEqual([`POST ${LIST}`])
  })
})
