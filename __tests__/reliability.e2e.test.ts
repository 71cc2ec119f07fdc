// Reliability end to end (GitHub issue 4): the bundled action (dist/index.js) runs as the runner
// runs it, in a child process, against the VPS.org simulator over real HTTP, while the network and
// the API misbehave. What is checked is what a user cares about: exactly one backup exists, the run
// ended within a bounded time, the error is one clear line, the token went nowhere it should not,
// and no text from the API became a workflow command.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  BUSY_MACHINE_MS,
  errorLines,
  expectNoInjectedCommand,
  expectNoLongerThanSaid,
  expectOneLineError,
  expectTokenNowhere,
  logLines,
  loggedPauses,
  runAction,
  type ActionRun,
  type RunOptions
} from './support/run-action.js'
import {
  startRecorder,
  startSimulator,
  type FaultSpec,
  type Recorder,
  type RecordedRequest,
  type SimBackup,
  type Simulator
} from '../tools/simulator/index.js'

const TOKEN = 'test-token'
const WEB = 12345
/** A server whose name tries to inject workflow commands. */
const HOSTILE = 34567
const HOSTILE_NAME = 'web\n::add-mask::x\r::error::pwned ##[set-env name=X]y'
const INJECTION = '\n::add-mask::x\n::error::pwned\r\n  ::warning::pwned\n##[set-env name=X]y'
const LIST = '/api/v1/backups/'
const DESCRIPTION = 'Pre-deploy backup: reliability e2e'
const RESTORE_WEB = `/api/v1/servers/${WEB}/restore/`

let sim: Simulator
let recorder: Recorder
/** The simulator with a second server, so that lines of the log can be checked. */
beforeAll(async () => {
  sim = await startSimulator()
  sim.addServer({ id: HOSTILE, name: HOSTILE_NAME })
  recorder = await startRecorder({ host: '127.0.0.2' })
})
afterAll(async () => {
  await sim.close()
  await recorder.close()
})
beforeEach(() => {
  sim.reset()
  recorder.requests.length = 0
})

/** The action with short timeouts, against the simulator unless api-url says otherwise. */
function run(inputs: Record<string, string>, options: RunOptions = {}): Promise<ActionRun> {
  return runAction(
    {
      'api-token': TOKEN,
      'api-url': sim.url,
      'request-timeout': '2s',
      'poll-interval': '1s',
      timeout: '30s',
      ...inputs
    },
    { killAfterMs: 40_000, ...options }
  )
}

const create = (inputs: Record<string, string> = {}, options?: RunOptions): Promise<ActionRun> =>
  run({ command: 'create', 'server-id': String(WEB), description: DESCRIPTION, wait: 'false', ...inputs }, options)

function seen(method: string, path?: string): RecordedRequest[] {
  return sim.requests.filter(r => r.method === method && (path === undefined || r.path === path))
}

/**
 * "GET POST GET …": the order the simulator saw the backups requests in. The server reads that
 * come before a create or restore (is a restore of it running?) are left out.
 */
const sequence = (): string =>
  sim.requests
    .filter(r => !(r.method === 'GET' && r.path.startsWith('/api/v1/servers/')))
    .map(r => r.method)
    .join(' ')

/** Manual backups of the web server other than those given. */
function newBackups(before: SimBackup[] = []): SimBackup[] {
  const old = new Set(before.map(b => b.id))
  return sim.backups().filter(b => b.server.id === WEB && b.backup_type === 'manual' && !old.has(b.id))
}

