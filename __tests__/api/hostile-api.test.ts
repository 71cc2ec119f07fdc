// An API, a proxy or a network that answers badly (GitHub issue 4), in process
// (support/in-process.ts), on the simulator's fake clock: hostile bodies give one clear line, the
// token goes to api-url only and appears nowhere in what the runner is given, and text from the API
// never becomes a workflow command. e2e/hostile-api.e2e.test.ts keeps the token on the real process's
// stdout and files, and the kept-alive connection of a long wait over real time.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { expectNoInjectedCommand, expectOneLineError, expectTokenNowhere, logLines } from '../support/run-action.js'
import { useInProcessSimulator, type InProcessOptions, type InProcessRun } from '../support/in-process.js'
import { startRecorder, startSimulator, type FaultSpec, type Recorder } from '../../tools/simulator/index.js'
import { LIST, TOKEN, WEB } from '../support/simulator-fixture.js'

/** A server whose name tries to inject workflow commands. */
const HOSTILE = 34567
const HOSTILE_NAME = 'web\n::add-mask::x\r::error::pwned ##[set-env name=X]y'
const INJECTION = '\n::add-mask::x\n::error::pwned\r\n  ::warning::pwned\n##[set-env name=X]y'
const DESCRIPTION = 'Pre-deploy backup: reliability e2e'
const RESTORE_WEB = `/api/v1/servers/${WEB}/restore/`

/** The action with short timeouts, against the simulator unless api-url says otherwise. */
const fx = useInProcessSimulator({}, { 'request-timeout': '2s', timeout: '30s' })
const { run, seen } = fx

let recorder: Recorder
beforeAll(async () => {
  recorder = await startRecorder({ host: '127.0.0.2' })
})
afterAll(async () => {
  await recorder.close()
})
beforeEach(() => {
  recorder.requests.length = 0
})

beforeAll(() => {
  fx.sim.addServer({ id: HOSTILE, name: HOSTILE_NAME })
})

const create = (inputs: Record<string, string> = {}, options?: InProcessOptions): Promise<InProcessRun> =>
  run({ command: 'create', 'server-id': String(WEB), description: DESCRIPTION, wait: 'false', ...inputs }, options)

describe('hostile bodies give one clear line', () => {
  it.each<[string, FaultSpec, Array<string | RegExp>]>([
    ['an empty 200', { kind: 'status', status: 200, body: '' }, ['200', /empty body/]],
    [
      'a 200 that is not JSON',
      { kind: 'status', status: 200, body: 'Service is up' },
      ['200', /not JSON: "Service is up"/]
    ],
    ['a truncated 200', { kind: 'truncated-json' }, ['200', /not JSON/]],
    ['an HTML 403 from a proxy', { kind: 'html', status: 403 }, ['403', /403 Forbidden/]],
    [
      'an HTML 502 from a proxy, every time',
      { kind: 'html', status: 502, times: 10, headers: { 'Retry-After': '0' } },
      ['502', /502 Bad Gateway/]
    ],
    ['an empty 400', { kind: 'status', status: 400, body: '' }, ['400', /empty body/]],
    [
      'a 500 with a long text body',
      {
        kind: 'status',
        status: 500,
        times: 10,
        body: 'Traceback\n' + 'x'.repeat(5000),
        headers: { 'Retry-After': '0' }
      },
      ['500', /Traceback/]
    ],
    [
      'a 400 with a big JSON body',
      { kind: 'status', status: 400, body: { detail: 'y'.repeat(5000), extra: { nested: [1, 2, 3] } } },
      ['400']
    ]
  ])('%s', async (_name, fault, names) => {
    for (let i = 0; i < 3; i++) fx.sim.addBackup({ serverId: WEB, description: `backup ${i}` })
    fx.sim.fault({ ...fault, method: 'GET', path: LIST })
    const result = await run({ command: 'list' })
    expectOneLineError(result, 'GET', LIST, ...names)
  })

  it('an HTML 400 page on POST create says status, method and path, and creates nothing more', async () => {
    fx.sim.fault({ method: 'POST', path: LIST, kind: 'html', status: 400 })
    const result = await create()
    expectOneLineError(result, '400', 'POST', LIST, /400 Bad Request/)
    expect(seen('POST')).toHaveLength(1)
  })
})

