/**
 * The action in process: its `run()` (main step, or post step with `postState`) through the
 * command registry, with a FakeRunner (inputs with action.yml's defaults, as the runner gives
 * them; every log line in the workflow-command text the runner reads; outputs, state, summary,
 * exit code) and a FakeClock (every wait, backoff, grace time and timeout of the action runs on
 * virtual time, without sleeping). The result has the shape of the child process's ActionRun, so
 * errorLines, expectOneLineError, expectTokenNowhere… apply as they are.
 *
 * Against the simulator started in process with the same clock (`useInProcessSimulator`), backups
 * complete and servers restore on virtual time, over real HTTP on loopback. What only a process
 * shows (the runner's files, exit, signals, the bundle on Node 24) stays in the *.e2e tests.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Clock } from '../../src/base/clock.js'
import { run } from '../../src/main.js'
import type { InputOptions, RunIdentity, Runner, RunnerVariable } from '../../src/runner/port.js'
import type { SimulatorOptions } from '../../tools/simulator/index.js'
import { GITHUB_ENV, expectOnlyOutputsOfCommand, readActionYml, type ActionRun, type JobStatus } from './run-action.js'
import { useSimulator, type SimulatorFixture } from './simulator-fixture.js'

/** `%`, CR and LF escaped, as @actions/core writes a command's data. */
const escapeData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
/** …and `:` and `,` too in a property. */
const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')

/** The variables a test sets: the port's, and those the real port reads through @actions/github's context. */
export type RunVariable =
  | RunnerVariable
  | 'GITHUB_REPOSITORY'
  | 'GITHUB_SHA'
  | 'GITHUB_RUN_ID'
  | 'GITHUB_RUN_ATTEMPT'
  | 'GITHUB_JOB'
  | 'GITHUB_SERVER_URL'

/**
 * The runner as a step sees it, in memory: what @actions/core would write to stdout and to the
 * GITHUB_OUTPUT, GITHUB_STATE and GITHUB_STEP_SUMMARY files.
 */
export class FakeRunner implements Runner {
  log = ''
  readonly outputs: Record<string, string> = {}
  readonly state: Record<string, string> = {}
  summary = ''
  exitCode = 0
  /** What the step exported for the job's later steps (GITHUB_ENV). */
  readonly exported: Record<string, string> = {}
  private readonly variables: Partial<Record<RunVariable, string>>
  /** Called with each line as it is written, as RunOptions.echo. */
  echo?: (text: string) => void

  constructor(
    private readonly inputs: Record<string, string>,
    variables: Partial<Record<RunVariable, string>>,
    private readonly savedState: Record<string, string> = {},
    private readonly hasSummary = true
  ) {
    this.variables = { ...variables }
  }

  private write(line: string): void {
    this.log += `${line}\n`
    this.echo?.(`${line}\n`)
  }

  private command(name: string, message: string, title?: string): void {
    this.write(`::${name}${title ? ` title=${escapeProperty(title)}` : ''}::${escapeData(message)}`)
  }

  getInput(name: string, options?: InputOptions): string {
    const value = this.inputs[name] ?? ''
    return options?.trimWhitespace === false ? value : value.trim()
  }

  env(name: RunnerVariable): string | undefined {
    return this.variables[name] || undefined
  }

  /** As the runner's GITHUB_ENV file: for this step at once, and in `exported` for the next ones. */
  exportVariable(name: RunnerVariable, value: string): boolean {
    if (!this.variables.GITHUB_ENV) return false
    this.variables[name] = value
    this.exported[name] = value
    return true
  }

  /** As github.context reads the variables: numbers parsed, the server github.com unless set. */
  async identity(): Promise<RunIdentity> {
    const number = (name: RunVariable): number | undefined => {
      const value = parseInt(this.variables[name] ?? '', 10)
      return Number.isNaN(value) ? undefined : value
    }
    const text = (name: RunVariable): string | undefined => this.variables[name] || undefined
    return {
      repository: text('GITHUB_REPOSITORY'),
      sha: text('GITHUB_SHA'),
      runId: number('GITHUB_RUN_ID'),
      runAttempt: number('GITHUB_RUN_ATTEMPT'),
      job: text('GITHUB_JOB'),
      serverUrl: text('GITHUB_SERVER_URL') ?? 'https://github.com'
    }
  }

