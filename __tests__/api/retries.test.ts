// GET and DELETE are retried where that is safe (GitHub issue 4), in process (support/in-process.ts):
// the action's run() through the registry against the simulator over real HTTP, both on one fake
// clock, while the network and the API misbehave: backoff with jitter, Retry-After, bounded
// attempts and the step's timeout. Every pause runs on virtual time, so time is bounded exactly by
// the pauses the action logged. What is cut by request-timeout (the transport's real timers) is in
// e2e/retries.e2e.test.ts.
import { describe, expect, it } from '@jest/globals'
import { errorLines, expectOneLineError, loggedPauses } from '../support/run-action.js'
import { useInProcessSimulator } from '../support/in-process.js'
import { type FaultSpec, type RecordedRequest } from '../../tools/simulator/index.js'
import { LIST, WEB } from '../support/simulator-fixture.js'
import { expectVirtualNoLongerThanSaid, throughRefusal } from '../support/in-process-time.js'

/** The action with short timeouts, against the simulator unless api-url says otherwise. */
const fx = useInProcessSimulator({}, { 'request-timeout': '2s', timeout: '30s' })
const { run, seen, sequence } = fx

describe('GET and DELETE are retried with backoff', () => {
  it.each<[string, FaultSpec, { connections: number }]>([
    ['a reset before the request is processed', { kind: 'reset-before' }, { connections: 2 }],
    ['a reset after the request is processed', { kind: 'reset-after' }, { connections: 2 }],
    ['408', { kind: 'status', status: 408 }, { connections: 1 }],
    ['429', { kind: 'status', status: 429 }, { connections: 1 }],
    ['500', { kind: 'status', status: 500 }, { connections: 1 }],
    ['502', { kind: 'status', status: 502 }, { connections: 1 }],
    ['503', { kind: 'status', status: 503 }, { connections: 1 }],
    ['504', { kind: 'status', status: 504 }, { connections: 1 }],
    ['a 502 page from nginx', { kind: 'html', status: 502 }, { connections: 1 }]
  ])('GET list survives %s', async (_name, fault, expected) => {
    fx.sim.addBackup({ serverId: WEB, description: 'kept' })
    fx.sim.fault({ ...fault, method: 'GET', path: LIST })
    const result = await run({ command: 'list' })
    expect(result.exitCode).toBe(0)
    expect(result.outputs.count).toBe('1')
    const gets = seen('GET', LIST)
    expect(gets).toHaveLength(2)
    // One pause, drawn from the first backoff step (full jitter up to 1 s), and kept: the second
    // request leaves exactly that pause after the first one failed, on the simulator's clock too.
    const pauses = loggedPauses(result.log)
    expect(pauses).toHaveLength(1)
    const [pause] = pauses as [number]
    expect(pause).toBeLessThanOrEqual(1000)
    expect(gets[1].at - gets[0].at).toBe(pause)
    expect(result.clock.sleeps.at(-1)).toBe(pause)
    // Answers with a status keep the connection; a cut one is replaced by exactly one new one.
    expect(fx.sim.connections).toBe(expected.connections)
    expectVirtualNoLongerThanSaid(result)
  })

  it.each<[string, FaultSpec]>([
    ['a reset before the request is processed', { kind: 'reset-before' }],
    ['a reset after the backup was deleted (the retry meets 404)', { kind: 'reset-after' }],
    ['408', { kind: 'status', status: 408 }],
    ['429', { kind: 'status', status: 429 }],
    ['500', { kind: 'status', status: 500 }],
    ['502', { kind: 'status', status: 502 }],
    ['503', { kind: 'status', status: 503 }],
    ['504', { kind: 'status', status: 504 }]
  ])('DELETE survives %s and the backup is gone', async (_name, fault) => {
    const doomed = fx.sim.addBackup({ serverId: WEB, description: 'old' })
    const kept = fx.sim.addBackup({ serverId: WEB, description: 'other' })
    fx.sim.fault({ ...fault, method: 'DELETE', path: `${LIST}${doomed.id}/` })
    const result = await run({ command: 'delete', 'backup-id': String(doomed.id), 'request-timeout': '1s' })
    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.outputs['deleted-ids']).toBe(JSON.stringify([doomed.id]))
    expect(fx.sim.backups().map(b => b.id)).toEqual([kept.id])
    expect(seen('DELETE')).toHaveLength(2)
    expect(seen('DELETE').every(r => r.path === `${LIST}${doomed.id}/`)).toBe(true)
    expectVirtualNoLongerThanSaid(result)
  })

  it('DELETE answered 504 by a gateway after the API deleted the backup: the retry meets 404, which is success', async () => {
    const doomed = fx.sim.addBackup({ serverId: WEB, description: 'old' })
    fx.sim.fault({ method: 'DELETE', path: `${LIST}${doomed.id}/`, kind: 'status-after', status: 504 })
    const result = await run({ command: 'delete', 'backup-id': String(doomed.id) })
    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.outputs['deleted-ids']).toBe(JSON.stringify([doomed.id]))
    expect(fx.sim.backups()).toEqual([])
    expect(seen('DELETE')).toHaveLength(2)
  })

  it('GET list and DELETE survive a connection refused while the API restarts', async () => {
    const doomed = fx.sim.addBackup({ serverId: WEB, description: 'old' })
    await fx.sim.refuseConnections(1500)
    const listed = await run(
      { command: 'list' },
      throughRefusal(fx.clock, () => fx.sim.url)
    )
    expect(listed.exitCode).toBe(0)
    expect(listed.outputs.count).toBe('1')
    expect(listed.log).toMatch(/connection refused; retrying in/)
    // How many retries that takes depends on the jitter; the wait is what the action said it was.
    expect(loggedPauses(listed.log).length).toBeGreaterThanOrEqual(1)
    expectVirtualNoLongerThanSaid(listed)

    await fx.sim.refuseConnections(1500)
    const deleted = await run(
      { command: 'delete', 'backup-id': String(doomed.id) },
      throughRefusal(fx.clock, () => fx.sim.url)
    )
    expect(deleted.exitCode).toBe(0)
    expect(deleted.log).toMatch(/connection refused; retrying in/)
    expect(fx.sim.backups()).toEqual([])
    // Refused connections never reached the API: it saw the list, then delete's look-up and DELETE.
    expect(sequence()).toBe('GET GET DELETE')
  })
})

