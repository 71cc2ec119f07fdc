// GET and DELETE are retried where that is safe (GitHub issue 4), end to end, where the request is
// cut by the HTTP transport's own time limits: those are real timers on real sockets, which the
// fake clock does not move. Every other retry, backoff and Retry-After case runs in process, in
// api/retries.test.ts. Time is bounded by the pauses the action logged, never by a tight budget.
import { describe, expect, it } from '@jest/globals'
import {
  BUSY_MACHINE_MS,
  errorLines,
  expectNoLongerThanSaid,
  expectOneLineError,
  loggedPauses
} from '../support/run-action.js'
import { type FaultSpec } from '../../tools/simulator/index.js'
import { LIST, WEB, useSimulator } from '../support/simulator-fixture.js'

/** The action with short timeouts, against the simulator unless api-url says otherwise. */
const fx = useSimulator({}, { 'request-timeout': '2s', timeout: '30s' })
const { run, seen } = fx

describe('a request cut by request-timeout is retried with backoff', () => {
  // request-timeout is a real timer on the socket: kept e2e, the gap holds the real 2 s cut.
  it.each<[string, FaultSpec]>([
    ['no answer at all (cut at request-timeout 2s)', { kind: 'hang' }],
    ['a body that stalls half-way (cut at request-timeout 2s)', { kind: 'stall-body' }]
  ])('GET list survives %s', async (_name, fault) => {
    const cutMs = 2000
    fx.sim.addBackup({ serverId: WEB, description: 'kept' })
    fx.sim.fault({ ...fault, method: 'GET', path: LIST })
    const result = await run({ command: 'list' }, { env: { ACTIONS_STEP_DEBUG: 'true' } })
    expect(result.exitCode).toBe(0)
    expect(result.outputs.count).toBe('1')
    expect(result.log).toMatch(/no complete answer within 2s; retrying in/)
    const gets = seen('GET', LIST)
    expect(gets).toHaveLength(2)
    // One pause, drawn from the first backoff step (full jitter up to 1 s), and kept: the second
    // request leaves that pause after request-timeout cut the first one.
    const pauses = loggedPauses(result.log)
    expect(pauses).toHaveLength(1)
    const [pause] = pauses as [number]
    expect(pause).toBeLessThanOrEqual(1000)
    const gap = gets[1].at - gets[0].at
    // The simulator records a request once it has read it; the action's request-timeout started
    // before it sent it. On a busy machine that head start is tens of ms (2238 ms seen against
    // 2000 + 278 - 20): a cut request gets 250 ms.
    expect(gap).toBeGreaterThanOrEqual(cutMs + (pause >= 1000 ? 500 : pause) - 250)
    expect(gap).toBeLessThan(cutMs + pause + BUSY_MACHINE_MS)
    // A cut connection is replaced by exactly one new one.
    expect(fx.sim.connections).toBe(2)
    expectNoLongerThanSaid(result, cutMs)
  })

  // request-timeout is a real timer on the socket: kept e2e.
  it('DELETE survives no answer at all (cut at request-timeout 1s) and the backup is gone', async () => {
    const doomed = fx.sim.addBackup({ serverId: WEB, description: 'old' })
    const kept = fx.sim.addBackup({ serverId: WEB, description: 'other' })
    fx.sim.fault({ kind: 'hang', method: 'DELETE', path: `${LIST}${doomed.id}/` })
    const result = await run({ command: 'delete', 'backup-id': String(doomed.id), 'request-timeout': '1s' })
    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.outputs['deleted-ids']).toBe(JSON.stringify([doomed.id]))
    expect(fx.sim.backups().map(b => b.id)).toEqual([kept.id])
    expect(seen('DELETE')).toHaveLength(2)
    expect(seen('DELETE').every(r => r.path === `${LIST}${doomed.id}/`)).toBe(true)
    expectNoLongerThanSaid(result, 1000)
  })

  // The step's timeout caps the socket's real timer (request-timeout 30s): kept e2e.
  it('ends within the timeout when the API never answers, whatever request-timeout says', async () => {
    fx.sim.fault({ method: 'GET', path: LIST, kind: 'hang', times: 100 })
    const result = await run({ command: 'list', timeout: '3s', 'request-timeout': '30s' })
    expectOneLineError(result, 'GET', LIST, /3s/)
    expect(result.ranMs).toBeLessThan(3000 + BUSY_MACHINE_MS)
  })
})
