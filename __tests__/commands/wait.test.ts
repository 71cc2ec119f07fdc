// End-to-end tests of `command: wait` (GitHub issue 10): a backup started earlier with
// `wait: false` is waited for just before the deploy, with the outputs of a create that waits, and
// `keep` and `restore-on-failure` work on the wait step as on such a create. Each test runs the
// action in process (support/in-process.ts) on a fake clock, against the simulator over real HTTP
// on the same clock: the simulator's timestamps are virtual too.
import { describe, expect, it } from '@jest/globals'
import {
  errorLines,
  expectOneLineError,
  expectOnlyGets,
  expectTokenNowhere,
  parseJsonOutput,
  warningLines,
  type ActionRun
} from '../support/run-action.js'
import { runInProcess, runWithPostInProcess, useInProcessSimulator } from '../support/in-process.js'
import { type RecordedRequest, type SimBackup } from '../../tools/simulator/index.js'
import { DB, LIST, PREFIX, TOKEN, WEB, restorePath } from '../support/simulator-fixture.js'
import { useJob } from '../support/job.js'

const WEB_LABEL = 'web-server-01 (12345)'
const BACKUP_MS = 1500
const RESTORE_MS = 1500
/** Room between two simulator timestamps for timers that fire a little late or early. */
const TIMER_SLACK_MS = 20

// Three backups a page, so finding and following a backup means following `next`.
const { sim, inputs, mark, since, clock } = useInProcessSimulator({
  pageSize: 3,
  backupDurationMs: BACKUP_MS,
  restoreDurationMs: RESTORE_MS
})

const runAction = (given: Record<string, string>) => runInProcess(given, { clock })
const runWithPost = (given: Record<string, string>, options: Parameters<typeof runWithPostInProcess>[1]) =>
  runWithPostInProcess(given, { clock, ...options })

function waitInputs(backupId: number, extra: Record<string, string> = {}): Record<string, string> {
  return inputs({ command: 'wait', 'backup-id': String(backupId), ...extra })
}

