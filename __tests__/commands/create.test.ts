/**
 * The main job, in process (support/in-process.ts): the action's run() through the registry, with
 * a fake runner and a fake clock, against the simulator over real HTTP on the same clock. What
 * only a process shows is in the *.e2e tests.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator } from '../../tools/simulator/index.js'
import { createServer } from 'node:net'
import {
  FakeClock,
  runInProcess as runAction,
  type InProcessOptions,
  type InProcessRun
} from '../support/in-process.js'
import { expectOneLineError, expectTokenNowhere, visibleLog, warningLines } from '../support/run-action.js'
import { TOKEN } from '../support/simulator-fixture.js'

let sim: Simulator
/** The file's virtual time: the simulator's backups complete on it, the action waits on it. */
const clock = new FakeClock()
const now = (): number => clock.now()

beforeAll(async () => {
  sim = await startSimulator({ token: TOKEN, backupDurationMs: 1500, now })
})
afterAll(() => sim.close())
beforeEach(() => {
  sim.reset()
  sim.setBackupDuration(1500)
})

/** In process, debug lines are always recorded (as @actions/core writes them): no ACTIONS_STEP_DEBUG. */
function create(inputs: Record<string, string> = {}, options: InProcessOptions = {}): Promise<InProcessRun> {
  return runAction(
    { 'api-token': TOKEN, 'api-url': sim.url, 'server-id': '12345', 'poll-interval': '1s', ...inputs },
    { clock, ...options }
  )
}

