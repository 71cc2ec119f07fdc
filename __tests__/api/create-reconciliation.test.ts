// Requests that change something are never repeated blindly (GitHub issue 4), in process
// (support/in-process.ts), on the simulator's fake clock: a create whose outcome is unknown is
// looked for before it is sent again, so exactly one backup exists; a restore whose outcome is
// unknown is never sent again. Requests cut by request-timeout (the transport's real timers) are in
// e2e/create-reconciliation.e2e.test.ts.
import { describe, expect, it } from '@jest/globals'
import { errorLines, expectOneLineError, loggedPauses } from '../support/run-action.js'
import { useInProcessSimulator, type InProcessOptions, type InProcessRun } from '../support/in-process.js'
import { expectVirtualNoLongerThanSaid, throughRefusal } from '../support/in-process-time.js'
import { type FaultSpec, type RecordedRequest, type SimBackup } from '../../tools/simulator/index.js'
import { LIST, WEB } from '../support/simulator-fixture.js'

const DESCRIPTION = 'Pre-deploy backup: reliability e2e'
const RESTORE_WEB = `/api/v1/servers/${WEB}/restore/`

/** The action with short timeouts, against the simulator unless api-url says otherwise. */
const fx = useInProcessSimulator({}, { 'request-timeout': '2s', timeout: '30s' })
const { run, seen, sequence } = fx

const create = (inputs: Record<string, string> = {}, options?: InProcessOptions): Promise<InProcessRun> =>
  run({ command: 'create', 'server-id': String(WEB), description: DESCRIPTION, wait: 'false', ...inputs }, options)

/** Manual backups of the web server other than those given. */
function newBackups(before: SimBackup[] = []): SimBackup[] {
  const old = new Set(before.map(b => b.id))
  return fx.sim.backups().filter(b => b.server.id === WEB && b.backup_type === 'manual' && !old.has(b.id))
}

describe('POST create never leaves two backups behind', () => {
  it.each<[string, number, FaultSpec]>([
    ['a reset after the API created the backup', 1, { kind: 'reset-after' }],
    ['a truncated 201 answer', 1, { kind: 'truncated-json' }],
    ['a 502 from a gateway, not processed', 2, { kind: 'status', status: 502 }],
    ['a 503, not processed', 2, { kind: 'status', status: 503 }],
    ['a 504 from a gateway, not processed', 2, { kind: 'status', status: 504 }],
    ['an nginx 502 page, not processed', 2, { kind: 'html', status: 502 }],
    ['a reset before the request is processed', 2, { kind: 'reset-before' }]
  ])('%s: lists first, then exactly one new backup after %i POST(s)', async (_name, posts, fault) => {
    const before = [fx.sim.addBackup({ serverId: WEB, description: 'Pre-deploy backup: an earlier run' })]
    fx.sim.fault({ ...fault, method: 'POST', path: LIST })
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
    expectVirtualNoLongerThanSaid(result)
  })

  it('a 504 from a gateway after the API created the backup: adopts it, one POST', async () => {
    fx.sim.fault({ method: 'POST', path: LIST, kind: 'status-after', status: 504 })
    const result = await create()
    expect(result.exitCode).toBe(0)
    const [backup] = newBackups() as [SimBackup]
    expect(newBackups()).toHaveLength(1)
    expect(result.outputs['backup-id']).toBe(String(backup.id))
    expect(seen('POST')).toHaveLength(1)
    expect(sequence()).toBe('GET POST GET')
  })

  it('retries directly on 429 (the API did nothing), without listing in between', async () => {
    fx.sim.fault({ method: 'POST', path: LIST, kind: 'status', status: 429 })
    const result = await create()
    expect(result.exitCode).toBe(0)
    expect(newBackups()).toHaveLength(1)
    expect(result.outputs['backup-id']).toBe(String(newBackups()[0].id))
    expect(sequence()).toBe('GET POST POST')
  })

  it('retries directly on a connection refused (the request never left), without listing in between', async () => {
    // The last read before creating (the list, for the limit) is answered, then nothing listens
    // when the POST connects.
    fx.sim.fault({ method: 'GET', path: LIST, kind: 'refuse', graceful: true, durationMs: 1500 })
    const result = await create(
      {},
      throughRefusal(fx.clock, () => fx.sim.url)
    )
    expect(result.exitCode).toBe(0)
    expect(result.log).toMatch(/POST \/api\/v1\/backups\/: connection refused; retrying in/)
    expect(newBackups()).toHaveLength(1)
    expect(result.outputs['backup-id']).toBe(String(newBackups()[0].id))
    expect(sequence()).toBe('GET POST')
  })

  it('honours Retry-After on a 503 before sending the POST again', async () => {
    fx.sim.fault({ method: 'POST', path: LIST, kind: 'status', status: 503, headers: { 'Retry-After': '2' } })
    const result = await create()
    expect(result.exitCode).toBe(0)
    expect(newBackups()).toHaveLength(1)
    const [first, second] = seen('POST') as [RecordedRequest, RecordedRequest]
    expect(second.at - first.at).toBe(2000)
  })

  it('does not adopt a backup someone else started meanwhile with another description', async () => {
    fx.sim.fault({ method: 'POST', path: LIST, kind: 'hang' })
    const running = create({ 'request-timeout': '1s' })
    // While the POST hangs (cut by request-timeout, a real timer), another backup of the server
    // appears (a person in the panel).
    const deadline = Date.now() + 5000
    while (seen('POST').length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
    const theirs = fx.sim.addBackup({ serverId: WEB, description: 'Manual backup by a person', status: 'in_progress' })
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
    fx.sim.fault({
      method: 'GET',
      path: LIST,
      kind: 'status',
      status: 200,
      body: { count: 0, next: null, previous: null, results: [] }
    })
    fx.sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 503 })
    fx.sim.fault({ method: 'POST', path: LIST, kind: 'reset-after' })
    const result = await create()
    expect(result.exitCode).toBe(0)
    const [backup] = newBackups() as [SimBackup]
    expect(newBackups()).toHaveLength(1)
    expect(result.outputs['backup-id']).toBe(String(backup.id))
    expect(sequence()).toBe('GET POST GET GET')
  })

  it('adopts the backup when the API stored the description trimmed, as DRF does', async () => {
    fx.sim.fault({ method: 'POST', path: LIST, kind: 'reset-after' })
    const result = await create({ description: `  ${DESCRIPTION}  ` })
    expect(result.exitCode).toBe(0)
    expect(fx.sim.backups().map(b => b.description)).toEqual([DESCRIPTION])
    expect(seen('POST')).toHaveLength(1)
    expect(result.outputs['backup-id']).toBe(String(fx.sim.backups()[0]?.id))
  })

  it('never sends a second POST after a 2xx it cannot read, and says what it got', async () => {
    fx.sim.fault({ method: 'POST', path: LIST, kind: 'status', status: 201, body: '' })
    const result = await create()
    expectOneLineError(result, '201', 'POST', LIST, /empty body/)
    expect(seen('POST')).toHaveLength(1)
  })

  it('gives up on a POST that keeps failing within the timeout, creating nothing', async () => {
    fx.sim.fault({ method: 'POST', path: LIST, kind: 'status', status: 503, times: 100 })
    const result = await create({ timeout: '4s' })
    expectOneLineError(result, '503', 'POST', LIST)
    expect(newBackups()).toEqual([])
    expect(seen('POST').length).toBeLessThanOrEqual(6)
    // No pause that would end past the timeout is begun.
    expect(result.virtualMs).toBeLessThan(4000)
    expectVirtualNoLongerThanSaid(result)
  })
})

