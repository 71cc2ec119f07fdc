// A rollback that finishes (GitHub issue 10): `command: restore` follows the server through the
// Servers API until it is back, `backup-id: latest`, servers already busy with a restore, and the
// restore-on-failure post step, after a failed and after a cancelled job. In process
// (support/in-process.ts), against the simulator over real HTTP on the same fake clock: the grace
// time, the timeouts and every poll run on virtual time. A job killed mid-step (the runner's files
// as the process left them) is in e2e/rollback.e2e.test.ts.
import { describe, expect, it } from '@jest/globals'
import {
  runInProcess,
  runWithPostInProcess,
  useInProcessSimulator,
  type InProcessOptions,
  type InProcessRun
} from '../support/in-process.js'
import {
  errorLines,
  expectOneLineError,
  expectTokenNowhere,
  parseJsonOutput,
  warningLines,
  type ActionRun
} from '../support/run-action.js'
import { exampleServers, type HeldRequest, type RecordedRequest, type SimBackup } from '../../tools/simulator/index.js'
import { DB, LIST, PREFIX, TOKEN, WEB, restorePath } from '../support/simulator-fixture.js'
import { within } from '../support/waiting.js'

const WEB_LABEL = 'web-server-01 (12345)'
const SERVERS = '/api/v1/servers/'
const RESTORE_MS = 1500
const BACKUP_MS = 1000
/** Room between two simulator timestamps for timers that fire a little late or early. */
const TIMER_SLACK_MS = 20
/** The poller's first pause, and with poll-interval 1s every pause. */
const POLL_MS = 1000
const SERVER_LIST_PAGES = 4
const serverPath = (serverId: number): string => `${SERVERS}${serverId}/`

// Seven servers two a page: reading servers through the list means following `next` to page 4.
const { sim, inputs, clock } = useInProcessSimulator({
  servers: exampleServers(7),
  pageSize: 2,
  restoreDurationMs: RESTORE_MS,
  backupDurationMs: BACKUP_MS
})

/** A step in process on the file's clock. */
function runAction(stepInputs: Record<string, string>, options: InProcessOptions = {}): Promise<InProcessRun> {
  return runInProcess(stepInputs, { clock, ...options })
}

function restoreInputs(backupId: number | string, extra: Record<string, string> = {}): Record<string, string> {
  return inputs({ command: 'restore', 'backup-id': String(backupId), ...extra })
}

function goodBackup(serverId = WEB, extra: Partial<Omit<SimBackup, 'server'>> = {}): SimBackup {
  return sim.addBackup({ serverId, description: `${PREFIX}: good state`, created_at: '2025-03-01T10:00:00Z', ...extra })
}

/** `GET /api/v1/backups/?page=2`, `POST /api/v1/servers/12345/restore/ {"backup_id":1}`: a request as a line. */
function line(request: RecordedRequest): string {
  const query = new URLSearchParams(request.query).toString()
  return `${request.method} ${request.path}${query ? `?${query}` : ''}${request.body ? ` ${request.body}` : ''}`
}

const restoreRequest = (serverId: number, backupId: number): string =>
  `POST ${restorePath(serverId)} ${JSON.stringify({ backup_id: backupId })}`

/** The requests before and after the one restore request the run sent. */
function aroundRestore(): { before: RecordedRequest[]; restore: RecordedRequest; after: RecordedRequest[] } {
  const posts = sim.requests.filter(r => r.method === 'POST' && r.path.endsWith('/restore/'))
  expect(posts).toHaveLength(1)
  const [restore] = posts
  const at = sim.requests.indexOf(restore)
  return {
    before: sim.requests.slice(0, at),
    restore,
    after: sim.requests.slice(at + 1)
  }
}

/** Log lines the action wrote as plain info (no workflow command). */
function infoLines(run: ActionRun): string[] {
  return run.log.split('\n').filter(l => l !== '' && !l.startsWith('::'))
}

/**
 * Answers the action's reads of the server after its restore request with these statuses, one a
 * read: each read is held until the status it must see is set, so what the action sees does not
 * depend on when its reads come. The last status stays.
 */
async function playStatuses(serverId: number, statuses: readonly string[], run: Promise<ActionRun>): Promise<void> {
  const ended = run.then(() => 'ended' as const)
  const arrival = async (held: HeldRequest, what: string): Promise<void> => {
    if ((await Promise.race([held.arrived, ended])) === 'ended') throw new Error(`the action ended before ${what}`)
  }
  let previous = sim.hold({ method: 'POST', path: restorePath(serverId) })
  await arrival(previous, 'its restore request')
  for (const [n, status] of statuses.entries()) {
    const read = sim.hold({ method: 'GET', path: serverPath(serverId) })
    previous.release()
    await arrival(read, `read ${n + 1} of the server (to show ${status})`)
    sim.setServerStatus(serverId, status)
    previous = read
  }
  previous.release()
}