describe('Retry-After and bounded retries', () => {
  it('waits the seconds Retry-After asks for, and no longer', async () => {
    fx.sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 503, headers: { 'Retry-After': '2' } })
    const result = await run({ command: 'list' })
    expect(result.exitCode).toBe(0)
    expect(loggedPauses(result.log)).toEqual([2000])
    const [first, second] = seen('GET') as [RecordedRequest, RecordedRequest]
    expect(second.at - first.at).toBe(2000)
    expect(result.virtualMs).toBe(2000)
  })

  it('waits until the HTTP date Retry-After gives', async () => {
    // On a whole second, the answer's Date is the runner's now to the millisecond.
    fx.clock.advance(1000 - (fx.clock.now() % 1000))
    const until = new Date(fx.clock.now() + 3000).toUTCString()
    fx.sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 429, headers: { 'Retry-After': until } })
    const result = await run({ command: 'list' })
    expect(result.exitCode).toBe(0)
    const [first, second] = seen('GET') as [RecordedRequest, RecordedRequest]
    // The date has whole seconds: the second request goes at that second, to the millisecond.
    expect(second.at).toBe(Math.max(Date.parse(until), first.at))
    expect(second.at).toBeGreaterThan(first.at + 2000)
  })

  // GitHub issue 20 §4: a date is on the API's clock, so the wait is (Retry-After − the answer's
  // Date). A 503 on a POST is not retried at all, so a GET (list) shows it.
  it.each<[string, number, number]>([
    ['503, the API clock 2 h ahead of the runner: waits 4 s, not 2 h', 503, 2 * 3_600_000],
    ['429, the API clock 10 min behind the runner: waits 4 s, not none', 429, -10 * 60_000]
  ])("a Retry-After date 4 s after its answer's Date: %s", async (_name, status, offsetMs) => {
    fx.sim.setClockOffset(offsetMs)
    const until = (): string => new Date(fx.clock.now() + offsetMs + 4000).toUTCString()
    fx.sim.fault({ method: 'GET', path: LIST, kind: 'status', status, headers: { 'Retry-After': until() } })
    const result = await run({ command: 'list' })
    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    // Both dates have whole seconds, on a clock that stood still until the answer: exactly 4 s.
    expect(loggedPauses(result.log)).toEqual([4000])
    const [first, second] = seen('GET', LIST) as [RecordedRequest, RecordedRequest]
    expect(second.at - first.at).toBe(4000)
    expect(result.virtualMs).toBe(4000)
  })

  it("a Retry-After date without a Date header is measured on the runner's clock, as before", async () => {
    fx.sim.setDateHeader(false)
    fx.clock.advance(1000 - (fx.clock.now() % 1000))
    const until = new Date(fx.clock.now() + 3000).toUTCString()
    fx.sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 503, headers: { 'Retry-After': until } })
    const result = await run({ command: 'list' })
    expect(result.exitCode).toBe(0)
    expect(loggedPauses(result.log)).toEqual([3000])
  })

  it('honours Retry-After on a DELETE too', async () => {
    const doomed = fx.sim.addBackup({ serverId: WEB })
    fx.sim.fault({ method: 'DELETE', kind: 'status', status: 429, headers: { 'Retry-After': '2' } })
    const result = await run({ command: 'delete', 'backup-id': String(doomed.id) })
    expect(result.exitCode).toBe(0)
    const [first, second] = seen('DELETE') as [RecordedRequest, RecordedRequest]
    expect(second.at - first.at).toBe(2000)
  })

  it.each([
    ['in seconds', () => '120', /retry after 2m00s/],
    ['as an HTTP date', () => new Date(fx.clock.now() + 3_600_000).toUTCString(), /retry after (59m\d\ds|1h00m)/]
  ])('fails at once, saying why, when Retry-After (%s) lies beyond the timeout', async (_name, value, asked) => {
    fx.sim.fault({
      method: 'GET',
      path: LIST,
      kind: 'status',
      status: 503,
      times: 5,
      headers: { 'Retry-After': value() }
    })
    const result = await run({ command: 'list', timeout: '20s' })
    const error = expectOneLineError(result, '503', 'GET', LIST, asked, /20s timeout/)
    expect(error).toMatch(/Retry-After|asked to retry/i)
    expect(seen('GET')).toHaveLength(1)
    expect(loggedPauses(result.log)).toEqual([])
    expect(result.virtualMs).toBe(0)
  })

  it('gives up after a bounded number of attempts on an endless 503', async () => {
    // Retry-After: 0 makes the attempts immediate, so the bound is on attempts, not on time.
    fx.sim.fault({
      method: 'GET',
      path: LIST,
      kind: 'status',
      status: 503,
      times: 1000,
      headers: { 'Retry-After': '0' }
    })
    const result = await run({ command: 'list', timeout: '5m' })
    expectOneLineError(result, '503', 'GET', LIST, /gave up after 6 attempts/)
    expect(seen('GET')).toHaveLength(6)
    expect(loggedPauses(result.log)).toEqual([0, 0, 0, 0, 0])
    expect(result.virtualMs).toBe(0)
  })

  it('stops retrying an endless 503 when the timeout comes', async () => {
    fx.sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 503, times: 1000 })
    const result = await run({ command: 'list', timeout: '3s' })
    expectOneLineError(result, '503', 'GET', LIST, /3s timeout/)
    expect(seen('GET').length).toBeLessThanOrEqual(6)
    // No pause that would end past the timeout is begun.
    expect(result.virtualMs).toBeLessThan(3000)
    expectVirtualNoLongerThanSaid(result)
  })

  it.each([400, 401, 403, 404])('never retries a GET answered %i', async status => {
    fx.sim.fault({ method: 'GET', path: LIST, kind: 'status', status, times: 10 })
    const result = await run({ command: 'list' })
    expectOneLineError(result, String(status), 'GET', LIST)
    expect(seen('GET')).toHaveLength(1)
  })

  it.each([400, 401, 403])('never retries a DELETE answered %i, and deletes nothing', async status => {
    const backup = fx.sim.addBackup({ serverId: WEB })
    fx.sim.fault({ method: 'DELETE', kind: 'status', status, times: 10 })
    const result = await run({ command: 'delete', 'backup-id': String(backup.id) })
    expectOneLineError(result, String(status), 'DELETE', `${LIST}${backup.id}/`)
    expect(seen('DELETE')).toHaveLength(1)
    expect(fx.sim.backups()).toHaveLength(1)
  })

  it('a DELETE answered 404 for a backup that is still listed is an error, not a success', async () => {
    const backup = fx.sim.addBackup({ serverId: WEB })
    fx.sim.fault({ method: 'DELETE', kind: 'status', status: 404, times: 10 })
    const result = await run({ command: 'delete', 'backup-id': String(backup.id) })
    expect(result.exitCode).toBe(1)
    expect(errorLines(result.log)).toEqual([
      `DELETE of backup ${backup.id} answered 404, yet the backup is still listed; nothing was deleted: check it in the VPS.org panel`
    ])
    expect(seen('DELETE')).toHaveLength(1)
    expect(result.outputs['deleted-ids']).toBeUndefined()
    expect(fx.sim.backups()).toHaveLength(1)
  })

  it('delete reports no success for a backup that never existed, whatever errors come before a 404', async () => {
    fx.sim.fault({ method: 'DELETE', kind: 'status', status: 503 })
    const result = await run({ command: 'delete', 'backup-id': '999' })
    expect(result.exitCode).toBe(1)
    expect(errorLines(result.log)).toEqual(['backup 999 not found; nothing was deleted'])
    expect(seen('DELETE')).toEqual([])
  })

  it('sends a wrong token once and says to check the secret', async () => {
    const result = await run({ command: 'list', 'api-token': 'not-the-token' })
    expectOneLineError(result, '401', 'GET', LIST, /api-token/, /Invalid token\./)
    expect(fx.sim.requests).toHaveLength(1)
  })
})
