/**
 * Following servers through a restore with a fake clock (GitHub issue 14, §7 and §8): a read that
 * fails is a round without a status for that server alone, the wait goes on until the step's
 * timeout, and a 401/403 ends it only for a server never read. Over real HTTP (against the
 * simulator, in process) the same wait is exercised by restores/rollback.test.ts.
 */
import { beforeEach, describe, expect, it } from '@jest/globals'
import type { ServerLookup, VpsApi } from '../../src/api/client.js'
import { Deadline } from '../../src/base/deadline.js'
import { ApiError } from '../../src/base/errors.js'
import { RESTORE_GRACE_MS, restoreOutcomeText, waitForRestores } from '../../src/restores/waiting.js'
import { FakeClock } from '../support/in-process.js'
import { DB, WEB } from '../support/simulator-fixture.js'

const START = Date.parse('2026-11-28T12:00:00Z')

/** What one read of a server gives: a status, or an answer of the API with this HTTP status. */
type Read = string | { fails: number }

/**
 * Servers whose reads, one per round, follow a script: each read takes the next entry, the last
 * one stays. Every read is recorded with its time.
 */
function scriptedServers(scripts: Record<number, Read[]>): {
  api: Pick<VpsApi, 'getServers'>
  reads: Array<{ serverId: number; at: number }>
} {
  const reads: Array<{ serverId: number; at: number }> = []
  const next = new Map(Object.keys(scripts).map(id => [Number(id), 0]))
  const getServers = async (ids: readonly number[]): Promise<Map<number, ServerLookup>> =>
    new Map(
      ids.map((serverId): [number, ServerLookup] => {
        reads.push({ serverId, at: clock.now() })
        const script = scripts[serverId] ?? []
        const n = next.get(serverId) ?? 0
        next.set(serverId, n + 1)
        const read = script[Math.min(n, script.length - 1)] ?? 'active'
        if (typeof read === 'string')
          return [serverId, { server: { id: serverId, name: 'web-server-01', status: read } }]
        const path = `/api/v1/servers/${serverId}/`
        const message =
          read.fails === 403
            ? `the token is not allowed to do this (403 on GET ${path}: Forbidden.)`
            : `the VPS.org API answered ${read.fails} on GET ${path}: A server error occurred. (gave up after 6 attempts)`
        return [serverId, { error: new ApiError(message, { method: 'GET', path }, read.fails) }]
      })
    )
  return { api: { getServers }, reads }
}

const times = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value)

function follow(
  api: Pick<VpsApi, 'getServers'>,
  serverIds: number[],
  timeoutMs: number,
  readBefore: number[] = []
): { lines: string[]; done: ReturnType<typeof waitForRestores> } {
  const lines: string[] = []
  const done = waitForRestores(
    api,
    serverIds.map(serverId => ({ serverId, label: `srv (${serverId})`, answered: 'restoring' })),
    {
      pollIntervalMs: 15_000,
      deadline: new Deadline(timeoutMs, clock),
      log: { info: text => lines.push(text) },
      readBefore: new Set(readBefore)
    }
  )
  return { lines, done }
}

// Virtual time: every pause of the wait ends at once, the clock moved to its end.
let clock: FakeClock
beforeEach(() => {
  clock = new FakeClock(START)
})

