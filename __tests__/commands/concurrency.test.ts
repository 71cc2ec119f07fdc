// Two deploys of one server at once (GitHub issue 8): two runs of the action in process
// (support/in-process.ts) on one fake clock against one simulator on that clock, their
// interleavings forced with sim.hold() where an order matters, each repeated.
// What is checked is what the safety net owes both deploys: retention never deletes a backup newer
// than the run's own, nor one not completed; a DELETE that meets another run's deletion is not an
// error; at the limit of 10, a create refused because the other run took the last slot is made
// room for once more; the newest backups survive, exactly as many as keep says; and
// restore-on-failure never restores a server because this step itself failed.
import { describe, expect, it } from '@jest/globals'
import { runWithPostInProcess, useInProcessSimulator, type InProcessRun } from '../support/in-process.js'
import { GITHUB_ENV, errorLines, parseJsonOutput, warningLines } from '../support/run-action.js'
import { until, within } from '../support/waiting.js'
import { type HeldRequest, type SimBackup } from '../../tools/simulator/index.js'
import { DB, LIST, PREFIX, TOKEN, WEB, deletePath, ids } from '../support/simulator-fixture.js'

const BACKUP_MS = 1200
/** The two workflow runs: each deploy has its own run id, so its own default description. */
const A = '1001'
const B = '1002'

const descriptionOf = (runId: string): string =>
  `${PREFIX}: ${GITHUB_ENV.GITHUB_REPOSITORY}@${GITHUB_ENV.GITHUB_SHA.slice(0, 7)} (run ${runId})`

const { sim, clock } = useInProcessSimulator({ backupDurationMs: BACKUP_MS })

interface Deploy {
  main: InProcessRun
  post: InProcessRun | undefined
}

/**
 * One deploy's backup step with keep and restore-on-failure, and, when the job fails, its post
 * step. The deploy after it succeeds: only this step can fail the job here.
 */
function deploy(runId: string, keep: string): Promise<Deploy> {
  return runWithPostInProcess(
    {
      'api-token': TOKEN,
      'api-url': sim.url,
      'server-id': String(WEB),
      keep,
      'restore-on-failure': 'true',
      'poll-interval': '1s',
      timeout: '60s'
    },
    { clock, env: { GITHUB_RUN_ID: runId }, laterStepFailed: false }
  )
}

/**
 * Until the held request arrives; when the run ends first, fails at once with what the run said
 * (an action that does not do what the interleaving expects should not look like a hang).
 */
async function arrival(held: HeldRequest, run: Promise<Deploy>, what: string): Promise<void> {
  const endedFirst = run.then(({ main }) => {
    throw new Error(`${what}: the run ended first, exit ${main.exitCode}: ${errorLines(main.log).join(' | ')}`)
  })
  await within(Promise.race([held.arrived, endedFirst]), what)
}

function backupIdOf(runId: string): number {
  const backup = sim.backups().find(b => b.description === descriptionOf(runId))
  if (!backup) throw new Error(`run ${runId} has no backup`)
  return backup.id
}

/**
 * Both runs wait on a held request, so no pause of theirs moves virtual time: it is moved on by the
 * backups' duration, after which they are completed.
 */
function letBackupsComplete(ids: number[]): void {
  clock.advance(BACKUP_MS)
  expect(ids.map(id => sim.backups().find(b => b.id === id)?.status)).toEqual(ids.map(() => 'completed'))
}

interface HeldRun {
  run: Promise<Deploy>
  backupId: number
  /** The run's first status check of its backup, held: the run waits there until it is released. */
  firstCheck: HeldRequest
}

/** Starts a deploy and holds it at its first status check, once its backup was created. */
async function startHeldAtFirstCheck(runId: string, keep: string): Promise<HeldRun> {
  const create = sim.hold({ method: 'POST', path: LIST })
  const run = deploy(runId, keep)
  await arrival(create, run, `run ${runId} sends its create request`)
  // Queued only now, so it catches the check after the create, not the list before it.
  const firstCheck = sim.hold({ method: 'GET', path: LIST })
  create.release()
  await arrival(firstCheck, run, `run ${runId} checks its backup`)
  return { run, backupId: backupIdOf(runId), firstCheck }
}