describe('GET and DELETE are retried with backoff', () => {
  it.each<[string, FaultSpec, { connections: number; cutMs: number }]>([
    ['a reset before the request is processed', { kind: 'reset-before' }, { connections: 2, cutMs: 0 }],
    ['a reset after the request is processed', { kind: 'reset-after' }, { connections: 2, cutMs: 0 }],
    ['no answer at all (cut at request-timeout 2s)', { kind: 'hang' }, { connections: 2, cutMs: 2000 }],
    [
      'a body that stalls half-way (cut at request-timeout 2s)',
      { kind: 'stall-body' },
      { connections: 2, cutMs: 2000 }
    ],
    ['408', { kind: 'status', status: 408 }, { connections: 1, cutMs: 0 }],
    ['429', { kind: 'status', status: 429 }, { connections: 1, cutMs: 0 }],
    ['500', { kind: 'status', status: 500 }, { connections: 1, cutMs: 0 }],
    ['502', { kind: 'status', status: 502 }, { connections: 1, cutMs: 0 }],
    ['503', { kind: 'status', status: 503 }, { connections: 1, cutMs: 0 }],
    ['504', { kind: 'status', status: 504 }, { connections: 1, cutMs: 0 }],
    ['a 502 page from nginx', { kind: 'html', status: 502 }, { connections: 1, cutMs: 0 }]
  ])('GET list survives %s', async (_name, fault, expected) => {
    sim.addBackup({ serverId: WEB, description: 'kept' })
    sim.fault({ ...fault, method: 'GET', path: LIST })
    const result = await run({ command: 'list' }, { env: { ACTIONS_STEP_DEBUG: 'true' } })
    expect(result.exitCode).toBe(0)
    expect(result.outputs.count).toBe('1')
    if (fault.kind === 'hang' || fault.kind === 'stall-body')
      expect(result.log).toMatch(/no complete answer within 2s; retrying in/)
    const gets = seen('GET', LIST)
    expect(gets).toHaveLength(2)
    // One pause, drawn from the first backoff step (full jitter up to 1 s), and kept: the second
    // request leaves that pause after the first one failed (at once, or when request-timeout cut it).
    const pauses = loggedPauses(result.log)
    expect(pauses).toHaveLength(1)
    const [pause] = pauses as [number]
    expect(pause).toBeLessThanOrEqual(1000)
    const gap = gets[1].at - gets[0].at
    // The simulator records a request once it has read it; the action's request-timeout started
    // before it sent it. On a busy machine that head start is tens of ms, and once failed a
    // 20 ms allowance (2238 ms seen against 2000 + 278 - 20): a cut request gets 250 ms.
    const headStartMs = expected.cutMs > 0 ? 250 : 20
    expect(gap).toBeGreaterThanOrEqual(expected.cutMs + (pause >= 1000 ? 500 : pause) - headStartMs)
    expect(gap).toBeLessThan(expected.cutMs + pause + BUSY_MACHINE_MS)
    // Answers with a status keep the connection; a cut one is replaced by exactly one new one.
    expect(sim.connections).toBe(expected.connections)
    expectNoLongerThanSaid(result, expected.cutMs)
  })

  it.each<[string, FaultSpec]>([
    ['a reset before the request is processed', { kind: 'reset-before' }],
    ['a reset after the backup was deleted (the retry meets 404)', { kind: 'reset-after' }],
    ['no answer at all (cut at request-timeout 1s)', { kind: 'hang' }],
    ['408', { kind: 'status', status: 408 }],
    ['429', { kind: 'status', status: 429 }],
    ['500', { kind: 'status', status: 500 }],
    ['502', { kind: 'status', status: 502 }],
    ['503', { kind: 'status', status: 503 }],
    ['504', { kind: 'status', status: 504 }]
  ])('DELETE survives %s and the backup is gone', async (_name, fault) => {
    const doomed = sim.addBackup({ serverId: WEB, description: 'old' })
    const kept = sim.addBackup({ serverId: WEB, description: 'other' })
    sim.fault({ ...fault, method: 'DELETE', path: `${LIST}${doomed.id}/` })
    const result = await run({ command: 'delete', 'backup-id': String(doomed.id), 'request-timeout': '1s' })
    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.outputs['deleted-ids']).toBe(JSON.stringify([doomed.id]))
    expect(sim.backups().map(b => b.id)).toEqual([kept.id])
    expect(seen('DELETE')).toHaveLength(2)
    expect(seen('DELETE').every(r => r.path === `${LIST}${doomed.id}/`)).toBe(true)
    expectNoLongerThanSaid(result, fault.kind === 'hang' ? 1000 : 0)
  })

  it('DELETE answered 504 by a gateway after the API deleted the backup: the retry meets 404, which is success', async () => {
    const doomed = sim.addBackup({ serverId: WEB, description: 'old' })
    sim.fault({ method: 'DELETE', path: `${LIST}${doomed.id}/`, kind: 'status-after', status: 504 })
    const result = await run({ command: 'delete', 'backup-id': String(doomed.id) })
    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.outputs['deleted-ids']).toBe(JSON.stringify([doomed.id]))
    expect(sim.backups()).toEqual([])
    expect(seen('DELETE')).toHaveLength(2)
  })

  it('GET list and DELETE survive a connection refused while the API restarts', async () => {
    const doomed = sim.addBackup({ serverId: WEB, description: 'old' })
    // Long enough that the action meets the refusal even when it is slow to start.
    await sim.refuseConnections(1500)
    const listed = await run({ command: 'list' })
    expect(listed.exitCode).toBe(0)
    expect(listed.outputs.count).toBe('1')
    expect(listed.log).toMatch(/connection refused; retrying in/)
    // How many retries that takes depends on the jitter; the wait is what the action said it was.
    expect(listed.durationMs).toBeGreaterThanOrEqual(1500)
    expectNoLongerThanSaid(listed)

    await sim.refuseConnections(1500)
    const deleted = await run({ command: 'delete', 'backup-id': String(doomed.id) })
    expect(deleted.exitCode).toBe(0)
    expect(deleted.log).toMatch(/connection refused; retrying in/)
    expect(sim.backups()).toEqual([])
    // Refused connections never reached the API: it saw the list, then delete's look-up and DELETE.
    expect(sequence()).toBe('GET GET DELETE')
  })
})

