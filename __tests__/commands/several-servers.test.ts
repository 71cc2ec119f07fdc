// Several servers in one step (GitHub issue 11): server-id lists for create and list, backup-id
// lists, backup-ids objects and `latest` for restore, the outputs by server, one server failing
// among several, restore-on-failure of every server, and what a wait for many servers costs in
// requests and connections. In process (support/in-process.ts), against the simulator over real
// HTTP on the same fake clock; what a process shows (the outputs file of a job cancelled
// mid-step) is in e2e/several-servers.e2e.test.ts.
import { describe, expect, it } from '@jest/globals'
import {
  runWithPostInProcess,
  useInProcessSimulator,
  type InProcessOptions,
  type InProcessRun
} from '../support/in-process.js'
import {
  errorLines,
  expectOneLineError,
  expectOnlyGets,
  expectTokenNowhere,
  parseJsonOutput
} from '../support/run-action.js'
import { exampleServers, type RecordedRequest, type SimBackup } from '../../tools/simulator/index.js'
import { DB, LIST, PREFIX, TOKEN, WEB, deletePath, nonGet, restorePath } from '../support/simulator-fixture.js'
import { until } from '../support/waiting.js'

const S3 = 30003
const S4 = 30004
const S5 = 30005
const S6 = 30006
const SIX = [WEB, DB, S3, S4, S5, S6]
/** The description the action gives its backups in these runs (tools/runner.js's GITHUB_* values). */
const DESCRIPTION = 'Pre-deploy backup: acme/shop@3f1c2d9 (run 9876543210)'
const BACKUP_MS = 1500
// Longer than the first check (about a second after the request), so a read sees `restoring`: only a
// read arms the wait for a server.
const RESTORE_MS = 2500
/** The single-backup outputs, which a step of several servers leaves unset. */
const SINGLE_OUTPUTS = ['backup-id', 'status', 'size-mb', 'created-at', 'server-id', 'server-name', 'backup']

// Five backups a page: a list of every manual backup of six servers takes two pages.
const { sim, inputs, mark, since, clock, ...fx } = useInProcessSimulator({
  servers: exampleServers(6),
  pageSize: 5,
  backupDurationMs: BACKUP_MS,
  restoreDurationMs: RESTORE_MS
})

function run(extra: Record<string, string>, options?: InProcessOptions): Promise<InProcessRun> {
  return fx.run(extra, options)
}

const described = (requests: RecordedRequest[]): string[] => requests.map(r => `${r.method} ${r.path}`)

const creates = (requests: RecordedRequest[]): RecordedRequest[] =>
  requests.filter(r => r.method === 'POST' && r.path === LIST)

const restorePosts = (requests: RecordedRequest[]): RecordedRequest[] =>
  requests.filter(r => r.method === 'POST' && r.path.endsWith('/restore/'))

function add(
  serverId: number,
  description: string,
  createdAt: string,
  extra: Partial<Omit<SimBackup, 'server'>> = {}
): SimBackup {
  return sim.addBackup({ serverId, description, created_at: createdAt, ...extra })
}

const byId = (a: number, b: number): number => a - b

/** Whether `check` came to hold within `ms` (support/waiting.ts's until, as a boolean). */
const comesTrue = (what: string, check: () => boolean, ms: number): Promise<boolean> =>
  until(what, check, ms).then(
    () => true,
    () => false
  )

/**
 * reset(), once the connections of earlier runs have closed: they would count towards this run's
 * peak of open connections.
 */
async function resetWhenIdle(): Promise<void> {
  expect(await comesTrue('no connection open', () => sim.openConnections === 0, 5000)).toBe(true)
  sim.reset()
}

/** The rows of the Markdown tables in the job summary whose first cell is a server, as cell lists. */
function summaryRows(summary: string): string[][] {
  return summary
    .split('\n')
    .filter(line => line.startsWith('| ') && !line.startsWith('| ---') && !line.startsWith('| Server |'))
    .map(line =>
      line
        .slice(2, -2)
        .split(' | ')
        .map(cell => cell.replace(/^`|`$/g, ''))
    )
}

/** Rounds of status checks the action said it made: "…, 3 rounds of status checks". */
function statusChecks(log: string): number {
  const counts = [...log.matchAll(/, (\d+) rounds of status checks$/gm)].map(([, n]) => Number(n))
  expect(counts.length).toBeGreaterThan(0)
  expect(new Set(counts).size).toBe(1)
  return counts[0] ?? 0
}

