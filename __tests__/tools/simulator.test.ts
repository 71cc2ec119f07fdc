// Tests of the VPS.org API simulator itself, over real HTTP, so the other tests can trust it.
import { describe, it, expect, beforeEach } from '@jest/globals'
import http from 'node:http'
import net from 'node:net'
import {
  exampleServers,
  startRecorder,
  startSimulator,
  type SimBackup,
  type SimServerDetail,
  type Simulator
} from '../../tools/simulator/index.js'

import { useFreshSimulator } from '../support/fresh-simulator.js'
import { FakeClock } from '../support/in-process.js'
import { DB, TOKEN, WEB } from '../support/simulator-fixture.js'
const BACKUPS = '/api/v1/backups/'

interface Page<T = SimBackup> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

const SERVERS = '/api/v1/servers/'

const useSimulator = useFreshSimulator

interface CallOptions {
  method?: string
  /** A string is sent as is; anything else as JSON. */
  body?: unknown
  /** null sends no Authorization header. */
  token?: string | null
  headers?: Record<string, string>
  redirect?: 'follow' | 'manual' | 'error'
}

/** A request through fetch, with the token and a JSON body by default. */
async function call<T = unknown>(
  base: string,
  path: string,
  { method = 'GET', body, token = TOKEN, headers = {}, redirect }: CallOptions = {}
) {
  const response = await fetch(base + path, {
    method,
    redirect,
    headers: {
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  })
  const text = await response.text()
  let json: T | undefined
  try {
    json = text === '' ? undefined : (JSON.parse(text) as T)
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

interface RawResult {
  /** The error code when the request failed before a complete response (e.g. ECONNRESET). */
  error?: string
  status: number
  headers: http.IncomingHttpHeaders
  body: string
  /** false when stopAfterMs cut the wait for the body short. */
  complete: boolean
  remoteAddress?: string
}

/**
 * A request through node:http, for what fetch hides: connection errors, partial bodies, the
 * connection used.
 */
function rawRequest(
  url: string,
  options: { method?: string; body?: string; agent?: http.Agent; stopAfterMs?: number } = {}
): Promise<RawResult> {
  return new Promise(resolve => {
    const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }
    const req = http.request(url, { method: options.method ?? 'GET', headers, agent: options.agent }, res => {
      const chunks: Buffer[] = []
      // Read now: the socket is detached from the response once it ends.
      const remoteAddress = res.socket?.remoteAddress
      const finish = (complete: boolean) =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
          complete,
          remoteAddress
        })
      const timer =
        options.stopAfterMs === undefined
          ? undefined
          : setTimeout(() => {
              finish(false)
              req.destroy()
            }, options.stopAfterMs)
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        clearTimeout(timer)
        finish(true)
      })
    })
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code ?? error.message, status: 0, headers: {}, body: '', complete: false })
    )
    req.end(options.body)
  })
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

async function waitFor(condition: () => boolean, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await sleep(10)
  }
}

/**
 * Repeats `request` while its connection is refused (polling, for a refusal timed by the simulator's
 * real timers), and gives its first other result.
 */
async function whileRefused(request: () => Promise<RawResult>, timeoutMs = 5000): Promise<RawResult> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const result = await request()
    if (result.error !== 'ECONNREFUSED' || Date.now() > deadline) return result
    await sleep(10)
  }
}

describe('authentication', () => {
  const simulator = useSimulator()

  it('refuses a request without credentials, DRF style, and still records it', async () => {
    const sim = simulator()
    const res = await call(sim.url, BACKUPS, { token: null })
    expect(res.status).toBe(401)
    expect(res.json).toEqual({ detail: 'Authentication credentials were not provided.' })
    expect(res.headers.get('www-authenticate')).toBe('Bearer')
    expect(sim.requests).toHaveLength(1)
  })

  it('refuses a wrong token', async () => {
    const res = await call(simulator().url, BACKUPS, { token: 'nope' })
    expect(res.status).toBe(401)
    expect(res.json).toEqual({ detail: 'Invalid token.' })
  })

  it('honours a custom token', async () => {
    const sim = await startSimulator({ token: 'secret' })
    try {
      expect((await call(sim.url, BACKUPS, { token: 'secret' })).status).toBe(200)
      expect((await call(sim.url, BACKUPS)).status).toBe(401)
    } finally {
      await sim.close()
    }
  })
})

describe('routing and recording', () => {
  const simulator = useSimulator()

  it('answers 404 to unknown paths and paths without the trailing slash, 405 to wrong methods', async () => {
    const sim = simulator()
    expect(await call(sim.url, '/api/v1/nothing/')).toMatchObject({ status: 404, json: { detail: 'Not found.' } })
    expect((await call(sim.url, '/api/v1/backups')).status).toBe(404)
    const put = await call(sim.url, BACKUPS, { method: 'PUT', body: {} })
    expect(put).toMatchObject({ status: 405, json: { detail: 'Method "PUT" not allowed.' } })
    // There is no documented endpoint to read one backup.
    const getOne = await call(sim.url, `${BACKUPS}501/`)
    expect(getOne).toMatchObject({ status: 405, json: { detail: 'Method "GET" not allowed.' } })
    expect(getOne.headers.get('allow')).toBe('DELETE')
  })

  it('records method, pathname, query, headers, raw and parsed body', async () => {
    const sim = simulator()
    const before = Date.now()
    await call(sim.url, `${BACKUPS}?server_id=${WEB}&x=1`, { method: 'POST', body: { server_id: WEB } })
    expect(sim.requests).toHaveLength(1)
    const [recorded] = sim.requests
    expect(recorded).toMatchObject({
      method: 'POST',
      path: BACKUPS,
      query: { server_id: String(WEB), x: '1' },
      body: JSON.stringify({ server_id: WEB }),
      json: { server_id: WEB }
    })
    expect(recorded.headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(recorded.at).toBeGreaterThanOrEqual(before)
  })

  it('sends JSON with a Content-Length', async () => {
    const res = await rawRequest(simulator().url + BACKUPS)
    expect(res.headers['content-type']).toBe('application/json')
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body))
  })
})

describe('listing backups', () => {
  const simulator = useSimulator()

  beforeEach(() => {
    const sim = simulator()
    sim.addBackup({ serverId: WEB, backup_type: 'manual' })
    sim.addBackup({ serverId: WEB, backup_type: 'automatic' })
    sim.addBackup({ serverId: DB, backup_type: 'automatic' })
  })

  it('lists every backup in the DRF paginated shape', async () => {
    const res = await call<Page>(simulator().url, BACKUPS)
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ count: 3, next: null, previous: null })
    expect(res.json?.results.map(b => b.id).sort()).toEqual([501, 502, 503])
  })

  it('filters by server and by type', async () => {
    const sim = simulator()
    const byServer = await call<Page>(sim.url, `${BACKUPS}?server_id=${WEB}`)
    expect(byServer.json?.results.map(b => b.server.id)).toEqual([WEB, WEB])
    const both = await call<Page>(sim.url, `${BACKUPS}?server_id=${WEB}&backup_type=automatic`)
    expect(both.json?.results).toEqual([expect.objectContaining({ id: 502, backup_type: 'automatic' })])
    const unknownServer = await call<Page>(sim.url, `${BACKUPS}?server_id=999`)
    expect(unknownServer.json).toMatchObject({ count: 0, results: [] })
  })

  it('gives automatic backups an expiry and manual ones none', async () => {
    const { json } = await call<Page>(simulator().url, `${BACKUPS}?server_id=${WEB}`)
    const manual = json?.results.find(b => b.backup_type === 'manual')
    const automatic = json?.results.find(b => b.backup_type === 'automatic')
    expect(manual?.expires_at).toBeNull()
    expect(Date.parse(automatic?.expires_at ?? '')).toBeGreaterThan(Date.parse(automatic?.created_at ?? ''))
  })

  it('validates the filters', async () => {
    const sim = simulator()
    expect(await call(sim.url, `${BACKUPS}?server_id=abc`)).toMatchObject({
      status: 400,
      json: { server_id: ['A valid integer is required.'] }
    })
    expect(await call(sim.url, `${BACKUPS}?backup_type=weekly`)).toMatchObject({
      status: 400,
      json: { backup_type: ['Select a valid choice. weekly is not one of the available choices.'] }
    })
  })
})

describe('pagination', () => {
  const simulator = useSimulator({ pageSize: 3 })
  const start = Date.parse('2025-01-10T03:00:00Z')

  beforeEach(() => {
    const sim = simulator()
    for (let day = 0; day < 7; day++) {
      sim.addBackup({ serverId: WEB, created_at: new Date(start + day * 86_400_000).toISOString() })
    }
    sim.addBackup({ serverId: DB })
  })

  it('returns every backup exactly once across pages, following absolute next links', async () => {
    const sim = simulator()
    const pages: Page[] = []
    let url: string | null = `${sim.url}${BACKUPS}?server_id=${WEB}`
    while (url) {
      const page: Page = (await call<Page>(url, '')).json as Page
      pages.push(page)
      url = page.next
    }
    expect(pages.map(p => p.results.length)).toEqual([3, 3, 1])
    expect(pages.every(p => p.count === 7)).toBe(true)
    expect(pages[0].next).toBe(`${sim.url}${BACKUPS}?page=2&server_id=${WEB}`)
    expect(pages[1].previous).toBe(`${sim.url}${BACKUPS}?server_id=${WEB}`)
    expect(pages[2].previous).toBe(`${sim.url}${BACKUPS}?page=2&server_id=${WEB}`)

    const listed = pages.flatMap(p => p.results)
    expect(listed.map(b => b.id).sort()).toEqual([501, 502, 503, 504, 505, 506, 507])
    const times = listed.map(b => Date.parse(b.created_at))
    const ascending = [...times].sort((a, b) => a - b)
    expect(times).not.toEqual(ascending)
    expect(times).not.toEqual([...ascending].reverse())
  })

  it('answers 404 to a page out of range or not a number, and accepts "last"', async () => {
    const sim = simulator()
    for (const page of ['4', '0', 'abc']) {
      expect(await call(sim.url, `${BACKUPS}?server_id=${WEB}&page=${page}`)).toMatchObject({
        status: 404,
        json: { detail: 'Invalid page.' }
      })
    }
    const last = await call<Page>(sim.url, `${BACKUPS}?server_id=${WEB}&page=last`)
    expect(last.json?.results).toHaveLength(1)
  })
})