/** A manual backup started through the API, so it really goes from in_progress to its outcome. */
async function startBackup(serverId: number, description: string): Promise<SimBackup> {
  const res = await fetch(`${sim.url}${LIST}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ server_id: serverId, description })
  })
  expect(res.status).toBe(201)
  const backup = (await res.json()) as SimBackup
  expect(backup.status).toBe('in_progress')
  return backup
}

function old(serverId: number, description: string, createdAt: string): SimBackup {
  return sim.addBackup({ serverId, description, created_at: createdAt })
}

/** Log lines the action wrote as plain info (no workflow command). */
function infoLines(run: ActionRun): string[] {
  return run.log.split('\n').filter(l => l !== '' && !l.startsWith('::'))
}

const ascending = (ids: readonly number[]): number[] => [...ids].sort((a, b) => a - b)

const completedAt = (backup: SimBackup): number => Date.parse(backup.created_at) + BACKUP_MS

// -------------------------------------------------------------------------------------------------

describe('command: wait', () => {
  it('waits for a backup a create step started with wait: false, with the outputs of a create that waits', async () => {
    const started = await runAction(
      inputs({ 'server-id': String(WEB), wait: 'false', description: `${PREFIX}: build 7` })
    )
    expect(started.exitCode).toBe(0)
    const backupId = Number(started.outputs['backup-id'])
    expect(started.outputs.status).toBe('in_progress')
    const from = mark()

    const run = await runAction(waitInputs(backupId, { 'server-id': String(WEB) }))

    expect(errorLines(run.log)).toEqual([])
    expect(warningLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    const [backup] = sim.backups()
    expect(sim.backups()).toHaveLength(1)
    expect(backup).toMatchObject({ id: backupId, status: 'completed', description: `${PREFIX}: build 7` })
    const requests = since(from)
    expectOnlyGets(requests)
    // Followed through the list filtered by its server, until it was seen completed, and not one more.
    expect(requests.every(r => r.path === LIST && r.query.server_id === String(WEB))).toBe(true)
    expect((requests.at(-1) as RecordedRequest).at).toBeGreaterThanOrEqual(completedAt(backup) - TIMER_SLACK_MS)
    expect(run.outputs).toEqual({
      'backup-id': String(backupId),
      status: 'completed',
      'size-mb': String(backup.size_mb),
      'created-at': backup.created_at,
      'server-id': String(WEB),
      'server-name': 'web-server-01',
      backup: JSON.stringify(backup),
      'deleted-ids': '[]'
    })
    expect(parseJsonOutput(run, 'backup')).toEqual(backup)
    const gigabytes = ((backup.size_mb ?? NaN) / 1024).toFixed(1).replace('.', '\\.')
    expect(infoLines(run)).toEqual([
      expect.stringMatching(
        new RegExp(`^Waiting up to \\d+s for backup ${backupId} of server web-server-01 \\(12345\\)…$`)
      ),
      expect.stringMatching(new RegExp(`^Backup ${backupId}: in_progress → completed after \\d+s$`)),
      expect.stringMatching(
        new RegExp(`^Backup ${backupId} is completed after \\d+s \\(${gigabytes} GB\\), \\d+ rounds of status checks$`)
      )
    ])
    expect(run.log).toContain(
      `::notice title=VPS.org backup ${backupId}::Backup ${backupId} of server ${WEB_LABEL} is completed\n`
    )
    expect(run.summary).toContain(`## VPS.org backup ${backupId}\n`)
    expect(run.summary).toContain('| Status | `completed` |')
    expect(run.summary).toContain(`    backup-id: ${backupId}\n`)
    expectTokenNowhere(run, TOKEN)
  })

  it('a backup already completed: outputs at once, from one read of the list', async () => {
    const done = old(WEB, `${PREFIX}: done`, '2025-03-01T10:00:00Z')
    const from = mark()

    const run = await runAction(waitInputs(done.id))

    expect(run.exitCode).toBe(0)
    expect(since(from).map(r => `${r.method} ${r.path}`)).toEqual([`GET ${LIST}`])
    expect(run.outputs.status).toBe('completed')
    expect(run.outputs['backup-id']).toBe(String(done.id))
    // At once: no pause on the step's clock before the one read.
    expect(run.virtualMs).toBe(0)
  })

  it('a backup that fails while waited for: one line naming it and its status, backup-id already output', async () => {
    sim.setCreateOutcome('failed')
    const backup = await startBackup(WEB, `${PREFIX}: doomed`)

    const run = await runAction(waitInputs(backup.id))

    const error = expectOneLineError(run)
    expect(error).toMatch(new RegExp(`^backup ${backup.id} of server ${WEB} ended with status "failed" after \\d+s$`))
    expect(run.outputs['backup-id']).toBe(String(backup.id))
    expect(run.outputs.status).toBe('failed')
    expect(run.outputs['deleted-ids']).toBeUndefined()
    expectOnlyGets(sim.requests.slice(1))
  })

  it('times out saying after how long, with backup-id already output', async () => {
    sim.setBackupDuration(60_000)
    const backup = await startBackup(WEB, `${PREFIX}: slow`)

    const run = await runAction(waitInputs(backup.id, { timeout: '3s' }))

    expect(expectOneLineError(run)).toBe(
      `timed out after 3s waiting for backup ${backup.id} of server ${WEB} to complete (last status: in_progress); ` +
        'the backup may still complete: raise timeout for larger servers'
    )
    expect(run.outputs['backup-id']).toBe(String(backup.id))
    // It ends at its timeout, on the step's clock: not before, and not a poll later.
    expect(run.virtualMs).toBe(3000)
  })

  it('checks server-id: a backup of another server is refused, reading only and waiting for nothing', async () => {
    const backup = await startBackup(WEB, `${PREFIX}: web`)
    const from = mark()

    const run = await runAction(waitInputs(backup.id, { 'server-id': String(DB) }))

    expect(expectOneLineError(run)).toBe(
      `backup ${backup.id} belongs to server ${WEB_LABEL}, not server ${DB}; nothing was waited for`
    )
    expectOnlyGets(since(from))
    expect(since(from).length).toBeLessThanOrEqual(2)
    expect(run.outputs).toEqual({})
    expect(run.state.backups).toBeUndefined()
  })

  it('dry-run reads the list once and says what a real run would wait for', async () => {
    const backup = await startBackup(WEB, `${PREFIX}: dry`)
    const from = mark()

    const run = await runAction(waitInputs(backup.id, { 'dry-run': 'true', keep: '2' }))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(since(from).map(r => `${r.method} ${r.path}`)).toEqual([`GET ${LIST}`])
    expect(infoLines(run)).toEqual([
      `Dry run: backup ${backup.id} of server ${WEB_LABEL} is in_progress; a real run would wait for it to complete`
    ])
    expect(run.outputs).toEqual({})
    expect(run.state.backups).toBeUndefined()
  })

  it.each([
    [
      'wait: false',
      { 'backup-id': '7', wait: 'false' },
      'wait: false contradicts command wait, which waits for the backup: remove one of them'
    ],
    ['no backup-id', {}, 'backup-id is required for command wait'],
    [
      'two servers',
      { 'backup-id': '7', 'server-id': `${WEB},${DB}` },
      'server-id takes one server for command wait, got 2'
    ],
    [
      'a description',
      { 'backup-id': '7', description: 'x' },
      'description is not used by command wait; remove it or set the right command'
    ]
  ])('refuses %s before any request', async (_case, extra: Record<string, string>, expected) => {
    const run = await runAction(inputs({ command: 'wait', ...extra }))

    expect(expectOneLineError(run)).toBe(expected)
    expect(sim.requests).toEqual([])
  })

  it('a backup that does not exist: one line naming it', async () => {
    old(WEB, 'something', '2025-03-01T10:00:00Z')

    const run = await runAction(waitInputs(999))

    expect(expectOneLineError(run)).toBe('backup 999 not found; nothing was waited for')
    expectOnlyGets(sim.requests)
  })
})