/** A loopback port nothing listens on: taken, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise(resolve => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

describe('create', () => {
  it('creates a backup, waits until it is completed and hands its id on', async () => {
    const run = await create()
    expect(run.exitCode).toBe(0)

    const posts = sim.requests.filter(r => r.method === 'POST')
    expect(posts).toHaveLength(1)
    expect(posts[0]?.path).toBe('/api/v1/backups/')
    expect(posts[0]?.json).toEqual({
      server_id: 12345,
      description: 'Pre-deploy backup: acme/shop@3f1c2d9 (run 9876543210)'
    })
    expect(posts[0]?.headers['content-type']).toBe('application/json')
    for (const request of sim.requests) expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`)

    const [backup] = sim.backups()
    expect(sim.backups()).toHaveLength(1)
    expect(backup?.status).toBe('completed')
    expect(run.outputs['backup-id']).toBe(String(backup?.id))
    expect(run.outputs.status).toBe('completed')
    expect(run.outputs['size-mb']).toBe(String(backup?.size_mb))
    expect(run.outputs['created-at']).toBe(backup?.created_at)
    expect(run.outputs['server-id']).toBe('12345')
    expect(run.outputs['server-name']).toBe('web-server-01')
    expect(JSON.parse(run.outputs.backup ?? '')).toMatchObject({
      id: backup?.id,
      status: 'completed',
      server: { id: 12345 }
    })
    // As last listed: the create answer's message belongs to the moment the backup started.
    expect(JSON.parse(run.outputs.backup ?? '')).not.toHaveProperty('message')

    // Followed through the documented list endpoint, filtered, never a per-backup endpoint.
    // One read of the server before creating (is a restore of it running?), then the backup list.
    expect(sim.requests.filter(r => r.path.startsWith('/api/v1/servers/')).map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/servers/12345/'
    ])
    const gets = sim.requests.filter(r => r.method === 'GET' && r.path === '/api/v1/backups/')
    expect(gets.length).toBeGreaterThanOrEqual(2)
    for (const get of gets) {
      expect(get.path).toBe('/api/v1/backups/')
      expect(get.query).toMatchObject({ server_id: '12345', backup_type: 'manual' })
    }
    expect(run.log).toMatch(new RegExp(`Backup ${backup?.id}: in_progress → completed after \\d+s`))
    expect(run.log).toMatch(new RegExp(`^::notice title=VPS.org backup ${backup?.id}::.*${backup?.id}`, 'm'))
    expect(run.summary).toContain(`| Backup ID | ${backup?.id} |`)
    expect(run.summary).toContain('| Status | `completed` |')
    expect(run.summary).toMatch(/\| Wait \| \d+s \|/)
    expect(run.summary).toContain('command: restore')
    expect(run.summary).toContain(`backup-id: ${backup?.id}`)
    expectTokenNowhere(run, TOKEN)
  })

  it('sends the description as given', async () => {
    const run = await create({ description: 'Before release 2.4 — "quoted" & <b>' })
    expect(run.exitCode).toBe(0)
    expect(sim.requests.find(r => r.method === 'POST')?.json).toMatchObject({
      description: 'Before release 2.4 — "quoted" & <b>'
    })
    // Text from the API is an inert code span in the summary: shown as it is, never HTML.
    expect(run.summary).toContain('| Description | `Before release 2.4 — "quoted" & <b>` |')
  })

  it('with wait: false returns as soon as the API accepted the backup', async () => {
    sim.setBackupDuration(60_000)
    const run = await create({ wait: 'false' })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.status).toBe('in_progress')
    expect(run.outputs['backup-id']).toBe(String(sim.backups()[0]?.id))
    // The backup as the API answered the create request, its message included.
    expect(JSON.parse(run.outputs.backup ?? '')).toMatchObject({
      id: sim.backups()[0]?.id,
      status: 'in_progress',
      message: expect.stringContaining('Backup is being created')
    })
    expect(sim.requests.filter(r => r.method === 'POST')).toHaveLength(1)
    // Before creating, one GET of the server (is a restore of it running?), then one of the list
    // (the limit check); none to follow the backup.
    expect(sim.requests.filter(r => r.method === 'GET').map(r => r.path)).toEqual([
      '/api/v1/servers/12345/',
      '/api/v1/backups/'
    ])
    // No pause at all: it returned as soon as the create was answered.
    expect(run.virtualMs).toBe(0)
  })

  it('finds the backup by id across pages, whatever the list order', async () => {
    const paged = await startSimulator({ token: TOKEN, backupDurationMs: 1500, pageSize: 2, now })
    try {
      for (let i = 0; i < 7; i++)
        paged.addBackup({ serverId: 12345, description: `old ${i}`, created_at: `2026-01-0${i + 1}T00:00:00Z` })
      const run = await runAction(
        { 'api-token': TOKEN, 'api-url': paged.url, 'server-id': '12345', 'poll-interval': '1s' },
        { clock }
      )
      expect(run.exitCode).toBe(0)
      const created = paged.backups().find(b => b.description.startsWith('Pre-deploy backup'))
      expect(run.outputs['backup-id']).toBe(String(created?.id))
      expect(run.outputs.status).toBe('completed')
      expect(paged.requests.some(r => r.method === 'GET' && r.query.page === '4')).toBe(true)
    } finally {
      await paged.close()
    }
  })

  it('fails naming the backup and its status when the backup fails, with backup-id already output', async () => {
    sim.setCreateOutcome('failed')
    const run = await create()
    const id = sim.backups()[0]?.id
    expectOneLineError(run, new RegExp(`backup ${id} of server 12345 ended with status "failed"`))
    expect(run.outputs['backup-id']).toBe(String(id))
    // The status last seen, not the create answer's in_progress.
    expect(run.outputs.status).toBe('failed')
    expect(JSON.parse(run.outputs.backup ?? '')).toMatchObject({ id, status: 'failed' })
  })

  it('fails when the backup disappears from the list while waiting', async () => {
    sim.setBackupDuration(30_000)
    // Delete it through the API, as a person in the panel would, once the action says it started;
    // virtual time stands still meanwhile, so the backup has not completed by then.
    let deleted: Promise<Response> | undefined
    const started = /^Backup (\d+) of server .* started/m
    const run = await create(
      {},
      {
        echo: line => {
          const found = started.exec(line)?.[1]
          if (found === undefined || deleted) return
          deleted = clock.hold(
            fetch(`${sim.url}/api/v1/backups/${found}/`, {
              method: 'DELETE',
              headers: { authorization: `Bearer ${TOKEN}` }
            })
          )
        }
      }
    )
    const answer = await deleted
    expect(answer?.status).toBe(204)
    const id = Number(started.exec(run.log)?.[1])
    expectOneLineError(run, new RegExp(`backup ${id} of server 12345 is no longer listed`))
    expect(run.outputs['backup-id']).toBe(String(id))
  })

  it('times out saying after how long, with backup-id already output', async () => {
    sim.setBackupDuration(120_000)
    const run = await create({ timeout: '3s' })
    const id = sim.backups()[0]?.id
    expectOneLineError(run, new RegExp(`timed out after 3s waiting for backup ${id} of server 12345 .*in_progress`))
    expect(run.outputs['backup-id']).toBe(String(id))
    // It gave up at the timeout, on the fake clock: 3 s after the start, not a round later.
    expect(run.virtualMs).toBe(3000)
  })
})

describe('inputs are validated before any request', () => {
  // Every rule is tested in process (commands/registry.test.ts); here, what the runner shows of it.
  it.each([
    [{ 'server-id': 'web-01' }, /^server-id must be a positive integer, got "web-01"$/],
    [{ 'backup-id': '5' }, /^backup-id is not used by command create; remove it or set the right command$/],
    [{ 'request-timeout': '30d' }, /^request-timeout must be at most 24h, got "30d"$/]
  ])('%p: one line, nothing sent, no output', async (inputs, message) => {
    const run = await create(inputs)
    expectOneLineError(run, message)
    expect(sim.requests).toHaveLength(0)
    expect(run.outputs).toEqual({})
  })

  it('a token that cannot be sent in a header: refused before any request, and not echoed', async () => {
    const run = await create({ 'api-token': 'vps_tökén-secret' })
    expectOneLineError(run, /^api-token holds .*copy the token again$/)
    expect(visibleLog(run.log)).not.toContain('tökén')
    expect(sim.requests).toHaveLength(0)
  })
})

describe('API errors are one clear line', () => {
  it('a server not in the server list: refused before any POST or DELETE, saying server-id may be wrong', async () => {
    const run = await create({ 'server-id': '999', keep: '2' })
    expectOneLineError(
      run,
      /^server 999 is not in the VPS\.org server list of this token's account: server-id may be wrong; nothing was changed$/
    )
    expect(sim.requests.map(r => r.method)).not.toContain('POST')
    expect(sim.requests.map(r => r.method)).not.toContain('DELETE')
  })

  it('a server not in the list, with a token that may not read servers: as before, the API says 404 to the POST', async () => {
    sim.setServerReads({ forbidden: true })
    const run = await create({ 'server-id': '999' })
    expectOneLineError(run, /^server 999 not found \(404 on POST \/api\/v1\/backups\/\)/)
  })

  it('list of a server not in the server list: a warning, not a silent "no backups"', async () => {
    const unknown = await create({ command: 'list', 'server-id': '999' })
    expect(unknown.exitCode).toBe(0)
    expect(warningLines(unknown.log)).toEqual([
      "server 999 is not in the VPS.org server list of this token's account: server-id may be wrong " +
        '(no backup of it is listed)'
    ])
    expect(unknown.outputs.count).toBe('0')

    // A known server without backups, or a token that may not read servers: no warning.
    const known = await create({ command: 'list', 'server-id': '12345' })
    expect([known.exitCode, warningLines(known.log)]).toEqual([0, []])
    sim.setServerReads({ forbidden: true })
    const forbidden = await create({ command: 'list', 'server-id': '999' })
    expect([forbidden.exitCode, warningLines(forbidden.log)]).toEqual([0, []])
  })

  it('connection refused at api-url: says plainly that it gave up, and that api-url may be wrong', async () => {
    const closed = await closedPort()
    const run = await create({ 'api-url': `http://127.0.0.1:${closed}`, command: 'list', timeout: '4s' })
    const error = expectOneLineError(run)
    expect(error).toMatch(
      new RegExp(
        '^GET /api/v1/backups/\\?server_id=12345: connection refused' +
          "(; gave up after \\d+ attempts?: the next attempt was due in \\S+, past the end of the step's 4s timeout \\(in \\S+\\)" +
          '| \\(gave up after 6 attempts\\))' +
          `; nothing answered at http://127\\.0\\.0\\.1:${closed}: api-url may be wrong$`
      )
    )
    expect(error).not.toMatch(/no time is left|but only/)
  })

  it('401: the token was refused, and the token is not printed', async () => {
    const run = await create({ 'api-token': 'wrong-token-value' })
    expectOneLineError(run, /refused the token .*Invalid token\..*check the api-token secret/)
    expect(visibleLog(run.log)).not.toContain('wrong-token-value')
  })

  it("400: the API's reason, per field", async () => {
    sim.fault({
      method: 'POST',
      path: '/api/v1/backups/',
      kind: 'status',
      status: 400,
      body: { description: ['Ensure this field has no more than 255 characters.'] }
    })
    const run = await create()
    expectOneLineError(
      run,
      /rejected POST \/api\/v1\/backups\/ \(400\): description: Ensure this field has no more than 255 characters\./
    )
    expect(sim.backups()).toHaveLength(0)
  })
})

describe('the token', () => {
  it('appears in no log line, output, state or summary, with debug logging on', async () => {
    const run = await create()
    expect(run.exitCode).toBe(0)
    expect(run.log).toContain('::debug::')
    expect(run.log).toMatch(/^::debug::POST .*authorization: Bearer \[redacted\]/m)
    // Registered as a secret before anything else is printed.
    const firstLines = run.log.split('\n').filter(line => line && !line.startsWith('::save-state'))
    expect(firstLines[0]).toMatch(/^::add-mask::/)
    expectTokenNowhere(run, TOKEN)
  })
})