// -------------------------------------------------------------------------------------------------

describe('create of several servers', () => {
  it('checks every server, then sends every create at once, and sets backup-ids and backups by server', async () => {
    await resetWhenIdle()
    const old = add(WEB, `${PREFIX}: old`, '2025-01-01T10:00:00Z')
    // The create of the first server is held: the others must still be sent and answered meanwhile.
    // Virtual time stands still while it is held, so no wait of the others runs out meanwhile.
    const held = sim.hold({ method: 'POST', path: LIST, json: { server_id: DB } })
    const othersStarted = clock.hold(
      held.arrived.then(async () => {
        const started = await comesTrue('three backups started', () => sim.backups().length === 3, 15_000)
        held.release()
        return started
      })
    )
    const result = await run({ 'server-id': `${DB},\n${WEB}  ${S3}` })

    expect(await othersStarted).toBe(true)
    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    const posts = creates(sim.requests)
    expect(posts.map(r => r.json)).toEqual(
      expect.arrayContaining([DB, WEB, S3].map(server_id => ({ server_id, description: DESCRIPTION })))
    )
    expect(posts).toHaveLength(3)
    expect(nonGet(sim.requests)).toEqual(posts)
    // Every server was checked before the first create: its manual backups, and whether it is busy.
    const before = sim.requests.slice(0, sim.requests.indexOf(posts[0]))
    expect(before.filter(r => r.path === LIST).map(r => r.query)).toEqual(
      [DB, WEB, S3].map(id => ({ server_id: String(id), backup_type: 'manual' }))
    )
    expect(before.some(r => r.path.startsWith('/api/v1/servers/'))).toBe(true)

    const created = sim.backups().filter(b => b.id !== old.id)
    const idOf = (serverId: number): number | undefined => created.find(b => b.server.id === serverId)?.id
    // The held create was answered last, so the ids are not in the order of server-id.
    expect(idOf(DB)).toBe(Math.max(...created.map(b => b.id)))
    expect(parseJsonOutput(result, 'backup-ids')).toEqual({
      [DB]: idOf(DB),
      [WEB]: idOf(WEB),
      [S3]: idOf(S3)
    })
    const backups = parseJsonOutput<SimBackup[]>(result, 'backups')
    expect(backups.map(b => [b.server.id, b.id, b.status])).toEqual([
      [DB, idOf(DB), 'completed'],
      [WEB, idOf(WEB), 'completed'],
      [S3, idOf(S3), 'completed']
    ])
    expect(backups).toEqual(
      sim
        .backups()
        .filter(b => b.id !== old.id)
        .sort((a, b) => [DB, WEB, S3].indexOf(a.server.id) - [DB, WEB, S3].indexOf(b.server.id))
    )
    expect(parseJsonOutput(result, 'deleted-ids')).toEqual([])
    for (const name of SINGLE_OUTPUTS) expect({ name, value: result.outputs[name] }).toEqual({ name, value: undefined })

    expect(summaryRows(result.summary).map(row => [row[0], row[1], row[2], row[5]])).toEqual([
      [`db-server-01 (${DB})`, String(idOf(DB)), 'completed', 'completed'],
      [`web-server-01 (${WEB})`, String(idOf(WEB)), 'completed', 'completed'],
      [`server-03 (${S3})`, String(idOf(S3)), 'completed', 'completed']
    ])
    expect(result.summary).toContain(`backup-id: '${result.outputs['backup-ids']}'`)
    expect(sim.maxOpenConnections).toBeLessThanOrEqual(2)
    expectTokenNowhere(result, TOKEN)
  })

  it('with one server, sets the single-backup outputs as before, backup-ids too, and no backups', async () => {
    const result = await run({ 'server-id': ` ${WEB}\n` })

    expect(result.exitCode).toBe(0)
    const [backup] = sim.backups()
    expect(result.outputs['backup-id']).toBe(String(backup?.id))
    expect(result.outputs['server-id']).toBe(String(WEB))
    expect(result.outputs['server-name']).toBe('web-server-01')
    expect(result.outputs.status).toBe('completed')
    expect(result.outputs['size-mb']).toBe(String(backup?.size_mb))
    expect(result.outputs['created-at']).toBe(backup?.created_at)
    expect(parseJsonOutput(result, 'backup')).toEqual(backup)
    expect(parseJsonOutput(result, 'backup-ids')).toEqual({ [WEB]: backup?.id })
    expect(result.outputs.backups).toBeUndefined()
    expect(parseJsonOutput(result, 'deleted-ids')).toEqual([])
  })

  it('one server failing, one timing out and one refused: the others are waited for, and each is named', async () => {
    // DB's backup fails at once, seen by the first round a second in; WEB's completes rounds later;
    // S3's outlasts the timeout; S4's create is refused.
    sim.setBackupDuration(0, { serverId: DB })
    sim.setCreateOutcome('failed', { serverId: DB })
    sim.setBackupDuration(3500, { serverId: WEB })
    sim.setBackupDuration(60_000, { serverId: S3 })
    sim.fault({
      method: 'POST',
      path: LIST,
      json: { server_id: S4 },
      kind: 'status',
      status: 403,
      body: { detail: 'You do not have permission to perform this action.' }
    })

    const result = await run({ 'server-id': `${WEB} ${DB} ${S3} ${S4}`, timeout: '8s' })

    expect(result.exitCode).toBe(1)
    // Every server waited for until the 8 s timeout (virtual time), and no longer than a poll past it.
    expect(result.virtualMs).toBeGreaterThanOrEqual(8000)
    expect(result.virtualMs).toBeLessThan(10_000)
    const backups = sim.backups()
    const idOf = (serverId: number): number | undefined => backups.find(b => b.server.id === serverId)?.id
    expect(backups.map(b => b.server.id).sort(byId)).toEqual([WEB, DB, S3].sort(byId))
    expect(errorLines(result.log)).toEqual([
      `could not start a backup of server ${S4}: the token is not allowed to create backups (403 on POST ${LIST}: ` +
        'You do not have permission to perform this action.); give it that permission, or use a token that has it',
      expect.stringMatching(
        new RegExp(`^backup ${idOf(DB)} of server ${DB} ended with status "failed" after \\d+m?s$`)
      ),
      expect.stringMatching(
        new RegExp(
          `^timed out after 8s waiting for backup ${idOf(S3)} of server ${S3} to complete \\(last status: in_progress\\)`
        )
      ),
      '3 of 4 servers have no completed backup from this step (each is named above)'
    ])
    // WEB was still waited for after DB's failure had been seen.
    expect(result.log).toMatch(new RegExp(`^Backup ${idOf(DB)}: in_progress → failed after`, 'm'))
    expect(result.log).toMatch(new RegExp(`^Backup ${idOf(WEB)}: in_progress → completed after`, 'm'))
    expect(result.log.indexOf(`Backup ${idOf(DB)}: in_progress → failed`)).toBeLessThan(
      result.log.indexOf(`Backup ${idOf(WEB)}: in_progress → completed`)
    )
    // Every backup the API accepted is in backup-ids, so a later step can still use the ones that completed.
    expect(parseJsonOutput(result, 'backup-ids')).toEqual({ [WEB]: idOf(WEB), [DB]: idOf(DB), [S3]: idOf(S3) })
    expect(parseJsonOutput<SimBackup[]>(result, 'backups').map(b => [b.id, b.status])).toEqual([
      [idOf(WEB), 'completed'],
      [idOf(DB), 'failed'],
      [idOf(S3), 'in_progress']
    ])
    for (const name of SINGLE_OUTPUTS) expect({ name, value: result.outputs[name] }).toEqual({ name, value: undefined })
    const rows = summaryRows(result.summary)
    expect(rows.map(row => [row[0], row[1], row[2]])).toEqual([
      [`web-server-01 (${WEB})`, String(idOf(WEB)), 'completed'],
      [`db-server-01 (${DB})`, String(idOf(DB)), 'failed'],
      [`server-03 (${S3})`, String(idOf(S3)), 'in_progress'],
      [String(S4), '—', '—']
    ])
    expect(rows.map(row => row[5])).toEqual([
      'completed',
      expect.stringContaining('ended with status "failed"'),
      expect.stringContaining('timed out after 8s'),
      expect.stringContaining('403')
    ])
  })

  it('refuses a server named twice, naming it, before any request', async () => {
    const result = await run({ 'server-id': `${WEB}, ${DB}\n${WEB}` })

    expectOneLineError(result, `server-id lists ${WEB} twice`)
    expect(sim.requests).toEqual([])
    expect(result.outputs).toEqual({})
  })

  it('refuses a word that is not a server id, before any request', async () => {
    const result = await run({ 'server-id': `${WEB};${DB}` })

    expectOneLineError(result, `server-id must be a positive integer, got "${WEB};${DB}"`)
    expect(sim.requests).toEqual([])
  })

  it('checks every server before changing anything: one at the limit of 10 without keep stops them all', async () => {
    add(WEB, `${PREFIX}: one`, '2025-01-01T10:00:00Z')
    for (let day = 10; day < 20; day++) add(DB, `${PREFIX}: ${day}`, `2025-01-${day}T10:00:00Z`)
    const before = sim.backups()

    const result = await run({ 'server-id': `${WEB} ${DB}` })

    expectOneLineError(result, `server ${DB} already has 10 manual backups`, 'keep', 'nothing was deleted')
    expectOnlyGets(sim.requests)
    expect(sim.backups()).toEqual(before)
    expect(result.outputs['backup-ids']).toBeUndefined()
  })

  it('applies keep and the limit of 10 to each server on its own', async () => {
    // WEB: at the limit, 10 matching backups; keep 3 leaves the new one and the two newest.
    const webDays = [14, 12, 18, 11, 16, 13, 19, 15, 17, 10]
    const web = webDays.map(day => add(WEB, `${PREFIX}: web ${day}`, `2025-02-${day}T10:00:00Z`))
    // DB: two matching backups and another: within keep 3, nothing goes.
    const db = [
      add(DB, `${PREFIX}: db 1`, '2025-01-01T10:00:00Z'),
      add(DB, `${PREFIX}: db 2`, '2025-01-02T10:00:00Z'),
      add(DB, 'Manual snapshot', '2024-01-01T10:00:00Z')
    ]
    const webByAge = [...web].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))
    const makingRoom = webByAge[0]
    const from = mark()

    const result = await run({ 'server-id': `${WEB} ${DB}`, keep: '3' })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    const ids = parseJsonOutput<Record<string, number>>(result, 'backup-ids')
    const changes = nonGet(since(from))
    // Room is made on WEB before any create; keep applies after both completed.
    expect(described(changes.slice(0, 1))).toEqual([`DELETE ${deletePath(makingRoom.id)}`])
    expect(described(changes.slice(1, 3))).toEqual([`POST ${LIST}`, `POST ${LIST}`])
    const byKeep = webByAge.slice(1, 8).map(b => b.id)
    expect(described(changes.slice(3)).sort()).toEqual(byKeep.map(id => `DELETE ${deletePath(id)}`).sort())
    expect(parseJsonOutput<number[]>(result, 'deleted-ids').sort(byId)).toEqual([makingRoom.id, ...byKeep].sort(byId))
    expect(
      sim
        .backups()
        .map(b => b.id)
        .sort(byId)
    ).toEqual([...webByAge.slice(8).map(b => b.id), ...db.map(b => b.id), ids[WEB], ids[DB]].sort(byId))
  })
})