describe('Retry-After and bounded retries', () => {
  it('waits at least the seconds Retry-After asks for, and not much longer', async () => {
    sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 503, headers: { 'Retry-After': '2' } })
    const result = await run({ command: 'list' })
    expect(result.exitCode).toBe(0)
    expect(loggedPauses(result.log)).toEqual([2000])
    const [first, second] = seen('GET') as [RecordedRequest, RecordedRequest]
    expect(second.at - first.at).toBeGreaterThanOrEqual(1990)
    expect(second.at - first.at).toBeLessThan(2000 + BUSY_MACHINE_MS)
  })

  it('waits until the HTTP date Retry-After gives', async () => {
    const until = new Date(Date.now() + 3000).toUTCString()
    sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 429, headers: { 'Retry-After': until } })
    const result = await run({ command: 'list' })
    expect(result.exitCode).toBe(0)
    const [first, second] = seen('GET') as [RecordedRequest, RecordedRequest]
    expect(second.at).toBeGreaterThanOrEqual(Date.parse(until) - 10)
    expect(second.at).toBeLessThan(Math.max(Date.parse(until), first.at) + BUSY_MACHINE_MS)
  })

  it('honours Retry-After on a DELETE too', async () => {
    const doomed = sim.addBackup({ serverId: WEB })
    sim.fault({ method: 'DELETE', kind: 'status', status: 429, headers: { 'Retry-After': '2' } })
    const result = await run({ command: 'delete', 'backup-id': String(doomed.id) })
    expect(result.exitCode).toBe(0)
    const [first, second] = seen('DELETE') as [RecordedRequest, RecordedRequest]
    expect(second.at - first.at).toBeGreaterThanOrEqual(1990)
  })

  it.each([
    ['in seconds', () => '120', /retry after 2m00s/],
    ['as an HTTP date', () => new Date(Date.now() + 3_600_000).toUTCString(), /retry after (59m\d\ds|1h00m)/]
  ])('fails at once, saying why, when Retry-After (%s) lies beyond the timeout', async (_name, value, asked) => {
    sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 503, times: 5, headers: { 'Retry-After': value() } })
    const result = await run({ command: 'list', timeout: '20s' })
    const error = expectOneLineError(result, '503', 'GET', LIST, asked, /20s timeout/)
    expect(error).toMatch(/Retry-After|asked to retry/i)
    expect(seen('GET')).toHaveLength(1)
    expect(loggedPauses(result.log)).toEqual([])
    expectNoLongerThanSaid(result)
  })

  it('gives up after a bounded number of attempts on an endless 503', async () => {
    // Retry-After: 0 makes the attempts immediate, so the bound is on attempts, not on time.
    sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 503, times: 1000, headers: { 'Retry-After': '0' } })
    const result = await run({ command: 'list', timeout: '5m' })
    expectOneLineError(result, '503', 'GET', LIST, /gave up after 6 attempts/)
    expect(seen('GET')).toHaveLength(6)
    expect(loggedPauses(result.log)).toEqual([0, 0, 0, 0, 0])
    expectNoLongerThanSaid(result)
  })

  it('stops retrying an endless 503 when the timeout comes', async () => {
    sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 503, times: 1000 })
    const result = await run({ command: 'list', timeout: '3s' })
    expectOneLineError(result, '503', 'GET', LIST, /3s timeout/)
    expect(seen('GET').length).toBeLessThanOrEqual(6)
    expect(result.durationMs).toBeLessThan(3000 + BUSY_MACHINE_MS)
  })

  it('ends within the timeout when the API never answers, whatever request-timeout says', async () => {
    sim.fault({ method: 'GET', path: LIST, kind: 'hang', times: 100 })
    const result = await run({ command: 'list', timeout: '3s', 'request-timeout': '30s' })
    expectOneLineError(result, 'GET', LIST, /3s/)
    expect(result.durationMs).toBeLessThan(3000 + BUSY_MACHINE_MS)
  })

  it.each([400, 401, 403, 404])('never retries a GET answered %i', async status => {
    sim.fault({ method: 'GET', path: LIST, kind: 'status', status, times: 10 })
    const result = await run({ command: 'list' })
    expectOneLineError(result, String(status), 'GET', LIST)
    expect(seen('GET')).toHaveLength(1)
  })

  it.each([400, 401, 403])('never retries a DELETE answered %i, and deletes nothing', async status => {
    const backup = sim.addBackup({ serverId: WEB })
    sim.fault({ method: 'DELETE', kind: 'status', status, times: 10 })
    const result = await run({ command: 'delete', 'backup-id': String(backup.id) })
    expectOneLineError(result, String(status), 'DELETE', `${LIST}${backup.id}/`)
    expect(seen('DELETE')).toHaveLength(1)
    expect(sim.backups()).toHaveLength(1)
  })

  it('a DELETE answered 404 for a backup that is still listed is an error, not a success', async () => {
    const backup = sim.addBackup({ serverId: WEB })
    sim.fault({ method: 'DELETE', kind: 'status', status: 404, times: 10 })
    const result = await run({ command: 'delete', 'backup-id': String(backup.id) })
    expect(result.exitCode).toBe(1)
    expect(errorLines(result.log)).toEqual([
      `DELETE of backup ${backup.id} answered 404, yet the backup is still listed; nothing was deleted: check it in the VPS.org panel`
    ])
    expect(seen('DELETE')).toHaveLength(1)
    expect(result.outputs['deleted-ids']).toBeUndefined()
    expect(sim.backups()).toHaveLength(1)
  })

  it('delete reports no success for a backup that never existed, whatever errors come before a 404', async () => {
    sim.fault({ method: 'DELETE', kind: 'status', status: 503 })
    const result = await run({ command: 'delete', 'backup-id': '999' })
    expect(result.exitCode).toBe(1)
    expect(errorLines(result.log)).toEqual(['backup 999 not found; nothing was deleted'])
    expect(seen('DELETE')).toEqual([])
  })

  it('sends a wrong token once and says to check the secret', async () => {
    const result = await run({ command: 'list', 'api-token': 'not-the-token' })
    expectOneLineError(result, '401', 'GET', LIST, /api-token/, /Invalid token\./)
    expect(sim.requests).toHaveLength(1)
  })
})