describe('creating backups', () => {
  const simulator = useSimulator(undefined, { clocked: true })

  it('answers 201 with an in-progress backup that completes after the duration', async () => {
    const sim = simulator()
    const durationMs = 300
    sim.setBackupDuration(durationMs)
    const clock = simulator.clock()
    const before = clock.now()
    const created = await call<SimBackup & { message: string }>(sim.url, BACKUPS, {
      method: 'POST',
      body: { server_id: WEB, description: 'Pre-deployment backup' }
    })
    expect(created.status).toBe(201)
    expect(created.json).toEqual({
      id: 501,
      server: { id: WEB, name: 'web-server-01' },
      backup_type: 'manual',
      status: 'in_progress',
      size_mb: null,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      expires_at: null,
      description: 'Pre-deployment backup',
      message: 'Backup is being created. This may take several minutes depending on server size.'
    })
    expect(Date.parse(created.json?.created_at ?? '')).toBe(before)
    // The duration is captured at creation.
    sim.setBackupDuration(60_000)

    const listed = await call<Page>(sim.url, `${BACKUPS}?server_id=${WEB}`)
    expect(listed.json?.results[0]).toMatchObject({ status: 'in_progress', size_mb: null })
    clock.advance(durationMs - 1)
    expect(sim.backups()[0].status).toBe('in_progress')
    clock.advance(1)
    expect(sim.backups()[0].status).toBe('completed')
    const done = await call<Page>(sim.url, `${BACKUPS}?server_id=${WEB}`)
    expect(done.json?.results[0].status).toBe('completed')
    expect(done.json?.results[0].size_mb).toBeGreaterThan(0)
    expect(Number.isInteger(done.json?.results[0].size_mb)).toBe(true)
    expect(sim.backups()).toEqual(done.json?.results)
  })

  it('ends backups with the configured outcome', async () => {
    const sim = simulator()
    sim.setBackupDuration(50)
    sim.setCreateOutcome('failed')
    await call(sim.url, BACKUPS, { method: 'POST', body: { server_id: WEB } })
    expect(sim.backups()).toEqual([expect.objectContaining({ status: 'in_progress', size_mb: null })])
    simulator.clock().advance(50)
    expect(sim.backups()).toEqual([expect.objectContaining({ status: 'failed', size_mb: null })])
  })

  it('finishes a backup in progress when told, with the outcome it was started with', async () => {
    const sim = simulator()
    sim.setBackupDuration(60_000)
    const post = () => call<SimBackup>(sim.url, BACKUPS, { method: 'POST', body: { server_id: WEB } })
    const first = (await post()).json as SimBackup
    sim.setCreateOutcome('failed')
    const second = (await post()).json as SimBackup
    sim.setCreateOutcome(null)

    sim.finishBackup(first.id)

    const listed = await call<Page>(sim.url, `${BACKUPS}?server_id=${WEB}`)
    const byId = new Map(listed.json?.results.map(b => [b.id, b]))
    expect(byId.get(first.id)).toMatchObject({ status: 'completed', size_mb: expect.any(Number) })
    expect(byId.get(second.id)).toMatchObject({ status: 'in_progress', size_mb: null })
    sim.finishBackup(second.id)
    expect(sim.backups().find(b => b.id === second.id)).toMatchObject({ status: 'failed', size_mb: null })
    expect(() => sim.finishBackup(first.id)).toThrow(/not in progress/)
    expect(() => sim.finishBackup(sim.addBackup({ serverId: WEB, status: 'in_progress' }).id)).toThrow(
      /not in progress/
    )
    expect(() => sim.finishBackup(999)).toThrow(/unknown backup 999/)
  })

  it('refuses an eleventh manual backup, not counting automatic ones', async () => {
    const sim = simulator()
    for (let i = 0; i < 9; i++) sim.addBackup({ serverId: WEB, status: i % 2 ? 'failed' : 'completed' })
    for (let i = 0; i < 3; i++) sim.addBackup({ serverId: WEB, backup_type: 'automatic' })
    const create = () => call(sim.url, BACKUPS, { method: 'POST', body: { server_id: WEB } })
    expect((await create()).status).toBe(201)
    expect(await create()).toMatchObject({
      status: 400,
      json: { non_field_errors: ['Maximum number of manual backups (10) reached for this server.'] }
    })
    // Another server has its own limit.
    expect((await call(sim.url, BACKUPS, { method: 'POST', body: { server_id: DB } })).status).toBe(201)
  })

  it('answers 404 for an unknown server', async () => {
    const res = await call(simulator().url, BACKUPS, { method: 'POST', body: { server_id: 999 } })
    expect(res).toMatchObject({ status: 404, json: { detail: 'Not found.' } })
  })

  it.each([
    ['a body that is not JSON', '{not json', { detail: expect.stringMatching(/^JSON parse error - /) }],
    ['no body', '', { server_id: ['This field is required.'] }],
    ['a missing server_id', { description: 'x' }, { server_id: ['This field is required.'] }],
    ['a server_id given as a string', { server_id: '12345' }, { server_id: ['A valid integer is required.'] }],
    ['a fractional server_id', { server_id: 1.5 }, { server_id: ['A valid integer is required.'] }],
    [
      'a description that is not a string',
      { server_id: WEB, description: 5 },
      { description: ['Not a valid string.'] }
    ],
    ['an array', [WEB], { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }]
  ])('answers 400 to %s', async (_name, body, expected) => {
    const sim = simulator()
    const res = await call(sim.url, BACKUPS, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } })
    expect(res).toMatchObject({ status: 400, json: expected })
    expect(sim.backups()).toEqual([])
  })

  it('answers 415 to a body that is not declared as JSON', async () => {
    const res = await call(simulator().url, BACKUPS, {
      method: 'POST',
      body: { server_id: WEB },
      headers: { 'Content-Type': 'text/plain' }
    })
    expect(res).toMatchObject({ status: 415, json: { detail: 'Unsupported media type "text/plain" in request.' } })
  })
})

describe('deleting backups', () => {
  const simulator = useSimulator()

  it('answers 204 with an empty body, then 404', async () => {
    const sim = simulator()
    const { id } = sim.addBackup({ serverId: WEB })
    const deleted = await call(sim.url, `${BACKUPS}${id}/`, { method: 'DELETE' })
    expect(deleted).toMatchObject({ status: 204, text: '' })
    expect(sim.backups()).toEqual([])
    const again = await call(sim.url, `${BACKUPS}${id}/`, { method: 'DELETE' })
    expect(again).toMatchObject({ status: 404, json: { detail: 'Not found.' } })
  })

  it('setDeleteStatus(202): answers 202 Accepted with a detail, and the backup is gone; reset() puts 204 back', async () => {
    const sim = simulator()
    sim.setDeleteStatus(202)
    const { id } = sim.addBackup({ serverId: WEB })
    const deleted = await call(sim.url, `${BACKUPS}${id}/`, { method: 'DELETE' })
    expect(deleted).toMatchObject({ status: 202, json: { detail: 'Deletion scheduled.' } })
    expect((await call<Page>(sim.url, BACKUPS)).json?.results).toEqual([])
    expect((await call(sim.url, `${BACKUPS}${id}/`, { method: 'DELETE' })).status).toBe(404)

    sim.reset()
    const again = sim.addBackup({ serverId: WEB })
    expect(await call(sim.url, `${BACKUPS}${again.id}/`, { method: 'DELETE' })).toMatchObject({ status: 204, text: '' })
  })

  it('deleteStatus: 202 as an option', async () => {
    const sim = await startSimulator({ deleteStatus: 202 })
    try {
      const { id } = sim.addBackup({ serverId: WEB })
      expect((await call(sim.url, `${BACKUPS}${id}/`, { method: 'DELETE' })).status).toBe(202)
    } finally {
      await sim.close()
    }
  })
})

