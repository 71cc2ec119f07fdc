// restore-on-failure (GitHub issues 3 and 8): the post step, as the runner runs it for
// post-if: failure(), restores the server only when this step succeeded and a later step failed.
// In process (support/in-process.ts), the main and post steps on the simulator's fake clock; the
// post step as its own process, reading the main step's state file and the job's RUNNER_TEMP
// record, is in e2e/restore-on-failure.e2e.test.ts.
import { describe, expect, it } from '@jest/globals'
import { runWithPostInProcess, useInProcessSimulator, type InProcessRun } from '../support/in-process.js'
import { errorLines, expectOneLineError, warningLines } from '../support/run-action.js'
import { DB, PREFIX, WEB, ids, nonGet, restorePath } from '../support/simulator-fixture.js'
import { useJob } from '../support/job.js'

// Three backups a page, so every read of the list has to follow `next`.
const fx = useInProcessSimulator({ pageSize: 3, backupDurationMs: 1500 })
const { inputs, mark, since, add, clock } = fx
/** runWithPost, in process on the file's clock. */
const runWithPost = (
  stepInputs: Record<string, string>,
  options: { laterStepFailed: boolean }
): ReturnType<typeof runWithPostInProcess> => runWithPostInProcess(stepInputs, { clock, ...options })

describe('restore-on-failure', () => {
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
    // It says so at once rather than waiting for the backup (or the timeout): no virtual time passes.
    expect(post?.virtualMs).toBe(0)
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

  it('two servers, one restore refused (400), the other back: the error names only the server not restored', async () => {
    fx.sim.fault({
      method: 'POST',
      path: restorePath(DB),
      kind: 'status',
      status: 400,
      body: { non_field_errors: ['Server is not in a valid state for restoration.'] }
    })

    const { main, post } = await runWithPost(inputs({ 'server-id': `${WEB},${DB}`, 'restore-on-failure': 'true' }), {
      laterStepFailed: true
    })

    expect(main.exitCode).toBe(0)
    const backupIds = JSON.parse(main.outputs['backup-ids'] ?? '{}') as Record<string, number>
    const error = expectOneLineError(post as InProcessRun)
    expect(error).toMatch(
      new RegExp(
        `^restore-on-failure could not restore server ${DB} from backup ${backupIds[DB]}: ` +
          `the VPS.org API refused to restore server ${DB} from backup ${backupIds[DB]} \\(400 on POST `
      )
    )
    expect(error).not.toContain(String(WEB))
    expect(fx.sim.restores).toEqual([{ serverId: WEB, backupId: backupIds[WEB], at: expect.any(Number) }])
    // Which came back: a notice, and the summary's table, which names the other too.
    expect(post?.log).toContain(
      `::notice title=VPS.org restore of server ${WEB}::Server web-server-01 (${WEB}) is back (active), ` +
        `restored from backup ${backupIds[WEB]}\n`
    )
    expect(post?.summary).toContain(`| \`web-server-01 (${WEB})\` | back | \`active\` |`)
    expect(post?.summary).toContain(`| \`db-server-01 (${DB})\` | not restored | \`—\` |`)
  })
})

// Issue 14 §5: every step with restore-on-failure has its own post step; within one job, a server is
// restored from a backup at most once, whichever of them runs first. The runner gives the steps of a
// job one RUNNER_TEMP, and passes what a step exports (GITHUB_ENV) on to the later steps and the
// post steps; each test here is one job with its own.
describe('restore-on-failure on several steps of one job', () => {
  const job = useJob((given, options) => fx.run(given, options))
  const { step } = job

  it('several servers: the post step restores only those no earlier post step of the job restored', async () => {
    const createInputs = { 'server-id': `${WEB},${DB}`, 'restore-on-failure': 'true' }
    const create = await step(createInputs)
    expect(create.exitCode).toBe(0)
    const backupIds = JSON.parse(create.outputs['backup-ids'] ?? '{}') as Record<string, number>
    const waitInputs = { command: 'wait', 'backup-id': String(backupIds[WEB]), 'restore-on-failure': 'true' }
    const wait = await step(waitInputs)
    expect(wait.exitCode).toBe(0)

    const waitPost = await step(waitInputs, wait)
    const from = mark()
    const createPost = await step(createInputs, create)

    expect(waitPost.exitCode).toBe(0)
    expect(createPost.exitCode).toBe(0)
    expect(errorLines(createPost.log)).toEqual([])
    expect(fx.sim.restores.map(r => [r.serverId, r.backupId])).toEqual([
      [WEB, backupIds[WEB]],
      [DB, backupIds[DB]]
    ])
    expect(
      since(from)
        .filter(r => r.method === 'POST')
        .map(r => r.path)
    ).toEqual([restorePath(DB)])
    expect(createPost.log).toContain(
      `::notice title=VPS.org restore of server ${WEB}::restore-on-failure: an earlier step of this job already ` +
        `restored (or tried to restore) server ${WEB} from backup ${backupIds[WEB]}`
    )
    expect(createPost.log).toContain(
      `restore-on-failure: the job failed after this step; checking the backups before restoring server ${DB} from backup ${backupIds[DB]}\n`
    )
  })

  it('each job has its own record: another job (another RUNNER_TEMP) restores again', async () => {
    const createInputs = { 'server-id': String(WEB), 'restore-on-failure': 'true' }
    const create = await step(createInputs)
    const first = await step(createInputs, create)
    job.startAnother()
    const again = await step(createInputs, create)

    expect([first.exitCode, again.exitCode]).toEqual([0, 0])
    expect(fx.sim.restores).toHaveLength(2)
  })

  it.each([
    ['on a runner, the post step does not have the job run id the main step exported', {}, 1],
    ['not on a runner (no GITHUB_ENV), nothing is exported', { GITHUB_ENV: '' }, 0]
  ])('%s: the server is restored all the same', async (_case, env, warnings) => {
    const createInputs = { 'server-id': String(WEB), 'restore-on-failure': 'true' }
    const main = await fx.run(createInputs, { env: { ...env, RUNNER_TEMP: job.temp() } })
    // What the main step exported is not passed on, as when it ran a version of the action before the id.
    const post = await fx.run(createInputs, { env: { ...env, RUNNER_TEMP: job.temp() }, postState: main.state })

    expect(main.exported).toEqual(warnings ? { VPS_BACKUP_ACTION_JOB_RUN: expect.any(String) } : {})
    expect(post.exitCode).toBe(0)
    expect(fx.sim.restores.map(r => [r.serverId, r.backupId])).toEqual([[WEB, Number(main.outputs['backup-id'])]])
    expect(warningLines(post.log).filter(line => line.includes('VPS_BACKUP_ACTION_JOB_RUN is not set'))).toHaveLength(
      warnings
    )
    expect(warningLines(post.log)).toHaveLength(warnings)
  })
})
