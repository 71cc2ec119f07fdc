// An API that misbehaves where its documentation leaves room (GitHub issue 8), in process
// (support/in-process.ts): the action's run() through the registry, with a fake runner, against the
// simulator over real HTTP on the same fake clock, with the list
// ignoring its filter, repeating rows across pages, paging slowly or forever, rows it cannot read,
// descriptions stored other than sent, DELETE answered 202, text that is live Markdown, a token
// echoed encoded, and configurations that can never work. What is checked is what the user is
// owed: no other server touched, each backup counted once, one clear line on failure and no
// retry that cannot help, the token nowhere, API text inert. e2e/misbehaving-api.e2e.test.ts keeps the
// token scrubbed on the real process's stdout and files.
import { beforeAll, describe, expect, it } from '@jest/globals'
import {
  errorLines,
  expectOneLineError,
  expectOnlyGets,
  expectTokenNowhere,
  parseJsonOutput,
  warningLines
} from '../support/run-action.js'
import { runInProcess, useInProcessSimulator, type InProcessOptions, type InProcessRun } from '../support/in-process.js'
import { expectVirtualNoLongerThanSaid } from '../support/in-process-time.js'
import { until, within } from '../support/waiting.js'
import { startSimulator, type SimBackup } from '../../tools/simulator/index.js'
import { DB, LIST, PREFIX, WEB, deletePath, ids, restorePath } from '../support/simulator-fixture.js'

/** A token that JSON and URL encoders change: `/`, `"`, `\` and `+`. */
const TOKEN = 'vps_7f/Qz"k\\9+x'
/** A server whose name is Markdown that would render as a link. */
const MARKED = 34567
const MARKED_NAME = '[web](https://evil.example/w)'

// Three rows a page, so that every list is read over several pages.
const { sim, clock } = useInProcessSimulator({ token: TOKEN, pageSize: 3, backupDurationMs: 1000 })
beforeAll(() => {
  sim.addServer({ id: MARKED, name: MARKED_NAME })
})

/** In process, debug lines are always recorded: no ACTIONS_STEP_DEBUG. */
function run(inputs: Record<string, string>, options: InProcessOptions = {}): Promise<InProcessRun> {
  return runInProcess(
    {
      'api-token': TOKEN,
      'api-url': sim.url,
      'poll-interval': '1s',
      'request-timeout': '5s',
      timeout: '30s',
      ...inputs
    },
    { clock, ...options }
  )
}

function add(serverId: number, description: string, createdAt: string, extra: Partial<SimBackup> = {}): SimBackup {
  return sim.addBackup({ serverId, description, created_at: createdAt, ...extra })
}

const requests = (method: string): string[] =>
  sim.requests.filter(r => r.method === method).map(r => `${r.method} ${r.path}`)

/** The backups of one page of the simulator's list, read directly (the order is stable between reads). */
async function pageOfList(page: number, query = ''): Promise<SimBackup[]> {
  const separator = query ? '&' : '?'
  const res = await fetch(`${sim.url}${LIST}${query}${page > 1 ? `${separator}page=${page}` : ''}`, {
    headers: { authorization: `Bearer ${TOKEN}` }
  })
  return ((await res.json()) as { results: SimBackup[] }).results
}

/** Starts a backup through the API itself, so that it goes from in_progress to completed. */
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

