// restore-on-failure (GitHub issues 3 and 8): the post step, as the runner runs it for
// post-if: failure(), restores the server only when this step succeeded and a later step failed.
import { describe, expect, it } from '@jest/globals'
import { errorLines, expectTokenNowhere, runWithPost, type ActionRun } from './support/run-action.js'
import { PREFIX, TOKEN, WEB, ids, nonGet, restorePath, useSimulator } from './support/simulator-fixture.js'

// Three backups a page, so every read of the list has to follow `next`.
const fx = useSimulator({ pageSize: 3, backupDurationMs: 1500 })
const { inputs, mark, since, add } = fx

describe('restore-on-failure', () => {
  it('when a later step failed, the post step restores the server from the backup this step created', async () => {
    const older = add(WEB, `${PREFIX}: older`, '2025-01-01T10:00:00Z')
    const from = mark()

    const { main, post } = await runWithPost(inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true' }), {
      laterStepFailed: true
    })

    expect(main.exitCode).toBe(0)
    const newId = Number(main.outputs['backup-id'])
    expect(newId).not.toBe(older.id)
    expect(post).toBeDefined()
    expect(errorLines(post?.log ?? '')).toEqual([])
    expect(post?.exitCode).toBe(0)
    const restores = since(from).filter(r => r.method === 'POST' && r.path.endsWith('/restore/'))
    expect(restores.map(r => r.path)).toEqual([restorePath(WEB)])
    expect(restores[0]?.json).toEqual({ backup_id: newId })
    expect(fx.sim.restores).toEqual([{ serverId: WEB, backupId: newId, at: expect.any(Number) }])
    expect(post?.log).toMatch(new RegExp(`restor\\w* server .*${WEB}.* from backup ${newId}`, 'i'))
    expectTokenNowhere(main, TOKEN)
    expectTokenNowhere(post as ActionRun, TOKEN)
  })

  it('when the backup is still in progress (wait: false), explains why it cannot restore and sends no restore', async () => {
    fx.sim.setBackupDuration(60_000)

    const { main, post } = await runWithPost(
      inputs({ 'server-id': String(WEB), wait: 'false', 'restore-on-failure': 'true' }),
      { laterStepFailed: true }
    )

    expect(main.exitCode).toBe(0)
    const id = main.outputs['backup-id']
    expect(main.outputs.status).toBe('in_progress')
    expect(post).toBeDefined()
    expect(post?.log).toMatch(new RegExp(`backup ${id}\\b.*in_progress`))
    // It says so at once rather than waiting for the backup (or the timeout).
    expect(post?.durationMs).toBeLessThan(10_000)
    expect(fx.sim.requests.filter(r => r.path.endsWith('/restore/'))).toEqual([])
    expect(fx.sim.restores).toEqual([])
  })

  it('when the backup failed, the main step fails and the post step warns that it does not restore', async () => {
    fx.sim.setCreateOutcome('failed')

    const { main, post } = await runWithPost(inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true' }), {
      laterStepFailed: false
    })

    expect(main.exitCode).toBe(1)
    const id = main.outputs['backup-id']
    expect(errorLines(main.log).join('\n')).toMatch(new RegExp(`backup ${id}\\b.*failed`))
    expect(post?.exitCode).toBe(0)
    expect(errorLines(post?.log ?? '')).toEqual([])
    expect(post?.log).toMatch(
      new RegExp(
        `^::warning::restore-on-failure: the job failed, but in this backup step itself \\(server ${WEB} from backup ${id}\\)`,
        'm'
      )
    )
    expect(fx.sim.requests.filter(r => r.path.endsWith('/restore/'))).toEqual([])
    expect(fx.sim.restores).toEqual([])
  })

  it.each([
    ['its wait timed out', { timeout: '3s' }, 60_000],
    ['its own retention failed', { keep: '1' }, 1500]
  ])(
    'when this step failed because %s, the post step restores nothing even though a completed backup exists',
    async (_why, extra, backupMs) => {
      fx.sim.setBackupDuration(backupMs)
      const older = add(WEB, `${PREFIX}: old`, '2025-01-01T10:00:00Z')
      if ('keep' in extra) fx.sim.fault({ method: 'DELETE', kind: 'status', status: 403, body: { detail: 'No.' } })
      const { main, post } = await runWithPost(
        inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true', ...extra }),
        { laterStepFailed: true }
      )

      expect(main.exitCode).toBe(1)
      expect(post?.exitCode).toBe(0)
      expect(post?.log).toMatch(/^::warning::restore-on-failure: the job failed, but in this backup step itself/m)
      expect(fx.sim.requests.filter(r => r.path.endsWith('/restore/'))).toEqual([])
      expect(fx.sim.restores).toEqual([])
      if ('keep' in extra) expect(ids(fx.sim.backups())).toContain(older.id)
    }
  )

  it('when the main step failed before creating a backup, the post step says so and restores nothing', async () => {
    const older = add(WEB, 'Manual snapshot', '2025-01-01T10:00:00Z')
    for (let i = 1; i < 10; i++) add(WEB, `Manual snapshot ${i}`, `2025-01-0${i}T12:00:00Z`)

    const { main, post } = await runWithPost(inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true' }), {
      laterStepFailed: false
    })

    expect(main.exitCode).toBe(1)
    expect(main.outputs['backup-id']).toBeUndefined()
    expect(post).toBeDefined()
    expect(post?.log).toMatch(/no backup/i)
    expect(nonGet(fx.sim.requests)).toEqual([])
    expect(fx.sim.restores).toEqual([])
    expect(fx.sim.backups().map(b => b.id)).toContain(older.id)
  })

  it('when the job succeeded, no post step runs and nothing is restored', async () => {
    const { main, post } = await runWithPost(inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true' }), {
      laterStepFailed: false
    })

    expect(main.exitCode).toBe(0)
    // The post step would have had what it needs…
    expect(JSON.parse(main.state.backups ?? '')).toEqual([[WEB, Number(main.outputs['backup-id'])]])
    // …but the runner does not run it for a job that succeeded.
    expect(post).toBeUndefined()
    expect(fx.sim.requests.filter(r => r.path.endsWith('/restore/'))).toEqual([])
    expect(fx.sim.restores).toEqual([])
  })

  it('when restore-on-failure is false, the post step does nothing even though the job failed', async () => {
    const { main, post } = await runWithPost(inputs({ 'server-id': String(WEB) }), { laterStepFailed: true })

    expect(main.exitCode).toBe(0)
    expect(main.outputs.status).toBe('completed')
    const afterMain = mark()
    expect(post).toBeDefined()
    expect(post?.exitCode).toBe(0)
    expect(errorLines(post?.log ?? '')).toEqual([])
    expect(since(afterMain)).toEqual([])
    expect(fx.sim.restores).toEqual([])
  })

  it('reports a restore the API refuses in the post step as an error', async () => {
    fx.sim.fault({ method: 'POST', path: /\/restore\/$/, kind: 'status', status: 500 })

    const { main, post } = await runWithPost(inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true' }), {
      laterStepFailed: true
    })

    expect(main.exitCode).toBe(0)
    const id = main.outputs['backup-id']
    expect(post).toBeDefined()
    expect(post?.exitCode).not.toBe(0)
    const errors = errorLines(post?.log ?? '')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(id)
    expect(errors[0]).toContain('500')
    // A POST that may have started a restore is not repeated.
    expect(fx.sim.requests.filter(r => r.path === restorePath(WEB))).toHaveLength(1)
    expect(fx.sim.restores).toEqual([])
  })
})
