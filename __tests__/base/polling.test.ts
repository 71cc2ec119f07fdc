import { describe, expect, it } from '@jest/globals'
import { pollDelay } from '../../src/base/polling.js'

describe('pollDelay', () => {
  it('checks about every second at first and never more often', () => {
    expect(pollDelay(0, 15_000)).toBe(1000)
    expect(pollDelay(4000, 15_000)).toBe(1000)
  })
  it('lengthens with the time waited, up to poll-interval', () => {
    expect(pollDelay(20_000, 15_000)).toBe(4000)
    expect(pollDelay(600_000, 15_000)).toBe(15_000)
    expect(pollDelay(600_000, 1000)).toBe(1000)
  })
  /** Replays the schedule: when is a backup that completes at `doneAt` noticed, after how many checks. */
  function replay(doneAtMs: number, maxIntervalMs = 15_000): { lateMs: number; checks: number } {
    let t = 0
    let checks = 0
    while (t < doneAtMs) {
      t += pollDelay(t, maxIntervalMs)
      checks++
    }
    return { lateMs: t - doneAtMs, checks }
  }
  it('notices a 4 s backup within 1.5 s and a 20 s one within 3 s in at most 15 checks', () => {
    expect(replay(4000).lateMs).toBeLessThanOrEqual(1500)
    const twenty = replay(20_000)
    expect(twenty.lateMs).toBeLessThanOrEqual(3000)
    expect(twenty.checks).toBeLessThanOrEqual(15)
  })
  it('costs few requests for a long backup', () => {
    expect(replay(30 * 60_000).checks).toBeLessThan(140)
    expect(replay(10 * 60_000, 1000).checks).toBe(600)
  })
})