describe('descriptions as stored', () => {
  const simulator = useSimulator()
  const create = (sim: Simulator, description: string) =>
    call<SimBackup>(sim.url, BACKUPS, { method: 'POST', body: { server_id: WEB, description } })

  it('keeps line endings and length by default, trimming surrounding white space as DRF does', async () => {
    const sim = simulator()
    const long = 'x'.repeat(300)
    expect((await create(sim, ` a\r\nb\rc ${long}\n`)).json?.description).toBe(`a\r\nb\rc ${long}`)
  })

  it('normaliseLineEndings: stores \\r\\n and \\r as \\n', async () => {
    const sim = simulator()
    sim.setDescriptionStorage({ normaliseLineEndings: true })
    expect((await create(sim, 'one\r\ntwo\rthree\nfour')).json?.description).toBe('one\ntwo\nthree\nfour')
    expect(sim.backups()[0].description).toBe('one\ntwo\nthree\nfour')
  })

  it('descriptionMaxLength: stores the first N characters (code points), in the answer and the list', async () => {
    const sim = simulator()
    sim.setDescriptionStorage({ descriptionMaxLength: 5 })
    expect((await create(sim, '  ab😀cdefgh  ')).json?.description).toBe('ab😀cd')
    expect((await call<Page>(sim.url, BACKUPS)).json?.results[0].description).toBe('ab😀cd')
    sim.reset()
    expect((await create(sim, 'abcdefgh')).json?.description).toBe('abcdefgh')
  })

  it('both as options: line endings normalised before the cut', async () => {
    const sim = await startSimulator({ descriptionMaxLength: 255, normaliseLineEndings: true })
    try {
      // Cut first, it would keep 85 'a\r\n'.
      const stored = (await create(sim, 'a\r\n'.repeat(200))).json?.description
      expect(stored).toBe(`${'a\n'.repeat(127)}a`)
    } finally {
      await sim.close()
    }
  })
})

describe('a list that misbehaves', () => {
  const simulator = useSimulator({ pageSize: 3 }, { clocked: true })

  async function follow(sim: Simulator, path: string, maxPages: number) {
    const pages: Page[] = []
    let url: string | null = sim.url + path
    while (url && pages.length < maxPages) {
      const res: { status: number; json?: Page } = await call<Page>(url, '')
      expect(res.status).toBe(200)
      const page = res.json as Page
      pages.push(page)
      url = page.next
    }
    return pages
  }

  it('ignoreServerFilter: server_id is ignored, not even validated; ignoreTypeFilter likewise for backup_type', async () => {
    const sim = simulator()
    sim.addBackup({ serverId: WEB, backup_type: 'manual' })
    sim.addBackup({ serverId: DB, backup_type: 'automatic' })
    sim.setListQuirks({ ignoreServerFilter: true })
    const all = await call<Page>(sim.url, `${BACKUPS}?server_id=${WEB}`)
    expect(all.json?.results.map(b => b.server.id).sort()).toEqual([WEB, DB])
    expect((await call(sim.url, `${BACKUPS}?server_id=abc`)).status).toBe(200)
    // The type filter still works.
    expect((await call<Page>(sim.url, `${BACKUPS}?backup_type=manual`)).json?.count).toBe(1)

    sim.setListQuirks({ ignoreTypeFilter: true })
    expect((await call<Page>(sim.url, `${BACKUPS}?server_id=${DB}`)).json?.count).toBe(1)
    expect((await call<Page>(sim.url, `${BACKUPS}?server_id=${DB}&backup_type=manual`)).json?.results).toEqual([
      expect.objectContaining({ backup_type: 'automatic' })
    ])

    sim.reset()
    sim.addBackup({ serverId: WEB })
    sim.addBackup({ serverId: DB })
    expect((await call<Page>(sim.url, `${BACKUPS}?server_id=${WEB}`)).json?.count).toBe(1)
  })

  it('refuses unknown quirks', () => {
    const sim = simulator()
    expect(() => sim.setListQuirks({ ignoreServerFiltre: true } as never)).toThrow(/unknown list quirk/)
    expect(() => sim.setListQuirks({ nextChain: 'circular' as 'endless' })).toThrow(/nextChain/)
  })

  it("duplicateAcrossPages: each later page repeats the previous page's last row, rendered when read", async () => {
    const sim = simulator()
    sim.setBackupDuration(300)
    for (let i = 0; i < 4; i++) await call(sim.url, BACKUPS, { method: 'POST', body: { server_id: WEB } })
    sim.setListQuirks({ duplicateAcrossPages: true })
    const first = (await call<Page>(sim.url, `${BACKUPS}?server_id=${WEB}`)).json as Page
    expect(first.results.map(b => b.status)).toEqual(['in_progress', 'in_progress', 'in_progress'])
    simulator.clock().advance(300)
    expect(sim.backups().map(b => b.status)).toEqual(Array(4).fill('completed'))
    const second = (await call<Page>(first.next ?? '', '')).json as Page
    expect(second).toMatchObject({ count: 4, next: null })
    expect(second.results).toHaveLength(2)
    expect(second.results[0].id).toBe(first.results[2].id)
    expect(second.results[0].status).toBe('completed')
    expect(new Set([...first.results, ...second.results].map(b => b.id)).size).toBe(4)
  })

  it('nextChain endless: links to another page forever, each with fresh synthetic rows of the server filtered on', async () => {
    const sim = simulator()
    sim.addBackup({ serverId: WEB })
    sim.addBackup({ serverId: DB })
    sim.setListQuirks({ nextChain: 'endless', endlessRowsPerPage: 5 })
    const pages = await follow(sim, `${BACKUPS}?server_id=${DB}`, 6)
    expect(pages).toHaveLength(6)
    expect(pages.every(p => p.next !== null && p.count === 1)).toBe(true)
    expect(pages[5].next).toBe(`${sim.url}${BACKUPS}?page=7&server_id=${DB}`)
    expect(pages.map(p => p.results.length)).toEqual([1, 5, 5, 5, 5, 5])
    const rows = pages.flatMap(p => p.results)
    expect(new Set(rows.map(b => b.id)).size).toBe(26)
    expect(rows.every(b => b.server.id === DB && b.status === 'completed' && b.backup_type === 'manual')).toBe(true)
    // Synthetic rows are not stored.
    expect(sim.backups()).toHaveLength(2)
  })

  it('nextChain endless: synthetic pages hold a page size of rows by default', async () => {
    const sim = simulator()
    sim.setListQuirks({ nextChain: 'endless' })
    const pages = await follow(sim, BACKUPS, 3)
    expect(pages.map(p => [p.count, p.results.length])).toEqual([
      [0, 0],
      [0, 3],
      [0, 3]
    ])
    expect(pages[2].results.every(b => b.server.id === WEB)).toBe(true)
  })

  it('nextChain endless with endlessDescriptionLength: synthetic descriptions padded to that length', async () => {
    const sim = simulator()
    sim.setListQuirks({ nextChain: 'endless', endlessRowsPerPage: 2, endlessDescriptionLength: 3000 })
    const pages = await follow(sim, BACKUPS, 3)
    const rows = pages.flatMap(p => p.results)
    expect(rows).toHaveLength(4)
    for (const row of rows) expect(row.description).toBe(`Synthetic backup ${row.id}`.padEnd(3000, '.'))
    expect(() => sim.setListQuirks({ endlessDescriptionLength: -1 })).toThrow(/endlessDescriptionLength/)
  })

  it('nextChain fragment: next is the same page with a new fragment, which fetch does not send', async () => {
    const sim = simulator()
    for (let i = 0; i < 4; i++) sim.addBackup({ serverId: WEB })
    sim.setListQuirks({ nextChain: 'fragment' })
    const pages = await follow(sim, `${BACKUPS}?server_id=${WEB}`, 3)
    expect(pages.map(p => p.next)).toEqual([
      `${sim.url}${BACKUPS}?server_id=${WEB}#p=1`,
      `${sim.url}${BACKUPS}?server_id=${WEB}#p=2`,
      `${sim.url}${BACKUPS}?server_id=${WEB}#p=3`
    ])
    expect(pages[2].results).toEqual(pages[0].results)
    expect(sim.requests.map(r => r.query)).toEqual(Array(3).fill({ server_id: String(WEB) }))
  })

  it('addRawListRow(): rows put verbatim into the list, by server when given one; reset() drops them', async () => {
    const sim = simulator()
    sim.addBackup({ serverId: WEB })
    sim.addRawListRow({ id: 900, server: null, status: 'completed' }, { serverId: WEB })
    sim.addRawListRow('not even an object')
    const web = (await call<{ count: number; results: unknown[] }>(sim.url, `${BACKUPS}?server_id=${WEB}`)).json
    expect(web?.count).toBe(3)
    expect(web?.results).toContainEqual({ id: 900, server: null, status: 'completed' })
    expect(web?.results).toContainEqual('not even an object')
    const db = (await call<{ count: number; results: unknown[] }>(sim.url, `${BACKUPS}?server_id=${DB}`)).json
    expect(db?.results).toEqual(['not even an object'])
    // Paged like any row (page size 3), and not a backup.
    sim.addRawListRow({ id: 901 })
    expect((await call<Page>(sim.url, BACKUPS)).json).toMatchObject({ count: 4, next: expect.any(String) })
    expect(sim.backups()).toHaveLength(1)
    expect((await call(sim.url, `${BACKUPS}900/`, { method: 'DELETE' })).status).toBe(404)

    sim.reset()
    expect((await call<Page>(sim.url, BACKUPS)).json?.count).toBe(0)
  })
})