/** Answers every read of the server after its restore request with `status`, `times` requests. */
async function failReadsAfterRestore(
  serverId: number,
  { status, times }: { status: number; times: number }
): Promise<void> {
  const post = sim.hold({ method: 'POST', path: restorePath(serverId) })
  await within(post.arrived, `the restore request of server ${serverId}`)
  // Retry-After: 0 makes each read's retries immediate, so a read gives up on its 6 attempts at once.
  sim.fault({
    method: 'GET',
    path: serverPath(serverId),
    kind: 'status',
    status,
    headers: { 'Retry-After': '0' },
    times
  })
  post.release()
}

const esc = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The ids of the server list as the simulator orders it, every page read directly. */
async function serverListOrder(): Promise<number[]> {
  const order: number[] = []
  let url: string | null = `${sim.url}${SERVERS}`
  while (url) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })
    const page = (await res.json()) as { next: string | null; results: Array<{ id: number }> }
    order.push(...page.results.map(s => s.id))
    url = page.next
  }
  return order
}

// -------------------------------------------------------------------------------------------------

describe('restore waits until the server is back', () => {
  it('follows the server from restoring to active, recording the restore at once and the final status at the end', async () => {
    const backup = goodBackup()

    const run = await runAction(restoreInputs(backup.id))

    expect(errorLines(run.log)).toEqual([])
    expect(warningLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    const { before, restore, after } = aroundRestore()
    // The backup checked, the server checked for a restore already running, one restore request.
    expect(before.map(line)).toEqual([`GET ${LIST}`, `GET ${serverPath(WEB)}`])
    expect(line(restore)).toBe(restoreRequest(WEB, backup.id))
    expect(sim.restores).toEqual([{ serverId: WEB, backupId: backup.id, at: expect.any(Number) }])
    // Then only reads of that server, until it was seen active, and not one more.
    expect(after.length).toBeGreaterThanOrEqual(1)
    expect(after.map(line)).toEqual(after.map(() => `GET ${serverPath(WEB)}`))
    const activeAt = (sim.restores[0]?.at ?? NaN) + RESTORE_MS
    const last = after.at(-1) as RecordedRequest
    expect(last.at).toBeGreaterThanOrEqual(activeAt - TIMER_SLACK_MS)
    for (const read of after.slice(0, -1)) expect(read.at).toBeLessThan(activeAt + TIMER_SLACK_MS)
    // The adaptive schedule: a first check about a second after the request, then no more than one a second.
    const times = [restore.at, ...after.map(r => r.at)]
    for (let i = 1; i < times.length; i++) {
      expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(POLL_MS - TIMER_SLACK_MS)
    }
    // Noticed within a pause of the server being back (virtual time: no room for a busy machine needed).
    expect(last.at - activeAt).toBeLessThanOrEqual(POLL_MS)

    expect(run.outputs).toEqual({
      'backup-id': String(backup.id),
      'backup-ids': JSON.stringify({ [WEB]: backup.id }),
      'server-id': String(WEB),
      // The API's answer, as before: the server's own final status has an output of its own.
      status: 'restoring',
      restore: expect.any(String),
      'server-status': 'active'
    })
    expect(parseJsonOutput(run, 'restore')).toEqual({
      status: 'restoring',
      server_id: WEB,
      backup_id: backup.id,
      message: 'Restore started. The server will be unavailable for several minutes.'
    })
    const lines = infoLines(run)
    expect(lines).toContain(`Restore of server ${WEB} from backup ${backup.id} accepted (restoring)`)
    expect(lines).toContainEqual(
      expect.stringMatching(/^Waiting up to \d+s for server web-server-01 \(12345\) to be back…$/)
    )
    expect(lines.filter(l => l.startsWith(`Server ${WEB_LABEL}: `))).toEqual([
      expect.stringMatching(/^Server web-server-01 \(12345\): restoring → active after \d+s$/)
    ])
    expect(lines.at(-1)).toMatch(/^Server web-server-01 \(12345\) is back \(active\) after \d+s$/)
    expect(run.log).toContain(
      `::notice title=VPS.org restore of server ${WEB}::Server ${WEB_LABEL} is being restored from backup ${backup.id}\n`
    )
    // The summary: which server from which backup, how long it took, the final status.
    expect(run.summary).toContain(`## VPS.org restore of server ${WEB}\n`)
    expect(run.summary).toContain(`| Server | \`${WEB_LABEL}\` |`)
    expect(run.summary).toContain(`| Backup ID | ${backup.id} |`)
    expect(run.summary).toMatch(/Waited \d+s for the restore to finish:/)
    expect(run.summary).toContain(`| \`${WEB_LABEL}\` | back | \`active\` |`)
    expectTokenNowhere(run, TOKEN)
  })

  it('keeps the API answer in status and the server in server-status when the answer has the shape documented for snapshots', async () => {
    sim.setRestoreAnswer('snapshot-like')
    const backup = goodBackup()

    const run = await runAction(restoreInputs(backup.id))

    expect(run.exitCode).toBe(0)
    expect(run.outputs.status).toBe('success')
    expect(run.outputs['server-status']).toBe('active')
    expect(parseJsonOutput(run, 'restore')).toMatchObject({
      status: 'success',
      server: { id: WEB, status: 'restoring' }
    })
    expect(aroundRestore().after.at(-1)?.at).toBeGreaterThanOrEqual(
      aroundRestore().restore.at + RESTORE_MS - TIMER_SLACK_MS
    )
  })

  it('a server restored but left stopped: success, with a warning that it is stopped', async () => {
    sim.setRestoreOutcome('stopped')
    const backup = goodBackup()

    const run = await runAction(restoreInputs(backup.id))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(warningLines(run.log)).toEqual([
      `Server ${WEB_LABEL} was restored from backup ${backup.id} and is stopped: start it when ready`
    ])
    expect(run.outputs['server-status']).toBe('stopped')
    expect(run.summary).toContain(`| \`${WEB_LABEL}\` | back | \`stopped\` |`)
    expect(sim.restores).toHaveLength(1)
  })

  it.each(['suspended', 'error', 'restore_failed'])(
    'a server that ends %s fails the step, naming the server and the status',
    async status => {
      sim.setRestoreOutcome(status)
      const backup = goodBackup()

      const run = await runAction(restoreInputs(backup.id))

      const error = expectOneLineError(run, WEB_LABEL)
      expect(error).toBe(`server ${WEB_LABEL} is ${status} after the restore request`)
      // What was started is recorded all the same.
      expect(run.outputs['backup-id']).toBe(String(backup.id))
      expect(run.outputs.status).toBe('restoring')
      expect(run.outputs['server-status']).toBe(status)
      expect(run.summary).toContain(`| \`${WEB_LABEL}\` | not back | \`${status}\` |`)
      expect(sim.restores).toHaveLength(1)
      expect(aroundRestore().after.at(-1)?.at).toBeGreaterThanOrEqual(
        aroundRestore().restore.at + RESTORE_MS - TIMER_SLACK_MS
      )
    }
  )

  it('waits through any other unsettled status after restoring, until the server is active', async () => {
    const backup = goodBackup()

    const running = runAction(restoreInputs(backup.id))
    await playStatuses(WEB, ['restoring', 'starting', 'active'], running)
    const run = await running

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(aroundRestore().after.map(line)).toEqual([1, 2, 3].map(() => `GET ${serverPath(WEB)}`))
    expect(infoLines(run).filter(l => l.startsWith(`Server ${WEB_LABEL}: `))).toEqual([
      expect.stringMatching(/: restoring → starting after \d+s$/),
      expect.stringMatching(/: starting → active after \d+s$/)
    ])
    expect(run.outputs['server-status']).toBe('active')
  })

  it('takes active before anything showed restoring as a restore not started yet, and waits for it', async () => {
    // An empty answer says nothing of the server: only a read can show the restore running.
    sim.setRestoreAnswer('empty')
    const backup = goodBackup()

    const running = runAction(restoreInputs(backup.id))
    await playStatuses(WEB, ['active', 'active', 'restoring', 'active'], running)
    const run = await running

    expect(errorLines(run.log)).toEqual([])
    expect(warningLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(aroundRestore().after).toHaveLength(4)
    expect(infoLines(run).filter(l => l.startsWith(`Server ${WEB_LABEL}: `))).toEqual([
      expect.stringMatching(/: accepted → active after \d+s$/),
      expect.stringMatching(/: active → restoring after \d+s$/),
      expect.stringMatching(/: restoring → active after \d+s$/)
    ])
    expect(run.outputs.status).toBe('accepted')
    expect(run.outputs.restore).toBe('{}')
    expect(run.outputs['server-status']).toBe('active')
  })

  it.each(['legacy', 'snapshot-like'] as const)(
    'an answer (%s) that says restoring does not make a stopped read a finished restore: VPS.org stops the server first',
    async shape => {
      // The answer says "restoring"; the server is stopped before the restore begins, as the docs
      // say. Only a read that shows restoring arms the wait, so the stopped read is not the end.
      sim.setRestoreAnswer(shape)
      const backup = goodBackup()

      const running = runAction(restoreInputs(backup.id))
      await playStatuses(WEB, ['stopped', 'restoring', 'active'], running)
      const run = await running

      expect(errorLines(run.log)).toEqual([])
      expect(warningLines(run.log)).toEqual([])
      expect(run.exitCode).toBe(0)
      expect(aroundRestore().after).toHaveLength(3)
      expect(infoLines(run).filter(l => l.startsWith(`Server ${WEB_LABEL}: `))).toEqual([
        expect.stringMatching(/: restoring → stopped after \d+s$/),
        expect.stringMatching(/: stopped → restoring after \d+s$/),
        expect.stringMatching(/: restoring → active after \d+s$/)
      ])
      expect(run.outputs['server-status']).toBe('active')
    }
  )

  it('a restore that never shows restoring, with a timeout shorter than the grace time: times out, never a success', async () => {
    sim.setRestoreAnswer('empty')
    sim.setRestoreNeverShowsRestoring(true)
    const backup = goodBackup()

    const run = await runAction(restoreInputs(backup.id, { timeout: '4s' }))

    const error = expectOneLineError(run)
    expect(error).toBe(
      `timed out after 4s waiting for server ${WEB_LABEL} to finish restoring (last status: active); ` +
        'the restore may still finish: check it in the VPS.org panel'
    )
    expect(run.log).not.toMatch(/is back/)
    expect(sim.restores).toHaveLength(1)
    expect(run.summary).toContain(`| \`${WEB_LABEL}\` | not back | \`active\` |`)
    expect(run.virtualMs).toBeLessThanOrEqual(4000)
  })

  // The one test that waits the whole grace time (RESTORE_GRACE_MS, 30 s), on virtual time.
  it('a restore that never shows restoring within the grace time ends unconfirmed, with a warning', async () => {
    sim.setRestoreAnswer('empty')
    sim.setRestoreNeverShowsRestoring(true)
    const backup = goodBackup()

    const run = await runAction(restoreInputs(backup.id, { timeout: '2m' }))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(warningLines(run.log)).toEqual([
      `could not confirm that the restore of server ${WEB_LABEL} finished: no read of the server showed "restoring" ` +
        'within 30s of the request (it is active): the restore may not have started, or ended unseen; ' +
        'check the server in the VPS.org panel'
    ])
    expect(run.log).not.toMatch(/is back/)
    const { restore, after } = aroundRestore()
    const last = after.at(-1) as RecordedRequest
    expect(last.at - restore.at).toBeGreaterThanOrEqual(30_000 - TIMER_SLACK_MS)
    expect(last.at - restore.at).toBeLessThanOrEqual(30_000 + POLL_MS)
    expect(after.map(line)).toEqual(after.map(() => `GET ${serverPath(WEB)}`))
    expect(run.outputs['server-status']).toBe('active')
    expect(run.summary).toContain(`| \`${WEB_LABEL}\` | not confirmed | \`active\` |`)
  })

  it('a token that may not read servers (403): a warning that the restore could not be confirmed', async () => {
    sim.setServerReads({ forbidden: true })
    const backup = goodBackup()

    const run = await runAction(restoreInputs(backup.id))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(warningLines(run.log)).toEqual([
      `could not confirm that the restore of server ${WEB_LABEL} finished: the token may lack the permission to ` +
        `read servers (the token is not allowed to read servers (403 on GET ${serverPath(WEB)}: You do not have ` +
        'permission to perform this action.); give it that permission, or use a token that has it); ' +
        'check the server in the VPS.org panel'
    ])
    const { before, after } = aroundRestore()
    // A 403 is not retried, and the wait ends at the first one after the request.
    expect([...before, ...after].filter(r => r.path === serverPath(WEB))).toHaveLength(2)
    expect(after.map(line)).toEqual([`GET ${serverPath(WEB)}`])
    expect(run.outputs['server-status']).toBe('unknown')
    expect(run.summary).toContain(`| \`${WEB_LABEL}\` | not confirmed | \`unknown\` |`)
    expect(sim.restores).toHaveLength(1)
  })

  it('a 401 to the server reads alone (the backups were readable): the same warning, not a failure', async () => {
    sim.fault({
      method: 'GET',
      path: serverPath(WEB),
      kind: 'status',
      status: 401,
      body: { detail: 'Invalid token.' },
      times: 5
    })
    const backup = goodBackup()

    const run = await runAction(restoreInputs(backup.id))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(warningLines(run.log)).toEqual([
      `could not confirm that the restore of server ${WEB_LABEL} finished: the token may lack the permission to ` +
        `read servers (the VPS.org API refused the token (401 on GET ${serverPath(WEB)}: Invalid token.); check ` +
        'the api-token secret); check the server in the VPS.org panel'
    ])
    expect(aroundRestore().after.map(line)).toEqual([`GET ${serverPath(WEB)}`])
    expect(run.outputs['server-status']).toBe('unknown')
    expect(sim.restores).toHaveLength(1)
  })

  it('a server read without a status: a warning that the restore could not be confirmed', async () => {
    sim.setServerReads({ omitStatus: true })
    const backup = goodBackup()

    const run = await runAction(restoreInputs(backup.id))

    expect(run.exitCode).toBe(0)
    expect(warningLines(run.log)).toEqual([
      `could not confirm that the restore of server ${WEB_LABEL} finished: the API gave server ${WEB} without a ` +
        'status; check the server in the VPS.org panel'
    ])
    expect(aroundRestore().after.map(line)).toEqual([`GET ${serverPath(WEB)}`])
    expect(run.outputs['server-status']).toBe('unknown')
  })

  // Issue 14 §7: a read outage while a restore runs is waited out, never mistaken for a failed restore.
  it('reads that fail after the restore was accepted (500s, more than one read gives up on) are waited out until the server is back', async () => {
    sim.setRestoreDuration(10_000)
    const backup = goodBackup()
    const running = runAction(restoreInputs(backup.id))
    await failReadsAfterRestore(WEB, { status: 500, times: 12 })

    const run = await running

    expect(errorLines(run.log)).toEqual([])
    expect(warningLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    // Two reads gave up after their 6 attempts; the wait went on and saw restoring, then active.
    const { after } = aroundRestore()
    expect(after.length).toBeGreaterThan(12)
    expect(run.log).toMatch(
      new RegExp(
        `^Server ${esc(WEB_LABEL)}: its status could not be read after \\d+s \\(the VPS\\.org API answered 500 on GET ` +
          `${esc(serverPath(WEB))}: A server error occurred\\. \\(gave up after 6 attempts\\)\\); the restore may still ` +
          'be running, so the wait goes on$',
        'm'
      )
    )
    expect(run.outputs['server-status']).toBe('active')
    expect(run.summary).toContain(`| \`${WEB_LABEL}\` | back | \`active\` |`)
  })

  it('reads that fail until the timeout: the step fails as on a timeout, server-status unknown, and says not to restore again', async () => {
    const backup = goodBackup()
    const running = runAction(restoreInputs(backup.id, { timeout: '8s' }))
    await failReadsAfterRestore(WEB, { status: 500, times: 10_000 })

    const run = await running

    const error = expectOneLineError(run)
    expect(error).toMatch(
      new RegExp(
        `^timed out after 8s waiting for server ${esc(WEB_LABEL)} to finish restoring from backup ${backup.id}: its ` +
          `status could not be read since \\d+s after the request \\(the VPS\\.org API answered 500 on GET ` +
          `${esc(serverPath(WEB))}: .*\\); the restore was accepted and may still be running: check the server in the ` +
          'VPS\\.org panel before restoring it again$'
      )
    )
    expect(run.outputs['server-status']).toBe('unknown')
    expect(sim.restores).toHaveLength(1)
    // Read after read until the timeout, far past the attempts of one request.
    expect(aroundRestore().after.length).toBeGreaterThan(6)
    expect(run.summary).toContain(`| \`${WEB_LABEL}\` | status unknown, may still be restoring | \`unknown\` |`)
    expect(run.virtualMs).toBeLessThanOrEqual(8000)
  })

  it("one server's failing reads do not end the wait for another, which is seen back", async () => {
    const web = goodBackup(WEB)
    const db = goodBackup(DB)
    const running = runAction(restoreInputs(`${web.id},${db.id}`, { timeout: '8s' }))
    await failReadsAfterRestore(DB, { status: 503, times: 10_000 })

    const run = await running

    const error = expectOneLineError(run, `(${DB})`, `from backup ${db.id}`, 'may still be running')
    expect(error).not.toContain(String(WEB))
    expect(parseJsonOutput(run, 'server-status')).toEqual({ [WEB]: 'active', [DB]: 'unknown' })
    expect(run.log).toContain(
      `::notice title=VPS.org restore of server ${WEB}::Server ${WEB_LABEL} is back (active), restored from backup ${web.id}\n`
    )
  })

  // Issue 14 §8: a WAF that answers 403 for a moment does not end the wait while the server restores.
  it('two 403s after a read showed restoring are waited out: the server is seen back, no warning', async () => {
    sim.setRestoreDuration(6000)
    const backup = goodBackup()
    const running = runAction(restoreInputs(backup.id))
    const post = sim.hold({ method: 'POST', path: restorePath(WEB) })
    await within(post.arrived, 'the restore request')
    const firstRead = sim.hold({ method: 'GET', path: serverPath(WEB) })
    post.release()
    await within(firstRead.arrived, 'the first read after the restore request')
    sim.fault({
      method: 'GET',
      path: serverPath(WEB),
      kind: 'status',
      status: 403,
      body: { detail: 'Request blocked.' },
      times: 2
    })
    firstRead.release()

    const run = await running

    expect(errorLines(run.log)).toEqual([])
    expect(warningLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.outputs['server-status']).toBe('active')
    const { restore, after } = aroundRestore()
    expect(after.length).toBeGreaterThanOrEqual(4)
    expect((after.at(-1) as RecordedRequest).at).toBeGreaterThanOrEqual(restore.at + 6000 - TIMER_SLACK_MS)
  })

  it.each([404, 405] as const)(
    'GET of one server answers %i: reads the documented list instead, every page, and finds the server by id',
    async status => {
      sim.setServerReads({ single: status })
      sim.setRestoreOutcome('stopped')
      const order = await serverListOrder()
      expect(order).toHaveLength(7)
      // Not on the first page, so reading page 1 alone would not find it.
      expect(order.indexOf(WEB)).toBeGreaterThanOrEqual(2)
      const backup = goodBackup()
      const from = sim.requests.length

      const run = await runAction(restoreInputs(backup.id))

      expect(errorLines(run.log)).toEqual([])
      expect(run.exitCode).toBe(0)
      const { before, restore, after } = aroundRestore()
      const listRound = [`GET ${SERVERS}`, `GET ${SERVERS}?page=2`, `GET ${SERVERS}?page=3`, `GET ${SERVERS}?page=4`]
      // The one endpoint is tried once; from then on only the list, all of it each time.
      expect(before.slice(from).map(line)).toEqual([`GET ${LIST}`, `GET ${serverPath(WEB)}`, ...listRound])
      expect(after.length % SERVER_LIST_PAGES).toBe(0)
      expect(after.length).toBeGreaterThanOrEqual(SERVER_LIST_PAGES)
      expect(after.map(line)).toEqual(Array.from({ length: after.length / SERVER_LIST_PAGES }, () => listRound).flat())
      expect((after.at(-1) as RecordedRequest).at).toBeGreaterThanOrEqual(restore.at + RESTORE_MS - TIMER_SLACK_MS)
      // The status came from the list: stopped, as the simulator's restore ended.
      expect(run.outputs['server-status']).toBe('stopped')
      expect(warningLines(run.log)).toEqual([
        `Server ${WEB_LABEL} was restored from backup ${backup.id} and is stopped: start it when ready`
      ])
    }
  )

  it('a 400 to the restore request (the server is not in a state that allows it) is one clear line', async () => {
    sim.setServerStatus(WEB, 'suspended')
    const backup = goodBackup()

    const run = await runAction(restoreInputs(backup.id))

    const error = expectOneLineError(run, '400', `POST ${restorePath(WEB)}`, `backup ${backup.id}`)
    expect(error).toContain('Server is not in a valid state for restoration.')
    expect(sim.requests.filter(r => r.method === 'POST').map(line)).toEqual([restoreRequest(WEB, backup.id)])
    expect(sim.restores).toEqual([])
    expect(run.outputs).toEqual({})
    expect(run.summary).toBe('')
  })
})

// -------------------------------------------------------------------------------------------------

describe('backup-id: latest', () => {
  it('restores the newest completed manual backup of the server by its own server.id, passing over newer unfinished ones', async () => {
    // A list that ignores server_id and backup_type: only the backups' own fields can tell.
    sim.setListQuirks({ ignoreServerFilter: true, ignoreTypeFilter: true })
    goodBackup(WEB, { description: `${PREFIX}: oldest`, created_at: '2025-03-01T10:00:00Z' })
    goodBackup(WEB, { description: `${PREFIX}: tie, lower id`, created_at: '2025-03-03T10:00:00Z' })
    const chosen = goodBackup(WEB, { description: `${PREFIX}: tie, higher id`, created_at: '2025-03-03T10:00:00Z' })
    goodBackup(WEB, { description: 'Manual snapshot', created_at: '2025-03-04T10:00:00Z' })
    goodBackup(WEB, {
      description: `${PREFIX}: automatic?`,
      created_at: '2025-03-05T10:00:00Z',
      backup_type: 'automatic'
    })
    const failed = goodBackup(WEB, {
      description: `${PREFIX}: failed`,
      created_at: '2025-03-06T10:00:00Z',
      status: 'failed'
    })
    const running = goodBackup(WEB, {
      description: `${PREFIX}: running`,
      created_at: '2025-03-07T10:00:00Z',
      status: 'in_progress'
    })
    goodBackup(DB, { description: `${PREFIX}: of the db server`, created_at: '2025-03-08T10:00:00Z' })

    const run = await runAction(restoreInputs('latest', { 'server-id': String(WEB) }))

    expect(errorLines(run.log)).toEqual([])
    expect(warningLines(run.log)).toEqual([expect.stringContaining('ignored the filter: they are left out')])
    expect(run.exitCode).toBe(0)
    const { before, restore } = aroundRestore()
    expect(line(restore)).toBe(restoreRequest(WEB, chosen.id))
    expect(sim.restores).toEqual([{ serverId: WEB, backupId: chosen.id, at: expect.any(Number) }])
    // The server's manual backups listed once, every page (8 rows, 2 a page), and never again: the
    // backup in progress was not waited for. Then only the check for a restore already running.
    const listReads = before.filter(r => r.path === LIST)
    expect(listReads).toHaveLength(4)
    expect(listReads.map(r => [r.query.server_id, r.query.backup_type])).toEqual(
      listReads.map(() => [String(WEB), 'manual'])
    )
    expect(listReads.map(r => r.query.page)).toEqual([undefined, '2', '3', '4'])
    expect(before.filter(r => r.path !== LIST).map(line)).toEqual([`GET ${serverPath(WEB)}`])
    const lines = infoLines(run)
    expect(lines.filter(l => l.startsWith('backup-id latest:'))).toEqual([
      `backup-id latest: passing over backup ${running.id} of server ${WEB} (in_progress, not completed)`,
      `backup-id latest: passing over backup ${failed.id} of server ${WEB} (failed, not completed)`,
      `backup-id latest: backup ${chosen.id} of server ${WEB_LABEL}, created 2025-03-03T10:00:00Z, "${PREFIX}: tie, higher id"`
    ])
    expect(run.outputs['backup-id']).toBe(String(chosen.id))
    expect(run.outputs['server-status']).toBe('active')
  })

  it('honours keep-prefix, and with no completed backup to choose fails in one line naming server and prefix', async () => {
    goodBackup(WEB, { description: `${PREFIX}: not a release` })
    goodBackup(WEB, { description: 'Release 1.4', status: 'in_progress', created_at: '2025-03-02T10:00:00Z' })
    goodBackup(DB, { description: 'Release 1.3' })

    const run = await runAction(restoreInputs('latest', { 'server-id': String(WEB), 'keep-prefix': 'Release' }))

    const error = expectOneLineError(run)
    expect(error).toBe(
      `no completed manual backup of server ${WEB} whose description starts with "Release" for backup-id latest; ` +
        'nothing was restored'
    )
    expect(sim.requests.filter(r => r.method !== 'GET')).toEqual([])
    expect(sim.restores).toEqual([])
    expect(run.outputs).toEqual({})
  })

  it('needs server-id, and sends nothing without it', async () => {
    goodBackup()

    const run = await runAction(restoreInputs('latest'))

    expect(expectOneLineError(run)).toBe('backup-id latest needs server-id: the newest backup of which server?')
    expect(sim.requests).toEqual([])
  })
})

// -------------------------------------------------------------------------------------------------

describe('a server already being restored', () => {
  it('create waits for it to settle, saying so, before backing it up', async () => {
    const settlesAt = clock.now() + 2000
    sim.setServerStatus(WEB, 'restoring', { untilMs: settlesAt })

    const run = await runAction(inputs({ 'server-id': String(WEB) }))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    const lines = infoLines(run)
    expect(lines).toContain(
      `Server ${WEB} is restoring (a restore or another operation started before this step); ` +
        'waiting up to 40s for it to settle before backing it up'
    )
    expect(lines).toContainEqual(expect.stringMatching(/^Server 12345: restoring → active after \d+s$/))
    const posts = sim.requests.filter(r => r.method === 'POST')
    expect(posts.map(r => `${r.method} ${r.path}`)).toEqual([`POST ${LIST}`])
    expect(posts[0]?.at).toBeGreaterThanOrEqual(settlesAt - TIMER_SLACK_MS)
    expect(run.outputs.status).toBe('completed')
  })

  it('restore waits for it to settle, saying so, then restores and follows its own restore', async () => {
    const settlesAt = clock.now() + 2000
    sim.setServerStatus(WEB, 'restoring', { untilMs: settlesAt })
    const backup = goodBackup()

    const run = await runAction(restoreInputs(backup.id))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(infoLines(run)).toContain(
      `Server ${WEB} is restoring (a restore or another operation started before this step); ` +
        'waiting up to 40s for it to settle before restoring it'
    )
    const { before, restore, after } = aroundRestore()
    expect(line(restore)).toBe(restoreRequest(WEB, backup.id))
    expect(restore.at).toBeGreaterThanOrEqual(settlesAt - TIMER_SLACK_MS)
    expect(before.filter(r => r.path === serverPath(WEB)).length).toBeGreaterThanOrEqual(2)
    expect((after.at(-1) as RecordedRequest).at).toBeGreaterThanOrEqual(restore.at + RESTORE_MS - TIMER_SLACK_MS)
    expect(sim.restores).toHaveLength(1)
    expect(run.outputs['server-status']).toBe('active')
  })

  it.each([
    [
      'still restoring when the timeout comes',
      undefined,
      `timed out after 3s waiting for server ${WEB} to leave "restoring" before backing it up; nothing was changed`
    ],
    ['ending in an error', 'error', `server ${WEB} is error after the operation that was running; not backing it up`]
  ])('create on a server %s fails in one line and changes nothing', async (_case, then, expected) => {
    if (then === undefined) sim.setServerStatus(WEB, 'restoring')
    else sim.setServerStatus(WEB, 'restoring', { forMs: 1500, then })

    const run = await runAction(inputs({ 'server-id': String(WEB), timeout: '3s' }))

    expect(expectOneLineError(run)).toBe(expected)
    expect(sim.requests.filter(r => r.method !== 'GET')).toEqual([])
    expect(sim.backups()).toEqual([])
    expect(run.virtualMs).toBeLessThanOrEqual(3000)
  })

  it('restore with wait: false refuses it at once and sends no restore', async () => {
    sim.setServerStatus(WEB, 'restoring')
    const backup = goodBackup()

    const run = await runAction(restoreInputs(backup.id, { wait: 'false' }))

    expect(expectOneLineError(run)).toBe(
      `server ${WEB} is restoring (another restore or operation is running); restore refused ` +
        '(with wait: true the step waits for it to settle)'
    )
    expect(sim.requests.map(line)).toEqual([`GET ${LIST}`, `GET ${serverPath(WEB)}`])
    expect(sim.restores).toEqual([])
  })
})

// -------------------------------------------------------------------------------------------------

describe('restore with wait: false', () => {
  it('returns as soon as the restore is accepted, reading nothing after it and setting no server-status', async () => {
    sim.setRestoreDuration(60_000)
    const backup = goodBackup()

    const run = await runAction(restoreInputs(backup.id, { wait: 'false' }))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(sim.requests.map(line)).toEqual([`GET ${LIST}`, `GET ${serverPath(WEB)}`, restoreRequest(WEB, backup.id)])
    expect(run.outputs).toEqual({
      'backup-id': String(backup.id),
      'backup-ids': JSON.stringify({ [WEB]: backup.id }),
      'server-id': String(WEB),
      status: 'restoring',
      restore: expect.any(String)
    })
    expect(run.log).not.toContain('Waiting')
    expect(sim.servers().find(s => s.id === WEB)?.status).toBe('restoring')
    expect(run.summary).toContain(`## VPS.org restore of server ${WEB}\n`)
    expect(run.summary).not.toContain('Waited')
  })
})

// -------------------------------------------------------------------------------------------------

describe('restore-on-failure', () => {
  it('after a failed job, the post step restores the server and waits until it is back', async () => {
    const { main, post } = await runWithPostInProcess(
      inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true' }),
      {
        clock,
        jobStatus: 'failure'
      }
    )

    expect(main.exitCode).toBe(0)
    const backupId = Number(main.outputs['backup-id'])
    expect(post).toBeDefined()
    const after = post as ActionRun
    expect(errorLines(after.log)).toEqual([])
    expect(after.exitCode).toBe(0)
    const { restore, after: reads } = aroundRestore()
    expect(line(restore)).toBe(restoreRequest(WEB, backupId))
    expect(reads.map(line)).toEqual(reads.map(() => `GET ${serverPath(WEB)}`))
    expect((reads.at(-1) as RecordedRequest).at).toBeGreaterThanOrEqual(restore.at + RESTORE_MS - TIMER_SLACK_MS)
    const lines = infoLines(after)
    expect(lines[0]).toBe(
      `restore-on-failure: the job failed after this step; checking the backups before restoring server ${WEB} from backup ${backupId}`
    )
    expect(lines.at(-1)).toMatch(/^Server web-server-01 \(12345\) is back \(active\) after \d+s$/)
    expect(after.summary).toContain(`| \`${WEB_LABEL}\` | back | \`active\` |`)
    expectTokenNowhere(after, TOKEN)
  })

  it('after a failed job, a server that does not come back fails the post step in one line', async () => {
    sim.setRestoreOutcome('error')

    const { main, post } = await runWithPostInProcess(
      inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true' }),
      {
        clock,
        jobStatus: 'failure'
      }
    )

    const backupId = main.outputs['backup-id']
    expect(expectOneLineError(post as ActionRun)).toBe(
      `restore-on-failure could not restore server ${WEB} from backup ${backupId}: ` +
        `server ${WEB_LABEL} is error after the restore request`
    )
    expect(sim.restores).toHaveLength(1)
  })

  it('after a job cancelled later (or timed out), no post step runs and nothing is restored', async () => {
    const { main, post } = await runWithPostInProcess(
      inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true' }),
      {
        clock,
        jobStatus: 'cancelled'
      }
    )

    expect(main.exitCode).toBe(0)
    // The post step would have had all it needs: what keeps it from running is the runner.
    expect(main.state).toMatchObject({
      restoreOnFailure: 'true',
      mainStepSucceeded: 'true',
      backups: JSON.stringify([[WEB, Number(main.outputs['backup-id'])]])
    })
    expect(post).toBeUndefined()
    expect(sim.requests.filter(r => r.path.endsWith('/restore/'))).toEqual([])
    expect(sim.restores).toEqual([])
    // What a person finds of the step in the log: the backup, completed, ready for a manual restore.
    const backupId = main.outputs['backup-id']
    expect(infoLines(main).at(-1)).toMatch(new RegExp(`^Backup ${backupId} completed in \\d+s `))
    expect(main.log).toContain(
      `::notice title=VPS.org backup ${backupId}::Backup ${backupId} of server ${WEB_LABEL} is completed`
    )
    expect(main.summary).toContain(`    backup-id: ${backupId}\n`)
  })
})
