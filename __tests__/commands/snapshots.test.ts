// kind: snapshot (GitHub issue 17): every command through the Snapshots API, in process on the
// simulator's fake clock, through the registry as a workflow step would run it.
import { describe, expect, it } from '@jest/globals'
import { runWithPostInProcess, useInProcessSimulator } from '../support/in-process.js'
import { expectOneLineError, warningLines } from '../support/run-action.js'
import { DB, WEB, nonGet } from '../support/simulator-fixture.js'

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

const HOUR = 3_600_000
/** A completed snapshot created `ageMs` before the (virtual) now. */
const aged = (serverId: number, ageMs: number): number =>
  fx.sim.addSnapshot({
    serverId,
    description: `Pre-deploy snapshot: ${ageMs / HOUR}h old`,
    created_at: new Date(fx.clock.now() - ageMs).toISOString(),
    status: 'completed'
  }).id
const ids = (): number[] => fx.sim.snapshots().map(s => s.id)
/** No line of the log names a backup: every one says "snapshot". */
const noBackupNamed = (text: string): void => expect(text).not.toMatch(/\b[Bb]ackups?\b(?! ?-|-)/)

describe('kind: snapshot, made safe as backups are', () => {
  it("restore and delete refuse another server's snapshot when server-id is given, naming the snapshot", async () => {
    const other = old(DB, 1)
    const mark = fx.mark()
    const restore = await fx.run(snap({ command: 'restore', 'backup-id': String(other), 'server-id': String(WEB) }))
    expectOneLineError(
      restore,
      new RegExp(`snapshot ${other} belongs to server .*\\(${DB}\\), not server ${WEB}; restore refused`)
    )
    const removal = await fx.run(snap({ command: 'delete', 'backup-id': String(other), 'server-id': String(WEB) }))
    expectOneLineError(
      removal,
      new RegExp(`snapshot ${other} belongs to server .*\\(${DB}\\), not server ${WEB}; nothing was deleted`)
    )
    expect(nonGet(fx.since(mark))).toEqual([])
    expect(ids()).toEqual([other])
  })

  it('keep-within deletes only the snapshots older than the window, once the new one completed', async () => {
    const [older, old2] = [72, 50].map(h => aged(WEB, h * HOUR))
    const recent = [2, 1].map(h => aged(WEB, h * HOUR))
    const run = await fx.run(snap({ 'server-id': String(WEB), 'keep-within': '2d' }))
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.outputs['deleted-ids'] ?? '[]')).toEqual([older, old2])
    expect(ids()).toEqual([...recent, Number(run.outputs['backup-id'])])
    expect(run.log).toMatch(new RegExp(`Deleted snapshot ${older} .*, by keep-within 2d$`, 'm'))
  })

  it("without a Date header, says snapshot ages and the limit of 5 are measured on the runner's clock", async () => {
    fx.sim.setDateHeader(false)
    aged(WEB, 72 * HOUR)
    const run = await fx.run(snap({ 'server-id': String(WEB), 'keep-within': '2d' }))
    expect(run.exitCode).toBe(0)
    expect(warningLines(run.log)).toEqual([
      'No answer of the API carried a readable Date header, so snapshot ages (keep-within, the limit of 5, dates in ' +
        "the future) are measured on the runner's clock, which may differ from the API's"
    ])
  })

  it('at the limit of 5, keep-within makes room from the snapshots older than the window only', async () => {
    const [oldest, older] = [96, 72].map(h => aged(WEB, h * HOUR))
    const recent = [3, 2, 1].map(h => aged(WEB, h * HOUR))
    const run = await fx.run(snap({ 'server-id': String(WEB), 'keep-within': '2d' }))
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.outputs['deleted-ids'] ?? '[]')).toEqual([oldest, older])
    expect(ids()).toEqual([...recent, Number(run.outputs['backup-id'])])
  })

  it('at the limit of 5 with every snapshot inside keep-within: a clear error, nothing deleted or created', async () => {
    for (const h of [5, 4, 3, 2, 1]) aged(WEB, h * HOUR)
    const mark = fx.mark()
    const run = await fx.run(snap({ 'server-id': String(WEB), 'keep-within': '1d' }))
    expectOneLineError(
      run,
      /server 12345 already has 5 snapshots, the VPS\.org limit of 5, and only 0 of them may be deleted .*keep-within 1d keeps 5 of them/
    )
    expect(nonGet(fx.since(mark))).toEqual([])
  })

  it('a dry run of every command reads only (GET) and says what it would do to which snapshot', async () => {
    const ids5 = [1, 2, 3, 4, 5].map(i => old(WEB, i))
    const [first, , , , last] = ids5
    const mark = fx.mark()
    const runs = [
      await fx.run(snap({ 'server-id': String(WEB), keep: '3', 'dry-run': 'true' })),
      await fx.run(snap({ command: 'restore', 'backup-id': 'latest', 'server-id': String(WEB), 'dry-run': 'true' })),
      await fx.run(snap({ command: 'delete', 'backup-id': String(first), 'dry-run': 'true' })),
      await fx.run(snap({ command: 'wait', 'backup-id': String(last), 'dry-run': 'true' }))
    ]
    expect(runs.map(r => r.exitCode)).toEqual([0, 0, 0, 0])
    expect(fx.since(mark).length).toBeGreaterThan(0)
    expect(nonGet(fx.since(mark))).toEqual([])
    expect(ids()).toEqual(ids5)
    const log = runs.map(r => r.log).join('')
    expect(log).toMatch(new RegExp(`Dry run: would delete snapshot ${first} .* to stay under the limit`))
    expect(log).toMatch(/Dry run: would create a snapshot of server 12345 described "Pre-deploy snapshot/)
    expect(log).toMatch(new RegExp(`Dry run: would restore server .* from snapshot ${last} `))
    expect(log).toMatch(new RegExp(`Dry run: would delete snapshot ${first} of server`))
    expect(log).toMatch(new RegExp(`Dry run: snapshot ${last} of server .* is completed; nothing to wait for`))
    noBackupNamed(log)
  })

  it('a snapshot that fails while waited for fails the step, naming the snapshot', async () => {
    fx.sim.setSnapshotOutcome('failed')
    const started = await fx.run(snap({ 'server-id': String(WEB), wait: 'false' }))
    const id = started.outputs['backup-id']
    const waited = await fx.run(snap({ command: 'wait', 'backup-id': String(id) }))
    expectOneLineError(waited, new RegExp(`snapshot ${id} of server ${WEB} ended with status "failed" after`))
    expect(waited.outputs.status).toBe('failed')
    const created = await fx.run(snap({ 'server-id': String(WEB) }))
    const next = created.outputs['backup-id']
    expectOneLineError(created, new RegExp(`snapshot ${next} of server ${WEB} ended with status "failed" after`))
    noBackupNamed(waited.log + created.log)
  })
})

