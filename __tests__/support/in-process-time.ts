/**
 * Time in the in-process tests where it meets real time: bounds on virtual time by the pauses the
 * action logged, and refusals of connections that last real time.
 *
 * A refusal of connections by the simulator (`refuseConnections`, the `refuse` fault) lasts real
 * time, while the action's pauses between attempts run on the fake clock and would all fall inside
 * it. `throughRefusal` holds virtual time from the first refused connection the action logs until
 * the simulator listens again, as real time would pass during the refusal.
 */
import { expect } from '@jest/globals'
import { connect } from 'node:net'
import type { FakeClock, InProcessRun } from './in-process.js'
import { loggedPauses } from './run-action.js'

/** A logged pause of 1 s or more is rounded to whole seconds (formatDuration). */
const LOGGED_ROUNDING_MS = 500

/**
 * expectNoLongerThanSaid on virtual time: the run took no more virtual time than the pauses it
 * logged (no machine's slowness to allow for), plus `workMs` the test itself made it wait.
 */
export function expectVirtualNoLongerThanSaid(run: InProcessRun, workMs = 0): void {
  const said = loggedPauses(run.log).reduce((sum, p) => sum + p + (p >= 1000 ? LOGGED_ROUNDING_MS : 0), 0)
  expect(run.virtualMs).toBeLessThanOrEqual(workMs + said)
}

/** Resolves once something accepts connections at `url` again. */
export async function listeningAgain(url: string): Promise<void> {
  const { hostname, port } = new URL(url)
  for (;;) {
    const accepted = await new Promise<boolean>(resolve => {
      const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ''))
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (accepted) return
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** RunOptions' echo for a run during a refusal at `url` (read when the refusal is met). */
export function throughRefusal(clock: FakeClock, url: () => string): { echo: (line: string) => void } {
  let held = false
  return {
    echo: line => {
      if (held || !/connection refused; retrying in/.test(line)) return
      held = true
      void clock.hold(listeningAgain(url()))
    }
  }
}