describe('POST restore is never repeated blindly', () => {
  it.each<[string, FaultSpec, number, RegExp]>([
    ['a reset after the API accepted it', { kind: 'reset-after' }, 1, /connection reset/],
    ['a 502 from a gateway', { kind: 'status', status: 502 }, 0, /502/],
    ['an nginx 504 page', { kind: 'html', status: 504 }, 0, /504/]
  ])('%s: one restore POST, and the error says the outcome is unknown', async (_name, fault, restores, cause) => {
    const backup = fx.sim.addBackup({ serverId: WEB, description: 'good state' })
    fx.sim.fault({ ...fault, method: 'POST', path: RESTORE_WEB })
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
    expect(fx.sim.restores).toHaveLength(restores)
    // Never retried: no pause at all.
    expect(loggedPauses(result.log)).toEqual([])
    expect(result.virtualMs).toBe(0)
  })

  it('a 504 from a gateway after the API started the restore: one POST, outcome unknown', async () => {
    const backup = fx.sim.addBackup({ serverId: WEB })
    fx.sim.fault({ method: 'POST', path: RESTORE_WEB, kind: 'status-after', status: 504 })
    const result = await run({ command: 'restore', 'backup-id': String(backup.id) })
    expectOneLineError(result, '504', 'POST', RESTORE_WEB, /may or may not have started/)
    expect(seen('POST')).toHaveLength(1)
    expect(fx.sim.restores).toHaveLength(1)
  })

  it('retries a restore the API refused with 429 (it did nothing), and restores once', async () => {
    const backup = fx.sim.addBackup({ serverId: WEB })
    fx.sim.fault({ method: 'POST', path: RESTORE_WEB, kind: 'status', status: 429 })
    const result = await run({ command: 'restore', 'backup-id': String(backup.id) })
    expect(result.exitCode).toBe(0)
    expect(seen('POST')).toHaveLength(2)
    expect(fx.sim.restores).toHaveLength(1)
  })
})