describe('kind: snapshot in the log and the summary', () => {
  it('create, wait, restore, delete and list say "snapshot", never "backup"', async () => {
    const created = await fx.run(snap({ 'server-id': String(WEB), wait: 'false' }))
    const id = created.outputs['backup-id'] ?? ''
    expect(created.log).toMatch(new RegExp(`^Snapshot ${id} of server .* started`, 'm'))
    expect(created.log).toMatch(new RegExp(`Not waiting \\(wait: false\\): snapshot ${id} is in_progress`))
    expect(created.summary).toMatch(new RegExp(`^## VPS\\.org snapshot ${id}$`, 'm'))
    expect(created.summary).toMatch(new RegExp(`\\| Snapshot ID \\| ${id} \\|`))

    const waited = await fx.run(snap({ command: 'wait', 'backup-id': id }))
    expect(waited.log).toMatch(new RegExp(`Waiting up to .* for snapshot ${id} of server `))
    expect(waited.log).toMatch(new RegExp(`^Snapshot ${id}: in_progress → completed after`, 'm'))
    expect(waited.log).toMatch(new RegExp(`^Snapshot ${id} is completed after`, 'm'))

    const restored = await fx.run(snap({ command: 'restore', 'backup-id': id, 'server-id': String(WEB) }))
    expect(restored.exitCode).toBe(0)
    expect(restored.log).toMatch(
      new RegExp(`^Restoring server .* from snapshot ${id} .*with the snapshot's state$`, 'm')
    )
    expect(restored.log).toMatch(new RegExp(`^Restore of server ${WEB} from snapshot ${id} accepted`, 'm'))
    expect(restored.log).toMatch(new RegExp(`restored from snapshot ${id}$`, 'm'))
    expect(restored.summary).toMatch(new RegExp(`\\| Snapshot ID \\| ${id} \\|`))
    expect(restored.summary).toMatch(/\| Snapshot created \|/)

    const listed = await fx.run(snap({ command: 'list', 'server-id': String(WEB) }))
    expect(listed.log).toMatch(/^1 snapshot \(server 12345\):$/m)
    expect(listed.summary).toMatch(/^## VPS\.org snapshots \(server 12345\)$/m)
    // A snapshot's name where a backup's type stands: the column that tells them apart.
    const { name } = JSON.parse(created.outputs.backup ?? '{}') as { name: string }
    expect(name).toMatch(/^pre-deploy-/)
    expect(listed.summary).toMatch(/^\| ID \| Server \| Name \| Status \| Size \| Created \| Description \|$/m)
    expect(listed.summary).toContain(`| \`${name}\` |`)

    const deleted = await fx.run(snap({ command: 'delete', 'backup-id': id }))
    expect(deleted.log).toMatch(new RegExp(`^Deleted snapshot ${id} of server `, 'm'))
    expect(deleted.log).toMatch(new RegExp(`::notice title=VPS\\.org snapshot ${id}::Snapshot ${id} deleted`))
    const empty = await fx.run(snap({ command: 'list', 'server-id': String(WEB) }))
    expect(empty.summary).toMatch(/_No snapshots\._/)

    for (const run of [created, waited, restored, listed, deleted, empty]) noBackupNamed(run.log + run.summary)
  })
})