// -------------------------------------------------------------------------------------------------

describe('keep on the wait step', () => {
  it('once the backup completed, deletes the oldest matching completed backups of its server beyond keep', async () => {
    const oldest = old(WEB, `${PREFIX}: 1`, '2025-03-01T10:00:00Z')
    const older = old(WEB, `${PREFIX}: 2`, '2025-03-02T10:00:00Z')
    const kept = old(WEB, `${PREFIX}: 3`, '2025-03-03T10:00:00Z')
    const otherPrefix = old(WEB, 'Manual snapshot', '2025-02-01T10:00:00Z')
    const otherServer = old(DB, `${PREFIX}: db`, '2025-02-01T10:00:00Z')
    const backup = await startBackup(WEB, `${PREFIX}: 4`)
    const from = mark()

    const run = await runAction(waitInputs(backup.id, { keep: '2' }))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    const changes = since(from).filter(r => r.method !== 'GET')
    expect(changes.map(r => `${r.method} ${r.path}`).sort()).toEqual(
      [`DELETE ${LIST}${oldest.id}/`, `DELETE ${LIST}${older.id}/`].sort()
    )
    // Only once the backup was completed.
    for (const change of changes) expect(change.at).toBeGreaterThanOrEqual(completedAt(backup) - TIMER_SLACK_MS)
    const deletedIds = parseJsonOutput<number[]>(run, 'deleted-ids')
    expect(ascending(deletedIds)).toEqual(ascending([oldest.id, older.id]))
    expect(ascending(sim.backups().map(b => b.id))).toEqual(
      ascending([kept.id, otherPrefix.id, otherServer.id, backup.id])
    )
    expect(run.summary).toContain(`| Deleted by retention | ${deletedIds.join(', ')} |`)
  })

  it("refuses keep when the backup's description does not start with keep-prefix, deleting nothing", async () => {
    for (let day = 1; day <= 3; day++) old(WEB, `${PREFIX}: ${day}`, `2025-03-0${day}T10:00:00Z`)
    const backup = await startBackup(WEB, 'Hotfix backup')
    const before = sim.backups().map(b => b.id)
    const from = mark()

    const run = await runAction(waitInputs(backup.id, { keep: '2' }))

    expect(expectOneLineError(run)).toBe(
      `keep is set but backup ${backup.id} is described "Hotfix backup", which does not start with keep-prefix ` +
        `"${PREFIX}": it would never count toward the backups kept; nothing was waited for or deleted`
    )
    // The whole list read to find the backup, and not the server's list a wait would follow.
    expectOnlyGets(since(from))
    expect(since(from).filter(r => r.path !== LIST || r.query.server_id !== undefined)).toEqual([])
    expect(sim.backups().map(b => b.id)).toEqual(before)
    expect(run.outputs).toEqual({})
  })
})

// -------------------------------------------------------------------------------------------------

