/**
 * Inputs, in process (docker/login-action's context.test.ts style): the environment holds every
 * input as the runner gives it (INPUT_<NAME>, action.yml's defaults filled in), and getInputs()
 * either returns the settings of one command or throws one InputError naming the input. That the
 * bundle, run as the runner runs it, turns such an error into one line and sends nothing is
 * checked end to end in create.e2e.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { InputError } from '../../src/base/errors.js'
import type { Settings } from '../../src/commands/registry.js'
import { GITHUB_ENV, inputVariable, readActionYml } from '../support/run-action.js'

// The real runner port reads the run's commit and id from the environment, as on a runner: the
// run's environment comes first.
Object.assign(process.env, GITHUB_ENV)
const { readInvocation } = await import('../../src/commands/registry.js')
const { actionsRunner } = await import('../../src/runner/actions-runner.js')

/** The settings alone, read through the real runner port. */
async function getInputs(): Promise<Settings> {
  return (await readInvocation(actionsRunner)).settings
}

const action = readActionYml()
const TOKEN = 'vps_test-token'

let saved: NodeJS.ProcessEnv
let stdout: string

beforeEach(() => {
  saved = { ...process.env }
  stdout = ''
  // core.setSecret writes ::add-mask:: to stdout; kept out of Jest's output and looked at.
  jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    stdout += String(chunk)
    return true
  })
})

afterEach(() => {
  process.env = saved
  jest.restoreAllMocks()
})

/** The environment a step gets with these inputs, every other input at action.yml's default. */
function given(inputs: Record<string, string>): void {
  for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) delete process.env[name]
  Object.assign(process.env, GITHUB_ENV)
  for (const [name, spec] of Object.entries(action.inputs)) {
    process.env[inputVariable(name)] = inputs[name] ?? spec.default ?? ''
  }
}

async function settingsFor(inputs: Record<string, string>): Promise<Settings> {
  given({ 'api-token': TOKEN, ...inputs })
  return getInputs()
}

async function refusal(inputs: Record<string, string>): Promise<string> {
  given({ 'api-token': TOKEN, ...inputs })
  try {
    await getInputs()
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as Error).message
  }
  throw new Error(`inputs accepted: ${JSON.stringify(inputs)}`)
}

describe('the token', () => {
  it('is registered as a secret before anything else', async () => {
    await settingsFor({ 'server-id': '1' })
    expect(stdout.split('\n')[0]).toBe(`::add-mask::${TOKEN}`)
  })

  it.each([
    ['a space', 'vps abc'],
    ['a newline', 'vps\nabc'],
    ['a letter outside ASCII', 'vps_tökén'],
    ['a character beyond Latin-1', 'vps_€'],
    ['a control character', 'vps\u0007abc']
  ])('is refused when it holds %s, without being echoed', async (_what, token) => {
    const message = await refusal({ 'api-token': token, 'server-id': '1' })
    expect(message).toMatch(/^api-token holds .* which an HTTP header cannot carry as the token; copy the token again$/)
    expect(message).not.toContain('vps')
  })

  it('is required', async () => {
    expect(await refusal({ 'api-token': '', 'server-id': '1' })).toMatch(/^api-token is required/)
  })
})

