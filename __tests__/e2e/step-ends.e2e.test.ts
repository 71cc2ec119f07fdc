// A step always ends (GitHub issue 14): whatever the API does (accept a connection and never
// answer, send its headers or its body a byte a second), with request-timeout below timeout so
// that retries and requests waiting for a connection pile up, the main step and the post step
// exit by themselves soon after their last line. The bundle runs as the runner runs it; a step
// that never ends is killed, and the test then fails saying so.
import { afterEach, describe, expect, it } from '@jest/globals'
import net from 'node:net'
import {
  BUSY_MACHINE_MS,
  errorLines,
  expectOneLineError,
  runAction,
  runWithPost,
  type ActionRun
} from '../support/run-action.js'
import { DB, LIST, WEB, restorePath, useSimulator } from '../support/simulator-fixture.js'

const S3 = 34567

/** Far beyond what any of these steps takes (a timeout of 8 s at most): only a step that never ends reaches it. */
const KILL_AFTER_MS = 30_000

/** What the issue allows between a step's last line and its exit, on a busy machine. */
const EXIT_WITHIN_MS = 5000 + BUSY_MACHINE_MS

const fx = useSimulator(
  {
    servers: [
      { id: WEB, name: 'web-server-01' },
      { id: DB, name: 'db-server-01' },
      { id: S3, name: 'server-03' }
    ],
    backupDurationMs: 500
  },
  { timeout: '8s', 'request-timeout': '2s', 'poll-interval': '1s' }
)

/**
 * The step ended by itself (not killed), soon after its last line, with nothing left for the
 * last-resort exit of src/index.ts to cut: the requests and connections were all ended.
 */
function expectEndedByItself(run: ActionRun, what: string): void {
  if (run.killed) {
    throw new Error(`${what} never ended: killed after ${KILL_AFTER_MS / 1000} s. Its log:\n${run.log}`)
  }
  expect({ what, exitedAfterLastLineMs: run.exitedAfterLastLineMs < EXIT_WITHIN_MS }).toEqual({
    what,
    exitedAfterLastLineMs: true
  })
  expect(run.log).not.toContain('Still held open')
}

describe('a server that accepts connections and never answers', () => {
  let server: net.Server | undefined
  const sockets = new Set<net.Socket>()
  afterEach(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise(resolve => server?.close(resolve))
  })

  /** Plain TCP on loopback: it reads what it is sent, and never writes nor closes anything. */
  async function silentServer(): Promise<string> {
    server = net.createServer(socket => {
      sockets.add(socket)
      socket.on('error', () => {})
    })
    await new Promise<void>(resolve => server?.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`
  }

  it('list (the developers pre-stop check): the step fails at its timeout and exits', async () => {
    const url = await silentServer()
    const run = await runAction(
      {
        'api-token': 'tok_hook_check',
        'api-url': url,
        command: 'list',
        timeout: '6s',
        'request-timeout': '2s',
        wait: 'true',
        'poll-interval': '15s',
        'keep-prefix': 'Pre-deploy backup',
        'dry-run': 'false',
        'restore-on-failure': 'false'
      },
      // Not an input of action.yml: the check sets it all the same.
      { killAfterMs: KILL_AFTER_MS, env: { INPUT_KIND: 'backup' } }
    )
    expectEndedByItself(run, 'list against a silent server')
    expectOneLineError(run, `GET ${LIST}`, /6s timeout/)
  })
})

describe('what the action cannot cancel', () => {
  let proxy: net.Server | undefined
  const sockets = new Set<net.Socket>()
  afterEach(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise(resolve => proxy?.close(resolve))
  })

  it('a proxy that never answers CONNECT: the last resort ends the step 2 s after its outcome, saying why', async () => {
    proxy = net.createServer(socket => {
      sockets.add(socket)
      socket.on('error', () => {})
    })
    await new Promise<void>(resolve => proxy?.listen(0, '127.0.0.1', resolve))
    const port = (proxy.address() as net.AddressInfo).port
    const run = await runAction(
      {
        'api-token': 'tok_proxy_check',
        'api-url': 'https://api.vps.example',
        command: 'list',
        timeout: '5s',
        'request-timeout': '2s'
      },
      { killAfterMs: KILL_AFTER_MS, env: { https_proxy: `http://127.0.0.1:${port}` } }
    )
    if (run.killed)
      throw new Error(`the step never ended: killed after ${KILL_AFTER_MS / 1000} s. Its log:\n${run.log}`)
    expectOneLineError(run, `GET ${LIST}`, /5s timeout/)
    // The tunnel's CONNECT, which nothing reaches, still held the process: the last resort ended it.
    expect(run.log).toMatch(/^::debug::Still held open 2000 ms after the step ended \(.*TCPSocketWrap.*\); exiting$/m)
    expect(run.exitedAfterLastLineMs).toBeLessThan(EXIT_WITHIN_MS)
  })
})

