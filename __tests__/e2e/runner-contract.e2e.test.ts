/**
 * What only a process shows, for every command: the bundle run as the runner runs it (inputs as
 * INPUT_* variables with action.yml's defaults, the GITHUB_OUTPUT, GITHUB_STATE and
 * GITHUB_STEP_SUMMARY files, the exit code, the token masked before anything else is printed).
 * What the commands do is tested in process (commands/create.test.ts, commands/restore.test.ts…); here, that it
 * reaches the runner through the real port.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator } from '../../tools/simulator/index.js'
import { COMMANDS } from '../../src/commands/registry.js'
import { GITHUB_ENV, expectOneLineError, expectTokenNowhere, runAction, type ActionRun } from '../support/run-action.js'
import { TOKEN } from '../support/simulator-fixture.js'

let sim: Simulator

beforeAll(async () => {
  sim = await startSimulator({ token: TOKEN, backupDurationMs: 1000, restoreDurationMs: 1500 })
})
afterAll(() => sim.close())
beforeEach(() => sim.reset())

function step(inputs: Record<string, string>): Promise<ActionRun> {
  return runAction({ 'api-token': TOKEN, 'api-url': sim.url, 'poll-interval': '1s', ...inputs })
}

/** Each run: the token registered as a secret by the first line, and nowhere else. */
function expectMasked(run: ActionRun): void {
  expect(run.log.split('\n')[0]).toBe(`::add-mask::${TOKEN}`)
  expectTokenNowhere(run, TOKEN)
}