describe('validation, one line naming the input', () => {
  it.each([
    [{ 'server-id': 'web-01' }, /^server-id must be a positive integer, got "web-01"$/],
    [{ 'server-id': '0' }, /^server-id must be a positive integer, got "0"$/],
    [{ 'server-id': '' }, /^server-id is required for command create$/],
    [{ 'server-id': '101, 102 101' }, /^server-id lists 101 twice$/],
    [{ command: 'backup' }, /^command must be one of create, wait, restore, delete, list(, [a-z-]+)*, got "backup"$/],
    [{ 'api-url': 'http://admin.vps.org' }, /^api-url must use https .*got "http:\/\/admin.vps.org"$/],
    [{ 'api-url': 'ftp://127.0.0.1' }, /^api-url must use https/],
    [{ 'api-url': 'not a url' }, /^api-url must be an absolute https URL/],
    [{ 'api-url': 'https://u:p@admin.vps.org' }, /^api-url must be a base URL without credentials/],
    // Only examples the input accepts (timeout refuses 2d), and the bound as README writes it.
    [{ timeout: '30 minutes' }, /^timeout must be a duration like 90, 90s, 15m or 1h30m, got "30 minutes"$/],
    [{ timeout: '0' }, /^timeout must be a positive duration like 90, 90s, 15m or 1h30m, got "0"$/],
    [{ timeout: '25h' }, /^timeout must be at most 24h, got "25h"$/],
    [{ 'request-timeout': '30d' }, /^request-timeout must be at most 24h, got "30d"$/],
    [{ 'request-timeout': '500ms' }, /^request-timeout must be at least 1s$/],
    [{ 'poll-interval': '500ms' }, /^poll-interval must be at least 1s$/],
    [{ wait: 'yes' }, /^wait must be true or false, got "yes"$/],
    [{ keep: '0' }, /^keep must be a positive integer, got "0"$/],
    // keep-within refuses minutes: its examples leave them out.
    [{ 'keep-within': 'a month' }, /^keep-within must be a duration like 90, 90s, 2d or 1w3d, got "a month"$/],
    [{ 'keep-within': '1mo' }, /^keep-within "1mo" is refused: mo \(months\) has no fixed length; .* e\.g\. 30d$/],
    [
      { 'keep-within': '6m' },
      /^keep-within "6m" is refused: m means months in restic's --keep-within and minutes in this action's timeout and poll-interval; write days or hours instead, e\.g\. 180d$/
    ],
    [{ 'keep-within': '1h30m' }, /^keep-within "1h30m" is refused: m means months/],
    [{ 'keep-within': '6M' }, /^keep-within "6M" is refused: m means months/],
    [{ 'keep-within': '1y' }, /^keep-within "1y" is refused: y \(years\) has no fixed length; .* e\.g\. 365d$/],
    [{ 'keep-within': '1y5m7d2h' }, /^keep-within "1y5m7d2h" is refused/],
    [{ 'keep-within': '3651d' }, /^keep-within must be at most 3650d/],
    [{ keep: '3', 'keep-prefix': ' ' }, /^keep-prefix must not be empty when keep is set/],
    [{ kind: 'snapshots' }, /^kind must be backup or snapshot, got "snapshots"$/],
    [{ kind: 'snapshot', 'snapshot-name': 'pre deploy' }, /^snapshot-name "pre deploy" contains white space; /],
    [{ kind: 'snapshot', 'snapshot-name': 'v1.2' }, /^snapshot-name "v1\.2" contains "\."/],
    [{ 'snapshot-name': 'pre-deploy' }, /^snapshot-name is used with kind: snapshot only/],
    [
      { keep: '3', 'keep-prefix': 'Release' },
      /^keep is set but description ".*" does not start with keep-prefix "Release"/
    ]
  ])('create with %p', async (inputs, message) => {
    expect(await refusal({ 'server-id': '12345', ...inputs })).toMatch(message)
  })

  it('keep and keep-within with wait: false are accepted: they make room at the limit, the wait step keeps', async () => {
    expect(await settingsFor({ 'server-id': '12345', keep: '3', wait: 'false' })).toMatchObject({
      wait: false,
      retention: { keep: 3, keepPrefix: 'Pre-deploy backup' }
    })
  })

  it('with kind: snapshot the description, keep-prefix and name follow the kind', async () => {
    const settings = await settingsFor({ 'server-id': '12345', kind: 'snapshot', keep: '2' })
    expect(settings).toMatchObject({ kind: 'snapshot', retention: { keepPrefix: 'Pre-deploy snapshot' } })
    expect(settings).toMatchObject({ description: expect.stringMatching(/^Pre-deploy snapshot/) })
    expect(settings).toMatchObject({ snapshotName: expect.stringMatching(/^pre-deploy(-[\w]+)*$/) })
    expect(await refusal({ command: 'list', kind: 'snapshot', 'backup-type': 'manual' })).toMatch(
      /^backup-type is not used with kind: snapshot/
    )
  })

  it.each<[string, Record<string, string>]>([
    ['backup-id with create (a rollback step without command: restore)', { 'server-id': '1', 'backup-id': '5' }],
    ['backup-type with create', { 'server-id': '1', 'backup-type': 'manual' }],
    ['keep with restore', { command: 'restore', 'backup-id': '5', keep: '3' }],
    ['keep-within with list', { command: 'list', 'keep-within': '30d' }],
    ['keep with delete', { command: 'delete', 'backup-id': '5', keep: '2' }],
    ['description with list', { command: 'list', description: 'x' }],
    ['restore-on-failure with restore', { command: 'restore', 'backup-id': '5', 'restore-on-failure': 'true' }]
  ])('refuses %s, naming the input', async (_case, inputs) => {
    const unused =
      Object.keys(inputs).find(name => !['command', 'server-id', 'backup-id'].includes(name)) ?? 'backup-id'
    expect(await refusal(inputs)).toBe(
      `${unused} is not used by command ${inputs.command ?? 'create'}; remove it or set the right command`
    )
  })

  it('lets tuning inputs shared by several steps pass to any command', async () => {
    const settings = await settingsFor({
      command: 'list',
      wait: 'false',
      'poll-interval': '5s',
      'keep-prefix': 'Release'
    })
    expect(settings.command).toBe('list')
  })
})