describe('against the simulator', () => {
  const { sim, run: runFx, inputs } = fx
  const run = (extra: Record<string, string>) => runFx(extra, { killAfterMs: KILL_AFTER_MS })

  it('create: every POST dropped by the network, the step fails at its timeout and exits', async () => {
    sim.fault({ method: 'POST', path: LIST, kind: 'blackhole', times: 100 })
    const result = await run({ 'server-id': String(WEB) })
    expectEndedByItself(result, 'create against a network that drops the POST')
    expect(sim.requests.filter(r => r.method === 'POST').length).toBeGreaterThanOrEqual(1)
    expectOneLineError(result, `POST ${LIST}`)
  })

  it('create: a POST whose answer trickles a byte a second is cut, its backup found, and the step exits', async () => {
    sim.fault({ method: 'POST', path: LIST, kind: 'trickle-head', times: 100 })
    const result = await run({ 'server-id': String(WEB) })
    expectEndedByItself(result, 'create whose POST answer trickles')
    expect(errorLines(result.log)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.log).toContain('was created by that request; using it instead of creating another')
  })

  it('list: a body that trickles a byte a second, every time, until the timeout', async () => {
    sim.fault({ method: 'GET', path: LIST, kind: 'trickle-body', times: 100 })
    const result = await run({ command: 'list' })
    expectEndedByItself(result, 'list whose bodies trickle')
    expectOneLineError(result, `GET ${LIST}`, 'no complete answer within')
  })

  it('restore of three servers: their POSTs (two sent, one waiting for a connection) trickle; the step exits', async () => {
    const backups = [WEB, DB, S3].map(serverId =>
      sim.addBackup({ serverId, description: `Release of ${serverId}`, created_at: '2025-03-01T10:00:00Z' })
    )
    sim.fault({ method: 'POST', path: /\/restore\/$/, kind: 'trickle-head', times: 100 })
    const result = await run({ command: 'restore', 'backup-id': backups.map(b => b.id).join(',') })
    expectEndedByItself(result, 'restore of three servers whose POSTs trickle')
    expect(result.exitCode).toBe(1)
    expect(
      sim.requests
        .filter(r => r.method === 'POST')
        .map(r => r.path)
        .sort()
    ).toEqual([WEB, DB, S3].map(restorePath).sort())
    expect(errorLines(result.log).join('\n')).toMatch(/may or may not have started/)
  })

  it('restore of three servers: the headers of every read trickle, three at once (one waiting), until the timeout', async () => {
    const backups = [WEB, DB, S3].map(serverId =>
      sim.addBackup({ serverId, description: `Release of ${serverId}`, created_at: '2025-03-01T10:00:00Z' })
    )
    sim.fault({ method: 'GET', kind: 'trickle-head', times: 1000 })
    const result = await run({ command: 'restore', 'backup-id': backups.map(b => b.id).join(',') })
    expectEndedByItself(result, 'restore of three servers whose reads trickle')
    expect(result.exitCode).toBe(1)
    expect(sim.requests.filter(r => r.method === 'POST')).toEqual([])
  })

  it('the post step of restore-on-failure, three servers: the API starts trickling once the main step is done; both exit', async () => {
    // The main step's notices of its three completed backups are its last words to the API.
    const notices = (log: string) => log.split('::notice title=VPS.org backup ').length - 1
    let mainLog = ''
    const echo = (text: string) => {
      if (notices(mainLog) === 3) return
      mainLog += text
      if (notices(mainLog) === 3) sim.fault({ kind: 'trickle-head', times: 1000 })
    }
    const { main, post } = await runWithPost(
      inputs({ 'server-id': `${WEB} ${DB} ${S3}`, 'restore-on-failure': 'true' }),
      { laterStepFailed: true, killAfterMs: KILL_AFTER_MS, echo }
    )
    expectEndedByItself(main, 'the main step')
    expect(main.exitCode).toBe(0)
    expect(notices(mainLog)).toBe(3)
    expect(post).toBeDefined()
    expectEndedByItself(post as ActionRun, 'the post step')
    expectOneLineError(
      post as ActionRun,
      /^restore-on-failure could not restore server 12345 from backup \d+, server 23456 from backup \d+, server 34567 /
    )
  })
})