describe('a list that ignores server_id: every backup acted on is checked by its own server.id', () => {
  const ignoredFilter = (path: string, count: number): string =>
    `GET ${path} answered with ${count} backup${count === 1 ? ' that does' : 's that do'} not match its filter; the API ` +
    '(or a cache in front of it) ignored the filter: they are left out and never acted on'

  it('restore with server-id refuses the backup of another server the list handed back, restoring nothing', async () => {
    sim.setListQuirks({ ignoreServerFilter: true })
    add(WEB, `${PREFIX}: web`, '2025-03-01T10:00:00Z')
    const theirs = add(DB, `${PREFIX}: db`, '2025-03-02T10:00:00Z')

    const result = await run({ command: 'restore', 'server-id': String(WEB), 'backup-id': String(theirs.id) })

    expectOneLineError(result)
    expect(errorLines(result.log)).toEqual([
      `backup ${theirs.id} belongs to server db-server-01 (${DB}), not server ${WEB}; restore refused`
    ])
    expect(warningLines(result.log)).toEqual([ignoredFilter(`${LIST}?server_id=${WEB}`, 1)])
    expectOnlyGets(sim.requests)
    expect(sim.restores).toEqual([])
    expect(result.outputs).toEqual({})
    expectTokenNowhere(result, TOKEN)
  })

  it('delete with server-id refuses the backup of another server the list handed back, deleting nothing', async () => {
    sim.setListQuirks({ ignoreServerFilter: true })
    const theirs = add(DB, `${PREFIX}: db`, '2025-03-02T10:00:00Z')

    const result = await run({ command: 'delete', 'server-id': String(WEB), 'backup-id': String(theirs.id) })

    expectOneLineError(result)
    expect(errorLines(result.log)).toEqual([
      `backup ${theirs.id} belongs to server db-server-01 (${DB}), not server ${WEB}; nothing was deleted`
    ])
    expectOnlyGets(sim.requests)
    expect(ids(sim.backups())).toEqual([theirs.id])
  })

  it("backup-id latest picks the server's own newest backup, not a newer one of another server", async () => {
    sim.setListQuirks({ ignoreServerFilter: true })
    const own = add(WEB, `${PREFIX}: web`, '2025-03-01T10:00:00Z')
    add(DB, `${PREFIX}: db, newer`, '2025-03-09T10:00:00Z')

    const result = await run({ command: 'restore', 'server-id': String(WEB), 'backup-id': 'latest', wait: 'false' })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(requests('POST')).toEqual([`POST ${restorePath(WEB)}`])
    expect(sim.restores).toEqual([{ serverId: WEB, backupId: own.id, at: expect.any(Number) }])
    expect(result.outputs['backup-id']).toBe(String(own.id))
  })

  it("list with server-id shows only that server's backups, and says once that the filter was ignored", async () => {
    sim.setListQuirks({ ignoreServerFilter: true })
    const own = [add(WEB, 'one', '2025-03-01T10:00:00Z'), add(WEB, 'two', '2025-03-02T10:00:00Z')]
    for (let day = 3; day <= 6; day++) add(DB, `db ${day}`, `2025-03-0${day}T10:00:00Z`)

    const result = await run({ command: 'list', 'server-id': String(WEB) })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.outputs.count).toBe('2')
    expect(ids(parseJsonOutput<SimBackup[]>(result, 'backups'))).toEqual(ids(own))
    expect(warningLines(result.log)).toEqual([ignoredFilter(`${LIST}?server_id=${WEB}`, 4)])
  })
})

// -------------------------------------------------------------------------------------------------