describe('POST create never leaves two backups behind', () => {
  it.each<[string, number, FaultSpec]>([
    ['a reset after the API created the backup', 1, { kind: 'reset-after' }],
    ['a body that stalls after the API created the backup', 1, { kind: 'stall-body' }],
    ['a truncated 201 answer', 1, { kind: 'truncated-json' }],
    ['a 502 from a gateway, not processed', 2, { kind: 'status', status: 502 }],
    ['a 503, not processed', 2, { kind: 'status', status: 503 }],
    ['a 504 from a gateway, not processed', 2, { kind: 'status', status: 504 }],
    ['an nginx 502 page, not processed', 2, { kind: 'html', status: 502 }],
    ['no answer (cut at request-timeout 2s), not processed', 2, { kind: 'hang' }],
    ['a reset before the request is processed', 2, { kind: 'reset-before' }]
  ])('%s: lists first, then exactly one new backup after %i POST(s)', async (_name, posts, fault) => {
    const before = [sim.addBackup({ serverId: WEB, description: 'Pre-deploy backup: an earlier run' })]
    sim.fault({ ...fault, method: 'POST', path: LIST })
    const result = await create()
    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    const created = newBackups(before)
    expect(created).toHaveLength(1)
    const [backup] = created as [SimBackup]
    expect(backup.description).toBe(DESCRIPTION)
    expect(result.outputs['backup-id']).toBe(String(backup.id))
    expect(JSON.parse(result.outputs.backup)).toMatchObject({ id: backup.id, description: DESCRIPTION })
    expect(seen('POST', LIST)).toHaveLength(posts)
    // The list before, the POST, the list that looked for the backup, then the second POST if any.
    expect(sequence()).toBe(posts === 1 ? 'GET POST GET' : 'GET POST GET POST')
    expect(result.log).toMatch(
      posts === 1
        ? `Backup ${backup.id} of server web-server-01 (${WEB}) found after an interrupted request`
        : /may or may not have worked/
    )
    if (fault.kind === 'stall-body' || fault.kind === 'hang')
      expect(result.log).toMatch(/no complete answer within 2s after the request was sent/)
    expectNoLongerThanSaid(result, fault.kind === 'stall-body' || fault.kind === 'hang' ? 2000 : 0)
  })

  it('a 504 from a gateway after the API created the backup: adopts it, one POST', async () => {
    sim.fault({ method: 'POST', path: LIST, kind: 'status-after', status: 504 })
    const result = await create()
    expect(result.exitCode).toBe(0)
    const [backup] = newBackups() as [SimBackup]
    expect(newBackups()).toHaveLength(1)
    expect(result.outputs['backup-id']).toBe(String(backup.id))
    expect(seen('POST')).toHaveLength(1)
    expect(sequence()).toBe('GET POST GET')
  })

  it('retries directly on 429 (the API did nothing), without listing in between', async () => {
    sim.fault({ method: 'POST', path: LIST, kind: 'status', status: 429 })
    const result = await create()
    expect(result.exitCode).toBe(0)
    expect(newBackups()).toHaveLength(1)
    expect(result.outputs['backup-id']).toBe(String(newBackups()[0].id))
    expect(sequence()).toBe('GET POST POST')
  })

  it('retries directly on a connection refused (the request never left), without listing in between', async () => {
    // The last read before creating (is the server being restored?) is answered, then nothing
    // listens when the POST connects.
    sim.fault({ method: 'GET', path: `/api/v1/servers/${WEB}/`, kind: 'refuse', graceful: true, durationMs: 1500 })
    const result = await create()
    expect(result.exitCode).toBe(0)
    expect(result.log).toMatch(/POST \/api\/v1\/backups\/: connection refused; retrying in/)
    expect(newBackups()).toHaveLength(1)
    expect(result.outputs['backup-id']).toBe(String(newBackups()[0].id))
    expect(sequence()).toBe('GET POST')
  })

  it('honours Retry-After on a 503 before sending the POST again', async () => {
    sim.fault({ method: 'POST', path: LIST, kind: 'status', status: 503, headers: { 'Retry-After': '2' } })
    const result = await create()
    expect(result.exitCode).toBe(0)
    expect(newBackups()).toHaveLength(1)
    const [first, second] = seen('POST') as [RecordedRequest, RecordedRequest]
    expect(second.at - first.at).toBeGreaterThanOrEqual(1990)
    expect(second.at - first.at).toBeLessThan(2000 + BUSY_MACHINE_MS)
  })

  it('does not adopt a backup someone else started meanwhile with another description', async () => {
    sim.fault({ method: 'POST', path: LIST, kind: 'hang' })
    const running = create({ 'request-timeout': '1s' })
    // While the POST hangs, another backup of the server appears (a person in the panel).
    const deadline = Date.now() + 5000
    while (seen('POST').length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
    const theirs = sim.addBackup({ serverId: WEB, description: 'Manual backup by a person', status: 'in_progress' })
    const result = await running
    expect(result.exitCode).toBe(0)
    const ours = newBackups([theirs])
    expect(ours).toHaveLength(1)
    expect(result.outputs['backup-id']).toBe(String(ours[0].id))
    expect(seen('POST')).toHaveLength(2)
  })

  it('finds the backup when the list that looks for it hits a 503 itself', async () => {
    // The first GET (the list before creating) gets the empty list it would get anyway, so that the
    // 503 falls on the second one, the list that looks for the backup the reset POST created.
    sim.fault({
      method: 'GET',
      path: LIST,
      kind: 'status',
      status: 200,
      body: { count: 0, next: null, previous: null, results: [] }
    })
    sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 503 })
    sim.fault({ method: 'POST', path: LIST, kind: 'reset-after' })
    const result = await create()
    expect(result.exitCode).toBe(0)
    const [backup] = newBackups() as [SimBackup]
    expect(newBackups()).toHaveLength(1)
    expect(result.outputs['backup-id']).toBe(String(backup.id))
    expect(sequence()).toBe('GET POST GET GET')
  })

  it('adopts the backup when the API stored the description trimmed, as DRF does', async () => {
    sim.fault({ method: 'POST', path: LIST, kind: 'reset-after' })
    const result = await create({ description: `  ${DESCRIPTION}  ` })
    expect(result.exitCode).toBe(0)
    expect(sim.backups().map(b => b.description)).toEqual([DESCRIPTION])
    expect(seen('POST')).toHaveLength(1)
    expect(result.outputs['backup-id']).toBe(String(sim.backups()[0]?.id))
  })

  it('never sends a second POST after a 2xx it cannot read, and says what it got', async () => {
    sim.fault({ method: 'POST', path: LIST, kind: 'status', status: 201, body: '' })
    const result = await create()
    expectOneLineError(result, '201', 'POST', LIST, /empty body/)
    expect(seen('POST')).toHaveLength(1)
  })

  it('gives up on a POST that keeps failing within the timeout, creating nothing', async () => {
    sim.fault({ method: 'POST', path: LIST, kind: 'status', status: 503, times: 100 })
    const result = await create({ timeout: '4s' })
    expectOneLineError(result, '503', 'POST', LIST)
    expect(newBackups()).toEqual([])
    expect(seen('POST').length).toBeLessThanOrEqual(6)
    expect(result.durationMs).toBeLessThan(4000 + BUSY_MACHINE_MS)
  })
})