// -------------------------------------------------------------------------------------------------

describe('restore of several servers', () => {
  /** A completed backup of each server, with descriptions that name it. */
  function onePerServer(serverIds: number[]): Map<number, SimBackup> {
    return new Map(serverIds.map(id => [id, add(id, `Release of ${id}`, '2025-03-01T10:00:00Z')]))
  }

  it('restores each server from its own backup of an id list, and sets the outputs by server', async () => {
    const backups = onePerServer([WEB, DB, S3])
    const id = (serverId: number): number => backups.get(serverId)?.id ?? 0
    const from = mark()

    const result = await run({ command: 'restore', 'backup-id': `${id(S3)}, ${id(WEB)}\n${id(DB)}` })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    const posts = restorePosts(since(from))
    expect(nonGet(since(from))).toEqual(posts)
    expect(posts.map(r => [r.path, r.json]).sort()).toEqual(
      [S3, WEB, DB].map(serverId => [restorePath(serverId), { backup_id: id(serverId) }]).sort()
    )
    expect([...sim.restores].sort((a, b) => a.serverId - b.serverId)).toEqual(
      [WEB, DB, S3].map(serverId => ({ serverId, backupId: id(serverId), at: expect.any(Number) }))
    )
    expect(parseJsonOutput(result, 'backup-ids')).toEqual({ [WEB]: id(WEB), [DB]: id(DB), [S3]: id(S3) })
    expect(parseJsonOutput(result, 'restore')).toEqual(
      Object.fromEntries(
        [WEB, DB, S3].map(serverId => [
          serverId,
          { status: 'restoring', server_id: serverId, backup_id: id(serverId), message: expect.any(String) }
        ])
      )
    )
    expect(parseJsonOutput(result, 'server-status')).toEqual({ [WEB]: 'active', [DB]: 'active', [S3]: 'active' })
    for (const name of ['backup-id', 'server-id', 'status']) {
      expect({ name, value: result.outputs[name] }).toEqual({ name, value: undefined })
    }
    expect(result.summary).toContain('## VPS.org restore of 3 servers')
    expect(sim.servers().map(s => s.status)).toEqual(Array(6).fill('active'))
    expectTokenNowhere(result, TOKEN)
  })

  it('takes the backup-ids output of a create step as it is, and restores each server from its backup', async () => {
    const created = await run({ 'server-id': `${DB} ${WEB}` })
    expect(created.exitCode).toBe(0)
    const backupIds = created.outputs['backup-ids'] ?? ''
    const ids = JSON.parse(backupIds) as Record<string, number>
    expect(Object.keys(ids).sort()).toEqual([String(WEB), String(DB)].sort())
    const from = mark()

    const restored = await run({ command: 'restore', 'backup-id': backupIds })

    expect(errorLines(restored.log)).toEqual([])
    expect(restored.exitCode).toBe(0)
    const posts = restorePosts(since(from))
    expect(nonGet(since(from))).toEqual(posts)
    expect(posts.map(r => [r.path, r.json]).sort()).toEqual(
      [
        [restorePath(WEB), { backup_id: ids[WEB] }],
        [restorePath(DB), { backup_id: ids[DB] }]
      ].sort()
    )
    expect(parseJsonOutput(restored, 'backup-ids')).toEqual(ids)
    expect(parseJsonOutput(restored, 'server-status')).toEqual({ [WEB]: 'active', [DB]: 'active' })
  })

  it('with server-id too: refuses a backup-ids object whose servers are not exactly server-id, before any request', async () => {
    const backups = onePerServer([WEB, DB])

    const result = await run({
      command: 'restore',
      'server-id': `${WEB} ${S3}`,
      'backup-id': JSON.stringify({ [WEB]: backups.get(WEB)?.id, [DB]: backups.get(DB)?.id })
    })

    expectOneLineError(result, `server-id (${WEB}, ${S3}) must name exactly the servers of backup-id (${WEB}, ${DB})`)
    expect(sim.requests).toEqual([])
  })

  it('refuses a backup-ids object whose key is not the server of its backup, restoring nothing', async () => {
    const backups = onePerServer([WEB, DB])
    const dbBackup = backups.get(DB)?.id

    const result = await run({
      command: 'restore',
      'backup-id': JSON.stringify({ [WEB]: dbBackup, [S3]: backups.get(WEB)?.id })
    })

    expectOneLineError(
      result,
      `backup ${dbBackup} belongs to server db-server-01 (${DB}), not server ${WEB}`,
      'restore refused'
    )
    expectOnlyGets(sim.requests)
    expect(sim.restores).toEqual([])
  })

  it('refuses an id list whose servers are not exactly server-id, after reading only', async () => {
    const backups = onePerServer([WEB, DB])

    const result = await run({
      command: 'restore',
      'server-id': `${WEB} ${S3}`,
      'backup-id': `${backups.get(WEB)?.id} ${backups.get(DB)?.id}`
    })

    expectOneLineError(
      result,
      `server-id names servers ${WEB}, ${S3}, but the backups are of servers ${WEB}, ${DB}; restore refused`
    )
    expectOnlyGets(sim.requests)
    expect(sim.restores).toEqual([])
  })

  it('refuses two backups of one server, and a backup named twice', async () => {
    const first = add(WEB, 'first', '2025-03-01T10:00:00Z')
    const second = add(WEB, 'second', '2025-03-02T10:00:00Z')

    const twoOfOne = await run({ command: 'restore', 'backup-id': `${first.id} ${second.id}` })
    expectOneLineError(twoOfOne, `backup-id names two backups of server ${WEB}; one backup per server; restore refused`)
    expectOnlyGets(sim.requests)

    const requestsBefore = mark()
    const twice = await run({ command: 'restore', 'backup-id': `${first.id},${first.id}` })
    expectOneLineError(twice, `backup-id lists ${first.id} twice`)
    expect(since(requestsBefore)).toEqual([])
    expect(sim.restores).toEqual([])
  })

  it('backup-id latest with several servers: the newest completed matching backup of each', async () => {
    const chosen = new Map<number, SimBackup>()
    for (const serverId of [WEB, DB]) {
      add(serverId, `${PREFIX}: older`, '2025-03-01T10:00:00Z')
      chosen.set(
        serverId,
        add(serverId, `${PREFIX}: newest completed`, `2025-03-0${serverId === WEB ? 5 : 4}T10:00:00Z`)
      )
      // Newer, but passed over: not completed, another description, automatic.
      add(serverId, `${PREFIX}: running`, '2025-03-06T10:00:00Z', { status: 'in_progress' })
      add(serverId, 'Manual snapshot', '2025-03-07T10:00:00Z')
      add(serverId, `${PREFIX}: nightly`, '2025-03-08T10:00:00Z', { backup_type: 'automatic' })
    }
    add(S3, `${PREFIX}: another server`, '2025-03-09T10:00:00Z')
    const id = (serverId: number): number => chosen.get(serverId)?.id ?? 0

    const result = await run({ command: 'restore', 'backup-id': 'latest', 'server-id': `${DB}\n${WEB}` })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(
      restorePosts(sim.requests)
        .map(r => [r.path, r.json])
        .sort()
    ).toEqual(
      [
        [restorePath(WEB), { backup_id: id(WEB) }],
        [restorePath(DB), { backup_id: id(DB) }]
      ].sort()
    )
    expect(sim.restores).toHaveLength(2)
    for (const serverId of [DB, WEB]) {
      expect(result.log).toContain(`backup-id latest: backup ${id(serverId)} of server`)
    }
    expect(result.log.match(/backup-id latest: passing over/g)).toHaveLength(2)
    expect(parseJsonOutput(result, 'backup-ids')).toEqual({ [WEB]: id(WEB), [DB]: id(DB) })
  })

  it.each([
    ['in_progress', 'false', 'is in_progress, not completed; restore refused'],
    ['failed', 'true', 'has status "failed" and cannot be restored; restore refused']
  ])('checks every backup before any restore request: one %s (wait: %s) stops them all', async (status, wait, said) => {
    const good = add(WEB, 'Release of web', '2025-03-01T10:00:00Z')
    const bad = add(DB, 'Release of db', '2025-03-01T10:00:00Z', { status })

    const result = await run({ command: 'restore', 'backup-id': `${good.id} ${bad.id}`, wait })

    expectOneLineError(result, `backup ${bad.id} ${said}`)
    expectOnlyGets(sim.requests)
    expect(sim.restores).toEqual([])
    expect(result.outputs).toEqual({})
  })

  it('dry-run: reads only, and names each server and the backup it would be restored from', async () => {
    const backups = onePerServer([WEB, DB])

    const result = await run({
      command: 'restore',
      'backup-id': JSON.stringify({ [WEB]: backups.get(WEB)?.id, [DB]: backups.get(DB)?.id }),
      'dry-run': 'true'
    })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expectOnlyGets(sim.requests)
    expect(sim.restores).toEqual([])
    expect(result.log.match(/^Dry run: would restore .*$/gm)).toEqual([
      `Dry run: would restore server web-server-01 (${WEB}) from backup ${backups.get(WEB)?.id} ` +
        `(2025-03-01T10:00:00Z, "Release of ${WEB}"), overwriting the server's disk`,
      `Dry run: would restore server db-server-01 (${DB}) from backup ${backups.get(DB)?.id} ` +
        `(2025-03-01T10:00:00Z, "Release of ${DB}"), overwriting the server's disk`
    ])
    expect(result.outputs).toEqual({})
  })

  it('sends every restore request without waiting for another to be answered', async () => {
    await resetWhenIdle()
    const backups = onePerServer([WEB, DB, S3])
    // Virtual time stands still while it is held: the others are sent, not waited for meanwhile.
    const held = sim.hold({ method: 'POST', path: restorePath(WEB) })
    let restoresWhileHeld: number[] = []
    const othersSent = clock.hold(
      held.arrived.then(async () => {
        const sent = await comesTrue('three restores sent', () => restorePosts(sim.requests).length === 3, 15_000)
        restoresWhileHeld = sim.restores.map(r => r.serverId).sort(byId)
        held.release()
        return sent
      })
    )
    const result = await run({ command: 'restore', 'backup-id': [WEB, DB, S3].map(s => backups.get(s)?.id).join(' ') })

    expect(await othersSent).toBe(true)
    expect(restoresWhileHeld).toEqual([DB, S3].sort(byId))
    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(sim.restores.map(r => r.serverId)).toEqual([...restoresWhileHeld, WEB])
    expect(sim.maxOpenConnections).toBeLessThanOrEqual(2)
  })

  it('fails with one line per server that did not come back, after waiting for every server', async () => {
    const backups = onePerServer([WEB, DB, S3])
    sim.setRestoreOutcome('error', { serverId: DB })
    sim.setRestoreOutcome('suspended', { serverId: S3 })

    const result = await run({ command: 'restore', 'backup-id': [WEB, DB, S3].map(s => backups.get(s)?.id).join(',') })

    expect(result.exitCode).toBe(1)
    expect(errorLines(result.log)).toEqual([
      `server db-server-01 (${DB}) is error after the restore request`,
      `server server-03 (${S3}) is suspended after the restore request`,
      '2 of 3 servers were not restored as asked (each is named above)'
    ])
    expect(result.log).toMatch(new RegExp(`^Server web-server-01 \\(${WEB}\\) is back \\(active\\)`, 'm'))
    expect(parseJsonOutput(result, 'server-status')).toEqual({ [WEB]: 'active', [DB]: 'error', [S3]: 'suspended' })
    expect(summaryRows(result.summary.slice(result.summary.indexOf('Waited'))).map(row => row.slice(0, 3))).toEqual([
      [`web-server-01 (${WEB})`, 'back', 'active'],
      [`db-server-01 (${DB})`, 'not back', 'error'],
      [`server-03 (${S3})`, 'not back', 'suspended']
    ])
    expect(restorePosts(sim.requests)).toHaveLength(3)
  })

  it('never repeats a restore request whose outcome is unknown, and still waits for the others', async () => {
    const backups = onePerServer([WEB, DB, S3])
    sim.fault({ method: 'POST', path: restorePath(DB), kind: 'reset-after' })

    const result = await run({ command: 'restore', 'backup-id': [WEB, DB, S3].map(s => backups.get(s)?.id).join(' ') })

    expectOneLineError(
      result,
      `the restore of server ${DB} from backup ${backups.get(DB)?.id} may or may not have started`,
      'check the server in the VPS.org panel'
    )
    expect(
      restorePosts(sim.requests)
        .map(r => r.path)
        .sort()
    ).toEqual([WEB, DB, S3].map(restorePath).sort())
    // The API did act on it: that is why it must not be sent again.
    expect(sim.restores.map(r => r.serverId).sort(byId)).toEqual([WEB, DB, S3].sort(byId))
    expect(parseJsonOutput(result, 'backup-ids')).toEqual({ [WEB]: backups.get(WEB)?.id, [S3]: backups.get(S3)?.id })
    expect(parseJsonOutput(result, 'server-status')).toEqual({ [WEB]: 'active', [S3]: 'active' })
  })
})