describe('a backup listed on two pages counts once (the copy read last wins)', () => {
  it('list: each backup once, with its status as the later page gave it', async () => {
    sim.setListQuirks({ duplicateAcrossPages: true })
    // Page 1 is read the moment the backups start; pages 2 and 3 once they have completed: page 2
    // is answered 1.3 s of virtual time after it was asked for (the backups take 1 s).
    const firstPage = sim.hold({ method: 'GET', path: LIST })
    const secondPage = sim.hold({ method: 'GET', path: LIST })
    const listing = run({ command: 'list' })
    await within(firstPage.arrived, 'the list is read')
    const started: SimBackup[] = []
    for (let i = 1; i <= 7; i++) started.push(await startBackupDirectly(WEB, `${PREFIX}: ${i}`))
    firstPage.release()
    await within(secondPage.arrived, 'page 2 is read')
    clock.advance(1300)
    secondPage.release()
    const result = await listing

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(requests('GET')).toEqual([`GET ${LIST}`, `GET ${LIST}`, `GET ${LIST}`])
    const listed = parseJsonOutput<SimBackup[]>(result, 'backups')
    expect(ids(listed)).toEqual(ids(started))
    expect(result.outputs.count).toBe('7')
    // Only the first page's rows not repeated on the second were last read while in progress.
    const [first, second, repeated] = (await pageOfList(1)).map(b => b.id) as [number, number, number]
    const statuses = Object.fromEntries(listed.map(b => [b.id, b.status]))
    expect(statuses).toEqual(
      Object.fromEntries(started.map(b => [b.id, [first, second].includes(b.id) ? 'in_progress' : 'completed']))
    )
    expect(statuses[repeated]).toBe('completed')
    expect(result.summary.match(/^\| \d+ \|/gm)).toHaveLength(7)
  })

  it('keep deletes exactly the backups beyond keep, each once, however often the list repeats them', async () => {
    sim.setListQuirks({ duplicateAcrossPages: true })
    // Ids 501-505; the list's order puts 504, the newest of them, last on page 1, so page 2 repeats it.
    const old = [
      add(WEB, `${PREFIX}: 1`, '2025-03-01T10:00:00Z'),
      add(WEB, `${PREFIX}: 2`, '2025-03-02T10:00:00Z'),
      add(WEB, `${PREFIX}: 3`, '2025-03-03T10:00:00Z'),
      add(WEB, `${PREFIX}: 5`, '2025-03-05T10:00:00Z'),
      add(WEB, `${PREFIX}: 4`, '2025-03-04T10:00:00Z')
    ]
    expect(old.map(b => b.id)).toEqual([501, 502, 503, 504, 505])
    // The new backup (506) sorts after page 1, which stays the same.
    expect((await pageOfList(1, `?server_id=${WEB}`)).map(b => b.id)).toEqual([505, 502, 504])
    const from = sim.requests.length

    const result = await run({ 'server-id': String(WEB), keep: '3', description: `${PREFIX}: new` })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    const created = Number(result.outputs['backup-id'])
    expect(created).toBe(506)
    // keep 3: the new backup and the two newest old ones (504 on the 5th, 505 on the 4th) stay.
    const pages = sim.requests.slice(from).filter(r => r.method === 'GET' && r.path === LIST)
    expect(pages.filter(r => r.query.page === '2').length).toBeGreaterThanOrEqual(1)
    expect(requests('DELETE')).toEqual([501, 502, 503].map(id => `DELETE ${deletePath(id)}`))
    expect(parseJsonOutput(result, 'deleted-ids')).toEqual([501, 502, 503])
    expect(ids(sim.backups())).toEqual([504, 505, created])
  })
})

// -------------------------------------------------------------------------------------------------