describe('POST restore is never repeated blindly', () => {
  it.each<[string, FaultSpec, number, RegExp]>([
    ['a reset after the API accepted it', { kind: 'reset-after' }, 1, /connection reset/],
    ['a 502 from a gateway', { kind: 'status', status: 502 }, 0, /502/],
    ['an nginx 504 page', { kind: 'html', status: 504 }, 0, /504/],
    ['no answer (cut at request-timeout 1s)', { kind: 'hang' }, 0, /no complete answer within 1s/],
    [
      'a body that stalls after the API accepted it (cut at 1s)',
      { kind: 'stall-body' },
      1,
      /no complete answer within 1s/
    ]
  ])('%s: one restore POST, and the error says the outcome is unknown', async (_name, fault, restores, cause) => {
    const backup = sim.addBackup({ serverId: WEB, description: 'good state' })
    sim.fault({ ...fault, method: 'POST', path: RESTORE_WEB })
    const result = await run({ command: 'restore', 'backup-id': String(backup.id), 'request-timeout': '1s' })
    const error = expectOneLineError(
      result,
      'POST',
      RESTORE_WEB,
      cause,
      /may or may not have started/,
      /check the server/
    )
    expect(error).toContain(`backup ${backup.id}`)
    expect(seen('POST', RESTORE_WEB)).toHaveLength(1)
    expect(sim.restores).toHaveLength(restores)
    // Never retried: at most the request-timeout that cut it.
    expect(loggedPauses(result.log)).toEqual([])
    expect(result.durationMs).toBeLessThan(1000 + BUSY_MACHINE_MS)
  })

  it('a 504 from a gateway after the API started the restore: one POST, outcome unknown', async () => {
    const backup = sim.addBackup({ serverId: WEB })
    sim.fault({ method: 'POST', path: RESTORE_WEB, kind: 'status-after', status: 504 })
    const result = await run({ command: 'restore', 'backup-id': String(backup.id) })
    expectOneLineError(result, '504', 'POST', RESTORE_WEB, /may or may not have started/)
    expect(seen('POST')).toHaveLength(1)
    expect(sim.restores).toHaveLength(1)
  })

  it('retries a restore the API refused with 429 (it did nothing), and restores once', async () => {
    const backup = sim.addBackup({ serverId: WEB })
    sim.fault({ method: 'POST', path: RESTORE_WEB, kind: 'status', status: 429 })
    const result = await run({ command: 'restore', 'backup-id': String(backup.id) })
    expect(result.exitCode).toBe(0)
    expect(seen('POST')).toHaveLength(2)
    expect(sim.restores).toHaveLength(1)
  })
})

