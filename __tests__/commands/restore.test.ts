// command: restore (GitHub issues 3 and 8): the backup is found by id across pages, checked to be
// of the server it means and completed, and one restore request goes to its own server. In process
// (support/in-process.ts), on the simulator's fake clock.
import { describe, expect, it } from '@jest/globals'
import { useInProcessSimulator } from '../support/in-process.js'
import { errorLines, expectTokenNowhere, parseJsonOutput } from '../support/run-action.js'
import { DB, PREFIX, TOKEN, WEB, nonGet, restorePath } from '../support/simulator-fixture.js'

// Three backups a page, so every read of the list has to follow `next`.
const fx = useInProcessSimulator({ pageSize: 3, backupDurationMs: 1500 })
const { mark, since, add, listOrder, startBackupDirectly } = fx

describe('restore', () => {
  it('takes the server from the backup, found on a later page of the list, and sends one restore', async () => {
    for (let day = 1; day <= 7; day++) add(WEB, `${PREFIX}: ${day}`, `2025-03-0${day}T10:00:00Z`)
    const target = add(DB, 'Before migration', '2025-03-04T12:00:00Z')
    expect((await listOrder()).indexOf(target.id)).toBeGreaterThanOrEqual(3) // not on the first page
    const from = mark()

    const run = await fx.run({ command: 'restore', 'backup-id': String(target.id) })

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    const requests = since(from)
    const restores = requests.filter(r => r.method === 'POST' && r.path === restorePath(DB))
    expect(nonGet(requests)).toEqual(restores)
    expect(restores).toHaveLength(1)
    expect(restores[0]?.json).toEqual({ backup_id: target.id })
    expect(restores[0]?.body).toBe(JSON.stringify({ backup_id: target.id }))
    expect(fx.sim.restores).toEqual([{ serverId: DB, backupId: target.id, at: expect.any(Number) }])

    expect(run.log).toMatch(
      new RegExp(`Restoring server db-server-01 \\(${DB}\\) from backup ${target.id}\\b.*overwritten`)
    )
    expect(run.outputs['backup-id']).toBe(String(target.id))
    expect(run.outputs['server-id']).toBe(String(DB))
    expect(run.outputs.status).toBe('restoring')
    expect(parseJsonOutput(run, 'restore')).toEqual({
      status: 'restoring',
      server_id: DB,
      backup_id: target.id,
      message: expect.any(String)
    })
    expect(run.summary).toContain(`restore of server ${DB}`)
    expectTokenNowhere(run, TOKEN)
  })

  it('restores to the given server when the backup belongs to it', async () => {
    add(DB, 'db backup', '2025-03-01T10:00:00Z')
    const target = add(WEB, 'web backup', '2025-03-02T10:00:00Z')
    const from = mark()

    const run = await fx.run({ command: 'restore', 'server-id': String(WEB), 'backup-id': String(target.id) })

    expect(run.exitCode).toBe(0)
    const posts = nonGet(since(from))
    expect(posts.map(r => `${r.method} ${r.path}`)).toEqual([`POST ${restorePath(WEB)}`])
    expect(posts[0]?.json).toEqual({ backup_id: target.id })
    expect(fx.sim.restores).toEqual([{ serverId: WEB, backupId: target.id, at: expect.any(Number) }])
    expect(run.outputs['server-id']).toBe(String(WEB))
  })

  it('refuses a backup of another server without sending anything that changes state', async () => {
    const other = add(DB, 'db backup', '2025-03-01T10:00:00Z')
    add(WEB, 'web backup', '2025-03-02T10:00:00Z')
    const from = mark()

    const run = await fx.run({ command: 'restore', 'server-id': String(WEB), 'backup-id': String(other.id) })

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`backup ${other.id}`)
    expect(errors[0]).toContain(String(DB))
    expect(errors[0]).toContain(String(WEB))
    expect(nonGet(since(from))).toEqual([])
    expect(fx.sim.restores).toEqual([])
    expect(run.outputs.restore).toBeUndefined()
  })

  it('refuses a backup that does not exist, naming it, before any restore request', async () => {
    add(WEB, 'web backup', '2025-03-02T10:00:00Z')
    const from = mark()

    const run = await fx.run({ command: 'restore', 'backup-id': '999' })

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/backup 999\b.*not found/)
    expect(nonGet(since(from))).toEqual([])
    expect(fx.sim.restores).toEqual([])
  })

  it.each([
    ['failed', 'true'],
    ['in_progress', 'false']
  ])('refuses a backup with status %s (wait: %s), naming the backup and its status', async (status, wait) => {
    const backup = add(WEB, 'web backup', '2025-03-02T10:00:00Z', { status })
    const from = mark()

    const run = await fx.run({ command: 'restore', 'backup-id': String(backup.id), wait })

    expect(run.exitCode).toBe(1)
    // Refused at once (it was killed after 20 s as e2e): no wait for the backup, not even a poll.
    expect(run.virtualMs).toBe(0)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`backup ${backup.id}`)
    expect(errors[0]).toContain(status)
    expect(nonGet(since(from))).toEqual([])
    expect(fx.sim.restores).toEqual([])
  })

  it('with wait: true, waits for a backup in progress to complete, then restores it', async () => {
    fx.sim.setBackupDuration(2500)
    const started = await startBackupDirectly(WEB, 'Hotfix backup')
    const completesAt = Date.parse(started.created_at) + 2500
    expect(started.status).toBe('in_progress')
    const from = mark()

    const run = await fx.run({ command: 'restore', 'backup-id': String(started.id) })

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.log).toMatch(new RegExp(`Backup ${started.id}: in_progress → completed`))
    const requests = since(from)
    const posts = nonGet(requests)
    expect(posts.map(r => `${r.method} ${r.path}`)).toEqual([`POST ${restorePath(WEB)}`])
    expect(posts[0]?.json).toEqual({ backup_id: started.id })
    expect(posts[0]?.at).toBeGreaterThanOrEqual(completesAt)
    // …on virtual time: the 2.5 s backup and polls of 1 s, not the 40 s timeout.
    expect(run.virtualMs).toBeGreaterThanOrEqual(2000)
    expect(run.virtualMs).toBeLessThan(10_000)
    // The waiting followed the backup through the list filtered by its server, as create does.
    expect(requests.some(r => r.method === 'GET' && r.query.server_id === String(WEB))).toBe(true)
    expect(fx.sim.restores).toEqual([{ serverId: WEB, backupId: started.id, at: expect.any(Number) }])
  })

  it('reports status "accepted" when the restore answer carries no status', async () => {
    const backup = add(WEB, 'web backup', '2025-03-02T10:00:00Z')
    fx.sim.fault({ method: 'POST', path: restorePath(WEB), kind: 'status', status: 202, body: { message: 'queued' } })

    const run = await fx.run({ command: 'restore', 'backup-id': String(backup.id) })

    expect(run.exitCode).toBe(0)
    expect(run.outputs.status).toBe('accepted')
    expect(parseJsonOutput(run, 'restore')).toEqual({ message: 'queued' })
    expect(fx.sim.requests.filter(r => r.method === 'POST')).toHaveLength(1)
  })

  it('needs backup-id, and sends nothing without it', async () => {
    add(WEB, 'web backup', '2025-03-02T10:00:00Z')

    const run = await fx.run({ command: 'restore', 'server-id': String(WEB) })

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('backup-id')
    expect(fx.sim.requests).toEqual([])
  })
})