describe('an uncertain create is reconciled with the description as the API stored it', () => {
  const long = `${PREFIX}: acme/shop@3f1c2d9 (run 7) ${'release notes '.repeat(25)}`.trim()
  it.each([
    ['cut to 255 characters', { descriptionMaxLength: 255 }, long, long.slice(0, 255)],
    [
      'with its \\r\\n line endings made \\n',
      { normaliseLineEndings: true },
      `${PREFIX}: release 1.2\r\nsecond line\r\nthird`,
      `${PREFIX}: release 1.2\nsecond line\nthird`
    ]
  ])('stored %s: the reset create is adopted, one POST, one backup', async (_name, storage, description, stored) => {
    sim.setDescriptionStorage(storage)
    sim.fault({ method: 'POST', path: LIST, kind: 'reset-after' })
    const before = add(WEB, `${PREFIX}: an earlier run`, '2025-03-01T10:00:00Z')

    const result = await run({ 'server-id': String(WEB), description, wait: 'false' })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(requests('POST')).toEqual([`POST ${LIST}`])
    const made = sim.backups().filter(b => b.id !== before.id)
    expect(made.map(b => b.description)).toEqual([stored])
    expect(result.outputs['backup-id']).toBe(String(made[0]?.id))
    expect(result.log).toContain(
      `Backup ${made[0]?.id} was created by that request; using it instead of creating another`
    )
  })

  it('two runs with one fixed description, one create uncertain: that run names both new backups and adopts neither', async () => {
    const description = `${PREFIX}: nightly release`
    const inputs = { 'server-id': String(WEB), description, wait: 'false' }
    // A's create waits until B has listed the server's backups (before either was made).
    const createOfA = sim.hold({ method: 'POST', path: LIST })
    const runningA = run(inputs)
    await within(createOfA.arrived, 'A sends its create request')
    // B's create is made, but a gateway answers 502: B must find out whether it worked.
    sim.fault({ method: 'POST', path: LIST, kind: 'status-after', status: 502 })
    // Virtual time stands still until B's look is held below: its 2 s wait cannot end before.
    let lookHeld: () => void = () => {}
    void clock.hold(new Promise<void>(resolve => (lookHeld = resolve)))
    const runningB = run(inputs)
    await until("B's create is made", () => sim.backups().length === 1)
    const [{ id: b }] = sim.backups() as [SimBackup]
    // Held before B looks (it waits 2 s), and let go once A's backup is there too.
    const lookOfB = sim.hold({ method: 'GET', path: LIST })
    lookHeld()
    createOfA.release()
    const resultA = await within(runningA, 'run A ends')
    await within(lookOfB.arrived, 'B looks for its backup')
    lookOfB.release()
    const resultB = await within(runningB, 'run B ends')

    const a = Number(resultA.outputs['backup-id'])
    expect(resultA.exitCode).toBe(0)
    expect(a).toBeGreaterThan(b)
    const error = expectOneLineError(resultB, String(a), String(b), /2 new backups with its description/)
    expect(error).toMatch(/^creating the backup of server 12345 may or may not have worked/)
    expect(error).toContain('does not guess which is its own')
    expect(resultB.outputs['backup-id']).toBeUndefined()
    // No third backup, and both stay for a person to sort out.
    expect(requests('POST')).toEqual([`POST ${LIST}`, `POST ${LIST}`])
    expect(ids(sim.backups())).toEqual(ids([{ id: a }, { id: b }]))
  })
})

// -------------------------------------------------------------------------------------------------

describe('paging is bounded', () => {
  it('obeys timeout between pages of a slow list', async () => {
    for (let i = 0; i < 45; i++)
      add(i % 2 ? WEB : DB, `backup ${i}`, '2025-03-01T10:00:00Z', { backup_type: 'automatic' })
    const listing = run({ command: 'list', timeout: '2s' })
    // A slow API: each page is answered 400 ms of virtual time after it was asked for.
    const ended = listing.then(() => undefined)
    for (;;) {
      const page = sim.hold({ method: 'GET', path: LIST })
      const arrived = await Promise.race([page.arrived, ended])
      if (arrived === undefined) break
      clock.advance(400)
      page.release()
    }
    const result = await listing

    expectOneLineError(
      result,
      /^reading the backup list \(GET \/api\/v1\/backups\/\): the 2s timeout ran out after \d+ pages$/
    )
    // 15 pages would take 6 s: the timeout stops the paging after the page that reached it.
    expect(requests('GET').length).toBeLessThan(15)
    expect(result.virtualMs).toBeLessThan(2000 + 1000)
    expect(result.outputs).toEqual({})
  })

  it('stops an endless next chain at 100,000 backups with one error line', async () => {
    sim.setListQuirks({ nextChain: 'endless', endlessRowsPerPage: 1000 })

    const result = await run({ command: 'list', timeout: '60s' })

    expect(result.exitCode).toBe(1)
    expect(errorLines(result.log)).toEqual([
      `reading the backup list (GET ${LIST}): more than 100000 backups; the API's paging is broken`
    ])
    // Page 1 holds no backup; pages 2 to 101 hold 100,000; page 102 is one too many.
    expect(requests('GET')).toHaveLength(102)
    expect(result.outputs).toEqual({})
  })

  it('sees a loop in next links that differ only in their #fragment', async () => {
    sim.setListQuirks({ nextChain: 'fragment' })
    add(WEB, 'one', '2025-03-01T10:00:00Z')

    const result = await run({ command: 'list' })

    expect(result.exitCode).toBe(1)
    expect(errorLines(result.log)).toEqual([
      `reading the backup list (GET ${LIST}): its next links loop (back to ${LIST})`
    ])
    expect(requests('GET')).toEqual([`GET ${LIST}`])
  })
})

