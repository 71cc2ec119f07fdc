// Tests of the simulator's Snapshots API (tools/simulator/kinds.js, restore-points*.js), over real HTTP, so the
// tests of `kind: snapshot` can trust it. What it shares with the backups (faults, paging, clock)
// is tested in tools/simulator.test.ts; here, that the snapshots take part in it.
import { describe, it, expect } from '@jest/globals'
import { type SimSnapshot, type Simulator, type SimulatorOptions } from '../../tools/simulator/index.js'

import { useFreshSimulator } from '../support/fresh-simulator.js'
import { DB, TOKEN, WEB } from '../support/simulator-fixture.js'
const SNAPSHOTS = '/api/v1/snapshots/'
const restorePath = (id: number) => `${SNAPSHOTS}${id}/restore/`

interface Page {
  count: number
  next: string | null
  previous: string | null
  results: SimSnapshot[]
}

/** Every test here runs the simulator on a FakeClock of its own. */
const useSimulator = (options?: SimulatorOptions) => useFreshSimulator(options, { clocked: true })

/** A request through fetch with the token; a body that is not a string is sent as JSON. */
async function call<T = Record<string, unknown>>(
  base: string,
  path: string,
  init: { method?: string; body?: unknown } = {}
) {
  const { method = 'GET', body } = init
  const response = await fetch(base + path, {
    method,
    headers: {
      Authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' })
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: (text === '' ? undefined : JSON.parse(text)) as T
  }
}

const create = (sim: Simulator, body: Record<string, unknown>) =>
  call<SimSnapshot & { message: string }>(sim.url, SNAPSHOTS, { method: 'POST', body })

/** Every row of a list, following `next` links. */
async function listAll(sim: Simulator, query = ''): Promise<SimSnapshot[]> {
  const rows: SimSnapshot[] = []
  let url: string | null = `${sim.url}${SNAPSHOTS}${query}`
  while (url) {
    const page: { json: Page } = await call<Page>(url, '')
    rows.push(...page.json.results)
    url = page.json.next
  }
  return rows
}

describe('listing snapshots', () => {
  const simulator = useSimulator({ pageSize: 2 })

  it('lists every snapshot once across DRF pages, filtered by server_id, in no creation order', async () => {
    const sim = simulator()
    const ids = [1, 2, 3, 4, 5].map(() => sim.addSnapshot({ serverId: WEB }).id)
    sim.addSnapshot({ serverId: DB, name: 'db-one' })
    const first = await call<Page>(sim.url, `${SNAPSHOTS}?server_id=${WEB}`)
    expect(first.status).toBe(200)
    expect(first.json.count).toBe(5)
    expect(first.json.previous).toBeNull()
    expect(first.json.next).toBe(`${sim.url}${SNAPSHOTS}?page=2&server_id=${WEB}`)
    const listed = await listAll(sim, `?server_id=${WEB}`)
    expect(listed.map(s => s.id).sort()).toEqual(ids)
    expect(listed.map(s => s.id)).not.toEqual(ids)
    expect(await listAll(sim)).toHaveLength(6)
    expect(listed[0]).toEqual({
      id: expect.any(Number),
      server: { id: WEB, name: 'web-server-01' },
      name: expect.stringMatching(/^snapshot-\d+$/),
      status: 'completed',
      size_mb: 5000,
      created_at: expect.stringMatching(/Z$/),
      description: ''
    })
  })

  it('validates server_id as the backup list does, and takes an empty one as no filter', async () => {
    const sim = simulator()
    expect(await call(sim.url, `${SNAPSHOTS}?server_id=web`)).toMatchObject({
      status: 400,
      json: { server_id: ['A valid integer is required.'] }
    })
    expect((await call<Page>(sim.url, `${SNAPSHOTS}?server_id=`)).status).toBe(200)
    expect((await call(sim.url, `${SNAPSHOTS}?page=9`)).status).toBe(404)
  })

  it('takes the list quirks: a server filter ignored, rows repeated across pages, raw rows', async () => {
    const sim = simulator()
    sim.addSnapshot({ serverId: WEB })
    sim.addSnapshot({ serverId: WEB })
    sim.addSnapshot({ serverId: DB })
    sim.setListQuirks({ ignoreServerFilter: true })
    expect((await call<Page>(sim.url, `${SNAPSHOTS}?server_id=${WEB}`)).json.count).toBe(3)
    sim.setListQuirks({ duplicateAcrossPages: true })
    const rows = await listAll(sim)
    expect(rows).toHaveLength(4)
    expect(new Set(rows.map(s => s.id)).size).toBe(3)
    sim.setListQuirks({})
    sim.addRawListRow({ id: 900, server: null }, { list: 'snapshots', serverId: WEB })
    expect((await listAll(sim, `?server_id=${WEB}`)).map(s => s.id)).toContain(900)
    expect((await call<Page>(sim.url, `/api/v1/backups/`)).json.count).toBe(0)
  })

  it('nextChain endless: synthetic snapshot pages forever, of the server filtered on', async () => {
    const sim = simulator()
    sim.setListQuirks({ nextChain: 'endless', endlessRowsPerPage: 3 })
    const page = await call<Page>(sim.url, `${SNAPSHOTS}?page=7&server_id=${DB}`)
    expect(page.json.results).toHaveLength(3)
    expect(page.json.results.every(s => s.server.id === DB && s.status === 'completed')).toBe(true)
    expect(page.json.next).toContain('page=8')
  })
})

describe('creating snapshots', () => {
  const simulator = useSimulator({ snapshotDurationMs: 1000 })

  it('answers 201 in progress with a message, then completes after the duration with a size', async () => {
    const sim = simulator()
    const created = await create(sim, { server_id: WEB, name: 'pre-deploy_1', description: ' Before deploy ' })
    expect(created.status).toBe(201)
    expect(created.json).toEqual({
      id: 801,
      server: { id: WEB, name: 'web-server-01' },
      name: 'pre-deploy_1',
      status: 'in_progress',
      size_mb: null,
      created_at: expect.stringMatching(/Z$/),
      description: 'Before deploy',
      message: 'Snapshot is being created. This may take 3-10 minutes depending on server size.'
    })
    expect(sim.snapshots()[0]?.status).toBe('in_progress')
    simulator.clock().advance(999)
    expect(sim.snapshots()[0]?.status).toBe('in_progress')
    simulator.clock().advance(1)
    expect(sim.snapshots()[0]).toMatchObject({ status: 'completed', size_mb: expect.any(Number) })
    expect(sim.snapshots()[0]?.size_mb).toBeGreaterThan(0)
  })

  it('ends with the outcome set (failed: no size), per server too; finishSnapshot ends one now', async () => {
    const sim = simulator()
    sim.setSnapshotDuration(60_000)
    sim.setSnapshotOutcome('failed', { serverId: DB })
    const web = (await create(sim, { server_id: WEB, name: 'w' })).json
    const db = (await create(sim, { server_id: DB, name: 'd' })).json
    sim.finishSnapshot(web.id)
    sim.finishSnapshot(db.id)
    expect(sim.snapshots().map(s => [s.status, s.size_mb === null])).toEqual([
      ['completed', false],
      ['failed', true]
    ])
    expect(() => sim.finishSnapshot(web.id)).toThrow(/not in progress/)
    expect(() => sim.finishSnapshot(999)).toThrow(/unknown snapshot/)
    expect(() => sim.setSnapshotOutcome('failed', { serverId: 1 })).toThrow(/no server 1/)
    sim.setSnapshotDuration(0, { serverId: WEB })
    await create(sim, { server_id: WEB, name: 'quick' })
    expect(sim.snapshots().at(-1)?.status).toBe('completed')
  })

  it.each([
    ['no name', { server_id: WEB }, { name: ['This field is required.'] }],
    ['a blank name', { server_id: WEB, name: '  ' }, { name: ['This field may not be blank.'] }],
    ['a space', { server_id: WEB, name: 'pre deploy' }, { name: [expect.stringMatching(/slug/)] }],
    ['a dot', { server_id: WEB, name: 'v1.2' }, { name: [expect.stringMatching(/slug/)] }],
    ['a letter outside ASCII', { server_id: WEB, name: 'café' }, { name: [expect.stringMatching(/slug/)] }],
    ['a name that is not a string', { server_id: WEB, name: 7 }, { name: ['Not a valid string.'] }],
    ['a server id as a string', { server_id: String(WEB), name: 'x' }, { server_id: ['A valid integer is required.'] }]
  ])('refuses %s with 400 and creates nothing', async (_what, body, errors) => {
    const sim = simulator()
    const answer = await create(sim, body)
    expect(answer.status).toBe(400)
    expect(answer.json).toEqual(errors)
    expect(sim.snapshots()).toEqual([])
  })

  it('takes a name that is exactly a slug; a bound on names when set, none by default', async () => {
    const sim = simulator()
    const long = 'a'.repeat(300)
    expect((await create(sim, { server_id: WEB, name: long })).status).toBe(201)
    sim.setSnapshotNameMaxLength(50)
    expect((await create(sim, { server_id: WEB, name: 'b'.repeat(50) })).status).toBe(201)
    expect(await create(sim, { server_id: WEB, name: 'c'.repeat(51) })).toMatchObject({
      status: 400,
      json: { name: ['Ensure this field has no more than 50 characters.'] }
    })
    expect(() => sim.setSnapshotNameMaxLength(0)).toThrow(/snapshotNameMaxLength/)
    sim.reset()
    expect((await create(sim, { server_id: WEB, name: 'c'.repeat(51) })).status).toBe(201)
  })

  it('refuses a sixth snapshot of a server with 400, whatever their status; other servers have room', async () => {
    const sim = simulator()
    sim.addSnapshot({ serverId: WEB, status: 'failed' })
    sim.addSnapshot({ serverId: WEB, status: 'in_progress' })
    for (const n of [1, 2, 3]) expect((await create(sim, { server_id: WEB, name: `n${n}` })).status).toBe(201)
    expect(await create(sim, { server_id: WEB, name: 'sixth' })).toMatchObject({
      status: 400,
      json: { non_field_errors: ['Maximum number of snapshots (5) reached for this server.'] }
    })
    expect((await create(sim, { server_id: DB, name: 'other' })).status).toBe(201)
    const gone = sim.snapshots()[0]?.id ?? 0
    expect((await call(sim.url, `${SNAPSHOTS}${gone}/`, { method: 'DELETE' })).status).toBe(204)
    expect((await create(sim, { server_id: WEB, name: 'sixth' })).status).toBe(201)
  })

  it('answers 404 for an unknown server, and does not take the backups list for it', async () => {
    const sim = simulator()
    expect(await create(sim, { server_id: 99999, name: 'x' })).toMatchObject({
      status: 404,
      json: { detail: 'Not found.' }
    })
    await create(sim, { server_id: WEB, name: 'x' })
    expect(sim.backups()).toEqual([])
    expect((await call(sim.url, `${SNAPSHOTS}801/`)).status).toBe(405)
  })

  it('stamps created_at by the API clock (clock offset) and sends the Date header by it', async () => {
    const sim = simulator()
    const day = 86_400_000
    sim.setClockOffset(-day)
    const created = await create(sim, { server_id: WEB, name: 'x' })
    const now = simulator.clock().now()
    expect(Date.parse(created.json.created_at)).toBe(now - day)
    // The Date header has whole seconds.
    expect(Math.abs(Date.parse(created.headers.get('date') ?? '') - (now - day))).toBeLessThan(1000)
  })
})

describe('restoring from snapshots', () => {
  const simulator = useSimulator({ restoreDurationMs: 1000 })

  it('answers 200 with the documented shape; the server goes through restoring, then active', async () => {
    const sim = simulator()
    const snapshot = sim.addSnapshot({ serverId: DB, name: 'pre-migration-snapshot' })
    const answer = await call(sim.url, restorePath(snapshot.id), { method: 'POST' })
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual({
      status: 'success',
      message: 'Server is being restored from snapshot. This may take 5-15 minutes.',
      snapshot: { id: snapshot.id, name: 'pre-migration-snapshot', created_at: snapshot.created_at },
      server: { id: DB, name: 'db-server-01', status: 'restoring' }
    })
    expect(sim.restores).toEqual([{ serverId: DB, snapshotId: snapshot.id, at: expect.any(Number) }])
    expect(sim.servers().find(s => s.id === DB)?.status).toBe('restoring')
    simulator.clock().advance(999)
    expect(sim.servers().find(s => s.id === DB)?.status).toBe('restoring')
    simulator.clock().advance(1)
    expect(sim.servers().find(s => s.id === DB)?.status).toBe('active')
  })

  it('takes the restore settings of the backups: duration, outcome per server; an empty JSON body', async () => {
    const sim = simulator()
    sim.setRestoreOutcome('stopped', { serverId: WEB })
    sim.setRestoreDuration(0)
    const snapshot = sim.addSnapshot({ serverId: WEB })
    expect((await call(sim.url, restorePath(snapshot.id), { method: 'POST', body: {} })).status).toBe(200)
    // restoreDurationMs 0: over as soon as accepted, with no time passing.
    expect(sim.servers().find(s => s.id === WEB)?.status).toBe('stopped')
  })

  it('answers 404 to an unknown snapshot, 400 to one not completed and while the server is restoring', async () => {
    const sim = simulator()
    expect((await call(sim.url, restorePath(4242), { method: 'POST' })).status).toBe(404)
    const pending = sim.addSnapshot({ serverId: WEB, status: 'in_progress' })
    expect(await call(sim.url, restorePath(pending.id), { method: 'POST' })).toMatchObject({
      status: 400,
      json: { non_field_errors: ['Snapshot is not completed.'] }
    })
    const done = sim.addSnapshot({ serverId: WEB })
    expect((await call(sim.url, restorePath(done.id), { method: 'POST' })).status).toBe(200)
    expect(await call(sim.url, restorePath(done.id), { method: 'POST' })).toMatchObject({
      status: 400,
      json: { non_field_errors: ['Server is not in a valid state for restoration.'] }
    })
    expect(sim.restores).toHaveLength(1)
  })
})

describe('deleting snapshots', () => {
  const simulator = useSimulator()

  it('answers 204 with no body, then 404; 202 with setDeleteStatus, as the backups do', async () => {
    const sim = simulator()
    const [a, b] = [sim.addSnapshot({ serverId: WEB }), sim.addSnapshot({ serverId: WEB })]
    expect(await call(sim.url, `${SNAPSHOTS}${a.id}/`, { method: 'DELETE' })).toMatchObject({ status: 204, text: '' })
    expect((await call(sim.url, `${SNAPSHOTS}${a.id}/`, { method: 'DELETE' })).status).toBe(404)
    sim.setDeleteStatus(202)
    expect((await call(sim.url, `${SNAPSHOTS}${b.id}/`, { method: 'DELETE' })).status).toBe(202)
    expect(sim.snapshots()).toEqual([])
  })
})

describe('faults on the snapshot endpoints', () => {
  const simulator = useSimulator()

  it('reset-after: the snapshot is created, the client sees the connection reset', async () => {
    const sim = simulator()
    sim.fault({ kind: 'reset-after', method: 'POST', path: SNAPSHOTS })
    await expect(create(sim, { server_id: WEB, name: 'uncertain' })).rejects.toThrow()
    expect(sim.snapshots()).toEqual([expect.objectContaining({ name: 'uncertain', status: 'in_progress' })])
  })

  it('status-after 504: the restore happened behind a gateway error page', async () => {
    const sim = simulator()
    const snapshot = sim.addSnapshot({ serverId: WEB })
    sim.fault({ kind: 'status-after', path: /\/restore\/$/ })
    const answer = await call(sim.url, restorePath(snapshot.id), { method: 'POST' }).catch(() => undefined)
    expect(answer).toBeUndefined() // an HTML page, which the helper does not parse as JSON
    expect(sim.restores).toEqual([{ serverId: WEB, snapshotId: snapshot.id, at: expect.any(Number) }])
  })

  it('status before processing, matched by the JSON body: nothing created', async () => {
    const sim = simulator()
    sim.fault({ kind: 'status', status: 503, json: { name: 'x' } })
    expect((await create(sim, { server_id: WEB, name: 'x' })).status).toBe(503)
    expect(sim.snapshots()).toEqual([])
    expect((await create(sim, { server_id: WEB, name: 'x' })).status).toBe(201)
  })

  it('reset() clears snapshots, raw rows and snapshot settings; ids start again', async () => {
    const sim = simulator()
    sim.setSnapshotOutcome('failed')
    sim.setSnapshotDuration(0)
    await create(sim, { server_id: WEB, name: 'x' })
    sim.addRawListRow({ id: 1 }, { list: 'snapshots' })
    sim.reset()
    expect(sim.snapshots()).toEqual([])
    expect((await call<Page>(sim.url, SNAPSHOTS)).json.count).toBe(0)
    const again = await create(sim, { server_id: WEB, name: 'x' })
    expect(again.json.id).toBe(801)
    // Back to the default duration (2000 ms) and outcome: in progress until then, then completed.
    simulator.clock().advance(1999)
    expect(sim.snapshots()[0]?.status).toBe('in_progress')
    simulator.clock().advance(1)
    expect(sim.snapshots()[0]?.status).toBe('completed')
  })
})