/**
 * Completed pre-deploy backups of the server, `days` their creation days, returned oldest first
 * (the ids are not in that order).
 */
function olderBackups(days: number[]): SimBackup[] {
  const added = days.map(day =>
    sim.addBackup({
      serverId: WEB,
      description: `${PREFIX}: acme/shop@old (run ${day})`,
      created_at: `2025-03-${String(day).padStart(2, '0')}T10:00:00Z`
    })
  )
  return [...added].sort((x, y) => x.created_at.localeCompare(y.created_at))
}

/**
 * Backups no retention may touch, all older than the rest: a manual one of another description
 * (unless `manual` is false), an automatic one, and one of another server.
 */
function untouchable({ manual = true } = {}): SimBackup[] {
  return [
    ...(manual
      ? [sim.addBackup({ serverId: WEB, description: 'Manual snapshot', created_at: '2025-01-01T10:00:00Z' })]
      : []),
    sim.addBackup({
      serverId: WEB,
      description: `${PREFIX}: nightly`,
      created_at: '2025-01-02T03:00:00Z',
      backup_type: 'automatic'
    }),
    sim.addBackup({ serverId: DB, description: `${PREFIX}: db`, created_at: '2025-01-03T10:00:00Z' })
  ]
}

const deletes = (): string[] => sim.requests.filter(r => r.method === 'DELETE').map(r => r.path)

/** The body of each create request, in the order the API received them. */
const creates = (): unknown[] => sim.requests.filter(r => r.method === 'POST').map(r => r.json)

/** A deploy whose step succeeded: no error, its own backup, what it deleted; no post step ran. */
function expectSucceeded(deployed: Deploy, backupId: number, deleted: number[]): void {
  expect(errorLines(deployed.main.log)).toEqual([])
  expect(deployed.main.exitCode).toBe(0)
  expect(deployed.main.outputs['backup-id']).toBe(String(backupId))
  expect(deployed.main.outputs.status).toBe('completed')
  expect(parseJsonOutput(deployed.main, 'deleted-ids')).toEqual(deleted)
  expect(deployed.post).toBeUndefined()
}

/** Whatever happened, no server was overwritten. */
function expectNoRestore(): void {
  expect(sim.requests.filter(r => r.path.endsWith('/restore/'))).toEqual([])
  expect(sim.restores).toEqual([])
}

// -------------------------------------------------------------------------------------------------