describe('restoring servers', () => {
  const simulator = useSimulator(undefined, { clocked: true })
  const restorePath = (serverId: number) => `/api/v1/servers/${serverId}/restore/`

  beforeEach(() => {
    const sim = simulator()
    sim.addBackup({ id: 601, serverId: WEB })
    sim.addBackup({ id: 602, serverId: DB })
    sim.addBackup({ id: 603, serverId: WEB, status: 'in_progress' })
  })

  it.each([
    ['an unknown server', 999, { backup_id: 601 }, 404, { detail: 'Not found.' }],
    ['a missing backup_id', WEB, {}, 400, { backup_id: ['This field is required.'] }],
    [
      'a backup_id that is not an integer',
      WEB,
      { backup_id: '601' },
      400,
      { backup_id: ['A valid integer is required.'] }
    ],
    ['an unknown backup', WEB, { backup_id: 700 }, 400, { backup_id: ['Backup not found.'] }],
    [
      'a backup of another server',
      WEB,
      { backup_id: 602 },
      400,
      { backup_id: ['Backup does not belong to this server.'] }
    ],
    ['a backup not completed', WEB, { backup_id: 603 }, 400, { backup_id: ['Backup is not completed.'] }]
  ])('refuses %s', async (_name, serverId, body, status, expected) => {
    const sim = simulator()
    expect(await call(sim.url, restorePath(serverId), { method: 'POST', body })).toMatchObject({
      status,
      json: expected
    })
    expect(sim.restores).toEqual([])
  })

  it('accepts a completed backup of the server with 202 and records the restore', async () => {
    const sim = simulator()
    const res = await call(sim.url, restorePath(WEB), { method: 'POST', body: { backup_id: 601 } })
    expect(res).toMatchObject({
      status: 202,
      json: {
        status: 'restoring',
        server_id: WEB,
        backup_id: 601,
        message: 'Restore started. The server will be unavailable for several minutes.'
      }
    })
    expect(sim.restores).toEqual([{ serverId: WEB, backupId: 601, at: expect.any(Number) }])
  })

  const restore = (sim: Simulator, serverId = WEB, backupId = 601) =>
    call(sim.url, restorePath(serverId), { method: 'POST', body: { backup_id: backupId } })
  const server = async (sim: Simulator, id = WEB) => (await call<SimServerDetail>(sim.url, `${SERVERS}${id}/`)).json

  it('puts the server through restoring for restoreDurationMs, then the outcome, updated_at following', async () => {
    const sim = simulator()
    sim.setRestoreDuration(300)
    const clock = simulator.clock()
    const before = (await server(sim))?.updated_at
    const accepted = clock.now()
    expect((await restore(sim)).status).toBe(202)
    const restoring = await server(sim)
    expect(restoring?.status).toBe('restoring')
    expect(Date.parse(restoring?.updated_at ?? '')).toBe(accepted)
    expect(restoring?.updated_at).not.toBe(before)
    // Resolved from the clock, with no timer: the list and servers() agree.
    const listed = (await call<Page<SimServerDetail>>(sim.url, SERVERS)).json?.results.find(s => s.id === WEB)
    expect(listed?.status).toBe('restoring')
    expect(sim.servers().find(s => s.id === DB)?.status).toBe('active')

    clock.advance(299)
    expect(sim.servers()[0].status).toBe('restoring')
    clock.advance(1)
    const done = await server(sim)
    expect(done?.status).toBe('active')
    expect(Date.parse(done?.updated_at ?? '')).toBeGreaterThan(Date.parse(restoring?.updated_at ?? ''))
  })

  it('setRestoreOutcome: the status the server ends in', async () => {
    const sim = simulator()
    sim.setRestoreDuration(0)
    sim.setRestoreOutcome('error')
    await restore(sim)
    expect((await server(sim))?.status).toBe('error')
    sim.setRestoreOutcome('stopped')
    await restore(sim)
    expect((await server(sim))?.status).toBe('stopped')
  })

  it('restoreStartDelayMs: the old status stays visible first, updated_at unchanged', async () => {
    const clock = new FakeClock()
    const sim = await startSimulator({ restoreStartDelayMs: 300, restoreDurationMs: 300, now: () => clock.now() })
    try {
      sim.addBackup({ id: 601, serverId: WEB })
      const before = await server(sim)
      expect((await restore(sim)).status).toBe(202)
      expect(await server(sim)).toEqual(before)
      clock.advance(299)
      expect(await server(sim)).toEqual(before)
      clock.advance(1)
      expect(sim.servers()[0].status).toBe('restoring')
      clock.advance(299)
      expect(sim.servers()[0].status).toBe('restoring')
      clock.advance(1)
      expect(sim.servers()[0].status).toBe('active')
    } finally {
      await sim.close()
    }
  })

  it.each(['restoring', 'suspended'])("answers 400 when the server is %s, in the docs' words", async status => {
    const sim = simulator()
    sim.setServerStatus(WEB, status)
    expect(await restore(sim)).toMatchObject({
      status: 400,
      json: { non_field_errors: ['Server is not in a valid state for restoration.'] }
    })
    expect(sim.restores).toEqual([])
  })

  it('answers 400 to a second restore while the first runs, and accepts a stopped server', async () => {
    const sim = simulator()
    sim.setRestoreDuration(60_000)
    expect((await restore(sim)).status).toBe(202)
    expect((await restore(sim)).status).toBe(400)
    sim.setServerStatus(DB, 'stopped')
    sim.addBackup({ id: 604, serverId: DB })
    expect((await restore(sim, DB, 604)).status).toBe(202)
    expect(sim.restores.map(r => r.serverId)).toEqual([WEB, DB])
  })

  it('setServerStatus: until a time or for a while, then another status; a restore is accepted after', async () => {
    const sim = simulator()
    const clock = simulator.clock()
    sim.setServerStatus(WEB, 'restoring', { untilMs: clock.now() + 300, then: 'stopped' })
    sim.setServerStatus(DB, 'restoring', { forMs: 300 })
    expect(sim.servers().map(s => s.status)).toEqual(['restoring', 'restoring'])
    expect((await restore(sim)).status).toBe(400)
    clock.advance(299)
    expect(sim.servers().map(s => s.status)).toEqual(['restoring', 'restoring'])
    clock.advance(1)
    expect(sim.servers().map(s => s.status)).toEqual(['stopped', 'active'])
    expect((await restore(sim)).status).toBe(202)
    expect(() => sim.setServerStatus(999, 'active')).toThrow(/no server 999/)
    expect(() => sim.setServerStatus(WEB, 'active', { untilMs: 1, forMs: 1 })).toThrow(/not both/)
  })

  it('setRestoreNeverShowsRestoring: the restore is accepted and recorded, the status never changes', async () => {
    const sim = simulator()
    sim.setRestoreDuration(100)
    sim.setRestoreOutcome('stopped')
    sim.setRestoreNeverShowsRestoring(true)
    const before = await server(sim)
    expect((await restore(sim)).status).toBe(202)
    expect(sim.restores).toHaveLength(1)
    expect(await server(sim)).toEqual(before)
    simulator.clock().advance(150)
    expect(await server(sim)).toEqual(before)
  })

  it('setRestoreAnswer: snapshot-like (200, the shape documented for snapshots) or empty (202); reset() puts legacy back', async () => {
    const sim = simulator()
    // Over at once, so that the server takes the next restore.
    sim.setRestoreDuration(0)
    sim.setRestoreAnswer('snapshot-like')
    expect(await restore(sim)).toMatchObject({
      status: 200,
      json: {
        status: 'success',
        message: 'Server is being restored from backup. This may take 5-15 minutes.',
        backup: { id: 601, created_at: sim.backups()[0].created_at },
        server: { id: WEB, name: 'web-server-01', status: 'restoring' }
      }
    })
    sim.setRestoreAnswer('empty')
    expect(await restore(sim)).toMatchObject({ status: 202, text: '' })
    expect(() => sim.setRestoreAnswer('xml' as 'empty')).toThrow(/restore answer/)

    sim.reset()
    sim.addBackup({ id: 601, serverId: WEB })
    expect(await restore(sim)).toMatchObject({ status: 202, json: { status: 'restoring', backup_id: 601 } })
  })

  it('takes the restore settings and list quirks as options, and reset() returns to them', async () => {
    const sim = await startSimulator({
      restoreDurationMs: 0,
      restoreOutcome: 'stopped',
      restoreAnswer: 'snapshot-like',
      listQuirks: { ignoreServerFilter: true }
    })
    const quiet = await startSimulator({ restoreNeverShowsRestoring: true, restoreDurationMs: 0, restoreOutcome: 'x' })
    try {
      for (const s of [sim, quiet]) {
        s.addBackup({ id: 601, serverId: WEB })
        s.addBackup({ id: 602, serverId: DB })
      }
      expect((await call<Page>(sim.url, `${BACKUPS}?server_id=${WEB}`)).json?.count).toBe(2)
      sim.setRestoreAnswer('legacy')
      sim.setListQuirks({})
      sim.reset()
      sim.addBackup({ id: 601, serverId: WEB })
      sim.addBackup({ id: 602, serverId: DB })
      expect((await call<Page>(sim.url, `${BACKUPS}?server_id=${WEB}`)).json?.count).toBe(2)
      expect((await restore(sim)).status).toBe(200)
      expect(sim.servers()[0].status).toBe('stopped')

      expect((await restore(quiet)).status).toBe(202)
      expect(quiet.servers()[0].status).toBe('active')
      expect(quiet.restores).toHaveLength(1)
    } finally {
      await sim.close()
      await quiet.close()
    }
  })

  it('reset(): servers back to the status they were added with, timelines forgotten', async () => {
    const sim = simulator()
    sim.addServer({ id: 777, name: 'extra', status: 'stopped' })
    sim.setRestoreDuration(100)
    await restore(sim)
    sim.setServerStatus(DB, 'suspended', { forMs: 100 })
    sim.setServerStatus(777, 'active')
    const initialWeb = { ...sim.servers()[0], status: 'active', updated_at: '2025-01-15T10:20:00Z' }
    sim.reset()
    simulator.clock().advance(150)
    expect(sim.servers().map(s => s.status)).toEqual(['active', 'active', 'stopped'])
    expect(sim.servers()[0]).toEqual(initialWeb)
  })
})

