// command: delete and command: list (GitHub issues 3 and 8): delete looks the backup up first and
// sends one DELETE; list reads every page and shows the backups newest first.
// In process (support/in-process.ts), against the simulator over real HTTP, both on one fake clock.
import { describe, expect, it } from '@jest/globals'
import { useInProcessSimulator } from '../support/in-process.js'
import { errorLines, expectOnlyGets, expectTokenNowhere, parseJsonOutput } from '../support/run-action.js'
import { type SimBackup } from '../../tools/simulator/index.js'
import { DB, LIST, TOKEN, WEB, deletePath, ids, nonGet } from '../support/simulator-fixture.js'

// Three backups a page, so every read of the list has to follow `next`.
const fx = useInProcessSimulator({ pageSize: 3, backupDurationMs: 1500 })
const { run: runAction, mark, since, add, listOrder } = fx

describe('delete', () => {
  it('sends one DELETE for the backup and outputs its id', async () => {
    const keepA = add(WEB, 'a', '2025-03-01T10:00:00Z')
    const doomed = add(WEB, 'b', '2025-03-02T10:00:00Z')
    const keepB = add(DB, 'c', '2025-03-03T10:00:00Z')
    const from = mark()

    const run = await runAction({ command: 'delete', 'backup-id': String(doomed.id) })

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(nonGet(since(from)).map(r => `${r.method} ${r.path}`)).toEqual([`DELETE ${deletePath(doomed.id)}`])
    expect(ids(fx.sim.backups())).toEqual(ids([keepA, keepB]))
    expect(parseJsonOutput(run, 'deleted-ids')).toEqual([doomed.id])
    expect(run.log).toContain(`Deleted backup ${doomed.id}`)
    expectTokenNowhere(run, TOKEN)
  })

  it('names the server and description of what it deletes, looked up first', async () => {
    const doomed = add(DB, 'Before migration', '2025-03-02T10:00:00Z')

    const run = await runAction({ command: 'delete', 'backup-id': String(doomed.id), 'server-id': String(DB) })

    expect(run.exitCode).toBe(0)
    expect(run.log).toContain(
      `Deleted backup ${doomed.id} of server db-server-01 (${DB}) (2025-03-02T10:00:00Z, "Before migration")`
    )
    expect(fx.sim.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      `GET ${LIST}`,
      `DELETE ${deletePath(doomed.id)}`
    ])
    expect(fx.sim.requests[0].query).toEqual({ server_id: String(DB) })
  })

  it('refuses a backup of another server than server-id, deleting nothing', async () => {
    const other = add(DB, 'db backup', '2025-03-02T10:00:00Z')

    const run = await runAction({ command: 'delete', 'backup-id': String(other.id), 'server-id': String(WEB) })

    expect(run.exitCode).toBe(1)
    expect(errorLines(run.log)).toEqual([
      `backup ${other.id} belongs to server db-server-01 (${DB}), not server ${WEB}; nothing was deleted`
    ])
    expectOnlyGets(fx.sim.requests)
    expect(ids(fx.sim.backups())).toEqual([other.id])
  })

  it('fails naming the id of a backup that does not exist, before any DELETE', async () => {
    const present = add(WEB, 'a', '2025-03-01T10:00:00Z')
    const from = mark()

    const run = await runAction({ command: 'delete', 'backup-id': '999' })

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/backup 999\b.*not found/)
    expectOnlyGets(since(from))
    expect(ids(fx.sim.backups())).toEqual([present.id])
    expect(run.outputs['deleted-ids']).toBeUndefined()
  })

  it('needs backup-id, and sends nothing without it', async () => {
    add(WEB, 'a', '2025-03-01T10:00:00Z')

    const run = await runAction({ command: 'delete' })

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('backup-id')
    expect(fx.sim.requests).toEqual([])
    expect(fx.sim.backups()).toHaveLength(1)
  })
})

describe('list', () => {
  /** Eight backups whose creation order is neither id order nor the simulator's list order. */
  function listFixture(): SimBackup[] {
    const spec: Array<[number, 'manual' | 'automatic', number]> = [
      [WEB, 'automatic', 5],
      [WEB, 'manual', 2],
      [DB, 'automatic', 8],
      [WEB, 'automatic', 1],
      [DB, 'manual', 7],
      [WEB, 'automatic', 3],
      [WEB, 'manual', 6],
      [WEB, 'automatic', 4]
    ]
    return spec.map(([serverId, type, day]) =>
      add(serverId, `backup of day ${day}`, `2025-04-0${day}T08:30:00Z`, { backup_type: type })
    )
  }

  const newestFirst = (backups: SimBackup[]): number[] =>
    [...backups].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at)).map(b => b.id)

  /** The ids of the rows of the log's text table, in order. */
  const logRows = (log: string): number[] =>
    log
      .split('\n')
      .map(line => /^(\d+) {2}/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)

  const summaryRows = (summary: string): number[] =>
    summary
      .split('\n')
      .map(line => /^\| (\d+) \|/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)

  it('reads every page and shows all backups newest first in the outputs, log and summary', async () => {
    const all = listFixture()
    const expected = newestFirst(all)
    const simOrder = await listOrder()
    expect(expected).not.toEqual(all.map(b => b.id))
    expect(expected).not.toEqual([...all.map(b => b.id)].reverse())
    expect(expected).not.toEqual(simOrder)
    const from = mark()

    const run = await runAction({ command: 'list' })

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    const requests = since(from)
    expectOnlyGets(requests)
    expect(requests.map(r => r.path)).toEqual([LIST, LIST, LIST])
    expect(requests.map(r => r.query)).toEqual([{}, { page: '2' }, { page: '3' }])

    const backups = parseJsonOutput<SimBackup[]>(run, 'backups')
    expect(backups.map(b => b.id)).toEqual(expected)
    expect(backups).toEqual(expect.arrayContaining(fx.sim.backups()))
    expect(run.outputs.count).toBe('8')
    expect(logRows(run.log)).toEqual(expected)
    expect(summaryRows(run.summary)).toEqual(expected)
    expect(run.log).toMatch(/ID +Server +Type +Status/)
    expectTokenNowhere(run, TOKEN)
  })

  it('passes server-id and backup-type to the API on every page', async () => {
    const all = listFixture()
    const matching = all.filter(b => b.server.id === WEB && b.backup_type === 'automatic')
    expect(matching).toHaveLength(4)
    const from = mark()

    const run = await runAction({ command: 'list', 'server-id': String(WEB), 'backup-type': 'automatic' })

    expect(run.exitCode).toBe(0)
    const requests = since(from)
    expectOnlyGets(requests)
    expect(requests.map(r => r.query)).toEqual([
      { server_id: String(WEB), backup_type: 'automatic' },
      { server_id: String(WEB), backup_type: 'automatic', page: '2' }
    ])
    const backups = parseJsonOutput<SimBackup[]>(run, 'backups')
    expect(backups.map(b => b.id)).toEqual(newestFirst(matching))
    expect(run.outputs.count).toBe('4')
    expect(summaryRows(run.summary)).toEqual(newestFirst(matching))
  })

  it('refuses a backup-type other than manual or automatic before any request', async () => {
    listFixture()

    const run = await runAction({ command: 'list', 'backup-type': 'weekly' })

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('backup-type')
    expect(errors[0]).toContain('weekly')
    expect(fx.sim.requests).toEqual([])
    expect(run.outputs.backups).toBeUndefined()
  })
})