describe('keep: 1, two deploys at once', () => {
  it.each([1, 2])(
    'round %i: each run lists the other one completed before either deletes: the newer backup survives, both succeed',
    async () => {
      const [o1, o2] = olderBackups([5, 2]) as [SimBackup, SimBackup]
      const others = untouchable()
      const a = await startHeldAtFirstCheck(A, '1')
      const b = await startHeldAtFirstCheck(B, '1')
      letBackupsComplete([a.backupId, b.backupId])

      // B (the newer backup) prunes first and is held at its last DELETE, of A's backup; A reads the
      // list while its own backup and B's are both there, completed.
      const deleteOfA = sim.hold({ method: 'DELETE', path: deletePath(a.backupId) })
      b.firstCheck.release()
      await arrival(deleteOfA, b.run, "B deletes A's backup")
      a.firstCheck.release()
      const runA = await within(a.run, 'run A ends')
      deleteOfA.release()
      const runB = await within(b.run, 'run B ends')

      expectSucceeded(runA, a.backupId, [])
      expectSucceeded(runB, b.backupId, [o1.id, o2.id, a.backupId])
      expect(deletes()).toEqual([o1, o2].map(o => deletePath(o.id)).concat(deletePath(a.backupId)))
      expect(creates()).toEqual([
        { server_id: WEB, description: descriptionOf(A) },
        { server_id: WEB, description: descriptionOf(B) }
      ])
      expect(ids(sim.backups())).toEqual(ids([...others, { id: b.backupId }]))
      expect(sim.backups().find(x => x.id === b.backupId)?.status).toBe('completed')
      expectNoRestore()
    }
  )

  it.each([1, 2])(
    "round %i: A's first DELETE is held while B creates, completes and prunes: A's DELETEs then meet 404s, which are no error",
    async () => {
      const [o1, o2] = olderBackups([3, 7]) as [SimBackup, SimBackup]
      const others = untouchable()
      const deleteOfOldest = sim.hold({ method: 'DELETE', path: deletePath(o1.id) })
      const runningA = deploy(A, '1')
      await arrival(deleteOfOldest, runningA, 'A prunes')
      const a = backupIdOf(A)

      const runB = await within(deploy(B, '1'), 'run B ends')
      const b = backupIdOf(B)
      deleteOfOldest.release()
      const runA = await within(runningA, 'run A ends')

      expectSucceeded(runB, b, [o1.id, o2.id, a])
      expectSucceeded(runA, a, [])
      for (const gone of [o1, o2]) expect(runA.main.log).toContain(`Backup ${gone.id} was already gone`)
      expect(warningLines(runA.main.log)).toEqual([])
      // A's held DELETE first, then B's three, then A's second, which B had sent before it.
      expect(deletes()).toEqual([o1.id, o1.id, o2.id, a, o2.id].map(deletePath))
      expect(ids(sim.backups())).toEqual(ids([...others, { id: b }]))
      expectNoRestore()
    }
  )

  it.each([1, 2])(
    "round %i: B prunes while A's older backup is still in progress: B leaves it, A then deletes nothing newer: both stay",
    async () => {
      const [o1, o2] = olderBackups([6, 1]) as [SimBackup, SimBackup]
      const others = untouchable()
      // A's backup completes only when the test says; B's in BACKUP_MS.
      sim.setBackupDuration(600_000)
      const createOfA = sim.hold({ method: 'POST', path: LIST })
      const runningA = deploy(A, '1')
      await arrival(createOfA, runningA, 'A sends its create request')
      createOfA.release()
      // Virtual time stands still meanwhile, so A does not poll on towards its timeout.
      await clock.hold(until("A's backup is made", () => sim.backups().some(x => x.description === descriptionOf(A))))
      const a = backupIdOf(A)
      sim.setBackupDuration(BACKUP_MS)

      const runB = await within(deploy(B, '1'), 'run B ends')
      const b = backupIdOf(B)
      expect(sim.backups().find(x => x.id === a)?.status).toBe('in_progress')
      sim.finishBackup(a)
      const runA = await within(runningA, 'run A ends')

      expectSucceeded(runB, b, [o1.id, o2.id])
      expectSucceeded(runA, a, [])
      expect(deletes()).toEqual([o1, o2].map(o => deletePath(o.id)))
      // keep 1, yet two stay: neither run may delete the other's, one being unfinished, the other newer.
      expect(ids(sim.backups())).toEqual(ids([...others, { id: a }, { id: b }]))
      expectNoRestore()
    }
  )

  it("A waits while B's keep deletes A's completed backup: A fails saying so, and its post step restores nothing", async () => {
    const [o1, o2] = olderBackups([4, 6]) as [SimBackup, SimBackup]
    const others = untouchable()
    const a = await startHeldAtFirstCheck(A, '1')
    const runB = await within(deploy(B, '1'), 'run B ends')
    const b = backupIdOf(B)
    a.firstCheck.release()
    const runA = await within(a.run, 'run A ends')

    expectSucceeded(runB, b, [o1.id, o2.id, a.backupId])
    expect(runA.main.exitCode).toBe(1)
    expect(errorLines(runA.main.log)).toEqual([
      `backup ${a.backupId} of server ${WEB} is no longer listed (last status: in_progress); it was deleted or dropped by VPS.org`
    ])
    // The job failed in this step, before any deploy: nothing to roll back, and A's backup is gone.
    expect(runA.post?.exitCode).toBe(0)
    expect(errorLines(runA.post?.log ?? '')).toEqual([])
    expect(warningLines(runA.post?.log ?? '')).toEqual([
      `restore-on-failure: the job failed, but in this backup step itself (server ${WEB} from backup ${a.backupId}), ` +
        'before any later step ran: nothing was deployed after it, so nothing is restored'
    ])
    expect(deletes()).toEqual([o1.id, o2.id, a.backupId].map(deletePath))
    expect(ids(sim.backups())).toEqual(ids([...others, { id: b }]))
    expectNoRestore()
  })

  it.each([1, 2, 3])(
    'round %i, started together without holds: exactly the newer backup is left, and a run fails only when its backup is gone',
    async () => {
      const old = olderBackups([2, 9])
      const others = untouchable()
      const [runA, runB] = await within(Promise.all([deploy(A, '1'), deploy(B, '1')]), 'both runs end')

      // The newer backup is the one the API created last (ids grow with creation).
      const [older, newer] = [runA, runB]
        .map(result => ({ result, id: Number(result.main.outputs['backup-id']) }))
        .sort((x, y) => x.id - y.id) as [{ result: Deploy; id: number }, { result: Deploy; id: number }]
      expect(errorLines(newer.result.main.log)).toEqual([])
      expect(newer.result.main.exitCode).toBe(0)
      expect(newer.result.post).toBeUndefined()
      if (older.result.main.exitCode !== 0) {
        // Only when the newer run's keep deleted the older backup before its own run looked again.
        expect(errorLines(older.result.main.log)).toEqual([
          expect.stringMatching(
            new RegExp(`^backup ${older.id} of server ${WEB} (is|completed but is) no longer listed`)
          )
        ])
        expect(older.result.post?.exitCode).toBe(0)
      } else {
        expect(older.result.post).toBeUndefined()
      }
      expect(ids(sim.backups())).toEqual(ids([...others, { id: newer.id }]))
      // Every DELETE was of an older backup; the newer one was never asked to go.
      const deleted = new Set(deletes())
      expect([...deleted].sort()).toEqual([...old.map(o => o.id), older.id].map(deletePath).sort())
      const reported = [runA, runB].flatMap(r => parseJsonOutput<number[]>(r.main, 'deleted-ids'))
      expect(reported.sort()).toEqual(reported.filter((id, i) => reported.indexOf(id) === i).sort())
      expect(creates()).toHaveLength(2)
      expectNoRestore()
    }
  )
})

