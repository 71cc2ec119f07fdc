// End-to-end tests of the backup lifecycle (GitHub issue 3): restore, delete, list, retention with
// keep, the limit of 10 manual backups, restore-on-failure, dry-run and misused inputs. Each test
// runs the bundled dist/index.js as the runner does, against the simulator over real HTTP, and
// checks what the simulator saw, the outputs, the exit code, the log and the job summary.
import { describe, it, expect, beforeAll, afterAll, beforeEach } from '@jest/globals'
import {
  errorLines,
  expectOnlyGets,
  expectTokenNowhere,
  parseJsonOutput,
  runAction,
  runWithPost,
  type ActionRun
} from './support/run-action.js'
import { startSimulator, type RecordedRequest, type SimBackup, type Simulator } from '../tools/simulator/index.js'

const TOKEN = 'test-token'
const WEB = 12345
const DB = 23456
const LIST = '/api/v1/backups/'
const PREFIX = 'Pre-deploy backup'
const BACKUP_MS = 1500
const restorePath = (serverId: number): string => `/api/v1/servers/${serverId}/restore/`
const deletePath = (backupId: number): string => `${LIST}${backupId}/`

let sim: Simulator

beforeAll(async () => {
  // Three backups a page, so every read of the list has to follow `next`.
  sim = await startSimulator({ pageSize: 3, backupDurationMs: BACKUP_MS })
})

afterAll(async () => {
  await sim.close()
})

beforeEach(() => {
  sim.reset()
})

function inputs(extra: Record<string, string>): Record<string, string> {
  return { 'api-token': TOKEN, 'api-url': sim.url, 'poll-interval': '1s', timeout: '40s', ...extra }
}

/** A position in the simulator's request record, to look at what one run sent. */
function mark(): number {
  return sim.requests.length
}

function since(from: number): RecordedRequest[] {
  return sim.requests.slice(from)
}

function nonGet(requests: RecordedRequest[]): RecordedRequest[] {
  return requests.filter(r => r.method !== 'GET')
}

function add(
  serverId: number,
  description: string,
  createdAt: string,
  extra: Partial<Omit<SimBackup, 'server'>> = {}
): SimBackup {
  return sim.addBackup({ serverId, description, created_at: createdAt, ...extra })
}

const ids = (backups: Array<{ id: number }>): number[] => backups.map(b => b.id).sort((a, b) => a - b)

/** The simulator's own list order (all pages), read directly, to prove a fixture's order differs from it. */
async function simListOrder(query = ''): Promise<number[]> {
  const order: number[] = []
  let url: string | null = `${sim.url}${LIST}${query}`
  while (url) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })
    const page = (await res.json()) as { next: string | null; results: SimBackup[] }
    order.push(...page.results.map(b => b.id))
    url = page.next
  }
  return order
}