describe('servers', () => {
  const simulator = useSimulator()

  it('lists the servers in the DRF paginated shape with the documented fields; 401 without the token', async () => {
    const sim = simulator()
    const res = await call<Page<SimServerDetail>>(sim.url, SERVERS)
    expect(res.json).toMatchObject({ count: 2, next: null, previous: null })
    expect(res.json?.results.find(s => s.id === WEB)).toEqual({
      id: WEB,
      name: 'web-server-01',
      hostname: 'web01.example.com',
      status: 'active',
      ip_address: '203.0.113.10',
      location: 'us-west',
      plan: { id: 1, name: 'Standard VPS', vcpus: 2, memory: 4096, storage: 80 },
      os: { id: 5, name: 'Ubuntu 22.04 LTS' },
      created_at: '2025-01-10T14:30:00Z',
      updated_at: '2025-01-15T10:20:00Z'
    })
    expect(res.json?.results).toEqual(expect.arrayContaining(sim.servers()))
    expect(await call(sim.url, SERVERS, { token: null })).toMatchObject({
      status: 401,
      json: { detail: 'Authentication credentials were not provided.' }
    })
    expect((await call(sim.url, `${SERVERS}${WEB}/`, { token: null })).status).toBe(401)
  })

  it('reads one server, 404 for an unknown id', async () => {
    const sim = simulator()
    expect(await call(sim.url, `${SERVERS}${DB}/`)).toMatchObject({
      status: 200,
      json: { id: DB, name: 'db-server-01', location: 'us-east', plan: { name: 'Performance VPS' } }
    })
    expect(await call(sim.url, `${SERVERS}999/`)).toMatchObject({ status: 404, json: { detail: 'Not found.' } })
  })

  it('filters by status and location', async () => {
    const sim = simulator()
    sim.setServerStatus(DB, 'stopped')
    const ids = async (query: string) =>
      (await call<Page<SimServerDetail>>(sim.url, `${SERVERS}?${query}`)).json?.results.map(s => s.id)
    expect(await ids('status=stopped')).toEqual([DB])
    expect(await ids('status=active')).toEqual([WEB])
    expect(await ids('location=us-east')).toEqual([DB])
    expect(await ids('status=active&location=us-east')).toEqual([])
    expect(await ids('status=')).toHaveLength(2)
  })

  it('gives a server added with an id and name the other fields; keeps the fields given', async () => {
    const sim = simulator()
    sim.addServer({ id: 777, name: 'Extra Box', status: 'stopped', location: 'eu-central' })
    expect(sim.servers()[2]).toMatchObject({
      id: 777,
      hostname: 'extra-box.example.com',
      status: 'stopped',
      ip_address: '203.0.113.12',
      location: 'eu-central',
      plan: { id: 1 },
      os: { id: 5 }
    })
    expect(() => sim.addServer({ id: 777, name: 'again' })).toThrow(/exists already/)
  })

  it('pages and scrambles like the backup list', async () => {
    const sim = await startSimulator({ servers: exampleServers(7), pageSize: 3 })
    try {
      const pages: Page<SimServerDetail>[] = []
      let url: string | null = sim.url + SERVERS
      while (url) {
        const page: Page<SimServerDetail> = (await call<Page<SimServerDetail>>(url, '')).json as Page<SimServerDetail>
        pages.push(page)
        url = page.next
      }
      expect(pages.map(p => [p.count, p.results.length])).toEqual([
        [7, 3],
        [7, 3],
        [7, 1]
      ])
      expect(pages[0].next).toBe(`${sim.url}${SERVERS}?page=2`)
      const ids = pages.flatMap(p => p.results.map(s => s.id))
      expect([...ids].sort()).toEqual(
        sim
          .servers()
          .map(s => s.id)
          .sort()
      )
      expect(ids).not.toEqual(sim.servers().map(s => s.id))
      expect((await call(sim.url, `${SERVERS}?page=4`)).status).toBe(404)
    } finally {
      await sim.close()
    }
  })

  it('setServerReads: single and list answer 404 or 405 as if absent or GET-less', async () => {
    const sim = simulator()
    sim.setServerReads({ single: 404 })
    expect(await call(sim.url, `${SERVERS}${WEB}/`)).toMatchObject({ status: 404, json: { detail: 'Not found.' } })
    expect((await call(sim.url, SERVERS)).status).toBe(200)
    sim.setServerReads({ single: 405, list: 404 })
    const single = await call(sim.url, `${SERVERS}${WEB}/`)
    expect(single).toMatchObject({ status: 405, json: { detail: 'Method "GET" not allowed.' } })
    expect(single.headers.get('allow')).toBe('PUT, PATCH, DELETE')
    expect((await call(sim.url, SERVERS)).status).toBe(404)
    sim.setServerReads({ list: 405 })
    expect((await call(sim.url, SERVERS)).status).toBe(405)
    expect((await call(sim.url, `${SERVERS}${WEB}/`)).status).toBe(200)
    expect(() => sim.setServerReads({ single: 500 as 404 })).toThrow(/serverReads.single/)
  })

  it('setServerReads: forbidden answers 403 to both; omitStatus leaves status out; reset() undoes them', async () => {
    const sim = simulator()
    sim.setServerReads({ forbidden: true })
    const forbidden = { status: 403, json: { detail: 'You do not have permission to perform this action.' } }
    expect(await call(sim.url, SERVERS)).toMatchObject(forbidden)
    expect(await call(sim.url, `${SERVERS}${WEB}/`)).toMatchObject(forbidden)
    expect(await call(sim.url, `${SERVERS}999/`)).toMatchObject(forbidden)

    sim.setServerReads({ omitStatus: true })
    const single = (await call<Record<string, unknown>>(sim.url, `${SERVERS}${WEB}/`)).json
    expect(single).toMatchObject({ id: WEB, name: 'web-server-01' })
    expect(single).not.toHaveProperty('status')
    const listed = (await call<Page<Record<string, unknown>>>(sim.url, SERVERS)).json?.results
    expect(listed?.every(s => !('status' in s))).toBe(true)
    expect(sim.servers()[0].status).toBe('active')

    sim.reset()
    expect((await call<SimServerDetail>(sim.url, `${SERVERS}${WEB}/`)).json?.status).toBe('active')
  })

  it('serverReads as an option', async () => {
    const sim = await startSimulator({ serverReads: { single: 404 } })
    try {
      expect((await call(sim.url, `${SERVERS}${WEB}/`)).status).toBe(404)
    } finally {
      await sim.close()
    }
  })
})

describe('several servers', () => {
  const simulator = useSimulator({ servers: exampleServers(20), backupDurationMs: 20_000 })

  it('20 servers, each with its own backup that takes 20 s', async () => {
    const sim = simulator()
    expect(sim.servers().map(s => s.id)).toEqual([WEB, DB, ...Array.from({ length: 18 }, (_, i) => 30003 + i)])
    expect(new Set(sim.servers().map(s => s.ip_address)).size).toBe(20)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 })
    try {
      const created = await Promise.all(
        sim
          .servers()
          .map(s => rawRequest(sim.url + BACKUPS, { method: 'POST', body: JSON.stringify({ server_id: s.id }), agent }))
      )
      expect(created.every(r => r.status === 201)).toBe(true)
      expect(sim.maxOpenConnections).toBeLessThanOrEqual(2)
    } finally {
      agent.destroy()
    }
    expect(sim.backups().map(b => b.status)).toEqual(Array(20).fill('in_progress'))
    expect((await call<Page>(sim.url, `${BACKUPS}?server_id=30020`)).json?.results).toEqual([
      expect.objectContaining({ server: { id: 30020, name: 'server-20' }, status: 'in_progress' })
    ])
    expect((await call<Page<SimServerDetail>>(sim.url, SERVERS)).json?.count).toBe(20)
  })
})