describe('hostile bodies give one clear line', () => {
  it.each<[string, FaultSpec, Array<string | RegExp>]>([
    ['an empty 200', { kind: 'status', status: 200, body: '' }, ['200', /empty body/]],
    [
      'a 200 that is not JSON',
      { kind: 'status', status: 200, body: 'Service is up' },
      ['200', /not JSON: "Service is up"/]
    ],
    ['a truncated 200', { kind: 'truncated-json' }, ['200', /not JSON/]],
    ['an HTML 403 from a proxy', { kind: 'html', status: 403 }, ['403', /403 Forbidden/]],
    [
      'an HTML 502 from a proxy, every time',
      { kind: 'html', status: 502, times: 10, headers: { 'Retry-After': '0' } },
      ['502', /502 Bad Gateway/]
    ],
    ['an empty 400', { kind: 'status', status: 400, body: '' }, ['400', /empty body/]],
    [
      'a 500 with a long text body',
      {
        kind: 'status',
        status: 500,
        times: 10,
        body: 'Traceback\n' + 'x'.repeat(5000),
        headers: { 'Retry-After': '0' }
      },
      ['500', /Traceback/]
    ],
    [
      'a 400 with a big JSON body',
      { kind: 'status', status: 400, body: { detail: 'y'.repeat(5000), extra: { nested: [1, 2, 3] } } },
      ['400']
    ]
  ])('%s', async (_name, fault, names) => {
    for (let i = 0; i < 3; i++) sim.addBackup({ serverId: WEB, description: `backup ${i}` })
    sim.fault({ ...fault, method: 'GET', path: LIST })
    const result = await run({ command: 'list' })
    expectOneLineError(result, 'GET', LIST, ...names)
  })

  it('an HTML 400 page on POST create says status, method and path, and creates nothing more', async () => {
    sim.fault({ method: 'POST', path: LIST, kind: 'html', status: 400 })
    const result = await create()
    expectOneLineError(result, '400', 'POST', LIST, /400 Bad Request/)
    expect(seen('POST')).toHaveLength(1)
  })
})