/** Starts a manual backup through the API itself, so it really goes from in_progress to completed. */
async function startBackupDirectly(serverId: number, description: string): Promise<SimBackup> {
  const res = await fetch(`${sim.url}${LIST}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ server_id: serverId, description })
  })
  expect(res.status).toBe(201)
  return (await res.json()) as SimBackup
}

// -------------------------------------------------------------------------------------------------

describe('restore', () => {
  it('takes the server from the backup, found on a later page of the list, and sends one restore', async () => {
    for (let day = 1; day <= 7; day++) add(WEB, `${PREFIX}: ${day}`, `2025-03-0${day}T10:00:00Z`)
    const target = add(DB, 'Before migration', '2025-03-04T12:00:00Z')
    expect((await simListOrder()).indexOf(target.id)).toBeGreaterThanOrEqual(3) // not on the first page
    const from = mark()

    const run = await runAction(inputs({ command: 'restore', 'backup-id': String(target.id) }))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    const requests = since(from)
    const restores = requests.filter(r => r.method === 'POST' && r.path === restorePath(DB))
    expect(nonGet(requests)).toEqual(restores)
    expect(restores).toHaveLength(1)
    expect(restores[0]?.json).toEqual({ backup_id: target.id })
    expect(restores[0]?.body).toBe(JSON.stringify({ backup_id: target.id }))
    expect(sim.restores).toEqual([{ serverId: DB, backupId: target.id, at: expect.any(Number) }])

    expect(run.log).toMatch(
      new RegExp(`Restoring server db-server-01 \\(${DB}\\) from backup ${target.id}\\b.*overwritten`)
    )
    expect(run.outputs['backup-id']).toBe(String(target.id))
    expect(run.outputs['server-id']).toBe(String(DB))
    expect(run.outputs.status).toBe('restoring')
    expect(parseJsonOutput(run, 'restore')).toEqual({
      status: 'restoring',
      server_id: DB,
      backup_id: target.id,
      message: expect.any(String)
    })
    expect(run.summary).toContain(`restore of server ${DB}`)
    expectTokenNowhere(run, TOKEN)
  })

  it('restores to the given server when the backup belongs to it', async () => {
    add(DB, 'db backup', '2025-03-01T10:00:00Z')
    const target = add(WEB, 'web backup', '2025-03-02T10:00:00Z')
    const from = mark()

    const run = await runAction(
      inputs({ command: 'restore', 'server-id': String(WEB), 'backup-id': String(target.id) })
    )

    expect(run.exitCode).toBe(0)
    const posts = nonGet(since(from))
    expect(posts.map(r => `${r.method} ${r.path}`)).toEqual([`POST ${restorePath(WEB)}`])
    expect(posts[0]?.json).toEqual({ backup_id: target.id })
    expect(sim.restores).toEqual([{ serverId: WEB, backupId: target.id, at: expect.any(Number) }])
    expect(run.outputs['server-id']).toBe(String(WEB))
  })

  it('refuses a backup of another server without sending anything that changes state', async () => {
    const other = add(DB, 'db backup', '2025-03-01T10:00:00Z')
    add(WEB, 'web backup', '2025-03-02T10:00:00Z')
    const from = mark()

    const run = await runAction(inputs({ command: 'restore', 'server-id': String(WEB), 'backup-id': String(other.id) }))

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`backup ${other.id}`)
    expect(errors[0]).toContain(String(DB))
    expect(errors[0]).toContain(String(WEB))
    expect(nonGet(since(from))).toEqual([])
    expect(sim.restores).toEqual([])
    expect(run.outputs.restore).toBeUndefined()
  })

  it('refuses a backup that does not exist, naming it, before any restore request', async () => {
    add(WEB, 'web backup', '2025-03-02T10:00:00Z')
    const from = mark()

    const run = await runAction(inputs({ command: 'restore', 'backup-id': '999' }))

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/backup 999\b.*not found/)
    expect(nonGet(since(from))).toEqual([])
    expect(sim.restores).toEqual([])
  })

  it.each([
    ['failed', 'true'],
    ['in_progress', 'false']
  ])('refuses a backup with status %s (wait: %s), naming the backup and its status', async (status, wait) => {
    const backup = add(WEB, 'web backup', '2025-03-02T10:00:00Z', { status })
    const from = mark()

    const run = await runAction(inputs({ command: 'restore', 'backup-id': String(backup.id), wait }), {
      killAfterMs: 20_000
    })

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`backup ${backup.id}`)
    expect(errors[0]).toContain(status)
    expect(nonGet(since(from))).toEqual([])
    expect(sim.restores).toEqual([])
  })

  it('with wait: true, waits for a backup in progress to complete, then restores it', async () => {
    sim.setBackupDuration(2500)
    const started = await startBackupDirectly(WEB, 'Hotfix backup')
    const completesAt = Date.parse(started.created_at) + 2500
    expect(started.status).toBe('in_progress')
    const from = mark()

    const run = await runAction(inputs({ command: 'restore', 'backup-id': String(started.id) }))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.log).toMatch(new RegExp(`Backup ${started.id}: in_progress → completed`))
    const requests = since(from)
    const posts = nonGet(requests)
    expect(posts.map(r => `${r.method} ${r.path}`)).toEqual([`POST ${restorePath(WEB)}`])
    expect(posts[0]?.json).toEqual({ backup_id: started.id })
    expect(posts[0]?.at).toBeGreaterThanOrEqual(completesAt)
    // The waiting followed the backup through the list filtered by its server, as create does.
    expect(requests.some(r => r.method === 'GET' && r.query.server_id === String(WEB))).toBe(true)
    expect(sim.restores).toEqual([{ serverId: WEB, backupId: started.id, at: expect.any(Number) }])
  })

  it('reports status "accepted" when the restore answer carries no status', async () => {
    const backup = add(WEB, 'web backup', '2025-03-02T10:00:00Z')
    sim.fault({ method: 'POST', path: restorePath(WEB), kind: 'status', status: 202, body: { message: 'queued' } })

    const run = await runAction(inputs({ command: 'restore', 'backup-id': String(backup.id) }))

    expect(run.exitCode).toBe(0)
    expect(run.outputs.status).toBe('accepted')
    expect(parseJsonOutput(run, 'restore')).toEqual({ message: 'queued' })
    expect(sim.requests.filter(r => r.method === 'POST')).toHaveLength(1)
  })

  it('needs backup-id, and sends nothing without it', async () => {
    add(WEB, 'web backup', '2025-03-02T10:00:00Z')

    const run = await runAction(inputs({ command: 'restore', 'server-id': String(WEB) }))

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('backup-id')
    expect(sim.requests).toEqual([])
  })
})

// -------------------------------------------------------------------------------------------------

describe('delete', () => {
  it('sends one DELETE for the backup and outputs its id', async () => {
    const keepA = add(WEB, 'a', '2025-03-01T10:00:00Z')
    const doomed = add(WEB, 'b', '2025-03-02T10:00:00Z')
    const keepB = add(DB, 'c', '2025-03-03T10:00:00Z')
    const from = mark()

    const run = await runAction(inputs({ command: 'delete', 'backup-id': String(doomed.id) }))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(nonGet(since(from)).map(r => `${r.method} ${r.path}`)).toEqual([`DELETE ${deletePath(doomed.id)}`])
    expect(ids(sim.backups())).toEqual(ids([keepA, keepB]))
    expect(parseJsonOutput(run, 'deleted-ids')).toEqual([doomed.id])
    expect(run.log).toContain(`Deleted backup ${doomed.id}`)
    expectTokenNowhere(run, TOKEN)
  })

  it('names the server and description of what it deletes, looked up first', async () => {
    const doomed = add(DB, 'Before migration', '2025-03-02T10:00:00Z')

    const run = await runAction(inputs({ command: 'delete', 'backup-id': String(doomed.id), 'server-id': String(DB) }))

    expect(run.exitCode).toBe(0)
    expect(run.log).toContain(
      `Deleted backup ${doomed.id} of server db-server-01 (${DB}) (2025-03-02T10:00:00Z, "Before migration")`
    )
    expect(sim.requests.map(r => `${r.method} ${r.path}`)).toEqual([`GET ${LIST}`, `DELETE ${deletePath(doomed.id)}`])
    expect(sim.requests[0].query).toEqual({ server_id: String(DB) })
  })

  it('refuses a backup of another server than server-id, deleting nothing', async () => {
    const other = add(DB, 'db backup', '2025-03-02T10:00:00Z')

    const run = await runAction(inputs({ command: 'delete', 'backup-id': String(other.id), 'server-id': String(WEB) }))

    expect(run.exitCode).toBe(1)
    expect(errorLines(run.log)).toEqual([
      `backup ${other.id} belongs to server db-server-01 (${DB}), not server ${WEB}; nothing was deleted`
    ])
    expectOnlyGets(sim.requests)
    expect(ids(sim.backups())).toEqual([other.id])
  })

  it('fails naming the id of a backup that does not exist, before any DELETE', async () => {
    const present = add(WEB, 'a', '2025-03-01T10:00:00Z')
    const from = mark()

    const run = await runAction(inputs({ command: 'delete', 'backup-id': '999' }))

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/backup 999\b.*not found/)
    expectOnlyGets(since(from))
    expect(ids(sim.backups())).toEqual([present.id])
    expect(run.outputs['deleted-ids']).toBeUndefined()
  })

  it('needs backup-id, and sends nothing without it', async () => {
    add(WEB, 'a', '2025-03-01T10:00:00Z')

    const run = await runAction(inputs({ command: 'delete' }))

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('backup-id')
    expect(sim.requests).toEqual([])
    expect(sim.backups()).toHaveLength(1)
  })
})

// -------------------------------------------------------------------------------------------------

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
    const listOrder = await simListOrder()
    expect(expected).not.toEqual(all.map(b => b.id))
    expect(expected).not.toEqual([...all.map(b => b.id)].reverse())
    expect(expected).not.toEqual(listOrder)
    const from = mark()

    const run = await runAction(inputs({ command: 'list' }))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    const requests = since(from)
    expectOnlyGets(requests)
    expect(requests.map(r => r.path)).toEqual([LIST, LIST, LIST])
    expect(requests.map(r => r.query)).toEqual([{}, { page: '2' }, { page: '3' }])

    const backups = parseJsonOutput<SimBackup[]>(run, 'backups')
    expect(backups.map(b => b.id)).toEqual(expected)
    expect(backups).toEqual(expect.arrayContaining(sim.backups()))
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

    const run = await runAction(inputs({ command: 'list', 'server-id': String(WEB), 'backup-type': 'automatic' }))

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

    const run = await runAction(inputs({ command: 'list', 'backup-type': 'weekly' }))

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('backup-type')
    expect(errors[0]).toContain('weekly')
    expect(sim.requests).toEqual([])
    expect(run.outputs.backups).toBeUndefined()
  })
})

// -------------------------------------------------------------------------------------------------

describe('create with keep (retention)', () => {
  it('deletes only the oldest completed matching manual backups of the server, by created_at', async () => {
    // Matching, completed, manual, this server, in an order by age that is neither their id
    // order nor the simulator's list order: a (oldest) and b are the two to go.
    const d = add(WEB, `${PREFIX}: acme/shop@d (run 4)`, '2025-01-10T10:00:00Z')
    const a = add(WEB, `${PREFIX}: acme/shop@a (run 1)`, '2025-01-01T10:00:00Z')
    const b = add(WEB, `${PREFIX}: acme/shop@b (run 2)`, '2025-01-02T10:00:00Z')
    const c = add(WEB, `${PREFIX}: acme/shop@c (run 3)`, '2025-01-05T10:00:00Z')
    // Never to be touched, all older than every matching one.
    const untouchable = [
      add(WEB, `${PREFIX}: nightly`, '2024-12-01T03:00:00Z', { backup_type: 'automatic' }),
      add(DB, `${PREFIX}: db`, '2024-11-01T10:00:00Z'),
      add(WEB, 'Before migration', '2024-12-15T10:00:00Z'),
      add(WEB, 'pre-deploy backup: lower case', '2024-12-16T10:00:00Z'),
      add(WEB, `${PREFIX}: still running`, '2024-12-20T10:00:00Z', { status: 'in_progress' }),
      add(WEB, `${PREFIX}: broken`, '2024-12-21T10:00:00Z', { status: 'failed' })
    ]
    // The fixture discriminates: neither id order nor list order gives the two oldest.
    const expectedDeleted = [a.id, b.id]
    const matchingIds = [d.id, a.id, b.id, c.id]
    const listed = (await simListOrder(`?server_id=${WEB}&backup_type=manual`)).filter(id => matchingIds.includes(id))
    for (const wrong of [matchingIds.slice(0, 2), matchingIds.slice(-2), listed.slice(0, 2), listed.slice(-2)]) {
      expect([...wrong].sort()).not.toEqual([...expectedDeleted].sort())
    }
    const from = mark()

    const run = await runAction(inputs({ 'server-id': String(WEB), keep: '3' }))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    const newId = Number(run.outputs['backup-id'])
    const requests = since(from)
    const create = requests.filter(r => r.method === 'POST' && r.path === LIST)
    expect(create).toHaveLength(1)
    expect(create[0]?.json).toEqual({ server_id: WEB, description: expect.stringMatching(/^Pre-deploy backup/) })
    const deletes = requests.filter(r => r.method === 'DELETE')
    expect(deletes.map(r => r.path).sort()).toEqual(expectedDeleted.map(deletePath).sort())
    expect(nonGet(requests)).toHaveLength(3)
    // Only after the new backup completed.
    for (const del of deletes) expect(del.at).toBeGreaterThanOrEqual((create[0]?.at ?? Infinity) + BACKUP_MS)

    expect(ids(sim.backups())).toEqual(ids([d, c, ...untouchable, { id: newId }]))
    expect(sim.backups().find(x => x.id === newId)?.status).toBe('completed')
    expect(parseJsonOutput<number[]>(run, 'deleted-ids').sort()).toEqual([...expectedDeleted].sort())
    expect(run.outputs.status).toBe('completed')
    expectTokenNowhere(run, TOKEN)
  })

  it('outputs deleted-ids [] when nothing is beyond keep', async () => {
    add(WEB, `${PREFIX}: one`, '2025-01-01T10:00:00Z')
    add(WEB, `${PREFIX}: two`, '2025-01-02T10:00:00Z')
    const before = ids(sim.backups())
    const from = mark()

    const run = await runAction(inputs({ 'server-id': String(WEB), keep: '3' }))

    expect(run.exitCode).toBe(0)
    expect(parseJsonOutput(run, 'deleted-ids')).toEqual([])
    expect(since(from).filter(r => r.method === 'DELETE')).toEqual([])
    expect(ids(sim.backups())).toEqual([...before, Number(run.outputs['backup-id'])])
  })

  it('uses keep-prefix to recognise the backups it may delete', async () => {
    const oldRelease = add(WEB, 'Release 1.0', '2025-01-01T10:00:00Z')
    const newerRelease = add(WEB, 'Release 1.1', '2025-01-02T10:00:00Z')
    const predeploy = add(WEB, `${PREFIX}: x`, '2024-01-01T10:00:00Z')

    const run = await runAction(
      inputs({ 'server-id': String(WEB), keep: '1', 'keep-prefix': 'Release', description: 'Release 1.2' })
    )

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    const newId = Number(run.outputs['backup-id'])
    expect(parseJsonOutput<number[]>(run, 'deleted-ids').sort()).toEqual([oldRelease.id, newerRelease.id].sort())
    expect(ids(sim.backups())).toEqual([predeploy.id, newId])
  })

  it.each([
    ['a description not starting with the default prefix', { description: 'Nightly snapshot' }],
    ['a keep-prefix the default description does not start with', { 'keep-prefix': 'Release' }]
  ])('refuses keep with %s before any request', async (_name, extra) => {
    add(WEB, `${PREFIX}: one`, '2025-01-01T10:00:00Z')

    const run = await runAction(inputs({ 'server-id': String(WEB), keep: '2', ...extra }))

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('keep')
    expect(errors[0]).toContain('keep-prefix')
    expect(sim.requests).toEqual([])
    expect(sim.backups()).toHaveLength(1)
  })
})

// -------------------------------------------------------------------------------------------------

describe('the limit of 10 manual backups', () => {
  /** Ten manual backups of WEB: `matching` of them completed with the prefix, the rest not. */
  function fillToLimit(matching: number): SimBackup[] {
    const backups: SimBackup[] = []
    // Creation days in an order unlike id order; the oldest matching one is in the middle.
    const days = [14, 12, 18, 11, 16, 13, 19, 15, 17, 20]
    for (let i = 0; i < 10; i++) {
      const description = i < matching ? `${PREFIX}: run ${i}` : `Manual snapshot ${i}`
      backups.push(add(WEB, description, `2025-02-${days[i]}T10:00:00Z`))
    }
    // Automatic backups and other servers' backups do not count.
    add(WEB, `${PREFIX}: nightly`, '2025-01-01T03:00:00Z', { backup_type: 'automatic' })
    add(DB, `${PREFIX}: db`, '2025-01-01T10:00:00Z')
    return backups
  }

  it('at 10 without keep: fails naming the limit and the keep input, deleting and creating nothing', async () => {
    fillToLimit(10)
    const before = sim.backups()
    const from = mark()

    const run = await runAction(inputs({ 'server-id': String(WEB) }))

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/\b10\b/)
    expect(errors[0]).toMatch(/\bkeep\b/)
    expect(nonGet(since(from))).toEqual([])
    expect(sim.backups()).toEqual(before)
    expect(run.outputs['backup-id']).toBeUndefined()
  })

  it('at 10 with keep: deletes exactly the oldest matching backup first, then creates', async () => {
    const existing = fillToLimit(6)
    // Oldest matching completed by created_at: index 3 (day 11).
    const oldest = existing[3]
    const from = mark()

    const run = await runAction(inputs({ 'server-id': String(WEB), keep: '10' }))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    const changes = nonGet(since(from))
    expect(changes.map(r => `${r.method} ${r.path}`)).toEqual([`DELETE ${deletePath(oldest.id)}`, `POST ${LIST}`])
    const newId = Number(run.outputs['backup-id'])
    expect(sim.backups().filter(b => b.server.id === WEB && b.backup_type === 'manual')).toHaveLength(10)
    expect(sim.backups().map(b => b.id)).not.toContain(oldest.id)
    expect(sim.backups().map(b => b.id)).toContain(newId)
    expect(parseJsonOutput(run, 'deleted-ids')).toEqual([oldest.id])
    expect(run.log).toContain(`Deleted backup ${oldest.id}`)
  })

  it('at 10 with keep but none that may be deleted: fails clearly, deleting and creating nothing', async () => {
    fillToLimit(0)
    const before = sim.backups()
    const from = mark()

    const run = await runAction(inputs({ 'server-id': String(WEB), keep: '3' }))

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/\b10\b/)
    expect(errors[0]).toContain(PREFIX)
    expect(errors[0]).toMatch(/nothing was deleted/)
    expect(nonGet(since(from))).toEqual([])
    expect(sim.backups()).toEqual(before)
  })

  it('below the limit (9 manual, others not counted): creates without deleting', async () => {
    const existing = fillToLimit(10)
    // Back to nine manual backups of WEB.
    await fetch(`${sim.url}${deletePath(existing[0].id)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` }
    })
    const from = mark()

    const run = await runAction(inputs({ 'server-id': String(WEB), wait: 'false' }))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(nonGet(since(from)).map(r => `${r.method} ${r.path}`)).toEqual([`POST ${LIST}`])
  })
})

// -------------------------------------------------------------------------------------------------

describe('restore-on-failure', () => {
  it('when a later step failed, the post step restores the server from the backup this step created', async () => {
    const older = add(WEB, `${PREFIX}: older`, '2025-01-01T10:00:00Z')
    const from = mark()

    const { main, post } = await runWithPost(inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true' }), {
      laterStepFailed: true
    })

    expect(main.exitCode).toBe(0)
    const newId = Number(main.outputs['backup-id'])
    expect(newId).not.toBe(older.id)
    expect(post).toBeDefined()
    expect(errorLines(post?.log ?? '')).toEqual([])
    expect(post?.exitCode).toBe(0)
    const restores = since(from).filter(r => r.method === 'POST' && r.path.endsWith('/restore/'))
    expect(restores.map(r => r.path)).toEqual([restorePath(WEB)])
    expect(restores[0]?.json).toEqual({ backup_id: newId })
    expect(sim.restores).toEqual([{ serverId: WEB, backupId: newId, at: expect.any(Number) }])
    expect(post?.log).toMatch(new RegExp(`restor\\w* server .*${WEB}.* from backup ${newId}`, 'i'))
    expectTokenNowhere(main, TOKEN)
    expectTokenNowhere(post as ActionRun, TOKEN)
  })

  it('when the backup is still in progress (wait: false), explains why it cannot restore and sends no restore', async () => {
    sim.setBackupDuration(60_000)

    const { main, post } = await runWithPost(
      inputs({ 'server-id': String(WEB), wait: 'false', 'restore-on-failure': 'true' }),
      { laterStepFailed: true }
    )

    expect(main.exitCode).toBe(0)
    const id = main.outputs['backup-id']
    expect(main.outputs.status).toBe('in_progress')
    expect(post).toBeDefined()
    expect(post?.log).toMatch(new RegExp(`backup ${id}\\b.*in_progress`))
    // It says so at once rather than waiting for the backup (or the timeout).
    expect(post?.durationMs).toBeLessThan(10_000)
    expect(sim.requests.filter(r => r.path.endsWith('/restore/'))).toEqual([])
    expect(sim.restores).toEqual([])
  })

  it('when the backup failed, the main step fails and the post step warns that it does not restore', async () => {
    sim.setCreateOutcome('failed')

    const { main, post } = await runWithPost(inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true' }), {
      laterStepFailed: false
    })

    expect(main.exitCode).toBe(1)
    const id = main.outputs['backup-id']
    expect(errorLines(main.log).join('\n')).toMatch(new RegExp(`backup ${id}\\b.*failed`))
    expect(post?.exitCode).toBe(0)
    expect(errorLines(post?.log ?? '')).toEqual([])
    expect(post?.log).toMatch(
      new RegExp(
        `^::warning::restore-on-failure: the job failed, but in this backup step itself \\(server ${WEB} from backup ${id}\\)`,
        'm'
      )
    )
    expect(sim.requests.filter(r => r.path.endsWith('/restore/'))).toEqual([])
    expect(sim.restores).toEqual([])
  })

  it.each([
    ['its wait timed out', { timeout: '3s' }, 60_000],
    ['its own retention failed', { keep: '1' }, 1500]
  ])(
    'when this step failed because %s, the post step restores nothing even though a completed backup exists',
    async (_why, extra, backupMs) => {
      sim.setBackupDuration(backupMs)
      const older = add(WEB, `${PREFIX}: old`, '2025-01-01T10:00:00Z')
      if ('keep' in extra) sim.fault({ method: 'DELETE', kind: 'status', status: 403, body: { detail: 'No.' } })
      const { main, post } = await runWithPost(
        inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true', ...extra }),
        { laterStepFailed: true }
      )

      expect(main.exitCode).toBe(1)
      expect(post?.exitCode).toBe(0)
      expect(post?.log).toMatch(/^::warning::restore-on-failure: the job failed, but in this backup step itself/m)
      expect(sim.requests.filter(r => r.path.endsWith('/restore/'))).toEqual([])
      expect(sim.restores).toEqual([])
      if ('keep' in extra) expect(ids(sim.backups())).toContain(older.id)
    }
  )

  it('when the main step failed before creating a backup, the post step says so and restores nothing', async () => {
    const older = add(WEB, 'Manual snapshot', '2025-01-01T10:00:00Z')
    for (let i = 1; i < 10; i++) add(WEB, `Manual snapshot ${i}`, `2025-01-0${i}T12:00:00Z`)

    const { main, post } = await runWithPost(inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true' }), {
      laterStepFailed: false
    })

    expect(main.exitCode).toBe(1)
    expect(main.outputs['backup-id']).toBeUndefined()
    expect(post).toBeDefined()
    expect(post?.log).toMatch(/no backup/i)
    expect(nonGet(sim.requests)).toEqual([])
    expect(sim.restores).toEqual([])
    expect(sim.backups().map(b => b.id)).toContain(older.id)
  })

  it('when the job succeeded, no post step runs and nothing is restored', async () => {
    const { main, post } = await runWithPost(inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true' }), {
      laterStepFailed: false
    })

    expect(main.exitCode).toBe(0)
    // The post step would have had what it needs…
    expect(JSON.parse(main.state.backups ?? '')).toEqual([[WEB, Number(main.outputs['backup-id'])]])
    // …but the runner does not run it for a job that succeeded.
    expect(post).toBeUndefined()
    expect(sim.requests.filter(r => r.path.endsWith('/restore/'))).toEqual([])
    expect(sim.restores).toEqual([])
  })

  it('when restore-on-failure is false, the post step does nothing even though the job failed', async () => {
    const { main, post } = await runWithPost(inputs({ 'server-id': String(WEB) }), { laterStepFailed: true })

    expect(main.exitCode).toBe(0)
    expect(main.outputs.status).toBe('completed')
    const afterMain = mark()
    expect(post).toBeDefined()
    expect(post?.exitCode).toBe(0)
    expect(errorLines(post?.log ?? '')).toEqual([])
    expect(since(afterMain)).toEqual([])
    expect(sim.restores).toEqual([])
  })

  it('reports a restore the API refuses in the post step as an error', async () => {
    sim.fault({ method: 'POST', path: /\/restore\/$/, kind: 'status', status: 500 })

    const { main, post } = await runWithPost(inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true' }), {
      laterStepFailed: true
    })

    expect(main.exitCode).toBe(0)
    const id = main.outputs['backup-id']
    expect(post).toBeDefined()
    expect(post?.exitCode).not.toBe(0)
    const errors = errorLines(post?.log ?? '')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(id)
    expect(errors[0]).toContain('500')
    // A POST that may have started a restore is not repeated.
    expect(sim.requests.filter(r => r.path === restorePath(WEB))).toHaveLength(1)
    expect(sim.restores).toEqual([])
  })
})

// -------------------------------------------------------------------------------------------------

describe('dry-run', () => {
  it('create with keep at the limit: reads only, names what it would delete and create, changes nothing', async () => {
    // Ten matching manual backups; the oldest (by created_at) is neither the first nor the last id.
    const days = [14, 12, 18, 11, 16, 13, 19, 15, 17, 20]
    const existing = days.map((day, i) => add(WEB, `${PREFIX}: run ${i}`, `2025-02-${day}T10:00:00Z`))
    const oldest = existing[3]
    const before = sim.backups()
    const from = mark()

    const run = await runAction(inputs({ 'server-id': String(WEB), keep: '10', 'dry-run': 'true' }))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expectOnlyGets(since(from))
    expect(sim.backups()).toEqual(before)
    expect(run.log).toMatch(new RegExp(`would delete backup ${oldest.id}\\b`))
    expect(run.log.match(/would delete backup \d+/g)).toHaveLength(1)
    expect(run.log).toMatch(new RegExp(`would create a manual backup of server ${WEB}`))
    expect(run.outputs['backup-id']).toBeUndefined()
    expectTokenNowhere(run, TOKEN)
  })

  it('create at the limit without keep: fails as the real run would, having only read', async () => {
    for (let i = 1; i <= 10; i++) add(WEB, `${PREFIX}: run ${i}`, `2025-02-${10 + i}T10:00:00Z`)
    const before = sim.backups()

    const run = await runAction(inputs({ 'server-id': String(WEB), 'dry-run': 'true' }))

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/\b10\b.*\bkeep\b/)
    expectOnlyGets(sim.requests)
    expect(sim.backups()).toEqual(before)
  })

  it('create with keep: also names the backups retention would delete afterwards', async () => {
    const a = add(WEB, `${PREFIX}: a`, '2025-01-03T10:00:00Z')
    const b = add(WEB, `${PREFIX}: b`, '2025-01-01T10:00:00Z')
    const c = add(WEB, `${PREFIX}: c`, '2025-01-02T10:00:00Z')
    add(WEB, 'Other', '2024-01-01T10:00:00Z')
    const before = sim.backups()
    const from = mark()

    const run = await runAction(inputs({ 'server-id': String(WEB), keep: '2', 'dry-run': 'true' }))

    expect(run.exitCode).toBe(0)
    expectOnlyGets(since(from))
    expect(sim.backups()).toEqual(before)
    // keep 2, the new one included: a (newest) stays, b and c would go.
    const named = (run.log.match(/would (?:then )?delete backup (\d+)/g) ?? []).map(s => Number(/(\d+)$/.exec(s)?.[1]))
    expect(named.sort()).toEqual([b.id, c.id].sort())
    expect(named).not.toContain(a.id)
  })

  it('restore: reads only, names the server and backup it would restore, restores nothing', async () => {
    const target = add(DB, 'db backup', '2025-03-01T10:00:00Z')
    add(WEB, 'web backup', '2025-03-02T10:00:00Z')
    const before = sim.backups()
    const from = mark()

    const run = await runAction(inputs({ command: 'restore', 'backup-id': String(target.id), 'dry-run': 'true' }))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expectOnlyGets(since(from))
    expect(sim.restores).toEqual([])
    expect(sim.backups()).toEqual(before)
    expect(run.log).toMatch(new RegExp(`would restore server db-server-01 \\(${DB}\\) from backup ${target.id}\\b`))
  })

  it('restore: still refuses a backup of another server', async () => {
    const other = add(DB, 'db backup', '2025-03-01T10:00:00Z')

    const run = await runAction(
      inputs({ command: 'restore', 'server-id': String(WEB), 'backup-id': String(other.id), 'dry-run': 'true' })
    )

    expect(run.exitCode).toBe(1)
    expect(errorLines(run.log)[0]).toContain(`backup ${other.id}`)
    expect(nonGet(sim.requests)).toEqual([])
  })

  it('delete: reads only, names the backup it would delete, deletes nothing', async () => {
    const target = add(WEB, 'web backup', '2025-03-02T10:00:00Z')
    add(DB, 'db backup', '2025-03-01T10:00:00Z')
    const before = sim.backups()
    const from = mark()

    const run = await runAction(inputs({ command: 'delete', 'backup-id': String(target.id), 'dry-run': 'true' }))

    expect(errorLines(run.log)).toEqual([])
    expect(run.exitCode).toBe(0)
    expectOnlyGets(since(from))
    expect(sim.backups()).toEqual(before)
    expect(run.log).toMatch(new RegExp(`would delete backup ${target.id}\\b`))
  })

  it('delete: fails naming a backup that does not exist, still only reading', async () => {
    add(WEB, 'web backup', '2025-03-02T10:00:00Z')

    const run = await runAction(inputs({ command: 'delete', 'backup-id': '999', 'dry-run': 'true' }))

    expect(run.exitCode).toBe(1)
    expect(errorLines(run.log)[0]).toMatch(/backup 999\b.*not found/)
    expectOnlyGets(sim.requests)
  })
})

// -------------------------------------------------------------------------------------------------

describe('misused inputs', () => {
  it.each([
    [
      'backup-id with the default command create (a rollback step without command: restore)',
      { 'server-id': String(WEB), 'backup-id': '501' },
      'backup-id'
    ],
    ['keep with restore', { command: 'restore', 'backup-id': '501', keep: '3' }, 'keep'],
    ['backup-type with create', { 'server-id': String(WEB), 'backup-type': 'manual' }, 'backup-type'],
    ['keep with delete', { command: 'delete', 'backup-id': '501', keep: '2' }, 'keep'],
    ['description with list', { command: 'list', description: 'x' }, 'description'],
    [
      'restore-on-failure with restore',
      { command: 'restore', 'backup-id': '501', 'restore-on-failure': 'true' },
      'restore-on-failure'
    ],
    ['an unknown command', { command: 'rollback', 'backup-id': '501' }, 'command']
  ])('refuses %s before any request', async (_name, extra, named) => {
    const existing = add(WEB, `${PREFIX}: one`, '2025-01-01T10:00:00Z')

    const run = await runAction(inputs(extra))

    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.log)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(named)
    expect(sim.requests).toEqual([])
    expect(sim.backups()).toEqual([existing])
    expect(sim.restores).toEqual([])
    expect(run.outputs).toEqual({})
  })
})