describe('the runner contract, through the real port', () => {
  it('every command of the registry is one this file runs', () => {
    expect([...COMMANDS].sort()).toEqual(['create', 'delete', 'list', 'restore', 'wait'])
  })

  it('create: the outputs and state files, the job summary, exit 0', async () => {
    const run = await step({ 'server-id': '12345' })
    expect(run.exitCode).toBe(0)
    expectMasked(run)
    const [backup] = sim.backups()
    expect(backup?.status).toBe('completed')
    expect(run.outputs).toMatchObject({
      'backup-id': String(backup?.id),
      'backup-ids': JSON.stringify({ '12345': backup?.id }),
      status: 'completed',
      'server-id': '12345',
      'deleted-ids': '[]'
    })
    // What the post step will need, in the state file; nothing armed without restore-on-failure.
    expect(run.state).toMatchObject({ isPost: 'true', mainStepSucceeded: 'true' })
    expect(run.state.restoreOnFailure).toBeUndefined()
    expect(run.summary).toContain(String(backup?.id))
  })

  it('wait and list: outputs in the file', async () => {
    const started = await step({ 'server-id': '12345', wait: 'false' })
    expect(started.exitCode).toBe(0)
    expect(started.outputs.status).toBe('in_progress')
    const waited = await step({ command: 'wait', 'backup-id': started.outputs['backup-id'] ?? '' })
    expect(waited.exitCode).toBe(0)
    expect(waited.outputs).toMatchObject({ 'backup-id': started.outputs['backup-id'], status: 'completed' })
    const listed = await step({ command: 'list', 'server-id': '12345' })
    expect(listed.exitCode).toBe(0)
    expectMasked(listed)
    expect(listed.outputs.count).toBe('1')
    expect(JSON.parse(listed.outputs.backups ?? '[]')).toMatchObject([{ id: Number(started.outputs['backup-id']) }])
    expect(listed.summary).toContain(started.outputs['backup-id'] ?? 'no id')
  })

  it('restore and delete: outputs in the file', async () => {
    const backup = sim.addBackup({ serverId: 12345, description: 'Pre-deploy backup: earlier' })
    const restored = await step({ command: 'restore', 'server-id': '12345', 'backup-id': String(backup.id) })
    expect(restored.exitCode).toBe(0)
    expectMasked(restored)
    expect(restored.outputs).toMatchObject({ 'backup-id': String(backup.id), 'server-status': 'active' })
    expect(sim.restores).toEqual([{ serverId: 12345, backupId: backup.id, at: expect.any(Number) }])

    const deleted = await step({ command: 'delete', 'backup-id': String(backup.id) })
    expect(deleted.exitCode).toBe(0)
    expect(deleted.outputs['deleted-ids']).toBe(JSON.stringify([backup.id]))
    expect(sim.backups()).toEqual([])
  })

  it("the run's identity comes from @actions/github's context: the repository from the event payload when GITHUB_REPOSITORY is unset", async () => {
    const sha7 = GITHUB_ENV.GITHUB_SHA.slice(0, 7)
    const described = await step({ 'server-id': '12345', wait: 'false' })
    expect(described.exitCode).toBe(0)
    expect(sim.backups()[0]?.description).toBe(`Pre-deploy backup: acme/shop@${sha7} (run ${GITHUB_ENV.GITHUB_RUN_ID})`)

    sim.reset()
    const dir = mkdtempSync(join(tmpdir(), 'vps-event-'))
    try {
      const event = join(dir, 'event.json')
      writeFileSync(event, JSON.stringify({ repository: { name: 'site', owner: { login: 'acme-web' } } }))
      const run = await runAction(
        { 'api-token': TOKEN, 'api-url': sim.url, 'server-id': '12345', wait: 'false' },
        { env: { GITHUB_REPOSITORY: '', GITHUB_EVENT_PATH: event, GITHUB_RUN_ATTEMPT: '2' } }
      )
      expect(run.exitCode).toBe(0)
      expectMasked(run)
      expect(sim.backups()[0]?.description).toBe(
        `Pre-deploy backup: acme-web/site@${sha7} (run ${GITHUB_ENV.GITHUB_RUN_ID}, attempt 2)`
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('@actions/github is loaded, and the event payload read, by a command that names the run only', async () => {
    // @actions/github's context, when it is built, says so of a GITHUB_EVENT_PATH that does not exist.
    const env = { GITHUB_EVENT_PATH: join(tmpdir(), 'vps-no-such-event.json') }
    const said = `GITHUB_EVENT_PATH ${env.GITHUB_EVENT_PATH} does not exist`
    const created = await runAction(
      { 'api-token': TOKEN, 'api-url': sim.url, 'server-id': '12345', wait: 'false' },
      { env }
    )
    expect(created.exitCode).toBe(0)
    expect(created.log).toContain(said)
    const backupId = created.outputs['backup-id'] ?? ''
    const others: Record<string, string>[] = [
      { command: 'list', 'server-id': '12345' },
      { command: 'wait', 'backup-id': backupId },
      { command: 'restore', 'server-id': '12345', 'backup-id': backupId },
      { command: 'delete', 'backup-id': backupId }
    ]
    for (const inputs of others) {
      const run = await runAction({ 'api-token': TOKEN, 'api-url': sim.url, 'poll-interval': '1s', ...inputs }, { env })
      expect({ command: inputs.command, exitCode: run.exitCode, said: run.log.includes(said) }).toEqual({
        command: inputs.command,
        exitCode: 0,
        said: false
      })
    }
  })

  it('an event payload that cannot be read: create fails with one line naming its file, before any request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vps-event-'))
    try {
      const event = join(dir, 'event.json')
      writeFileSync(event, '{ "repository": ')
      const run = await runAction(
        { 'api-token': TOKEN, 'api-url': sim.url, 'server-id': '12345' },
        { env: { GITHUB_EVENT_PATH: event } }
      )
      expectOneLineError(
        run,
        new RegExp(`^the run's event payload \\(GITHUB_EVENT_PATH ${event}\\) could not be read: it is not valid JSON$`)
      )
      expect(sim.requests).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a refused input: exit 1, one error line, nothing sent, no output', async () => {
    const run = await step({ 'server-id': 'web-01' })
    expectOneLineError(run, 'server-id must be a positive integer, got "web-01"')
    expectMasked(run)
    expect(sim.requests).toEqual([])
    expect(run.outputs).toEqual({})
  })
})