describe('settings of one server', () => {
  const simulator = useSimulator({ backupDurationMs: 50, restoreDurationMs: 0 }, { clocked: true })
  const create = (sim: Simulator, serverId: number) =>
    call<SimBackup>(sim.url, BACKUPS, { method: 'POST', body: { server_id: serverId } })
  const restore = (sim: Simulator, serverId: number, backupId: number) =>
    call(sim.url, `/api/v1/servers/${serverId}/restore/`, { method: 'POST', body: { backup_id: backupId } })

  it('setCreateOutcome and setBackupDuration with serverId: that server only, the others as set for all', async () => {
    const sim = simulator()
    sim.setCreateOutcome('failed', { serverId: DB })
    sim.setBackupDuration(60_000, { serverId: WEB })
    const web = (await create(sim, WEB)).json
    const db = (await create(sim, DB)).json
    sim.setCreateOutcome('error')
    sim.setCreateOutcome(null, { serverId: WEB })
    const webAgain = (await create(sim, WEB)).json
    simulator.clock().advance(50)
    expect(sim.backups().map(b => [b.id, b.server.id, b.status])).toEqual([
      [web?.id, WEB, 'in_progress'],
      [db?.id, DB, 'failed'],
      // Still running: its own 60 s. Below, with its own duration 0, it completes despite 'error' for all.
      [webAgain?.id, WEB, 'in_progress']
    ])
    sim.setBackupDuration(0, { serverId: WEB })
    const webQuick = (await create(sim, WEB)).json
    expect(sim.backups().find(b => b.id === webQuick?.id)?.status).toBe('completed')
  })

  it('setRestoreOutcome with serverId: that server ends so, the others as set for all', async () => {
    const sim = simulator()
    const webBackup = sim.addBackup({ serverId: WEB })
    const dbBackup = sim.addBackup({ serverId: DB })
    sim.setRestoreOutcome('error', { serverId: DB })
    sim.setRestoreOutcome('stopped')
    expect((await restore(sim, WEB, webBackup.id)).status).toBe(202)
    expect((await restore(sim, DB, dbBackup.id)).status).toBe(202)
    // restoreDurationMs 0: over as soon as accepted, with no time passing.
    expect(sim.servers().map(s => [s.id, s.status])).toEqual([
      [WEB, 'stopped'],
      [DB, 'error']
    ])
  })

  it('setClockOffset: new backups are stamped by the API clock, and still finish by the machine clock', async () => {
    const sim = simulator()
    const threeDays = 3 * 86_400_000
    sim.setClockOffset(-threeDays)
    const clock = simulator.clock()
    const created = (await create(sim, WEB)).json
    expect(Date.parse(created?.created_at ?? '')).toBe(clock.now() - threeDays)
    // Added backups are as given, whatever the offset.
    expect(sim.addBackup({ serverId: WEB, created_at: '2025-01-01T00:00:00Z' }).created_at).toBe('2025-01-01T00:00:00Z')
    clock.advance(49)
    expect(sim.backups().find(b => b.id === created?.id)?.status).toBe('in_progress')
    clock.advance(1)
    expect(sim.backups().find(b => b.id === created?.id)?.status).toBe('completed')
    expect(() => sim.setClockOffset(1.5)).toThrow(/clockOffsetMs/)
    sim.reset()
    expect(Date.parse((await create(sim, WEB)).json?.created_at ?? '')).toBe(clock.now())
  })

  it("every answer's Date header follows the clock offset; setDateHeader(false) leaves it out", async () => {
    const sim = simulator()
    const clock = simulator.clock()
    const dateOf = async (path: string, init?: CallOptions): Promise<number> =>
      Date.parse((await call(sim.url, path, init)).headers.get('date') ?? '')
    const threeDays = 3 * 86_400_000
    const near = (at: number, ms: number): void => expect(Math.abs(at - ms)).toBeLessThan(1000)
    near(await dateOf(BACKUPS), clock.now())
    sim.setClockOffset(-threeDays)
    near(await dateOf(BACKUPS), clock.now() - threeDays)
    near(await dateOf(BACKUPS, { token: null }), clock.now() - threeDays)
    sim.setClockOffset(threeDays)
    near(await dateOf('/api/v1/servers/'), clock.now() + threeDays)
    expect((await call(sim.url, BACKUPS)).headers.get('date')).toMatch(
      /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/
    )
    sim.setDateHeader(false)
    expect((await call(sim.url, BACKUPS)).headers.get('date')).toBeNull()
    sim.reset()
    near(await dateOf(BACKUPS), clock.now())
  })

  it("setProxyDateOffset moves the Date header only, as a proxy with its own clock: created_at stays the API's", async () => {
    const sim = simulator()
    const clock = simulator.clock()
    const tenYears = 3650 * 86_400_000
    const near = (at: number, ms: number): void => expect(Math.abs(at - ms)).toBeLessThan(1000)
    sim.setProxyDateOffset(tenYears)
    const created = await create(sim, WEB)
    near(Date.parse(created.headers.get('date') ?? ''), clock.now() + tenYears)
    near(Date.parse(created.json?.created_at ?? ''), clock.now())
    sim.setClockOffset(-tenYears)
    near(Date.parse((await call(sim.url, BACKUPS)).headers.get('date') ?? ''), clock.now())
    expect(() => sim.setProxyDateOffset(0.5)).toThrow(/proxyDateOffsetMs/)
    sim.reset()
    near(Date.parse((await call(sim.url, BACKUPS)).headers.get('date') ?? ''), clock.now())
  })

  it('reset() forgets them, and an unknown server is refused', async () => {
    const sim = simulator()
    sim.setCreateOutcome('failed', { serverId: WEB })
    sim.setBackupDuration(60_000, { serverId: WEB })
    sim.setRestoreOutcome('error', { serverId: WEB })
    sim.reset()
    const created = (await create(sim, WEB)).json
    simulator.clock().advance(50)
    expect(sim.backups().find(b => b.id === created?.id)?.status).toBe('completed')
    expect((await restore(sim, WEB, created?.id ?? 0)).status).toBe(202)
    expect(sim.servers().find(s => s.id === WEB)?.status).toBe('active')
    expect(() => sim.setCreateOutcome('failed', { serverId: 999 })).toThrow(/no server 999/)
    expect(() => sim.setBackupDuration(1, { serverId: 999 })).toThrow(/no server 999/)
    expect(() => sim.setRestoreOutcome('error', { serverId: 999 })).toThrow(/no server 999/)
  })
})

