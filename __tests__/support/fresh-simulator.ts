/**
 * For the simulator's own tests: a simulator started before each test of the enclosing block and
 * closed after. With `clocked`, on a FakeClock of its own (at the real now), which `clock()` returns:
 * backups finish, restores and timed statuses end as the test advances it, never by waiting.
 */
import { afterEach, beforeEach } from '@jest/globals'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../tools/simulator/index.js'
import { FakeClock } from './in-process.js'

export type FreshSimulator = (() => Simulator) & { clock: () => FakeClock }

export function useFreshSimulator(options?: SimulatorOptions, { clocked = false } = {}): FreshSimulator {
  let current: Simulator | undefined
  let fake: FakeClock | undefined
  beforeEach(async () => {
    const clock = clocked ? new FakeClock() : undefined
    fake = clock
    current = await startSimulator(clock ? { ...options, now: () => clock.now() } : options)
  })
  afterEach(async () => {
    await current?.close()
  })
  const simulator = () => {
    if (!current) throw new Error('simulator not started')
    return current
  }
  const clock = () => {
    if (!fake) throw new Error('simulator not started on a FakeClock')
    return fake
  }
  return Object.assign(simulator, { clock })
}