  setSecret(secret: string): void {
    this.command('add-mask', secret)
  }

  info(message: string): void {
    this.write(message)
  }

  debug(message: string): void {
    this.command('debug', message)
  }

  warning(message: string): void {
    this.command('warning', message)
  }

  notice(message: string, title?: string): void {
    this.command('notice', message, title)
  }

  error(message: string): void {
    this.command('error', message)
  }

  setOutput(name: string, value: string): void {
    this.outputs[name] = value
  }

  saveState(name: string, value: string): void {
    this.state[name] = value
  }

  getState(name: string): string {
    return this.savedState[name] ?? ''
  }

  async appendSummary(markdown: string): Promise<boolean> {
    if (!this.hasSummary) return false
    this.summary += `${markdown}\n`
    return true
  }

  setFailed(message: string): void {
    this.exitCode = 1
    this.error(message)
  }
}

/**
 * Virtual time: now() is read from it, sleep(ms) moves it forward and resolves at once (on the
 * next turn of the event loop, the earliest wake-up first), so concurrent pauses overlap as they
 * would in real time: two pauses of 1 s taken together move the clock by 1 s, not 2.
 */
export class FakeClock implements Clock {
  private current: number
  private readonly sleepers: Array<{ at: number; wake: () => void }> = []
  private draining = false
  /** Work of the test during which virtual time stands still (see hold). */
  private readonly holds = new Set<Promise<unknown>>()
  /** Every pause asked for, in ms, in order. */
  readonly sleeps: number[] = []

  constructor(start: number = Date.now()) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  monotonic(): number {
    return this.current
  }

  /** Moves time forward without a pause of the action (as if the machine were slow). */
  advance(ms: number): void {
    this.current += Math.max(0, ms)
  }

  /**
   * Virtual time stands still until `work` settles: no pause of the action ends meanwhile. For a
   * test that acts on the API in the middle of a run (deletes a backup once the log says it
   * started), which would otherwise come after the run's virtual minutes had flown by.
   */
  hold<T>(work: Promise<T>): Promise<T> {
    const held = work.finally(() => {
      this.holds.delete(held)
      this.drain()
    })
    this.holds.add(held)
    return held
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms)
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error)
      const sleeper = {
        at: this.current + Math.max(0, ms),
        wake: () => {
          signal?.removeEventListener('abort', aborted)
          resolve()
        }
      }
      const aborted = (): void => {
        this.sleepers.splice(this.sleepers.indexOf(sleeper), 1)
        reject(signal?.reason as Error)
      }
      signal?.addEventListener('abort', aborted, { once: true })
      this.sleepers.push(sleeper)
      this.drain()
    })
  }

  /** Wakes the earliest sleeper once the event loop has run what was ready (answers included). */
  private drain(): void {
    if (this.draining) return
    this.draining = true
    setImmediate(() => {
      this.draining = false
      if (this.holds.size > 0) return
      this.sleepers.sort((a, b) => a.at - b.at)
      const next = this.sleepers.shift()
      if (next === undefined) return
      this.current = Math.max(this.current, next.at)
      next.wake()
      if (this.sleepers.length > 0) this.drain()
    })
  }
}

export interface InProcessOptions {
  /** The clock of the run; default a new FakeClock at the real now. Share it with the simulator. */
  clock?: FakeClock
  /** Runs the post step with this state of the main step. */
  postState?: Record<string, string>
  /**
   * The run's variables beside GITHUB_ENV (the constant); RUNNER_TEMP defaults to a fresh directory,
   * and the GITHUB_ENV file to one (the variables it gets are the run's `exported`).
   */
  env?: Partial<Record<RunVariable, string>>
  /** False: no job summary, as outside a runner. */
  summary?: boolean
  echo?: (text: string) => void
}

/** The in-process run: ActionRun's fields, plus the virtual time it took and the clock. */
export interface InProcessRun extends ActionRun {
  /** Virtual ms from the start to the end of the step. */
  virtualMs: number
  clock: FakeClock
}