describe('faults', () => {
  const simulator = useSimulator()
  const createBody = JSON.stringify({ server_id: WEB })

  it('status: answers the given status and headers to matching requests only, as many times as asked', async () => {
    const sim = simulator()
    sim.fault({ kind: 'status', status: 429, headers: { 'Retry-After': '1' }, method: 'POST', path: BACKUPS, times: 2 })
    expect((await call(sim.url, BACKUPS)).status).toBe(200)
    for (let i = 0; i < 2; i++) {
      const throttled = await call(sim.url, BACKUPS, { method: 'POST', body: { server_id: WEB } })
      expect(throttled).toMatchObject({ status: 429, json: { detail: 'Request was throttled.' } })
      expect(throttled.headers.get('retry-after')).toBe('1')
    }
    expect((await call(sim.url, BACKUPS, { method: 'POST', body: { server_id: WEB } })).status).toBe(201)
    expect(sim.backups()).toHaveLength(1)
    expect(sim.requests.map(r => r.method)).toEqual(['GET', 'POST', 'POST', 'POST'])
  })

  it('status: defaults to 503, comes before authentication, matches paths by RegExp, takes a raw body', async () => {
    const sim = simulator()
    sim.fault({ kind: 'status' })
    sim.fault({ kind: 'status', status: 500, body: '', path: /restore/ })
    expect(await call(sim.url, BACKUPS, { token: null })).toMatchObject({
      status: 503,
      json: { detail: 'Service temporarily unavailable, try again later.' }
    })
    expect(await call(sim.url, `/api/v1/servers/${WEB}/restore/`, { method: 'POST', body: {} })).toMatchObject({
      status: 500,
      text: ''
    })
  })

  it('reset-before: resets the connection and creates nothing', async () => {
    const sim = simulator()
    sim.fault({ kind: 'reset-before' })
    const res = await rawRequest(sim.url + BACKUPS, { method: 'POST', body: createBody })
    expect(res.error).toBe('ECONNRESET')
    expect(sim.backups()).toEqual([])
    expect(sim.requests).toHaveLength(1)
  })

  it('reset-after: creates the backup, then resets the connection', async () => {
    const sim = simulator()
    sim.fault({ kind: 'reset-after' })
    const res = await rawRequest(sim.url + BACKUPS, { method: 'POST', body: createBody })
    expect(res.error).toBe('ECONNRESET')
    expect(sim.backups()).toEqual([expect.objectContaining({ server: expect.objectContaining({ id: WEB }) })])
  })

  it('hang: never answers, and close() still returns promptly', async () => {
    const sim = simulator()
    sim.fault({ kind: 'hang' })
    const pending = rawRequest(sim.url + BACKUPS, { method: 'POST', body: createBody })
    await waitFor(() => sim.requests.length === 1)
    // A request is processed in the same turn it is recorded in, unless a fault takes it.
    expect(sim.backups()).toEqual([])
    const closing = Date.now()
    await sim.close()
    expect(Date.now() - closing).toBeLessThan(1000)
    expect((await pending).error).toBeDefined()
    // Closed, it processes nothing any more.
    expect(sim.backups()).toEqual([])
  })

  it('hang closes the connection once the client half-closes it; blackhole keeps it open', async () => {
    const sim = simulator()
    const halfClose = async (kind: 'hang' | 'blackhole') => {
      sim.fault({ kind })
      const socket = net.connect(Number(new URL(sim.url).port), '127.0.0.1')
      const ended = new Promise<boolean>(resolve => socket.once('end', () => resolve(true)))
      socket.on('error', () => {})
      socket.end(`GET ${BACKUPS} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`)
      const closed = await Promise.race([ended, sleep(500).then(() => false)])
      socket.destroy()
      return closed
    }
    expect(await halfClose('hang')).toBe(true)
    expect(await halfClose('blackhole')).toBe(false)
    expect(sim.requests).toHaveLength(2)
    expect(sim.backups()).toEqual([])
  })

  it('stall-body: processes, announces the real length, sends half the body and stalls', async () => {
    const sim = simulator()
    sim.fault({ kind: 'stall-body' })
    const res = await rawRequest(sim.url + BACKUPS, { method: 'POST', body: createBody, stopAfterMs: 300 })
    expect(res.status).toBe(201)
    expect(res.complete).toBe(false)
    const announced = Number(res.headers['content-length'])
    expect(Buffer.byteLength(res.body)).toBe(Math.floor(announced / 2))
    expect(sim.backups()).toHaveLength(1)
  })

  it('trickle-head: processes, then sends the answer a byte at a time from its status line on', async () => {
    const sim = simulator()
    sim.fault({ kind: 'trickle-head', intervalMs: 5 })
    const socket = net.connect(Number(new URL(sim.url).port), '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.write(
      `POST ${BACKUPS} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${createBody.length}\r\n\r\n${createBody}`
    )
    const text = () => Buffer.concat(chunks).toString()
    const complete = () => {
      const [head = '', body] = text().split('\r\n\r\n')
      const length = /\r\nContent-Length: (\d+)/i.exec(head)?.[1]
      return body !== undefined && length !== undefined && Buffer.byteLength(body) === Number(length)
    }
    await waitFor(complete, 10_000)
    socket.destroy()
    expect(text()).toMatch(/^HTTP\/1\.1 201 Created\r\n/)
    const [head = '', body = ''] = text().split('\r\n\r\n')
    expect(JSON.parse(body)).toMatchObject({ server: { id: WEB } })
    // One byte per write: the head alone came in as many pieces (the kernel may join a few).
    expect(chunks.length).toBeGreaterThan(head.length / 4)
    expect(sim.backups()).toHaveLength(1)
  })

  it('trickle-body: the head at once, then the body a byte at a time; close() ends it promptly', async () => {
    const sim = simulator()
    sim.fault({ kind: 'trickle-body', intervalMs: 5 })
    const res = await rawRequest(sim.url + BACKUPS)
    expect(res).toMatchObject({ status: 200, complete: true })
    expect(JSON.parse(res.body)).toMatchObject({ count: 0, results: [] })

    sim.fault({ kind: 'trickle-body', intervalMs: 1000 })
    const arrived = Date.now()
    const headers = await new Promise<http.IncomingMessage>(resolve =>
      http.get(sim.url + BACKUPS, { headers: { Authorization: `Bearer ${TOKEN}` } }, resolve).on('error', () => {})
    )
    expect(Date.now() - arrived).toBeLessThan(1000)
    expect(Number(headers.headers['content-length'])).toBeGreaterThan(0)
    const closing = Date.now()
    await sim.close()
    expect(Date.now() - closing).toBeLessThan(1000)
    headers.on('error', () => {})
    headers.resume()
  })

  it('html: answers an nginx error page without processing', async () => {
    const sim = simulator()
    sim.fault({ kind: 'html' })
    const res = await call(sim.url, BACKUPS, { method: 'POST', body: { server_id: WEB } })
    expect(res.status).toBe(502)
    expect(res.headers.get('content-type')).toBe('text/html')
    expect(res.text).toContain('<title>502 Bad Gateway</title>')
    expect(res.text).toContain('<center>nginx</center>')
    expect(sim.backups()).toEqual([])
  })

  it('truncated-json: processes and sends a complete response whose JSON is cut', async () => {
    const sim = simulator()
    sim.fault({ kind: 'truncated-json' })
    const res = await rawRequest(sim.url + BACKUPS, { method: 'POST', body: createBody })
    expect(res).toMatchObject({ status: 201, complete: true })
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body))
    expect(() => JSON.parse(res.body) as unknown).toThrow()
    expect(res.body.startsWith('{"id":501')).toBe(true)
    expect(sim.backups()).toHaveLength(1)
  })

  it('redirect: answers a Location without processing; the target is a recorder on 127.0.0.2', async () => {
    const sim = simulator()
    const recorder = await startRecorder()
    try {
      sim.fault({ kind: 'redirect', location: `${recorder.url}${BACKUPS}` })
      const manual = await call(sim.url, BACKUPS, { redirect: 'manual' })
      expect(manual.status).toBe(302)
      expect(manual.headers.get('location')).toBe(`${recorder.url}${BACKUPS}`)

      sim.fault({ kind: 'redirect', status: 307, location: `${recorder.url}${BACKUPS}` })
      const followed = await call(sim.url, BACKUPS, { method: 'POST', body: { server_id: WEB } })
      expect(followed).toMatchObject({ status: 200, json: { count: 0, results: [] } })
      expect(recorder.requests).toEqual([expect.objectContaining({ method: 'POST', path: BACKUPS })])
      expect(sim.backups()).toEqual([])
    } finally {
      await recorder.close()
    }
  })

  it('status-after: creates the backup, then answers a gateway 504 page or the given status and body', async () => {
    const sim = simulator()
    sim.fault({ kind: 'status-after', method: 'POST', path: BACKUPS })
    const res = await call(sim.url, BACKUPS, { method: 'POST', body: { server_id: WEB } })
    expect(res.status).toBe(504)
    expect(res.headers.get('content-type')).toBe('text/html')
    expect(res.text).toContain('<title>504 Gateway Timeout</title>')
    expect(sim.backups()).toEqual([expect.objectContaining({ id: 501, server: expect.objectContaining({ id: WEB }) })])

    sim.fault({ kind: 'status-after', status: 502, body: { detail: 'upstream' }, method: 'DELETE' })
    expect(await call(sim.url, `${BACKUPS}501/`, { method: 'DELETE' })).toMatchObject({
      status: 502,
      json: { detail: 'upstream' }
    })
    expect(sim.backups()).toEqual([])
  })

  it('refuse: drops the matching request, refuses connections for durationMs, then listens on the same port', async () => {
    const sim = simulator()
    // Windows long enough that a busy machine does not blur "during" and "after" the refusal.
    sim.fault({ kind: 'refuse', durationMs: 2000, method: 'POST' })
    const started = Date.now()
    expect((await rawRequest(sim.url + BACKUPS, { method: 'POST', body: createBody })).error).toBe('ECONNRESET')
    expect(sim.backups()).toEqual([])
    expect((await rawRequest(sim.url + BACKUPS)).error).toBe('ECONNREFUSED')
    expect((await rawRequest(sim.url + BACKUPS)).error).toBe('ECONNREFUSED')
    expect(Date.now() - started).toBeLessThan(2000)
    const after = await whileRefused(() => rawRequest(sim.url + BACKUPS, { method: 'POST', body: createBody }))
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000)
    expect(after.status).toBe(201)
    // Refused connections never became requests.
    expect(sim.requests.map(r => r.method)).toEqual(['POST', 'POST'])
  })

  it('refuse, graceful: answers the matching request with Connection: close, then refuses', async () => {
    const sim = simulator()
    const agent = new http.Agent({ keepAlive: true })
    try {
      sim.fault({ kind: 'refuse', graceful: true, durationMs: 1500, method: 'POST' })
      const created = await rawRequest(sim.url + BACKUPS, { method: 'POST', body: createBody, agent })
      expect(created).toMatchObject({ status: 201, complete: true, headers: { connection: 'close' } })
      expect(sim.backups()).toHaveLength(1)
      expect((await rawRequest(sim.url + BACKUPS, { agent })).error).toBe('ECONNREFUSED')
      expect((await whileRefused(() => rawRequest(sim.url + BACKUPS, { agent }))).status).toBe(200)
    } finally {
      agent.destroy()
    }
  })

  it('refuseConnections(): refuses from now, closing kept-alive connections; close() ends a refusal', async () => {
    const sim = simulator()
    const agent = new http.Agent({ keepAlive: true })
    try {
      expect((await rawRequest(sim.url + BACKUPS, { agent })).status).toBe(200)
      const refusing = Date.now()
      await sim.refuseConnections(1500)
      // The agent learns that its kept-alive connection was closed once the FIN arrives.
      await waitFor(() => Object.keys(agent.freeSockets).length === 0)
      expect((await rawRequest(sim.url + BACKUPS, { agent })).error).toBe('ECONNREFUSED')
      expect((await whileRefused(() => rawRequest(sim.url + BACKUPS, { agent }))).status).toBe(200)
      expect(Date.now() - refusing).toBeGreaterThanOrEqual(1500)
      expect(sim.connections).toBe(2)

      await sim.refuseConnections(60_000)
      const closing = Date.now()
      await sim.close()
      expect(Date.now() - closing).toBeLessThan(1000)
      expect((await rawRequest(sim.url + BACKUPS)).error).toBe('ECONNREFUSED')
    } finally {
      agent.destroy()
    }
  })

  it('delay: waits durationMs, then processes and answers normally', async () => {
    const sim = simulator()
    sim.fault({ kind: 'delay', durationMs: 400, method: 'POST' })
    const started = Date.now()
    const pending = call(sim.url, BACKUPS, { method: 'POST', body: { server_id: WEB } })
    await waitFor(() => sim.requests.length === 1)
    // Not processed yet: a slow API acts when it answers.
    expect(sim.backups()).toEqual([])
    expect(await pending).toMatchObject({ status: 201, json: { id: 501 } })
    expect(Date.now() - started).toBeGreaterThanOrEqual(400)
    expect(sim.backups()).toHaveLength(1)
  })

  it('delay: close() ends the wait at once and leaves the request unprocessed', async () => {
    const sim = simulator()
    sim.fault({ kind: 'delay', durationMs: 60_000 })
    const pending = rawRequest(sim.url + BACKUPS, { method: 'POST', body: createBody })
    await waitFor(() => sim.requests.length === 1)
    const closing = Date.now()
    await sim.close()
    expect(Date.now() - closing).toBeLessThan(1000)
    expect((await pending).error).toBeDefined()
    // close() ended the wait as cut short: the request can no longer be processed.
    expect(sim.backups()).toEqual([])
  })

  it('oversized: answers 200 with a JSON body of the given size, announced, and does not process', async () => {
    const sim = simulator()
    sim.fault({ kind: 'oversized', bytes: 1_000_000, method: 'POST' })
    const res = await rawRequest(sim.url + BACKUPS, { method: 'POST', body: createBody })
    expect(res).toMatchObject({ status: 200, complete: true, headers: { 'content-length': '1000000' } })
    expect(Buffer.byteLength(res.body)).toBe(1_000_000)
    expect(JSON.parse(res.body)).toMatchObject({ count: 0, results: [], padding: expect.any(String) })
    expect(sim.backups()).toEqual([])
  })

  it('oversized: 40 MiB by default; chunked sends no Content-Length', async () => {
    const sim = simulator()
    sim.fault({ kind: 'oversized' })
    sim.fault({ kind: 'oversized', bytes: 100_000, chunked: true })
    const big = await fetch(sim.url + BACKUPS, { headers: { Authorization: `Bearer ${TOKEN}` } })
    expect(big.headers.get('content-length')).toBe(String(40 * 1024 * 1024))
    expect((await big.arrayBuffer()).byteLength).toBe(40 * 1024 * 1024)
    const chunked = await rawRequest(sim.url + BACKUPS)
    expect(chunked.headers['content-length']).toBeUndefined()
    expect(chunked.headers['transfer-encoding']).toBe('chunked')
    expect(Buffer.byteLength(chunked.body)).toBe(100_000)
    expect(() => sim.fault({ kind: 'oversized', bytes: 10 })).toThrow(/bytes/)
  })

  it('oversized: a client that stops reading does not keep close() waiting', async () => {
    const sim = simulator()
    sim.fault({ kind: 'oversized' })
    const res = await rawRequest(sim.url + BACKUPS, { stopAfterMs: 0 })
    expect(res.complete).toBe(false)
    const closing = Date.now()
    await sim.close()
    expect(Date.now() - closing).toBeLessThan(1000)
  })

  it('hold: holds the matching request unprocessed until release(), while others are answered', async () => {
    const sim = simulator()
    const { id } = sim.addBackup({ serverId: WEB })
    const held = sim.hold({ method: 'DELETE', path: /^\/api\/v1\/backups\/\d+\/$/ })
    const deleting = call(sim.url, `${BACKUPS}${id}/`, { method: 'DELETE' })
    const arrived = await held.arrived
    expect(arrived).toMatchObject({ method: 'DELETE', path: `${BACKUPS}${id}/` })
    // Held: a later request is answered meanwhile, and the backup is still there.
    expect((await call<Page>(sim.url, BACKUPS)).json?.count).toBe(1)
    expect(sim.backups()).toHaveLength(1)
    held.release()
    expect(await deleting).toMatchObject({ status: 204 })
    expect(sim.backups()).toEqual([])
    // One request only: the next one goes through.
    expect((await call(sim.url, `${BACKUPS}${id}/`, { method: 'DELETE' })).status).toBe(404)
  })

  it('hold and fault with json: only a request whose JSON body holds those fields', async () => {
    const sim = simulator()
    const held = sim.hold({ method: 'POST', path: BACKUPS, json: { server_id: DB } })
    sim.fault({ method: 'POST', path: BACKUPS, json: { server_id: WEB, description: 'refuse me' }, kind: 'status' })
    const db = call(sim.url, BACKUPS, { method: 'POST', body: { server_id: DB, description: 'x' } })
    expect(await held.arrived).toMatchObject({ json: { server_id: DB, description: 'x' } })
    // Not the held one, and not the faulted one either: the description differs.
    expect((await call(sim.url, BACKUPS, { method: 'POST', body: { server_id: WEB } })).status).toBe(201)
    // A body that is not a JSON object never matches.
    expect((await call(sim.url, BACKUPS, { method: 'POST', body: '[12345]' })).status).toBe(400)
    expect(
      (await call(sim.url, BACKUPS, { method: 'POST', body: { server_id: WEB, description: 'refuse me' } })).status
    ).toBe(503)
    expect(sim.backups().map(b => b.server.id)).toEqual([WEB])
    held.release()
    expect((await db).status).toBe(201)
    expect(sim.backups().map(b => b.server.id)).toEqual([WEB, DB])
  })

  it('hold: released before it arrives, the request is not held', async () => {
    const sim = simulator()
    const held = sim.hold({ method: 'GET' })
    held.release()
    expect((await call(sim.url, BACKUPS)).status).toBe(200)
    expect(await held.arrived).toMatchObject({ method: 'GET' })
  })

  it('hold: close() ends promptly with a request held, which stays unprocessed', async () => {
    const sim = simulator()
    const held = sim.hold({ method: 'POST' })
    const pending = rawRequest(sim.url + BACKUPS, { method: 'POST', body: createBody })
    await held.arrived
    const closing = Date.now()
    await sim.close()
    expect(Date.now() - closing).toBeLessThan(1000)
    expect((await pending).error).toBeDefined()
    held.release()
    // close() shut the gate for good: release() after it lets nothing through, even a turn later.
    await new Promise(resolve => setImmediate(resolve))
    expect(sim.backups()).toEqual([])
  })

  it('refuses unknown kinds and redirects without a location, and clearFaults() drops queued faults', async () => {
    const sim = simulator()
    expect(() => sim.fault({ kind: 'explode' as 'hang' })).toThrow(/unknown fault kind/)
    expect(() => sim.fault({ kind: 'redirect' })).toThrow(/location/)
    sim.fault({ kind: 'status' })
    sim.clearFaults()
    expect((await call(sim.url, BACKUPS)).status).toBe(200)
  })
})