describe('the token goes to api-url only', () => {
  it.each([
    ['GET list', { command: 'list' }, 'GET', LIST, 302],
    [
      'POST create',
      { command: 'create', 'server-id': String(WEB), description: DESCRIPTION, wait: 'false' },
      'POST',
      LIST,
      307
    ],
    ['DELETE', { command: 'delete', 'backup-id': '501' }, 'DELETE', `${LIST}501/`, 301],
    ['POST restore', { command: 'restore', 'backup-id': '501' }, 'POST', RESTORE_WEB, 308]
  ])(
    'a redirect of %s is not followed, and the error names where it pointed',
    async (_name, inputs, method, path, status) => {
      fx.sim.addBackup({ serverId: WEB })
      fx.sim.fault({ method, path, kind: 'redirect', status, location: `${recorder.url}/steal?from=${path}` })
      const result = await run(inputs)
      expectOneLineError(result, String(status), method, path, `${recorder.url}/steal`)
      expect(recorder.requests).toEqual([])
      expect(seen(method, path)).toHaveLength(1)
    }
  )

  it.each([
    ['on another host', () => `${recorder.url}${LIST}?page=2`, () => recorder],
    ['protocol-relative, on another host', () => `//${new URL(recorder.url).host}${LIST}?page=2`, () => recorder],
    [
      'on https of the same host and port',
      () => `${fx.sim.url.replace('http:', 'https:')}${LIST}?page=2`,
      () => recorder
    ]
  ])('a next link %s is refused and receives nothing', async (_name, next, target) => {
    fx.sim.fault({
      method: 'GET',
      path: LIST,
      kind: 'status',
      status: 200,
      body: { count: 1, next: next(), previous: null, results: [] }
    })
    const result = await run({ command: 'list' })
    expectOneLineError(result, 'GET', LIST, /next link/, /another origin/)
    expect(target().requests).toEqual([])
    expect(seen('GET')).toHaveLength(1)
  })

  it('a next link on the same host but another port is refused', async () => {
    const local = await startRecorder({ host: '127.0.0.1' })
    try {
      fx.sim.fault({
        method: 'GET',
        path: LIST,
        kind: 'status',
        status: 200,
        body: { count: 1, next: `${local.url}${LIST}?page=2`, previous: null, results: [] }
      })
      const result = await run({ command: 'list' })
      expectOneLineError(result, 'GET', LIST, local.url)
      expect(local.requests).toEqual([])
    } finally {
      await local.close()
    }
  })

  it('next links on api-url follow every page', async () => {
    const paged = await startSimulator({ pageSize: 2 })
    try {
      for (let i = 0; i < 5; i++) paged.addBackup({ serverId: WEB, description: `b${i}` })
      const result = await run({ command: 'list', 'api-url': paged.url })
      expect(result.exitCode).toBe(0)
      expect(result.outputs.count).toBe('5')
      expect(paged.requests.map(r => r.query.page ?? '1')).toEqual(['1', '2', '3'])
      expect(paged.requests.every(r => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true)
      expect(paged.connections).toBe(1)
    } finally {
      await paged.close()
    }
  })

  it('never shows the token, even with step debug on, through faults, redirects and an API that echoes it', async () => {
    // In process, debug lines are always recorded (as @actions/core writes them with step debug on).
    const runs: InProcessRun[] = []

    fx.sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 503, headers: { 'Retry-After': '0' } })
    fx.sim.fault({ method: 'POST', path: LIST, kind: 'reset-after' })
    fx.sim.setBackupDuration(500)
    runs.push(await create({ wait: 'true' }))
    expect(runs[0]?.exitCode).toBe(0)

    fx.sim.reset()
    fx.sim.fault({ method: 'GET', path: LIST, kind: 'redirect', location: `${recorder.url}/?token=${TOKEN}` })
    runs.push(await run({ command: 'list' }))

    fx.sim.reset()
    fx.sim.fault({ method: 'GET', kind: 'status', status: 401, body: { detail: `Invalid token "${TOKEN}".` } })
    runs.push(await run({ command: 'list' }))

    fx.sim.reset()
    fx.sim.fault({
      method: 'GET',
      kind: 'status',
      status: 503,
      times: 2,
      body: `<html><body>bad gateway for Bearer ${TOKEN}</body></html>`,
      headers: { 'Retry-After': '0' }
    })
    runs.push(await run({ command: 'list' }))

    for (const result of runs) {
      expectTokenNowhere(result, TOKEN)
      // Debug lines of requests are there, and show the Authorization header redacted.
      const requestLines = logLines(result.log).filter(line => /^::debug::(GET|POST|DELETE) http/.test(line))
      expect(requestLines.length).toBeGreaterThan(0)
      for (const line of requestLines) expect(line).toContain('authorization: Bearer [redacted]')
    }
    expect(recorder.requests).toEqual([])
  })
})

