// restore-on-failure (GitHub issues 3 and 8), what a process shows: the post step is a process of
// its own, which knows the backups of the main step only from the state file (STATE_*), and the
// post steps of one job share only the job's RUNNER_TEMP. The rest (which servers are restored,
// the notices, errors and summary) is tested in process, in commands/restore-on-failure.test.ts.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  errorLines,
  expectTokenNowhere,
  runAction,
  runWithPost,
  warningLines,
  type ActionRun
} from '../support/run-action.js'
import { PREFIX, TOKEN, WEB, restorePath, useSimulator } from '../support/simulator-fixture.js'
import { useJob } from '../support/job.js'

// Three backups a page, so every read of the list has to follow `next`.
const fx = useSimulator({ pageSize: 3, backupDurationMs: 1500 })
const { inputs, mark, since, add } = fx

describe('restore-on-failure', () => {
  // Kept e2e: the backup reaches the post step's process only through GITHUB_STATE and STATE_*.
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
})

// Issue 14 §5: every step with restore-on-failure has its own post step; within one job, a server is
// restored from a backup at most once, whichever of them runs first. The runner gives the steps of a
// job one RUNNER_TEMP, and passes what a step exported (GITHUB_ENV) on to the job's later steps and
// post steps; each test here is one job with its own.
describe('restore-on-failure on several steps of one job', () => {
  const job = useJob((given, options) => runAction(inputs(given), options))
  const { step } = job

  // Kept e2e: two post steps, two processes, whose only link is the record under the job's RUNNER_TEMP.
  it('create with wait: false and its wait step: a later failure restores the server once, and the other post step says so', async () => {
    const createInputs = { 'server-id': String(WEB), wait: 'false', 'restore-on-failure': 'true' }
    const create = await step(createInputs)
    expect(create.exitCode).toBe(0)
    const backupId = create.outputs['backup-id'] ?? ''
    const waitInputs = { command: 'wait', 'backup-id': backupId, 'restore-on-failure': 'true' }
    const wait = await step(waitInputs)
    expect(wait.exitCode).toBe(0)

    // The deploy fails: the post steps run, the last registered first.
    const waitPost = await step(waitInputs, wait)
    const from = mark()
    const createPost = await step(createInputs, create)

    expect(waitPost.exitCode).toBe(0)
    expect(errorLines(waitPost.log)).toEqual([])
    expect(fx.sim.restores).toEqual([{ serverId: WEB, backupId: Number(backupId), at: expect.any(Number) }])
    expect(createPost.exitCode).toBe(0)
    expect(errorLines(createPost.log)).toEqual([])
    expect(createPost.log).toMatch(
      new RegExp(
        `^::notice title=VPS.org restore of server ${WEB}::restore-on-failure: an earlier step of this job already ` +
          `restored \\(or tried to restore\\) server ${WEB} from backup ${backupId}; it is not restored again from the same backup`,
        'm'
      )
    )
    // Not even a read: nothing is left to do.
    expect(since(from)).toEqual([])
    const [folder] = readdirSync(job.temp())
    expect(folder).toMatch(/^vps-backup-action-[0-9a-f-]{36}$/)
    expect(readdirSync(join(job.temp(), folder ?? '', 'restored'))).toEqual([`backup-${WEB}-${backupId}.json`])
  })
})

// Issue 20 §1: on a self-hosted runner, RUNNER_TEMP may keep what an earlier job left (the runner
// empties it only when it can). A record of another job run there never skips a restore this one owes.
describe('restore-on-failure and the records other job runs left in RUNNER_TEMP', () => {
  let runnerTemp = ''
  beforeEach(() => {
    runnerTemp = mkdtempSync(join(tmpdir(), 'vps-runner-'))
  })
  afterEach(() => {
    rmSync(runnerTemp, { recursive: true, force: true })
  })

  /** One job run: a wait step for the backup, the deploy fails, its post step; on the runner's RUNNER_TEMP. */
  async function jobRun(backupId: number, env: Record<string, string>): Promise<ActionRun> {
    const waitInputs = inputs({ command: 'wait', 'backup-id': String(backupId), 'restore-on-failure': 'true' })
    const { main, post } = await runWithPost(waitInputs, {
      env: { ...env, RUNNER_TEMP: runnerTemp },
      laterStepFailed: true
    })
    expect(main.exitCode).toBe(0)
    return post as ActionRun
  }

  it.each([
    ['another attempt of the job (Re-run failed jobs)', { GITHUB_RUN_ATTEMPT: '2' }],
    ['another leg of the same matrix job (same run, attempt and job)', {}]
  ])('a record of %s does not skip the restore', async (_other, env) => {
    const backup = add(WEB, `${PREFIX}: before the deploy`, '2025-06-01T10:00:00Z')

    const first = await jobRun(backup.id, { GITHUB_JOB: 'deploy' })
    const second = await jobRun(backup.id, { GITHUB_JOB: 'deploy', ...env })

    for (const post of [first, second]) {
      expect(post.exitCode).toBe(0)
      expect(errorLines(post.log)).toEqual([])
      expect(post.log).not.toContain('already restored')
    }
    expect(fx.sim.restores.map(r => [r.serverId, r.backupId])).toEqual([
      [WEB, backup.id],
      [WEB, backup.id]
    ])
  })
})

// Issue 20 §2: a record that cannot be read or written is never taken for a restore that happened.
describe('restore-on-failure when its record cannot be read', () => {
  let dir = ''
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vps-runner-'))
  })
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  const createInputs = (): Record<string, string> => inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true' })

  /** The post step restored the server from the backup the main step made, with one warning naming `path`. */
  function expectRestoredWithWarning(main: ActionRun, post: ActionRun | undefined, path: string): void {
    expect(post?.exitCode).toBe(0)
    expect(errorLines(post?.log ?? '')).toEqual([])
    expect(fx.sim.restores.map(r => [r.serverId, r.backupId])).toEqual([[WEB, Number(main.outputs['backup-id'])]])
    const warnings = warningLines(post?.log ?? '')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(path)
    expect(warnings[0]).toMatch(/ENOTDIR/)
  }

  it('RUNNER_TEMP is a file: one warning names the record and the error, and the server is restored', async () => {
    const file = join(dir, 'temp')
    writeFileSync(file, '')

    const { main, post } = await runWithPost(createInputs(), { env: { RUNNER_TEMP: file }, laterStepFailed: true })

    expect(main.exitCode).toBe(0)
    expectRestoredWithWarning(main, post, join(file, 'vps-backup-action'))
  })

  it('the folder of the records is a file: one warning names it and the error, and the server is restored', async () => {
    const env = { RUNNER_TEMP: dir }
    const main = await runAction(createInputs(), { env })
    expect(main.exitCode).toBe(0)
    // The records' folder of this job run, and the one of the versions before it, are files.
    const id = main.exported.VPS_BACKUP_ACTION_JOB_RUN
    const folders = [join(dir, 'vps-backup-action'), ...(id ? [join(dir, `vps-backup-action-${id}`)] : [])]
    for (const folder of folders) {
      mkdirSync(folder, { recursive: true })
      writeFileSync(join(folder, 'restored'), '')
    }

    const post = await runAction(createInputs(), { env: { ...env, ...main.exported }, postState: main.state })

    expectRestoredWithWarning(main, post, join(folders[folders.length - 1] ?? '', 'restored'))
  })
})
