/**
 * Test helpers around the runner emulation in tools/runner.js (shared with `npm run demo` and the
 * benchmark).
 */
import { expect } from '@jest/globals'
import { readActionYml, runAction, type ActionRun, type RunOptions } from '../../tools/runner.js'

export { GITHUB_ENV, ROOT, inputVariable, parseCommandFile, readActionYml, runAction } from '../../tools/runner.js'
export type { ActionRun, ActionYml, RunOptions } from '../../tools/runner.js'

/**
 * The main step, then the post step as the runner runs it for `post-if: failure()`: only when the
 * job has failed so far (this step failing, or a later step such as the deploy).
 */
export async function runWithPost(
  inputs: Record<string, string>,
  options: RunOptions & { laterStepFailed: boolean }
): Promise<{ main: ActionRun; post: ActionRun | undefined }> {
  const action = readActionYml()
  if (action.runs['post-if'] !== 'failure()') throw new Error('action.yml: runs.post-if is not failure()')
  const main = await runAction(inputs, options)
  const jobFailed = main.exitCode !== 0 || options.laterStepFailed
  const post = jobFailed ? await runAction(inputs, { ...options, postState: main.state }) : undefined
  return { main, post }
}

/** The `::error::` lines the runner turns into annotations, decoded. */
export function errorLines(log: string): string[] {
  return log
    .split('\n')
    .filter(line => line.startsWith('::error'))
    .map(line =>
      line
        .replace(/^::error[^:]*::/, '')
        .replace(/%0A/g, '\n')
        .replace(/%0D/g, '\r')
        .replace(/%25/g, '%')
    )
}

/**
 * The log as a person sees it: the runner consumes `::add-mask::` lines (that is how a secret is
 * registered) and never shows them, so the token may stand there and nowhere else.
 */
export function visibleLog(log: string): string {
  return log
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n')
}

/**
 * Room for a child process to start and be scheduled on a busy machine (CI runs two test files at
 * once on two cores, each starting the action). Wall-clock bounds in the e2e tests are "what the
 * action said it would wait, plus this", never a tight budget: that would measure the machine, and
 * speed is measured by `npm run bench`.
 */
export const BUSY_MACHINE_MS = 3000

/** A logged pause of 1 s or more is rounded to whole seconds (formatDuration). */
const LOGGED_ROUNDING_MS = 500

/**
 * The pauses the action said it would take before trying again, in ms, in order: "…; retrying in
 * 850ms" and, after a POST with an unknown outcome, "checking the backup list in 2s". Only the
 * forms formatDuration writes (850ms, 42s, 4m05s, 1h02m) are read, so a change of wording makes
 * the tests that rely on this fail rather than read a pause of 0.
 */
export function loggedPauses(log: string): number[] {
  const said = /(?:retrying in|checking the backup list in) (\d+ms|\d+s|\d+m\d\ds|\d+h\d\dm)\b/g
  return [...log.matchAll(said)].map(([, pause]) => {
    const [, h, m, s, ms] = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(pause) ?? []
    return Number(h ?? 0) * 3_600_000 + Number(m ?? 0) * 60_000 + Number(s ?? 0) * 1000 + Number(ms ?? 0)
  })
}

/**
 * The run took no longer than `workMs` (what the test itself makes the action wait for, such as a
 * request-timeout that cuts a hung request) plus the pauses it logged, on a busy machine.
 */
export function expectNoLongerThanSaid(result: ActionRun, workMs = 0): void {
  const pauses = loggedPauses(result.log)
  const said = pauses.reduce((sum, pause) => sum + pause + (pause >= 1000 ? LOGGED_ROUNDING_MS : 0), 0)
  expect(result.durationMs).toBeLessThan(workMs + said + BUSY_MACHINE_MS)
}
