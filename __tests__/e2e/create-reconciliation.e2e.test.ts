// Requests that change something are never repeated blindly (GitHub issue 4), end to end, where
// the request is cut by request-timeout: a real timer on a real socket, which the fake clock does
// not move. Every other case runs in process, in api/create-reconciliation.test.ts. Time is bounded by
// what the action logged it would wait, never by a tight budget.
import { describe, expect, it } from '@jest/globals'
import {
  BUSY_MACHINE_MS,
  errorLines,
  expectNoLongerThanSaid,
  expectOneLineError,
  loggedPauses
} from '../support/run-action.js'
import { type FaultSpec, type SimBackup } from '../../tools/simulator/index.js'
import { LIST, WEB, useSimulator } from '../support/simulator-fixture.js'

const DESCRIPTION = 'Pre-deploy backup: reliability e2e'
const RESTORE_WEB = `/api/v1/servers/${WEB}/restore/`

/** The action with short timeouts, against the simulator unless api-url says otherwise. */
const fx = useSimulator({}, { 'request-timeout': '2s', timeout: '30s' })
const { run, seen, sequence } = fx

/** Manual backups of the web server other than those given. */
function newBackups(before: SimBackup[] = []): SimBackup[] {
  const old = new Set(before.map(b => b.id))
  return fx.sim.backups().filter(b => b.server.id === WEB && b.backup_type === 'manual' && !old.has(b.id))
}

describe('POST create cut by request-timeout never leaves two backups behind', () => {
  // request-timeout is a real timer on the socket: kept e2e, bounded by the real 2 s cut.
  it.each<[string, number, FaultSpec]>([
    ['a body that stalls after the API created the backup', 1, { kind: 'stall-body' }],
    ['no answer (cut at request-timeout 2s), not processed', 2, { kind: 'hang' }]
  ])('%s: lists first, then exactly one new backup after %i POST(s)', async (_name, posts, fault) => {
    const before = [fx.sim.addBackup({ serverId: WEB, description: 'Pre-deploy backup: an earlier run' })]
    fx.sim.fault({ ...fault, method: 'POST', path: LIST })
    const result = await run({ command: 'create', 'server-id': String(WEB), description: DESCRIPTION, wait: 'false' })
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
    expect(result.log).toMatch(/no complete answer within 2s after the request was sent/)
    expectNoLongerThanSaid(result, 2000)
  })
})

describe('POST restore cut by request-timeout is never repeated', () => {
  // request-timeout is a real timer on the socket: kept e2e, bounded by the real 1 s cut.
  it.each<[string, FaultSpec, number]>([
    ['no answer (cut at request-timeout 1s)', { kind: 'hang' }, 0],
    ['a body that stalls after the API accepted it (cut at 1s)', { kind: 'stall-body' }, 1]
  ])('%s: one restore POST, and the error says the outcome is unknown', async (_name, fault, restores) => {
    const backup = fx.sim.addBackup({ serverId: WEB, description: 'good state' })
    fx.sim.fault({ ...fault, method: 'POST', path: RESTORE_WEB })
    const result = await run({ command: 'restore', 'backup-id': String(backup.id), 'request-timeout': '1s' })
    const error = expectOneLineError(
      result,
      'POST',
      RESTORE_WEB,
      /no complete answer within 1s/,
      /may or may not have started/,
      /check the server/
    )
    expect(error).toContain(`backup ${backup.id}`)
    expect(seen('POST', RESTORE_WEB)).toHaveLength(1)
    expect(fx.sim.restores).toHaveLength(restores)
    // Never retried: at most the request-timeout that cut it.
    expect(loggedPauses(result.log)).toEqual([])
    expect(result.ranMs).toBeLessThan(1000 + BUSY_MACHINE_MS)
  })
})