describe('settings, one command at a time', () => {
  it('create: one server, or several apart by commas, spaces or newlines, in the order given', async () => {
    expect(await settingsFor({ 'server-id': '12345' })).toMatchObject({
      command: 'create',
      serverIds: [12345],
      wait: true
    })
    expect(await settingsFor({ 'server-id': '3, 1\n2 ,5' })).toMatchObject({ serverIds: [3, 1, 2, 5] })
  })

  it('create: the default description names the repository, commit and run', async () => {
    expect(await settingsFor({ 'server-id': '1' })).toMatchObject({
      description: 'Pre-deploy backup: acme/shop@3f1c2d9 (run 9876543210)'
    })
  })

  it('create: keep and keep-within make the retention rule; without them nothing is deleted', async () => {
    expect(await settingsFor({ 'server-id': '1' })).not.toHaveProperty('retention')
    expect(await settingsFor({ 'server-id': '1', keep: '5', 'keep-within': '1w3d' })).toMatchObject({
      retention: { keep: 5, keepWithinMs: 10 * 86_400_000, keepPrefix: 'Pre-deploy backup' }
    })
    expect(await settingsFor({ 'server-id': '1', 'keep-within': '12h' })).toMatchObject({
      retention: { keep: undefined, keepWithinMs: 12 * 3_600_000 }
    })
  })

  it('durations: a bare number is seconds, m is minutes, at most 24h for timers', async () => {
    expect(
      await settingsFor({ 'server-id': '1', timeout: '90', 'poll-interval': '2m', 'request-timeout': '24h' })
    ).toMatchObject({
      timeoutMs: 90_000,
      pollIntervalMs: 120_000,
      requestTimeoutMs: 86_400_000
    })
  })

  it('api-url: https, or plain http on loopback, IPv6 included; no trailing slash', async () => {
    expect((await settingsFor({ 'server-id': '1', 'api-url': 'https://admin.vps.org/' })).apiUrl).toBe(
      'https://admin.vps.org'
    )
    expect((await settingsFor({ 'server-id': '1', 'api-url': 'http://[::1]:8080' })).apiUrl).toBe('http://[::1]:8080')
    expect((await settingsFor({ 'server-id': '1', 'api-url': 'http://localhost:8080/base/' })).apiUrl).toBe(
      'http://localhost:8080/base'
    )
  })

  it('restore: one id, several, a backup-ids object, or latest with server-id', async () => {
    expect(await settingsFor({ command: 'restore', 'backup-id': '7' })).toMatchObject({
      backups: { ids: [7] },
      serverIds: []
    })
    expect(await settingsFor({ command: 'restore', 'backup-id': '7, 8\n9' })).toMatchObject({
      backups: { ids: [7, 8, 9] }
    })
    expect(await settingsFor({ command: 'restore', 'backup-id': '{"101": 9001, "102": "9002"}' })).toMatchObject({
      backups: {
        byServer: new Map([
          [101, 9001],
          [102, 9002]
        ])
      }
    })
    expect(await settingsFor({ command: 'restore', 'backup-id': 'latest', 'server-id': '1 2' })).toMatchObject({
      backups: { latest: true },
      serverIds: [1, 2]
    })
  })

  it.each([
    [{ 'backup-id': '' }, /^backup-id is required for command restore$/],
    [{ 'backup-id': 'latest' }, /^backup-id latest needs server-id/],
    [{ 'backup-id': '7 7' }, /^backup-id lists 7 twice$/],
    [{ 'backup-id': '{"101": 9001' }, /^backup-id looks like a JSON object but is not one/],
    [{ 'backup-id': '{}' }, /^backup-id as JSON must be an object from server id to backup id/],
    [{ 'backup-id': '{"web": 9001}' }, /^a server id in backup-id must be a positive integer, got "web"$/],
    [{ 'backup-id': '{"101": 9001, "102": 9001}' }, /^backup-id names backup 9001 twice$/],
    [
      { 'backup-id': '{"12345": [501]}' },
      /^backup-id as JSON must give each server one backup id, like \{"12345": 9001\}; server 12345 has \[501\]$/
    ],
    [{ 'backup-id': '{"12345": {"id": 501}}' }, /^backup-id as JSON must give each server one backup id/],
    [{ 'backup-id': '{"12345": null}' }, /^backup-id as JSON must give each server one backup id/],
    [
      { 'backup-id': '{"12345": 501, "12345": 502}' },
      /^backup-id names server 12345 twice \(a repeated key, of which JSON keeps only the last\); one backup per server$/
    ],
    [{ 'backup-id': '{"12\\u0033": 501, "123": 502}' }, /^backup-id names server 123 twice \(a repeated key/],
    [{ 'backup-id': '{"101": 501, "0101": 502}' }, /^backup-id names server 101 twice; one backup per server$/],
    [
      { 'backup-id': '{"101": 9001}', 'server-id': '102' },
      /^server-id \(102\) must name exactly the servers of backup-id \(101\)$/
    ]
  ])('restore refuses %p', async (inputs, message) => {
    expect(await refusal({ command: 'restore', ...inputs })).toMatch(message)
  })

  it('wait: one backup, optionally checked against one server; wait: false contradicts it', async () => {
    expect(await settingsFor({ command: 'wait', 'backup-id': '7', 'server-id': '1', keep: '2' })).toMatchObject({
      command: 'wait',
      backupId: 7,
      serverId: 1,
      retention: { keep: 2 }
    })
    expect(await refusal({ command: 'wait', 'backup-id': '7', wait: 'false' })).toMatch(
      /^wait: false contradicts command wait/
    )
    expect(await refusal({ command: 'wait', 'backup-id': '7', 'server-id': '1 2' })).toBe(
      'server-id takes one server for command wait, got 2'
    )
  })

  it('delete and list', async () => {
    expect(await settingsFor({ command: 'delete', 'backup-id': '7', 'server-id': '1' })).toMatchObject({
      command: 'delete',
      backupId: 7,
      serverId: 1
    })
    expect(await settingsFor({ command: 'list', 'server-id': '1,2', 'backup-type': 'Manual' })).toMatchObject({
      command: 'list',
      serverIds: [1, 2],
      backupType: 'manual'
    })
    expect(await refusal({ command: 'list', 'backup-type': 'weekly' })).toBe(
      'backup-type must be manual or automatic, got "weekly"'
    )
  })
})
