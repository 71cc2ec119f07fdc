// kind: snapshot (GitHub issue 17): every command through the Snapshots API, in process on the
// simulator's fake clock, through the registry as a workflow step would run it.
import { describe, expect, it } from '@jest/globals'
import { runWithPostInProcess, useInProcessSimulator } from './support/in-process.js'
import { expectOneLineError } from './support/run-action.js'
import { DB, WEB, nonGet } from './support/simulator-fixture.js'

const SNAPSHOTS = '/api/v1/snapshots/'
const fx = useInProcessSimulator({ pageSize: 2, snapshotDurationMs: 20_000 })
const snap = (extra: Record<string, string>): Record<string, string> => ({ kind: 'snapshot', ...extra })
const old = (serverId: number, i: number, extra: Record<string, unknown> = {}): number =>
  fx.sim.addSnapshot({
    serverId,
    description: `Pre-deploy snapshot: old ${i}`,
    created_at: `2025-01-0${i}T10:00:00Z`,
    status: 'completed',
    ...extra
  }).id

describe('kind: snapshot', () => {
  it('create makes a named snapshot, waits for it, and the summary restores it with kind: snapshot', async () => {
    const mark = fx.mark()
    const run = await fx.run(snap({ 'server-id': String(WEB), 'snapshot-name': 'before-v2' }))
    expect(run.exitCode).toBe(0)
    const posts = nonGet(fx.since(mark))
    expect(posts.map(r => `${r.method} ${r.path}`)).toEqual([`POST ${SNAPSHOTS}`])
    expect(JSON.parse(posts[0]?.body ?? '{}')).toMatchObject({ server_id: WEB, name: 'before-v2' })
    expect(run.outputs.status).toBe('completed')
    const id = run.outputs['backup-id']
    expect(fx.sim.snapshots().map(s => String(s.id))).toEqual([id])
    expect(run.log).toMatch(new RegExp(`Snapshot ${id} of server .* started`))
    expect(run.summary).toMatch(/kind: snapshot/)
    expect(run.summary).toMatch(new RegExp(`backup-id: ${id}`))
  })

  it('at the limit of 5 without keep: a clear error, nothing deleted or created', async () => {
    for (let i = 1; i <= 5; i++) old(WEB, i)
    const mark = fx.mark()
    const run = await fx.run(snap({ 'server-id': String(WEB) }))
    expectOneLineError(run, /server 12345 already has 5 snapshots, the VPS\.org limit of 5: set the keep input/)
    expect(nonGet(fx.since(mark))).toEqual([])
  })

  it('at the limit with keep and wait: false, makes room (the oldest) and starts the snapshot', async () => {
    const ids = [1, 2, 3, 4, 5].map(i => old(WEB, i))
    const run = await fx.run(snap({ 'server-id': String(WEB), keep: '3', wait: 'false' }))
    expect(run.exitCode).toBe(0)
    expect(run.outputs['deleted-ids']).toBe(JSON.stringify([ids[0]]))
    expect(run.outputs.status).toBe('in_progress')
    // Only the room: keep itself is the wait step's, once the snapshot completed.
    expect(fx.sim.snapshots()).toHaveLength(5)
  })

  it('with keep and waiting, deletes the snapshots beyond keep once the new one completed', async () => {
    const ids = [1, 2, 3, 4].map(i => old(WEB, i))
    const run = await fx.run(snap({ 'server-id': String(WEB), keep: '2' }))
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.outputs['deleted-ids'] ?? '[]')).toEqual(ids.slice(0, 3))
    expect(fx.sim.snapshots()).toHaveLength(2)
  })

  it('several servers, then restore latest of each: POST /snapshots/{id}/restore/ with no body', async () => {
    const created = await fx.run(snap({ 'server-id': `${WEB},${DB}` }))
    expect(created.exitCode).toBe(0)
    const byServer = JSON.parse(created.outputs['backup-ids'] ?? '{}') as Record<string, number>
    const mark = fx.mark()
    const run = await fx.run(snap({ command: 'restore', 'backup-id': 'latest', 'server-id': `${WEB},${DB}` }))
    expect(run.exitCode).toBe(0)
    const restores = nonGet(fx.since(mark))
    expect(restores.map(r => r.path).sort()).toEqual(
      [byServer[WEB], byServer[DB]].map(id => `${SNAPSHOTS}${id}/restore/`).sort()
    )
    expect(restores.every(r => !r.body)).toBe(true)
  })

  it('list, wait and delete use the snapshots', async () => {
    const a = old(WEB, 1)
    old(DB, 2)
    const listed = await fx.run(snap({ command: 'list', 'server-id': String(WEB) }))
    expect((JSON.parse(listed.outputs.backups ?? '[]') as Array<{ id: number }>).map(s => s.id)).toEqual([a])
    const waited = await fx.run(snap({ command: 'wait', 'backup-id': String(a) }))
    expect(waited.outputs.status).toBe('completed')
    const mark = fx.mark()
    const deleted = await fx.run(snap({ command: 'delete', 'backup-id': String(a) }))
    expect(deleted.exitCode).toBe(0)
    expect(nonGet(fx.since(mark)).map(r => `${r.method} ${r.path}`)).toEqual([`DELETE ${SNAPSHOTS}${a}/`])
  })

  it('an uncertain create is matched by its name: one snapshot, no second POST', async () => {
    fx.sim.fault({ method: 'POST', path: SNAPSHOTS, kind: 'status-after', status: 504 })
    const run = await fx.run(snap({ 'server-id': String(WEB), 'snapshot-name': 'mine' }))
    expect(run.exitCode).toBe(0)
    expect(fx.seen('POST', SNAPSHOTS)).toHaveLength(1)
    expect(fx.sim.snapshots().map(s => s.name)).toEqual(['mine'])
    expect(run.outputs['backup-id']).toBe(String(fx.sim.snapshots()[0]?.id))
  })

  it('restore-on-failure restores the server from the snapshot in the post step', async () => {
    const { main, post } = await runWithPostInProcess(
      fx.inputs(snap({ 'server-id': String(WEB), 'restore-on-failure': 'true' })),
      { clock: fx.clock, laterStepFailed: true }
    )
    expect(main.exitCode).toBe(0)
    expect(post?.exitCode).toBe(0)
    const id = main.outputs['backup-id']
    expect(fx.seen('POST').map(r => r.path)).toContain(`${SNAPSHOTS}${id}/restore/`)
  })
})