/** Every input of action.yml, its default where not given, as the runner passes them. */
export function withDefaults(inputs: Record<string, string>): Record<string, string> {
  const action = readActionYml()
  const unknown = Object.keys(inputs).filter(name => !(name in action.inputs))
  if (unknown.length) throw new Error(`inputs that action.yml does not declare: ${unknown.join(', ')}`)
  return Object.fromEntries(
    Object.entries(action.inputs).map(([name, spec]) => [name, inputs[name] ?? spec.default ?? ''])
  )
}

/**
 * Runs the main step (or, with `postState`, the post step) in process and checks, as runAction
 * does, that it set no output action.yml does not give to its command.
 */
export async function runInProcess(
  inputs: Record<string, string>,
  options: InProcessOptions = {}
): Promise<InProcessRun> {
  const clock = options.clock ?? new FakeClock()
  const temp = options.env?.RUNNER_TEMP === undefined ? mkdtempSync(join(tmpdir(), 'vps-in-process-')) : undefined
  const runner = new FakeRunner(
    withDefaults(inputs),
    { ...GITHUB_ENV, RUNNER_TEMP: temp, GITHUB_ENV: 'github-env', ...options.env },
    options.postState,
    options.summary ?? true
  )
  runner.echo = options.echo
  const started = Date.now()
  const virtualStart = clock.now()
  try {
    await run(runner, clock)
  } finally {
    if (temp !== undefined) rmSync(temp, { recursive: true, force: true })
  }
  const result: InProcessRun = {
    exitCode: runner.exitCode,
    log: runner.log,
    outputs: runner.outputs,
    state: runner.state,
    exported: runner.exported,
    summary: runner.summary,
    durationMs: Date.now() - started,
    ranMs: Date.now() - started,
    killed: false,
    exitedAfterLastLineMs: 0,
    virtualMs: clock.now() - virtualStart,
    clock
  }
  if (!options.postState) expectOnlyOutputsOfCommand(inputs, result)
  return result
}

/**
 * The main step, then the post step as the runner runs it for `post-if: failure()`, in process
 * (as runWithPost): only when the job has failed so far; never when it was cancelled.
 */
export async function runWithPostInProcess(
  inputs: Record<string, string>,
  options: InProcessOptions & ({ laterStepFailed: boolean } | { jobStatus: JobStatus })
): Promise<{ main: InProcessRun; post: InProcessRun | undefined }> {
  const action = readActionYml()
  if (action.runs['post-if'] !== 'failure()') throw new Error('action.yml: runs.post-if is not failure()')
  const later: JobStatus = 'jobStatus' in options ? options.jobStatus : options.laterStepFailed ? 'failure' : 'success'
  const clock = options.clock ?? new FakeClock()
  const main = await runInProcess(inputs, { ...options, clock })
  const jobFailed = later !== 'cancelled' && (main.exitCode !== 0 || later === 'failure')
  const post = jobFailed
    ? await runInProcess(inputs, {
        ...options,
        clock,
        env: { ...options.env, ...main.exported },
        postState: main.state
      })
    : undefined
  return { main, post }
}

/** The simulator fixture (one per file), on a fake clock, whose `run` runs the action in process. */
export interface InProcessFixture extends Omit<SimulatorFixture, 'run'> {
  /** The file's clock, shared by the simulator and every run; it only moves forward. */
  readonly clock: FakeClock
  run(extra: Record<string, string>, options?: InProcessOptions): Promise<InProcessRun>
}

/** useSimulator, with the simulator and the runs on one FakeClock. */
export function useInProcessSimulator(
  options: SimulatorOptions = {},
  defaults: Record<string, string> = {}
): InProcessFixture {
  const clock = new FakeClock()
  const fixture = useSimulator({ ...options, now: () => clock.now() }, defaults)
  return {
    ...fixture,
    get sim() {
      return fixture.sim
    },
    clock,
    run: (extra, runOptions = {}) => runInProcess(fixture.inputs(extra), { clock, ...runOptions })
  }
}