// -------------------------------------------------------------------------------------------------

describe('restore-on-failure of a step of several servers', () => {
  it('restores every server of the step from its own backup when a later step failed', async () => {
    const { main, post } = await runWithPostInProcess(
      inputs({ 'server-id': `${WEB} ${DB} ${S3}`, 'restore-on-failure': 'true' }),
      { clock, laterStepFailed: true }
    )

    expect(main.exitCode).toBe(0)
    const ids = parseJsonOutput<Record<string, number>>(main, 'backup-ids')
    expect(post).toBeDefined()
    expect(errorLines(post?.log ?? '')).toEqual([])
    expect(post?.exitCode).toBe(0)
    expect(
      restorePosts(sim.requests)
        .map(r => [r.path, r.json])
        .sort()
    ).toEqual([WEB, DB, S3].map(serverId => [restorePath(serverId), { backup_id: ids[serverId] }]).sort())
    expect([...sim.restores].sort((a, b) => a.serverId - b.serverId)).toEqual(
      [WEB, DB, S3].map(serverId => ({ serverId, backupId: ids[serverId], at: expect.any(Number) }))
    )
    expect(post?.log).toContain(
      `restore-on-failure: the job failed after this step; checking the backups before restoring ` +
        `server ${WEB} from backup ${ids[WEB]}, server ${DB} from backup ${ids[DB]}, server ${S3} from backup ${ids[S3]}`
    )
    for (const label of [`web-server-01 (${WEB})`, `db-server-01 (${DB})`, `server-03 (${S3})`]) {
      expect(post?.log).toContain(`Server ${label} is back (active)`)
    }
    expectTokenNowhere(post as InProcessRun, TOKEN)
  })
})

