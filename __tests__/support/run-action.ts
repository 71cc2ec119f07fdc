/**
 * Running the bundled action as the runner does (tools/runner.js, shared with `npm run demo` and
 * the benchmark), and the expectations every end-to-end test shares: one readable error line, the
 * token nowhere, no workflow command from the API, the outputs each command may set.
 */
import { expect } from '@jest/globals'
import { COMMANDS, OUTPUTS_SET_BY } from '../../src/commands/registry.js'
import { readActionYml, runAction as runBundle, type ActionRun, type RunOptions } from '../../tools/runner.js'
import type { RecordedRequest } from '../../tools/simulator/index.js'

export { GITHUB_ENV, ROOT, inputVariable, parseCommandFile, readActionYml } from '../../tools/runner.js'
export type { ActionRun, ActionYml, RunOptions } from '../../tools/runner.js'

/**
 * Runs the main step (or, with `postState`, the post step) of dist/index.js in a child process,
 * and checks that it set no output action.yml does not give to its command (OUTPUTS_SET_BY): so
 * every end-to-end test also checks the table README.md and action.yml document.
 */
export async function runAction(inputs: Record<string, string>, options: RunOptions = {}): Promise<ActionRun> {
  const run = await runBundle(inputs, options)
  if (!options.postState) expectOnlyOutputsOfCommand(inputs, run)
  return run
}

/** The run set no output that OUTPUTS_SET_BY (so action.yml and README) does not give its command. */
export function expectOnlyOutputsOfCommand(inputs: Record<string, string>, run: ActionRun): void {
  const command = (inputs.command ?? 'create').trim().toLowerCase()
  if (!(COMMANDS as readonly string[]).includes(command)) return
  const allowed = Object.entries(OUTPUTS_SET_BY)
    .filter(([, commands]) => (commands as readonly string[]).includes(command))
    .map(([name]) => name)
  expect({ command, outputs: Object.keys(run.outputs).filter(name => !allowed.includes(name)) }).toEqual({
    command,
    outputs: []
  })
}

/**
 * How the job stands when the runner comes to the post steps, apart from this step's own exit
 * code: `success` (the later steps passed), `failure` (one failed, the deploy say), or
 * `cancelled` (the run was cancelled, or the job hit its timeout-minutes, which the runner also
 * ends as cancelled; with `killAfterMs`, while this step was still running: the runner sends
 * SIGINT, which the action does not handle, so it ends at once as under the SIGKILL runAction
 * sends).
 */
export type JobStatus = 'success' | 'failure' | 'cancelled'

/**
 * The main step, then the post step as the runner runs it for `post-if: failure()`: only when the
 * job has failed so far (this step failing, or a later step such as the deploy). A cancelled job
 * is not a failed one: its status is `cancelled`, so `failure()` is false and the post step does
 * not run, whatever this step's exit code (actions/runner).
 */
export async function runWithPost(
  inputs: Record<string, string>,
  options: RunOptions & ({ laterStepFailed: boolean } | { jobStatus: JobStatus })
): Promise<{ main: ActionRun; post: ActionRun | undefined }> {
  const action = readActionYml()
  if (action.runs['post-if'] !== 'failure()') throw new Error('action.yml: runs.post-if is not failure()')
  const later: JobStatus = 'jobStatus' in options ? options.jobStatus : options.laterStepFailed ? 'failure' : 'success'
  const main = await runAction(inputs, options)
  const jobFailed = later !== 'cancelled' && (main.exitCode !== 0 || later === 'failure')
  const post = jobFailed
    ? await runAction(inputs, { ...options, env: { ...options.env, ...main.exported }, postState: main.state })
    : undefined
  return { main, post }
}

/** Splits the log the way the runner reads lines (.NET ReadLine: \n, \r\n and a lone \r). */
export const logLines = (log: string): string[] => log.split(/\r\n|\r|\n/)

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