describe('connections and lifecycle', () => {
  const simulator = useSimulator()

  it('keeps connections alive between requests', async () => {
    const sim = simulator()
    const agent = new http.Agent({ keepAlive: true })
    try {
      expect((await rawRequest(sim.url + BACKUPS, { agent })).status).toBe(200)
      expect((await rawRequest(sim.url + BACKUPS, { agent })).status).toBe(200)
      expect(sim.connections).toBe(1)
    } finally {
      agent.destroy()
    }
  })

  it('maxOpenConnections: the most connections open at once since start or reset()', async () => {
    const sim = simulator()
    const agent = new http.Agent({ keepAlive: false })
    try {
      const held = [sim.hold({ method: 'GET' }), sim.hold({ method: 'GET' }), sim.hold({ method: 'GET' })]
      const pending = held.map(() => rawRequest(sim.url + BACKUPS, { agent }))
      await Promise.all(held.map(h => h.arrived))
      expect([sim.openConnections, sim.maxOpenConnections, sim.connections]).toEqual([3, 3, 3])
      held.forEach(h => h.release())
      await Promise.all(pending)
      await waitFor(() => sim.openConnections === 0)
      expect(sim.maxOpenConnections).toBe(3)

      sim.reset()
      expect(sim.maxOpenConnections).toBe(0)
      for (let i = 0; i < 2; i++) {
        await rawRequest(sim.url + BACKUPS, { agent })
        await waitFor(() => sim.openConnections === 0)
      }
      expect([sim.maxOpenConnections, sim.connections]).toEqual([1, 2])
    } finally {
      agent.destroy()
    }
  })

  it('reset() clears state but keeps servers and token', async () => {
    const sim = simulator()
    sim.addServer({ id: 777, name: 'extra' })
    sim.addBackup({ serverId: 777 })
    sim.setCreateOutcome('failed')
    await call(sim.url, `/api/v1/servers/777/restore/`, { method: 'POST', body: { backup_id: 501 } })
    sim.fault({ kind: 'status' })
    sim.reset()
    expect([sim.backups(), sim.requests, sim.restores, sim.connections]).toEqual([[], [], [], 0])

    sim.setBackupDuration(0)
    const created = await call<SimBackup>(sim.url, BACKUPS, { method: 'POST', body: { server_id: 777 } })
    expect(created).toMatchObject({ status: 201, json: { id: 501, server: { id: 777, name: 'extra' } } })
    expect(sim.backups()[0].status).toBe('completed')
  })

  it('the recorder listens on 127.0.0.2 and answers with the configured status and body', async () => {
    const recorder = await startRecorder({ status: 418, body: { detail: 'teapot' } })
    try {
      expect(recorder.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/)
      const res = await rawRequest(`${recorder.url}/somewhere/?a=1`, { method: 'POST', body: '{"x":1}' })
      expect(res).toMatchObject({ status: 418, body: '{"detail":"teapot"}', remoteAddress: '127.0.0.2' })
      expect(recorder.requests).toEqual([
        expect.objectContaining({ method: 'POST', path: '/somewhere/', query: { a: '1' }, json: { x: 1 } })
      ])
    } finally {
      await recorder.close()
    }
  })
})