// -------------------------------------------------------------------------------------------------

describe('list of several servers', () => {
  it('lists each server, every page, merged newest first, and no other server', async () => {
    const spec: Array<[number, number, 'manual' | 'automatic']> = [
      [WEB, 3, 'manual'],
      [DB, 8, 'automatic'],
      [WEB, 1, 'automatic'],
      [S3, 9, 'manual'],
      [DB, 2, 'manual'],
      [WEB, 7, 'manual'],
      [DB, 5, 'manual'],
      [WEB, 6, 'automatic'],
      [DB, 4, 'manual'],
      [WEB, 9, 'manual'],
      [DB, 1, 'manual'],
      [DB, 6, 'manual']
    ]
    const all = spec.map(([serverId, day, type], i) =>
      add(serverId, `backup ${i}`, `2025-04-0${day}T0${i % 10}:00:00Z`, { backup_type: type })
    )
    const listed = all.filter(b => b.server.id !== S3)
    const newestFirst = [...listed].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at)).map(b => b.id)
    const from = mark()

    const result = await run({ command: 'list', 'server-id': `${DB}, ${WEB}` })

    expect(result.exitCode).toBe(0)
    const requests = since(from)
    expectOnlyGets(requests)
    // Six backups of DB and five of WEB, five a page.
    expect(requests.map(r => r.query)).toEqual([
      { server_id: String(DB) },
      { server_id: String(DB), page: '2' },
      { server_id: String(WEB) }
    ])
    expect(parseJsonOutput<SimBackup[]>(result, 'backups').map(b => b.id)).toEqual(newestFirst)
    expect(result.outputs.count).toBe(String(listed.length))
    expect(result.log).toContain(`${listed.length} backups (servers ${DB}, ${WEB}):`)
  })
})