// -------------------------------------------------------------------------------------------------

describe('keep: 2 with older backups, two deploys at once', () => {
  it.each([
    ['A (the older backup) prunes first', 1, 'A'],
    ['A (the older backup) prunes first', 2, 'A'],
    ['B (the newer backup) prunes first', 1, 'B'],
    ['B (the newer backup) prunes first', 2, 'B']
  ])(
    '%s, round %i: both read the list before either deletes; both succeed, both new backups stay, no restore',
    async (_name, _round, first) => {
      const [o1, o2, o3] = olderBackups([8, 1, 4]) as [SimBackup, SimBackup, SimBackup]
      const others = untouchable()
      const a = await startHeldAtFirstCheck(A, '2')
      const b = await startHeldAtFirstCheck(B, '2')
      letBackupsComplete([a.backupId, b.backupId])
      const [early, late] = first === 'A' ? [a, b] : [b, a]

      const firstDelete = sim.hold({ method: 'DELETE', path: deletePath(o1.id) })
      early.firstCheck.release()
      await arrival(firstDelete, early.run, 'the first run prunes')
      late.firstCheck.release()
      const lateRun = await within(late.run, 'the second run ends')
      firstDelete.release()
      const earlyRun = await within(early.run, 'the first run ends')

      // Both want the three older ones gone (A keeps B's newer backup, B keeps A's as its second):
      // the run that got there first deleted them, the other met 404s.
      expectSucceeded(lateRun, late.backupId, [o1.id, o2.id, o3.id])
      expectSucceeded(earlyRun, early.backupId, [])
      for (const gone of [o1, o2, o3]) expect(earlyRun.main.log).toContain(`Backup ${gone.id} was already gone`)
      expect(deletes()).toEqual([o1, o1, o2, o3, o2, o3].map(o => deletePath(o.id)))
      expect(ids(sim.backups())).toEqual(ids([...others, { id: a.backupId }, { id: b.backupId }]))
      expectNoRestore()
    }
  )
})

