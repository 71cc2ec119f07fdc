/**
 * One simulator per test file, started before the file's tests and reset before each, with the
 * small helpers the end-to-end tests share: inputs that point at it, fixtures of backups, and
 * views of what it received.
 */
import { afterAll, beforeAll, beforeEach, expect } from '@jest/globals'
import type { ActionRun, RunOptions } from '../../tools/runner.js'
import {
  startSimulator,
  type BackupInput,
  type RecordedRequest,
  type SimBackup,
  type Simulator,
  type SimulatorOptions
} from '../../tools/simulator/index.js'
import { runAction } from './run-action.js'

export const TOKEN = 'test-token'
export const WEB = 12345
export const DB = 23456
export const LIST = '/api/v1/backups/'
export const PREFIX = 'Pre-deploy backup'
export const restorePath = (serverId: number): string => `/api/v1/servers/${serverId}/restore/`
export const deletePath = (backupId: number): string => `${LIST}${backupId}/`
/** Ids in ascending order, to compare sets of backups. */
export const ids = (backups: ReadonlyArray<{ id: number }>): number[] => backups.map(b => b.id).sort((a, b) => a - b)

export interface SimulatorFixture {
  /** The file's simulator, usable once beforeAll ran. */
  readonly sim: Simulator
  /** Inputs for a run against the simulator, with short polling; `extra` wins. */
  inputs(extra: Record<string, string>): Record<string, string>
  /** Runs the bundle with `inputs(extra)`, killed after 40 s at the latest. */
  run(extra: Record<string, string>, options?: RunOptions): Promise<ActionRun>
  /** The requests received with this method (and path). */
  seen(method: string, path?: string): RecordedRequest[]
  /**
   * "GET POST GET …": the order the simulator saw the backups requests in. The server reads that
   * come before a create or restore (is a restore of it running?) are left out.
   */
  sequence(): string
  /** A position in the simulator's request record, to look at what one run sent… */
  mark(): number
  /** …and the requests received since. */
  since(from: number): RecordedRequest[]
  /** A completed backup with this description and date unless `extra` says otherwise. */
  add(serverId: number, description: string, createdAt: string, extra?: Partial<BackupInput>): SimBackup
  /** The simulator's own list order (all pages), read directly, to prove a fixture's order differs from it. */
  listOrder(query?: string): Promise<number[]>
  /** Starts a manual backup through the API itself, so it really goes from in_progress to completed. */
  startBackupDirectly(serverId: number, description: string): Promise<SimBackup>
}

/** Requests that change something: every method but GET. */
export function nonGet(requests: readonly RecordedRequest[]): RecordedRequest[] {
  return requests.filter(r => r.method !== 'GET')
}

/** Registers the hooks that start, reset and close the file's simulator. */
export function useSimulator(options: SimulatorOptions = {}, defaults: Record<string, string> = {}): SimulatorFixture {
  let current: Simulator | undefined
  beforeAll(async () => {
    current = await startSimulator(options)
  })
  afterAll(async () => {
    await current?.close()
  })
  beforeEach(() => {
    current?.reset()
  })
  const started = (): Simulator => {
    if (!current) throw new Error('the simulator is started in beforeAll')
    return current
  }
  // The file's tests run after beforeAll: `sim` stands for the simulator it started, so a file can
  // take it once, at the top, before it exists.
  const sim = new Proxy({} as Simulator, { get: (_, name) => Reflect.get(started(), name) as unknown })
  const fixture: SimulatorFixture = {
    sim,
    inputs: extra => ({
      'api-token': TOKEN,
      'api-url': fixture.sim.url,
      'poll-interval': '1s',
      timeout: '40s',
      ...defaults,
      ...extra
    }),
    run: (extra, options = {}) => runAction(fixture.inputs(extra), { killAfterMs: 40_000, ...options }),
    seen: (method, path) =>
      fixture.sim.requests.filter(r => r.method === method && (path === undefined || r.path === path)),
    sequence: () =>
      fixture.sim.requests
        .filter(r => !(r.method === 'GET' && r.path.startsWith('/api/v1/servers/')))
        .map(r => r.method)
        .join(' '),
    mark: () => fixture.sim.requests.length,
    since: from => fixture.sim.requests.slice(from),
    add: (serverId, description, createdAt, extra = {}) =>
      fixture.sim.addBackup({ serverId, description, created_at: createdAt, ...extra }),
    async listOrder(query = '') {
      const order: number[] = []
      let url: string | null = `${fixture.sim.url}${LIST}${query}`
      while (url) {
        const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })
        const page = (await res.json()) as { next: string | null; results: SimBackup[] }
        order.push(...page.results.map(b => b.id))
        url = page.next
      }
      return order
    },
    async startBackupDirectly(serverId, description) {
      const res = await fetch(`${fixture.sim.url}${LIST}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ server_id: serverId, description })
      })
      expect(res.status).toBe(201)
      return (await res.json()) as SimBackup
    }
  }
  return fixture
}
