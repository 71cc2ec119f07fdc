// A 404 names what its request was about (issue 20 §5): a snapshot deleted between the check and
// its restore request is the snapshot not found, never its server; a backup restore's 404 is the
// server's or the backup's, as the docs do not say which; a list's is the list's. In process, on
// the simulator's fake clock.
import { describe, expect, it } from '@jest/globals'
import { runWithPostInProcess, useInProcessSimulator } from '../support/in-process.js'
import { errorLines, expectOneLineError } from '../support/run-action.js'
import { DB, LIST, TOKEN, WEB, restorePath } from '../support/simulator-fixture.js'

const SNAPSHOTS = '/api/v1/snapshots/'
const snapshotRestore = (id: number | string): string => `${SNAPSHOTS}${id}/restore/`
const fx = useInProcessSimulator({ pageSize: 2, snapshotDurationMs: 20_000 })
const snap = (extra: Record<string, string>): Record<string, string> => ({ kind: 'snapshot', ...extra })
const snapshotOf = (serverId: number): number =>
  fx.sim.addSnapshot({ serverId, description: 'Pre-deploy snapshot', status: 'completed' }).id
/** What the old code said: the snapshot's server, which exists, "not found". */
const SERVER_NOT_FOUND = /server \d+ not found/

/**
 * Runs the step(s) `start` begins, with the first snapshot restore request (`path`, else any) held
 * until its snapshot is deleted through the API, as another job would, then let through: the API
 * answers it 404, as documented ("snapshot does not exist"). Virtual time stands still meanwhile.
 */
async function snapshotGoneAtRestore<T>(start: () => Promise<T>, path?: string): Promise<T> {
  const held = fx.sim.hold({ method: 'POST', path: path ?? /^\/api\/v1\/snapshots\/\d+\/restore\/$/ })
  const running = start()
  const { path: arrived } = await held.arrived
  const gone = await fx.clock.hold(
    fetch(`${fx.sim.url}${arrived.replace(/restore\/$/, '')}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` }
    })
  )
  expect(gone.status).toBe(204)
  held.release()
  return running
}

describe('a snapshot deleted between the check and its restore request', () => {
  it('restore: one line naming the snapshot, not its server; nothing restored', async () => {
    const id = snapshotOf(WEB)
    const run = await snapshotGoneAtRestore(() => fx.run(snap({ command: 'restore', 'backup-id': String(id) })))
    const error = expectOneLineError(run, `snapshot ${id} not found (404 on POST ${snapshotRestore(id)}): Not found.`)
    expect(error).not.toMatch(SERVER_NOT_FOUND)
    expect(fx.sim.restores).toEqual([])
    expect(run.summary).not.toMatch(SERVER_NOT_FOUND)
  })

  it('restore of two servers: the other is restored; the error and the summary name the snapshot gone', async () => {
    const gone = snapshotOf(WEB)
    const kept = snapshotOf(DB)
    const run = await snapshotGoneAtRestore(
      () => fx.run(snap({ command: 'restore', 'backup-id': 'latest', 'server-id': `${WEB},${DB}` })),
      snapshotRestore(gone)
    )
    expectOneLineError(run, `snapshot ${gone} not found (404 on POST ${snapshotRestore(gone)})`)
    expect(fx.sim.restores).toEqual([{ serverId: DB, snapshotId: kept, at: expect.any(Number) }])
    expect(run.summary).toMatch(
      new RegExp(`^\\| \`web-server-01 \\(${WEB}\\)\` \\| not restored \\| .* \\| \`snapshot ${gone} not found `, 'm')
    )
    expect(run.log + run.summary).not.toMatch(SERVER_NOT_FOUND)
  })

  it('restore-on-failure: the post step fails naming the server not restored and the snapshot gone', async () => {
    const { main, post } = await snapshotGoneAtRestore(() =>
      runWithPostInProcess(fx.inputs(snap({ 'server-id': String(WEB), 'restore-on-failure': 'true' })), {
        clock: fx.clock,
        laterStepFailed: true
      })
    )
    expect(main.exitCode).toBe(0)
    const id = main.outputs['backup-id'] ?? ''
    if (post === undefined) throw new Error('the post step did not run')
    expectOneLineError(
      post,
      `restore-on-failure could not restore server ${WEB} from snapshot ${id}: ` +
        `snapshot ${id} not found (404 on POST ${snapshotRestore(id)}): Not found.`
    )
    expect(post.log).not.toMatch(SERVER_NOT_FOUND)
    expect(fx.sim.restores).toEqual([])
  })
})

describe('other 404s name what their request was about', () => {
  it('a backup restore: "server X or backup Y", as the docs do not say which', async () => {
    const backup = fx.add(WEB, 'Before migration', '2025-03-01T10:00:00Z')
    fx.sim.fault({
      method: 'POST',
      path: restorePath(WEB),
      kind: 'status',
      status: 404,
      body: { detail: 'Not found.' }
    })
    const run = await fx.run({ command: 'restore', 'backup-id': String(backup.id) })
    const error = expectOneLineError(
      run,
      `server ${WEB} or backup ${backup.id} not found (404 on POST ${restorePath(WEB)}): Not found.`
    )
    expect(error).not.toMatch(new RegExp(`^server ${WEB} not found`))
    expect(fx.sim.restores).toEqual([])
  })

  it('a list: the backup list, or the page of it that its next link led to', async () => {
    fx.sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 404, body: { detail: 'Not found.' } })
    const first = await fx.run({ command: 'list', 'server-id': String(WEB) })
    expectOneLineError(first, `the backup list not found (404 on GET ${LIST}?server_id=${WEB}): Not found.`)

    for (const day of [1, 2, 3]) fx.add(WEB, `Backup ${day}`, `2025-03-0${day}T10:00:00Z`)
    const firstPage = fx.sim.hold({ method: 'GET', path: LIST })
    const running = fx.run({ command: 'list', 'server-id': String(WEB) })
    await firstPage.arrived
    // Taken by the next request of the list, its second page, as DRF answers a page gone.
    fx.sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 404, body: { detail: 'Invalid page.' } })
    firstPage.release()
    const second = await running
    expectOneLineError(
      second,
      /^page 2 of the backup list not found \(404 on GET \/api\/v1\/backups\/\?.*page=2.*\): Invalid page\.$/
    )
    expect(errorLines(first.log + second.log).join('\n')).not.toMatch(/^\/api\/v1\//m)
  })
})