describe('restore-on-failure on the wait step', () => {
  it("the wait step's own success arms the post step: after a failed job it restores the waited backup and waits for the server", async () => {
    const started = await runAction(
      inputs({ 'server-id': String(WEB), wait: 'false', description: `${PREFIX}: build 8` })
    )
    const backupId = Number(started.outputs['backup-id'])
    // The create step itself asked for no restore.
    expect(started.state.restoreOnFailure).toBeUndefined()

    const { main, post } = await runWithPost(waitInputs(backupId, { 'restore-on-failure': 'true' }), {
      jobStatus: 'failure'
    })

    expect(main.exitCode).toBe(0)
    expect(main.state).toMatchObject({
      restoreOnFailure: 'true',
      mainStepSucceeded: 'true',
      backups: JSON.stringify([[WEB, backupId]])
    })
    expect(post).toBeDefined()
    const after = post as ActionRun
    expect(errorLines(after.log)).toEqual([])
    expect(after.exitCode).toBe(0)
    const restores = sim.requests.filter(r => r.method === 'POST' && r.path.endsWith('/restore/'))
    expect(restores.map(r => `${r.method} ${r.path} ${r.body}`)).toEqual([
      `POST ${restorePath(WEB)} ${JSON.stringify({ backup_id: backupId })}`
    ])
    expect(sim.restores).toEqual([{ serverId: WEB, backupId, at: expect.any(Number) }])
    const reads = sim.requests.slice(sim.requests.indexOf(restores[0]) + 1)
    expect(reads.map(r => `${r.method} ${r.path}`)).toEqual(reads.map(() => `GET /api/v1/servers/${WEB}/`))
    expect((reads.at(-1) as RecordedRequest).at).toBeGreaterThanOrEqual(
      (sim.restores[0]?.at ?? NaN) + RESTORE_MS - TIMER_SLACK_MS
    )
    expect(infoLines(after).at(-1)).toMatch(/^Server web-server-01 \(12345\) is back \(active\) after \d+s$/)
  })

  it('a wait step that failed does not arm it: the post step warns and restores nothing', async () => {
    sim.setCreateOutcome('failed')
    const backup = await startBackup(WEB, `${PREFIX}: doomed`)

    const { main, post } = await runWithPost(waitInputs(backup.id, { 'restore-on-failure': 'true' }), {
      jobStatus: 'success'
    })

    expect(main.exitCode).toBe(1)
    expect(post).toBeDefined()
    expect((post as ActionRun).exitCode).toBe(0)
    expect(warningLines((post as ActionRun).log)).toEqual([
      `restore-on-failure: the job failed, but in this backup step itself (server ${WEB} from backup ${backup.id}), ` +
        'before any later step ran: nothing was deployed after it, so nothing is restored'
    ])
    expect(sim.requests.filter(r => r.path.endsWith('/restore/'))).toEqual([])
    expect(sim.restores).toEqual([])
  })

  it('after a cancelled job, no post step runs and nothing is restored', async () => {
    const backup = await startBackup(WEB, `${PREFIX}: build 9`)

    const { main, post } = await runWithPost(waitInputs(backup.id, { 'restore-on-failure': 'true' }), {
      jobStatus: 'cancelled'
    })

    expect(main.exitCode).toBe(0)
    expect(post).toBeUndefined()
    expect(sim.restores).toEqual([])
  })
})

// Issue 20 §6: a backup and a snapshot may have the same id, and only `kind` tells them apart. The
// steps of one job share RUNNER_TEMP and what a step exports (GITHUB_ENV), as on the runner.
describe('two kinds, one id, in one job', () => {
  const { step } = useJob((given, options) => runInProcess(inputs(given), { clock, ...options }))

  it('wait and restore with kind: snapshot and the id of the backup this job created refuse before any request', async () => {
    const create = await step({ 'server-id': String(WEB), wait: 'false', 'restore-on-failure': 'true' })
    expect(create.exitCode).toBe(0)
    const id = Number(create.outputs['backup-id'])
    // An old snapshot of the same server that happens to have the same id.
    sim.addSnapshot({ serverId: WEB, id, name: 'Weekly snapshot', description: 'Weekly snapshot' })
    const from = mark()

    const waited = await step({
      command: 'wait',
      kind: 'snapshot',
      'backup-id': String(id),
      'restore-on-failure': 'true'
    })
    const restored = await step({ command: 'restore', kind: 'snapshot', 'backup-id': String(id) })

    for (const run of [waited, restored]) {
      expectOneLineError(
        run,
        `backup-id ${id} is the backup an earlier step of this job created, but kind is snapshot: set kind: backup`
      )
    }
    expect(since(from)).toEqual([])
    expect(waited.state).not.toHaveProperty('backups')
    // With its own kind, the same id is waited for as ever.
    const right = await step({ command: 'wait', 'backup-id': String(id) })
    expect(right.exitCode).toBe(0)
    expect(right.outputs.status).toBe('completed')
  })
})