describe('waitForRestores: reads that fail', () => {
  it('goes on past failed reads (a 5xx outage, more than one request gives up on) until the server is back', async () => {
    const { api, reads } = scriptedServers({ [WEB]: ['restoring', ...times(8, { fails: 500 }), 'restoring', 'active'] })
    const { lines, done } = follow(api, [WEB], 30 * 60_000)
    const { settled } = await done

    expect(settled.get(WEB)).toEqual({ state: 'done', status: 'active', value: 'active' })
    expect(reads).toHaveLength(11)
    // Said once, when the reads began to fail, not at every round.
    expect(lines.filter(l => l.includes('could not be read'))).toEqual([
      expect.stringMatching(
        /^Server srv \(12345\): its status could not be read after \d+s \(the VPS\.org API answered 500 .*\); the restore may still be running, so the wait goes on$/
      )
    ])
    expect(lines).toContainEqual(expect.stringMatching(/^Server srv \(12345\): unknown → restoring after \d+/))
  })

  it('ends at the timeout without a status: unread, unknown, and a line that says not to restore again', async () => {
    const { api, reads } = scriptedServers({ [WEB]: ['restoring', { fails: 502 }] })
    const { done } = follow(api, [WEB], 10 * 60_000)
    const { settled } = await done

    const outcome = settled.get(WEB)
    expect(outcome).toMatchObject({ state: 'unread', status: 'unknown' })
    // Every round until the timeout, with the usual backoff: far more reads than one request's attempts.
    expect(reads.length).toBeGreaterThan(6)
    expect((reads.at(-1)?.at ?? 0) - START).toBeGreaterThan(9 * 60_000)
    expect(
      restoreOutcomeText('srv (12345)', 'backup 900', outcome ?? { state: 'timed-out', status: '' }, '10m')
    ).toMatch(
      /^timed out after 10m waiting for server srv \(12345\) to finish restoring from backup 900: its status could not be read since \d+s after the request \(the VPS\.org API answered 502 on GET \/api\/v1\/servers\/12345\/: .*\); the restore was accepted and may still be running: check the server in the VPS\.org panel before restoring it again$/
    )
  })

  it("one server's failing reads never end the wait for another", async () => {
    const { api } = scriptedServers({
      [WEB]: ['restoring', { fails: 500 }],
      [DB]: ['restoring', 'restoring', 'restoring', 'active']
    })
    const { done } = follow(api, [WEB, DB], 5 * 60_000)
    const { settled } = await done

    expect(settled.get(DB)).toEqual({ state: 'done', status: 'active', value: 'active' })
    expect(settled.get(WEB)).toMatchObject({ state: 'unread', status: 'unknown' })
  })

  it('a read that failed, then a status that is not restoring, ends the same as without the failure', async () => {
    const { api } = scriptedServers({ [WEB]: ['restoring', { fails: 503 }, 'suspended'] })
    const { done } = follow(api, [WEB], 5 * 60_000)

    expect((await done).settled.get(WEB)).toMatchObject({ state: 'failed', status: 'suspended' })
  })
})

describe('waitForRestores: 401 and 403', () => {
  it('after a read showed restoring, two 403s (a WAF) are rounds without a status: the wait goes on until back', async () => {
    const { api, reads } = scriptedServers({
      [WEB]: ['restoring', { fails: 403 }, { fails: 403 }, 'restoring', 'restoring', 'active']
    })
    const { done } = follow(api, [WEB], 30 * 60_000)

    expect((await done).settled.get(WEB)).toEqual({ state: 'done', status: 'active', value: 'active' })
    expect(reads).toHaveLength(6)
  })

  it('a server read before the restore request (the check for a restore running): a 403 is retried too', async () => {
    const { api } = scriptedServers({ [WEB]: [{ fails: 403 }, 'restoring', 'active'] })
    const { done } = follow(api, [WEB], 30 * 60_000, [WEB])

    expect((await done).settled.get(WEB)).toEqual({ state: 'done', status: 'active', value: 'active' })
  })

  it('a server never read: a 403 ends its wait at once, unconfirmed (the token may not read servers)', async () => {
    const { api, reads } = scriptedServers({ [WEB]: [{ fails: 403 }] })
    const { done } = follow(api, [WEB], 30 * 60_000)

    expect((await done).settled.get(WEB)).toEqual({
      state: 'unconfirmed',
      status: 'unknown',
      why: `the token may lack the permission to read servers (the token is not allowed to do this (403 on GET /api/v1/servers/${WEB}/: Forbidden.))`
    })
    expect(reads).toHaveLength(1)
  })

  it('never seen restoring within the grace time, reads failing or not: unconfirmed, as before', async () => {
    const { api } = scriptedServers({ [WEB]: ['active', { fails: 403 }, 'active'] })
    const { done } = follow(api, [WEB], 30 * 60_000)

    const outcome = (await done).settled.get(WEB)
    expect(outcome).toMatchObject({ state: 'unconfirmed', status: 'active' })
    expect(outcome?.state === 'unconfirmed' && outcome.why).toContain(`within ${RESTORE_GRACE_MS / 1000}s`)
  })
})