/** The `::warning::` lines, decoded. */
export function warningLines(log: string): string[] {
  return log
    .split('\n')
    .filter(line => line.startsWith('::warning'))
    .map(line => line.replace(/^::warning[^:]*::/, '').replace(/%25/g, '%'))
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
 * The failure is one line a person can act on: exit code 1, exactly one ::error:: line, no stack,
 * no parser noise, no HTML, no raw JSON, short, and naming each of `names` (a RegExp to match, or
 * strings it contains: the status, method, path, backup id…).
 */
export function expectOneLineError(run: ActionRun, ...names: Array<string | RegExp>): string {
  expect(run.exitCode).toBe(1)
  const errors = errorLines(run.log)
  expect(errors).toHaveLength(1)
  const [error] = errors as [string]
  expect(error).not.toMatch(/[\r\n]/)
  expect(error).not.toMatch(
    /SyntaxError|TypeError|ReferenceError|Unexpected (token|end)|JSON at position|\[object Object\]|\bundefined\b/
  )
  expect(error).not.toMatch(/<\/?(html|head|body|title|center|h1|hr)\b/i)
  expect(error.length).toBeLessThan(500)
  expect(run.log).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
  for (const name of names) {
    if (typeof name === 'string') expect(error).toContain(name)
    else expect(error).toMatch(name)
  }
  return error
}

/** Every form an encoder gives the token: itself, JSON-escaped, \u-escaped, URL-encoded. */
function encodedForms(token: string): string[] {
  const json = JSON.stringify(token).slice(1, -1)
  return [
    token,
    json,
    json.replace(/\//g, '\\/'),
    [...token].map(c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
    encodeURIComponent(token),
    encodeURIComponent(token).toLowerCase()
  ]
}

/**
 * The token is registered as a secret before anything else is printed (the runner consumes the
 * `::add-mask::` command and shows nothing of it); apart from that command it appears nowhere, in
 * no encoded form either: not in the log, an output, the state or the summary.
 */
export function expectTokenNowhere(run: ActionRun, token: string): void {
  const lines = logLines(run.log)
  expect(lines[0]).toBe(`::add-mask::${token}`)
  const everything = [lines.slice(1).join('\n'), JSON.stringify(run.outputs), JSON.stringify(run.state), run.summary]
  for (const form of encodedForms(token)) {
    for (const text of everything) expect(text.includes(form) ? form : '').toBe('')
  }
}

/**
 * No line the runner reads is a workflow command that came from the API. As the runner parses them
 * (ActionCommandManager): a line that starts with `::` after its leading white space is a command
 * (the data after the second `::` is inert); any other line holding `##[` is a legacy command.
 */
export function expectNoInjectedCommand(log: string, token: string): void {
  const own = /^::(debug|notice|warning|error)( [^:]*)?::/
  for (const line of logLines(log).map(l => l.trimStart())) {
    if (!line.startsWith('::')) {
      expect(line).not.toContain('##[')
      continue
    }
    if (line.startsWith('::add-mask::')) {
      expect(line).toBe(`::add-mask::${token}`)
      continue
    }
    expect(line).toMatch(own)
    // The data of the action's own commands is escaped by the toolkit, and never starts with text
    // of the API that the runner would show as if the action had said it.
    expect(line.replace(own, '')).not.toMatch(/^(pwned|x\b)/)
  }
  for (const payload of ['::add-mask::x', '::error::pwned', '::warning::pwned', '::set-env']) {
    expect(logLines(log).filter(line => line.trim().startsWith(payload))).toEqual([])
  }
}

/** Only reads reached the API (and at least one did). */
export function expectOnlyGets(requests: readonly RecordedRequest[]): void {
  expect(requests.length).toBeGreaterThan(0)
  expect(requests.map(r => `${r.method} ${r.path}`).filter(r => !r.startsWith('GET '))).toEqual([])
}

/** An output that holds JSON, parsed; it must be set. */
export function parseJsonOutput<T>(run: ActionRun, name: string): T {
  const raw = run.outputs[name]
  expect(raw).toBeDefined()
  return JSON.parse(raw ?? '') as T
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
    const [, h, m, s, ms] = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(pause ?? '') ?? []
    return Number(h ?? 0) * 3_600_000 + Number(m ?? 0) * 60_000 + Number(s ?? 0) * 1000 + Number(ms ?? 0)
  })
}

/**
 * The run took no longer than `workMs` (what the test itself makes the action wait for, such as a
 * request-timeout that cuts a hung request) plus the pauses it logged, on a busy machine: counted
 * from the action's first line (ranMs), as starting Node.js is no part of what the action said.
 */
export function expectNoLongerThanSaid(result: ActionRun, workMs = 0): void {
  const pauses = loggedPauses(result.log)
  const said = pauses.reduce((sum, pause) => sum + pause + (pause >= 1000 ? LOGGED_ROUNDING_MS : 0), 0)
  expect(result.ranMs).toBeLessThan(workMs + said + BUSY_MACHINE_MS)
}