describe('text from the API never becomes a workflow command', () => {
  it('list: descriptions and server names holding commands', async () => {
    fx.sim.addBackup({ serverId: HOSTILE, description: INJECTION })
    fx.sim.addBackup({ serverId: WEB, description: '::error::pwned' })
    const result = await run({ command: 'list' })
    expect(result.exitCode).toBe(0)
    expect(result.outputs.count).toBe('2')
    expectNoInjectedCommand(result.log, TOKEN)
    // The text is still there, made inert, for a person to read.
    expect(result.log).toContain('pwned')
  })

  it('create and wait on a server whose name holds commands, adopted after a reset', async () => {
    fx.sim.setBackupDuration(0)
    fx.sim.fault({ method: 'POST', path: LIST, kind: 'reset-after' })
    const result = await run({
      command: 'create',
      'server-id': String(HOSTILE),
      description: DESCRIPTION,
      wait: 'true'
    })
    expect(result.exitCode).toBe(0)
    expect(result.outputs['server-name']).toBe(HOSTILE_NAME)
    expectNoInjectedCommand(result.log, TOKEN)
    expect(result.log).toContain('pwned')
  })

  it('restore from a backup whose description holds commands', async () => {
    const backup = fx.sim.addBackup({ serverId: HOSTILE, description: INJECTION })
    const result = await run({ command: 'restore', 'backup-id': String(backup.id) })
    expect(result.exitCode).toBe(0)
    expect(fx.sim.restores).toHaveLength(1)
    expectNoInjectedCommand(result.log, TOKEN)
  })

  it.each<[string, FaultSpec]>([
    ['a JSON error detail', { kind: 'status', status: 400, body: { detail: `nope${INJECTION}` } }],
    ['per-field errors', { kind: 'status', status: 400, body: { [`field${INJECTION}`]: [`bad${INJECTION}`] } }],
    [
      'a text body, retried',
      { kind: 'status', status: 503, times: 10, body: `down${INJECTION}`, headers: { 'Retry-After': '0' } }
    ],
    [
      'an HTML body',
      {
        kind: 'status',
        status: 403,
        body: `<html><body>${INJECTION}</body></html>`,
        headers: { 'Content-Type': 'text/html' }
      }
    ],
    ['a 200 that is not JSON', { kind: 'status', status: 200, body: `${INJECTION}` }]
  ])('error bodies: %s', async (_name, fault) => {
    fx.sim.fault({ ...fault, method: 'GET', path: LIST })
    const result = await run({ command: 'list' })
    const error = expectOneLineError(result, 'GET', LIST)
    expect(error).toContain('pwned')
    expectNoInjectedCommand(result.log, TOKEN)
  })
})
