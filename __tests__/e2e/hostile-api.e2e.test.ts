// An API, a proxy or a network that answers badly (GitHub issue 4), end to end, for what only the
// real process shows: the token appears nowhere in its stdout nor in the GITHUB_OUTPUT, GITHUB_STATE
// and GITHUB_STEP_SUMMARY files, and a long wait keeps one connection over real time. Every other
// case (hostile bodies, redirects, next links, text from the API, the token in the runner's log)
// runs in process, in api/hostile-api.test.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  BUSY_MACHINE_MS,
  expectTokenNowhere,
  logLines,
  type ActionRun,
  type RunOptions
} from '../support/run-action.js'
import { startRecorder, type Recorder } from '../../tools/simulator/index.js'
import { LIST, TOKEN, WEB, useSimulator } from '../support/simulator-fixture.js'

const DESCRIPTION = 'Pre-deploy backup: reliability e2e'

/** The action with short timeouts, against the simulator unless api-url says otherwise. */
const fx = useSimulator({}, { 'request-timeout': '2s', timeout: '30s' })
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

const create = (inputs: Record<string, string> = {}, options?: RunOptions): Promise<ActionRun> =>
  run({ command: 'create', 'server-id': String(WEB), description: DESCRIPTION, wait: 'false', ...inputs }, options)

describe('the token on the real process', () => {
  // Masking is what the runner reads from the process: its stdout and files, step debug from the environment.
  it('never shows the token, even with step debug on, through faults, redirects and an API that echoes it', async () => {
    const debug = { env: { ACTIONS_STEP_DEBUG: 'true' } }
    const runs: ActionRun[] = []

    fx.sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 503, headers: { 'Retry-After': '0' } })
    fx.sim.fault({ method: 'POST', path: LIST, kind: 'reset-after' })
    fx.sim.setBackupDuration(500)
    runs.push(await create({ wait: 'true' }, debug))
    expect(runs[0]?.exitCode).toBe(0)

    fx.sim.reset()
    fx.sim.fault({ method: 'GET', path: LIST, kind: 'redirect', location: `${recorder.url}/?token=${TOKEN}` })
    runs.push(await run({ command: 'list' }, debug))

    fx.sim.reset()
    fx.sim.fault({ method: 'GET', kind: 'status', status: 401, body: { detail: `Invalid token "${TOKEN}".` } })
    runs.push(await run({ command: 'list' }, debug))

    fx.sim.reset()
    fx.sim.fault({
      method: 'GET',
      kind: 'status',
      status: 503,
      times: 2,
      body: `<html><body>bad gateway for Bearer ${TOKEN}</body></html>`,
      headers: { 'Retry-After': '0' }
    })
    runs.push(await run({ command: 'list' }, debug))

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

describe('connections', () => {
  // Polls a second apart in real time against the real keep-alive timers of both ends: kept e2e.
  it('a create that waits through ~3 s of polling uses one kept-alive connection', async () => {
    fx.sim.setBackupDuration(3000)
    const result = await create({ wait: 'true' })
    expect(result.exitCode).toBe(0)
    expect(result.outputs.status).toBe('completed')
    expect(seen('GET').length).toBeGreaterThanOrEqual(3)
    expect(fx.sim.connections).toBe(1)
    // The backup takes 3 s and is checked every second.
    expect(result.ranMs).toBeLessThan(4000 + BUSY_MACHINE_MS)
  })
})
