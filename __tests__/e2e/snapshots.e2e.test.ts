/**
 * `kind: snapshot` through the real port: the bundle run as the runner runs it, the kind given as
 * INPUT_KIND, the snapshot's default name made from the run's GITHUB_* variables, the outputs in
 * the GITHUB_OUTPUT file and the job summary's restore step. What each command does with
 * snapshots is tested in process (commands/snapshots.test.ts); here, that it reaches the runner.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator } from '../../tools/simulator/index.js'
import {
  GITHUB_ENV,
  expectOneLineError,
  expectTokenNowhere,
  runAction,
  type ActionRun,
  type RunOptions
} from '../support/run-action.js'

const TOKEN = 'test-token'
let sim: Simulator

beforeAll(async () => {
  sim = await startSimulator({ token: TOKEN, snapshotDurationMs: 1000, restoreDurationMs: 1500 })
})
afterAll(() => sim.close())
beforeEach(() => sim.reset())

function step(inputs: Record<string, string>, options: RunOptions = {}): Promise<ActionRun> {
  return runAction(
    { 'api-token': TOKEN, 'api-url': sim.url, 'poll-interval': '1s', kind: 'snapshot', ...inputs },
    options
  )
}

/** A run whose repository's name holds characters a snapshot's name may not, on its second attempt. */
const RUN = {
  GITHUB_REPOSITORY: 'acme/my.shop+web',
  GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  GITHUB_RUN_ID: '1234567890',
  GITHUB_RUN_ATTEMPT: '2'
}

describe('kind: snapshot, through the real port', () => {
  it('create: POST /api/v1/snapshots/ with the name made from the run, outputs in the file, a restore step with kind: snapshot', async () => {
    const run = await step({ 'server-id': '12345' }, { env: RUN })
    expect(run.exitCode).toBe(0)
    expectTokenNowhere(run, TOKEN)

    // docs/snapshots.md: pre-deploy-<repo>-<sha7>-run<run id>-<attempt>, the owner left out and
    // other characters of the repository's name turned into `-`.
    const name = `pre-deploy-my-shop-web-${RUN.GITHUB_SHA.slice(0, 7)}-run${RUN.GITHUB_RUN_ID}-${RUN.GITHUB_RUN_ATTEMPT}`
    expect(name).toMatch(/^pre-deploy-[A-Za-z0-9_-]+-[0-9a-f]{7}-run\d+-\d+$/)
    const posts = sim.requests.filter(r => r.method !== 'GET')
    expect(posts.map(r => `${r.method} ${r.path}`)).toEqual(['POST /api/v1/snapshots/'])
    expect(posts[0]?.json).toEqual({
      server_id: 12345,
      name,
      // The kind's own default description (its attempt is the description's concern, not this file's).
      description: expect.stringMatching(/^Pre-deploy snapshot: acme\/my\.shop\+web@a1b2c3d \(run 1234567890\b/)
    })
    // Nothing went to the Backups API.
    expect(sim.requests.filter(r => r.path.startsWith('/api/v1/backups'))).toEqual([])

    const [snapshot] = sim.snapshots()
    expect(sim.snapshots()).toHaveLength(1)
    expect(snapshot).toMatchObject({ name, status: 'completed' })
    expect(run.outputs).toMatchObject({
      'backup-id': String(snapshot?.id),
      'backup-ids': JSON.stringify({ '12345': snapshot?.id }),
      status: 'completed',
      'server-id': '12345',
      'deleted-ids': '[]'
    })
    expect(JSON.parse(run.outputs.backup ?? '{}')).toMatchObject({ id: snapshot?.id, name })

    // The ready-to-paste restore step restores this snapshot, not a backup with its id.
    const restoreStep = /```yaml\n([\s\S]*?)```/.exec(run.summary)?.[1] ?? ''
    expect(restoreStep).toMatch(/^\s+command: restore$/m)
    expect(restoreStep).toMatch(/^\s+kind: snapshot$/m)
    expect(restoreStep).toMatch(new RegExp(`^\\s+backup-id: ${snapshot?.id}$`, 'm'))
  })

  it("the default name follows the runner's GITHUB_* variables", async () => {
    const run = await step({ 'server-id': '12345', wait: 'false' })
    expect(run.exitCode).toBe(0)
    const sha7 = GITHUB_ENV.GITHUB_SHA.slice(0, 7)
    const repo = GITHUB_ENV.GITHUB_REPOSITORY.split('/')[1]
    expect(sim.snapshots().map(s => s.name)).toEqual([
      `pre-deploy-${repo}-${sha7}-run${GITHUB_ENV.GITHUB_RUN_ID}-${GITHUB_ENV.GITHUB_RUN_ATTEMPT}`
    ])
  })

  it("restore from create's backup-id output: POST /api/v1/snapshots/{id}/restore/ with no body, the server back", async () => {
    const created = await step({ 'server-id': '12345' })
    expect(created.exitCode).toBe(0)
    const id = created.outputs['backup-id'] ?? ''
    expect(id).toMatch(/^\d+$/)
    const before = sim.requests.length

    const restored = await step({ command: 'restore', 'server-id': '12345', 'backup-id': id })
    expect(restored.exitCode).toBe(0)
    expectTokenNowhere(restored, TOKEN)
    const posts = sim.requests.slice(before).filter(r => r.method !== 'GET')
    expect(posts.map(r => `${r.method} ${r.path}`)).toEqual([`POST /api/v1/snapshots/${id}/restore/`])
    expect(posts[0]?.body).toBe('')
    expect(sim.restores).toEqual([{ serverId: 12345, snapshotId: Number(id), at: expect.any(Number) }])
    expect(restored.outputs).toMatchObject({ 'backup-id': id, 'server-id': '12345', 'server-status': 'active' })
  })

  it('an unknown kind: refused before any request, one error line naming both kinds, no output', async () => {
    const run = await step({ 'server-id': '12345', kind: 'snapshots' })
    expectOneLineError(run, /\bbackup\b/, /\bsnapshot\b/, '"snapshots"')
    expectTokenNowhere(run, TOKEN)
    expect(sim.requests).toEqual([])
    expect(run.outputs).toEqual({})
  })
})