describe('the token goes to api-url only', () => {
  it.each([
    ['GET list', { command: 'list' }, 'GET', LIST, 302],
    [
      'POST create',
      { command: 'create', 'server-id': String(WEB), description: DESCRIPTION, wait: 'false' },
      'POST',
      LIST,
      307
    ],
    ['DELETE', { command: 'delete', 'backup-id': '501' }, 'DELETE', `${LIST}501/`, 301],
    ['POST restore', { command: 'restore', 'backup-id': '501' }, 'POST', RESTORE_WEB, 308]
  ])(
    'a redirect of %s is not followed, and the error names where it pointed',
    async (_name, inputs, method, path, status) => {
      sim.addBackup({ serverId: WEB })
      sim.fault({ method, path, kind: 'redirect', status, location: `${recorder.url}/steal?from=${path}` })
      const result = await run(inputs)
      expectOneLineError(result, String(status), method, path, `${recorder.url}/steal`)
      expect(recorder.requests).toEqual([])
      expect(seen(method, path)).toHaveLength(1)
    }
  )

  it.each([
    ['on another host', () => `${recorder.url}${LIST}?page=2`, () => recorder],
    ['protocol-relative, on another host', () => `//${new URL(recorder.url).host}${LIST}?page=2`, () => recorder],
    ['on https of the same host and port', () => `${sim.url.replace('http:', 'https:')}${LIST}?page=2`, () => recorder]
  ])('a next link %s is refused and receives nothing', async (_name, next, target) => {
    sim.fault({
      method: 'GET',
      path: LIST,
      kind: 'status',
      status: 200,
      body: { count: 1, next: next(), previous: null, results: [] }
    })
    const result = await run({ command: 'list' })
    expectOneLineError(result, 'GET', LIST, /next link/, /another origin/)
    expect(target().requests).toEqual([])
    expect(seen('GET')).toHaveLength(1)
  })

  it('a next link on the same host but another port is refused', async () => {
    const local = await startRecorder({ host: '127.0.0.1' })
    try {
      sim.fault({
        method: 'GET',
        path: LIST,
        kind: 'status',
        status: 200,
        body: { count: 1, next: `${local.url}${LIST}?page=2`, previous: null, results: [] }
      })
      const result = await run({ command: 'list' })
      expectOneLineError(result, 'GET', LIST, local.url)
      expect(local.requests).toEqual([])
    } finally {
      await local.close()
    }
  })

  it('next links on api-url follow every page', async () => {
    const paged = await startSimulator({ pageSize: 2 })
    try {
      for (let i = 0; i < 5; i++) paged.addBackup({ serverId: WEB, description: `b${i}` })
      const result = await run({ command: 'list', 'api-url': paged.url })
      expect(result.exitCode).toBe(0)
      expect(result.outputs.count).toBe('5')
      expect(paged.requests.map(r => r.query.page ?? '1')).toEqual(['1', '2', '3'])
      expect(paged.requests.every(r => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true)
      expect(paged.connections).toBe(1)
    } finally {
      await paged.close()
    }
  })

  it('never shows the token, even with step debug on, through faults, redirects and an API that echoes it', async () => {
    const debug = { env: { ACTIONS_STEP_DEBUG: 'true' } }
    const runs: ActionRun[] = []

    sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 503, headers: { 'Retry-After': '0' } })
    sim.fault({ method: 'POST', path: LIST, kind: 'reset-after' })
    sim.setBackupDuration(500)
    runs.push(await create({ wait: 'true' }, debug))
    expect(runs[0]?.exitCode).toBe(0)

    sim.reset()
    sim.fault({ method: 'GET', path: LIST, kind: 'redirect', location: `${recorder.url}/?token=${TOKEN}` })
    runs.push(await run({ command: 'list' }, debug))

    sim.reset()
    sim.fault({ method: 'GET', kind: 'status', status: 401, body: { detail: `Invalid token "${TOKEN}".` } })
    runs.push(await run({ command: 'list' }, debug))

    sim.reset()
    sim.fault({
      method: 'GET',
      kind: 'status',
      status: 503,
      times: 2,
      body: `<html><body>bad gateway for Bearer ${TOKEN}</body></html>`,
      headers: { 'Retry-After': '0' }
    })
    runs.push(await run({ command: 'list' }, debug))

    for (const result of runs) {
      expectTokenNowhere(result, TOKEN)
      // Debug lines of requests are there, and show the Authorization header redacted.
      const requestLines = logLines(result.log).filter(line => /^::debug::(GET|POST|DELETE) http/.test(line))
      expect(requestLines.length).toBeGreaterThan(0)
      for (const line of requestLines) expect(line).toContain('authorization: Bearer [redacted]')
    }
    expect(recorder.requests).toEqual([])
  })
})