// -------------------------------------------------------------------------------------------------

describe('keep: 5 with 9 backups, two deploys at once', () => {
  it.each([
    ['the run of the older backup', 'first'],
    ['the run of the newer backup', 'second']
  ])(
    'both see room for one more; the one refused at the limit makes room once more; %s prunes first; the 5 newest stay',
    async (_name, whoFirst) => {
      // Nine pre-deploy backups, ids not in age order: by age, old[0] is the oldest.
      // Nine manual backups, all pre-deploy ones, ids not in age order: by age, nine[0] is the oldest.
      const nine = olderBackups([12, 3, 17, 6, 20, 9, 14, 1, 11])
      const kept = untouchable({ manual: false })

      // A's create is held until B, which also listed 9, has created the tenth.
      const createOfA = sim.hold({ method: 'POST', path: LIST })
      const runningA = deploy(A, '5')
      await arrival(createOfA, runningA, 'A sends its create request')
      const createOfB = sim.hold({ method: 'POST', path: LIST })
      const runningB = deploy(B, '5')
      await arrival(createOfB, runningB, 'B sends its create request')
      const checkOfB = sim.hold({ method: 'GET', path: LIST })
      createOfB.release()
      await arrival(checkOfB, runningB, 'B checks its backup')
      const b = backupIdOf(B)

      const secondCreateOfA = sim.hold({ method: 'POST', path: LIST })
      createOfA.release()
      await arrival(secondCreateOfA, runningA, 'A, refused, makes room and sends its create request again')
      const checkOfA = sim.hold({ method: 'GET', path: LIST })
      secondCreateOfA.release()
      await arrival(checkOfA, runningA, 'A checks its backup')
      const a = backupIdOf(A)
      letBackupsComplete([a, b])

      const [early, late] = whoFirst === 'first' ? [checkOfB, checkOfA] : [checkOfA, checkOfB]
      const [earlyRun, lateRun] = whoFirst === 'first' ? [runningB, runningA] : [runningA, runningB]
      early.release()
      const earlyResult = await within(earlyRun, 'the first run ends')
      late.release()
      const lateResult = await within(lateRun, 'the second run ends')
      const [runA, runB] = whoFirst === 'first' ? [lateResult, earlyResult] : [earlyResult, lateResult]

      // A made room by the oldest; whoever pruned first deleted the next five (keep 5 = the two new
      // backups and the three newest old ones); the other had nothing left to delete.
      const pruned = nine.slice(1, 6).map(o => o.id)
      expectSucceeded(runA, a, whoFirst === 'first' ? [nine[0].id] : [nine[0].id, ...pruned])
      expectSucceeded(runB, b, whoFirst === 'first' ? pruned : [])
      expect(warningLines(runA.main.log)).toEqual([
        `The API refused the backup of server ${WEB} (400) and the server is now at the limit of 10 manual backups: ` +
          'another run took the last slot. Making room once more and trying again'
      ])
      expect(deletes()).toEqual(nine.slice(0, 6).map(o => deletePath(o.id)))
      expect(creates()).toEqual([
        { server_id: WEB, description: descriptionOf(A) },
        { server_id: WEB, description: descriptionOf(B) },
        { server_id: WEB, description: descriptionOf(A) }
      ])
      expect(ids(sim.backups())).toEqual(ids([...nine.slice(6), ...kept, { id: a }, { id: b }]))
      expectNoRestore()
    }
  )
})