// -------------------------------------------------------------------------------------------------

describe('DELETE answered 202 Accepted is a deletion', () => {
  it('delete: the backup is reported deleted', async () => {
    sim.setDeleteStatus(202)
    const backup = add(WEB, `${PREFIX}: old`, '2025-03-01T10:00:00Z')

    const result = await run({ command: 'delete', 'backup-id': String(backup.id) })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(requests('DELETE')).toEqual([`DELETE ${deletePath(backup.id)}`])
    expect(parseJsonOutput(result, 'deleted-ids')).toEqual([backup.id])
    expect(result.log).toContain(`Deleted backup ${backup.id} of server web-server-01 (${WEB})`)
    expect(sim.backups()).toEqual([])
  })

  it('keep: the old backup is reported deleted', async () => {
    sim.setDeleteStatus(202)
    const backup = add(WEB, `${PREFIX}: old`, '2025-03-01T10:00:00Z')

    const result = await run({ 'server-id': String(WEB), keep: '1', description: `${PREFIX}: new` })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(requests('DELETE')).toEqual([`DELETE ${deletePath(backup.id)}`])
    expect(parseJsonOutput(result, 'deleted-ids')).toEqual([backup.id])
    expect(ids(sim.backups())).toEqual([Number(result.outputs['backup-id'])])
  })
})

// -------------------------------------------------------------------------------------------------

describe('configuration that cannot work fails at once, in one line, without retrying', () => {
  it('http://[::1]:PORT, the IPv6 loopback, is an api-url that works', async () => {
    const v6 = await startSimulator({ host: '::1', token: TOKEN })
    try {
      const backup = v6.addBackup({ serverId: WEB, description: 'over IPv6' })
      expect(v6.url).toMatch(/^http:\/\/\[::1\]:\d+$/)

      const result = await run({ command: 'list', 'api-url': v6.url })

      expect(errorLines(result.log)).toEqual([])
      expect(result.exitCode).toBe(0)
      expect(result.outputs.count).toBe('1')
      expect(ids(parseJsonOutput<SimBackup[]>(result, 'backups'))).toEqual([backup.id])
      expect(v6.requests.map(r => `${r.method} ${r.path}`)).toEqual([`GET ${LIST}`])
    } finally {
      await v6.close()
    }
  })

  // 600h is 25 days: a Node.js timer holds at most about 24.8, and a longer one fires at once.
  it.each([
    ['request-timeout', { 'request-timeout': '600h' }],
    [
      'timeout (with request-timeout as long, so that no shorter limit caps a request)',
      { timeout: '600h', 'request-timeout': '600h' }
    ]
  ])('%s longer than a timer can hold is refused before any request', async (name, durations) => {
    const result = await run({ command: 'list', ...durations })

    expectOneLineError(result)
    expect(errorLines(result.log)).toEqual([`${name.split(' ')[0]} must be at most 24h, got "600h"`])
    expect(sim.requests).toEqual([])
  })

  it('https to a plain http port: TLS failed, try plain http, after one attempt', async () => {
    const result = await run({ command: 'list', 'api-url': sim.url.replace('http:', 'https:') })

    expectOneLineError(result)
    expect(errorLines(result.log)).toEqual([
      `GET ${LIST}: TLS failed (the server did not answer with TLS); api-url may be a plain http server: check its scheme`
    ])
    expect(sim.connections).toBe(1)
    expectVirtualNoLongerThanSaid(result)
  })

  it.each([
    ['a character outside Latin-1, which Node.js refuses in a header', 'vps_€uro'],
    ['a character outside ASCII, which Node.js would send as a byte the API never issued', 'vps_tökén']
  ])('a token holding %s is refused before any request, and not echoed', async (_name, token) => {
    const result = await run({ command: 'list', 'api-token': token })

    expectOneLineError(result)
    expect(errorLines(result.log)).toEqual([
      'api-token holds white space, a control character or a character outside ASCII, which an HTTP header cannot ' +
        'carry as the token; copy the token again'
    ])
    expect(sim.requests).toEqual([])
    expect(sim.connections).toBe(0)
    expectTokenNowhere(result, token)
  })

  it.each([
    ['announced in Content-Length', false],
    ['sent chunked, so only counted', true]
  ])('an answer over the size limit, %s, names the limit and is not fetched again', async (_name, chunked) => {
    sim.fault({ method: 'GET', path: LIST, kind: 'oversized', chunked, times: 10 })

    const result = await run({ command: 'list' })

    expectOneLineError(result)
    expect(errorLines(result.log)).toEqual([
      `GET ${LIST}: the answer is larger than the limit of 32 MiB; this is not an answer of the VPS.org API: check api-url`
    ])
    expect(requests('GET')).toEqual([`GET ${LIST}`])
  })
})