// -------------------------------------------------------------------------------------------------

describe('what a wait for several servers costs', () => {
  /** The GET requests of the backup list after the last create, as their queries. */
  function checksAfterCreates(): Array<Record<string, string>> {
    const lastCreate = Math.max(...creates(sim.requests).map(r => sim.requests.indexOf(r)))
    return sim.requests
      .slice(lastCreate + 1)
      .filter(r => r.method === 'GET' && r.path === LIST)
      .map(r => r.query)
  }

  it('six servers: each round reads the two pages of one manual list, over two connections at most', async () => {
    await resetWhenIdle()

    const result = await run({ 'server-id': SIX.join(' ') })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(Object.keys(parseJsonOutput(result, 'backup-ids'))).toHaveLength(6)
    const rounds = statusChecks(result.log)
    // Six backups, five a page: the first page tells the size, then each round costs two pages
    // instead of six requests filtered by server.
    const page1 = { backup_type: 'manual' }
    const page2 = { backup_type: 'manual', page: '2' }
    expect(checksAfterCreates()).toEqual([page1, ...Array.from({ length: rounds }, () => [page1, page2]).flat()])
    // Before them: six lists of a server's manual backups, the two pages of the server list, six creates.
    expect(sim.requests).toHaveLength(6 + 2 + 6 + 1 + 2 * rounds)
    expect(sim.maxOpenConnections).toBeLessThanOrEqual(2)
    expect(sim.connections).toBeLessThanOrEqual(2)
  })

  it('two servers among many backups: each round reads the list of each server instead', async () => {
    await resetWhenIdle()
    // Sixteen manual backups of other servers: a list of every manual backup takes four pages, more
    // than one request for each of the two servers waited for.
    for (const serverId of [S3, S4, S5, S6]) {
      for (let day = 1; day <= 4; day++) add(serverId, `${PREFIX}: ${day}`, `2025-01-0${day}T10:00:00Z`)
    }

    const result = await run({ 'server-id': `${WEB} ${DB}` })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    const rounds = statusChecks(result.log)
    const checks = checksAfterCreates()
    expect(checks[0]).toEqual({ backup_type: 'manual' })
    const perServer = checks.slice(1)
    expect(perServer).toHaveLength(2 * rounds)
    expect(perServer.map(q => q.server_id).sort()).toEqual(
      Array.from({ length: rounds }, () => [String(WEB), String(DB)])
        .flat()
        .sort()
    )
    expect(perServer.every(q => q.backup_type === 'manual' && q.page === undefined)).toBe(true)
    expect(sim.maxOpenConnections).toBeLessThanOrEqual(2)
  })
})