describe('text from the API never becomes a workflow command', () => {
  it('list: descriptions and server names holding commands', async () => {
    sim.addBackup({ serverId: HOSTILE, description: INJECTION })
    sim.addBackup({ serverId: WEB, description: '::error::pwned' })
    const result = await run({ command: 'list' }, { env: { ACTIONS_STEP_DEBUG: 'true' } })
    expect(result.exitCode).toBe(0)
    expect(result.outputs.count).toBe('2')
    expectNoInjectedCommand(result.log, TOKEN)
    // The text is still there, made inert, for a person to read.
    expect(result.log).toContain('pwned')
  })

  it('create and wait on a server whose name holds commands, adopted after a reset', async () => {
    sim.setBackupDuration(0)
    sim.fault({ method: 'POST', path: LIST, kind: 'reset-after' })
    const result = await run(
      { command: 'create', 'server-id': String(HOSTILE), description: DESCRIPTION, wait: 'true' },
      { env: { ACTIONS_STEP_DEBUG: 'true' } }
    )
    expect(result.exitCode).toBe(0)
    expect(result.outputs['server-name']).toBe(HOSTILE_NAME)
    expectNoInjectedCommand(result.log, TOKEN)
    expect(result.log).toContain('pwned')
  })

  it('restore from a backup whose description holds commands', async () => {
    const backup = sim.addBackup({ serverId: HOSTILE, description: INJECTION })
    const result = await run({ command: 'restore', 'backup-id': String(backup.id) })
    expect(result.exitCode).toBe(0)
    expect(sim.restores).toHaveLength(1)
    expectNoInjectedCommand(result.log, TOKEN)
  })

  it.each<[string, FaultSpec]>([
    ['a JSON error detail', { kind: 'status', status: 400, body: { detail: `nope${INJECTION}` } }],
    ['per-field errors', { kind: 'status', status: 400, body: { [`field${INJECTION}`]: [`bad${INJECTION}`] } }],
    [
      'a text body, retried',
      { kind: 'status', status: 503, times: 10, body: `down${INJECTION}`, headers: { 'Retry-After': '0' } }
    ],
    [
      'an HTML body',
      {
        kind: 'status',
        status: 403,
        body: `<html><body>${INJECTION}</body></html>`,
        headers: { 'Content-Type': 'text/html' }
      }
    ],
    ['a 200 that is not JSON', { kind: 'status', status: 200, body: `${INJECTION}` }]
  ])('error bodies: %s', async (_name, fault) => {
    sim.fault({ ...fault, method: 'GET', path: LIST })
    const result = await run({ command: 'list' }, { env: { ACTIONS_STEP_DEBUG: 'true' } })
    const error = expectOneLineError(result, 'GET', LIST)
    expect(error).toContain('pwned')
    expectNoInjectedCommand(result.log, TOKEN)
  })
})

describe('connections', () => {
  it('a create that waits through ~3 s of polling uses one kept-alive connection', async () => {
    sim.setBackupDuration(3000)
    const result = await create({ wait: 'true' })
    expect(result.exitCode).toBe(0)
    expect(result.outputs.status).toBe('completed')
    expect(seen('GET').length).toBeGreaterThanOrEqual(3)
    expect(sim.connections).toBe(1)
    // The backup takes 3 s and is checked every second.
    expect(result.durationMs).toBeLessThan(4000 + BUSY_MACHINE_MS)
  })
})