// -------------------------------------------------------------------------------------------------

describe('the token is scrubbed in every form an encoder gives it', () => {
  const json = JSON.stringify(TOKEN).slice(1, -1)
  const unicode = [...TOKEN].map(c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')
  it.each([
    ['JSON-escaped in a 401 detail', { kind: 'status', status: 401, body: { detail: `Invalid token "${TOKEN}".` } }],
    [
      'with escaped slashes in a 403 detail',
      {
        kind: 'status',
        status: 403,
        body: `{"detail": "token ${json.replace(/\//g, '\\/')} may not list"}`,
        headers: { 'Content-Type': 'application/json' }
      }
    ],
    [
      'as \\u escapes in a 400 field error',
      {
        kind: 'status',
        status: 400,
        body: `{"token": ["${unicode} is not valid here"]}`,
        headers: { 'Content-Type': 'application/json' }
      }
    ],
    [
      'URL-encoded in a proxy page',
      {
        kind: 'status',
        status: 403,
        body: `<html><body>Denied: /login?token=${encodeURIComponent(TOKEN)}</body></html>`,
        headers: { 'Content-Type': 'text/html' }
      }
    ],
    [
      'URL-encoded in a redirect',
      { kind: 'redirect', status: 302, location: `https://elsewhere.example/t/${encodeURIComponent(TOKEN)}/` }
    ]
  ] as const)('echoed %s: the error line shows *** instead', async (_name, fault) => {
    sim.fault({ method: 'GET', path: LIST, ...fault })

    const result = await run({ command: 'list' })

    const error = expectOneLineError(result, String(fault.status), `GET ${LIST}`)
    expect(error).toContain('***')
    expectTokenNowhere(result, TOKEN)
    expect(requests('GET')).toEqual([`GET ${LIST}`])
  })
})

// -------------------------------------------------------------------------------------------------

describe('text from the API is inert in the job summary', () => {
  const LINK = '[Restore now](https://evil.example/x)'
  const IMAGE = '![pixel](https://evil.example/p.png)'
  const HTML = '<img src="https://evil.example/h.png">'

  /** The summary as GitHub renders it, less its code spans: links, images and HTML would live here. */
  function outsideCodeSpans(markdown: string): string {
    return markdown.replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, '')
  }

  function expectInert(summary: string, ...texts: string[]): void {
    expect(summary).not.toBe('')
    expect(outsideCodeSpans(summary)).not.toMatch(/\]\(|!\[|<img|evil\.example/)
    for (const text of texts) expect(summary).toContain(`\`${text}\``)
  }

  it('list: descriptions and server names are code spans', async () => {
    add(MARKED, LINK, '2025-03-01T10:00:00Z')
    add(WEB, IMAGE, '2025-03-02T10:00:00Z')
    add(WEB, HTML, '2025-03-03T10:00:00Z')

    const result = await run({ command: 'list' })

    expect(result.exitCode).toBe(0)
    expectInert(result.summary, LINK, IMAGE, HTML, `${MARKED_NAME} (${MARKED})`)
  })

  it('create: the description and server name are code spans', async () => {
    const result = await run({ 'server-id': String(MARKED), description: `${PREFIX}: ${LINK}`, wait: 'false' })

    expect(result.exitCode).toBe(0)
    expectInert(result.summary, `${PREFIX}: ${LINK}`, `${MARKED_NAME} (${MARKED})`)
  })

  it('restore: the description and server name are code spans', async () => {
    const backup = add(MARKED, `${IMAGE} ${LINK}`, '2025-03-01T10:00:00Z')

    const result = await run({ command: 'restore', 'backup-id': String(backup.id), wait: 'false' })

    expect(result.exitCode).toBe(0)
    expect(sim.restores).toEqual([{ serverId: MARKED, backupId: backup.id, at: expect.any(Number) }])
    expectInert(result.summary, `${IMAGE} ${LINK}`, `${MARKED_NAME} (${MARKED})`)
  })
})

// -------------------------------------------------------------------------------------------------

describe('a malformed row that is not the backup asked for is skipped with one warning', () => {
  const BROKEN = { id: 900, server: null, backup_type: 'manual', status: 'completed', description: 'broken' }
  const skipped =
    'Skipped 1 row of the backup list (ids 900) that is not a usable backup (no id, status or server id), ' +
    `e.g. ${JSON.stringify(BROKEN)}; never acted on`

  it('list: every other backup is listed', async () => {
    sim.addRawListRow(BROKEN)
    const good = [add(WEB, 'one', '2025-03-01T10:00:00Z'), add(DB, 'two', '2025-03-02T10:00:00Z')]

    const result = await run({ command: 'list' })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.outputs.count).toBe('2')
    expect(ids(parseJsonOutput<SimBackup[]>(result, 'backups'))).toEqual(ids(good))
    expect(warningLines(result.log)).toEqual([skipped])
  })

  it('restore without server-id: the backup asked for is restored', async () => {
    sim.addRawListRow(BROKEN)
    const backup = add(DB, `${PREFIX}: db`, '2025-03-02T10:00:00Z')

    const result = await run({ command: 'restore', 'backup-id': String(backup.id), wait: 'false' })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(sim.restores).toEqual([{ serverId: DB, backupId: backup.id, at: expect.any(Number) }])
    expect(warningLines(result.log)).toEqual([skipped])
  })

  it('restore of the malformed row itself: not found, nothing restored', async () => {
    sim.addRawListRow(BROKEN)

    const result = await run({ command: 'restore', 'backup-id': '900' })

    expectOneLineError(result)
    expect(errorLines(result.log)).toEqual(['backup 900 not found; restore refused'])
    expect(warningLines(result.log)).toEqual([skipped])
    expectOnlyGets(sim.requests)
    expect(sim.restores).toEqual([])
  })

  it('create: a malformed row of the server, listed at every status check, is warned of once', async () => {
    sim.addRawListRow(BROKEN, { serverId: WEB })

    const result = await run({ 'server-id': String(WEB), description: `${PREFIX}: new` })

    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.outputs.status).toBe('completed')
    // The list before creating, and at least one status check.
    expect(requests('GET').filter(r => r === `GET ${LIST}`).length).toBeGreaterThanOrEqual(2)
    expect(warningLines(result.log)).toEqual([skipped])
  })
})
