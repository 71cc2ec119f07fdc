// restore-on-failure (GitHub issues 3 and 8), what a process shows: the post step is a process of
// its own, which knows the backups of the main step only from the state file (STATE_*), and the
// post steps of one job share only the job's RUNNER_TEMP. The rest (which servers are restored,
// the notices, errors and summary) is tested in process, in restore-on-failure.test.ts.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { errorLines, expectTokenNowhere, runAction, runWithPost, type ActionRun } from './support/run-action.js'
import { PREFIX, TOKEN, WEB, restorePath, useSimulator } from './support/simulator-fixture.js'

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
// job one RUNNER_TEMP; each test here is one job with its own.
describe('restore-on-failure on several steps of one job', () => {
  let jobTemp = ''
  beforeEach(() => {
    jobTemp = mkdtempSync(join(tmpdir(), 'vps-job-'))
  })
  afterEach(() => {
    rmSync(jobTemp, { recursive: true, force: true })
  })

  /** Runs one step of the job (its main step, or with `after`, its post step after a later step failed). */
  const step = (stepInputs: Record<string, string>, after?: ActionRun): Promise<ActionRun> =>
    runAction(inputs(stepInputs), {
      env: { RUNNER_TEMP: jobTemp },
      ...(after ? { postState: after.state } : {})
    })

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
    expect(readdirSync(join(jobTemp, 'vps-backup-action', 'restored'))).toEqual([`backup-${WEB}-${backupId}.json`])
  })
})
