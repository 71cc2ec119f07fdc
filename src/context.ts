import type { VpsApi } from './api/client.js'
import type { Clock } from './base/clock.js'
import type { Deadline } from './base/deadline.js'
import type { CommonSettings } from './runner/inputs.js'
import type { Logger } from './runner/logger.js'
import type { Outputs } from './runner/outputs.js'
import type { Report } from './runner/report.js'
import type { Runner } from './runner/port.js'
import type { StepState } from './runner/state.js'

/*
 * What a command is handed: types only. main.ts builds them from the real parts (or the fakes the
 * in-process tests give), so no command imports the API client, the runner or the registry itself.
 */

/**
 * What a step works with before it knows its command: the runner port, the clock, and the sinks
 * built on them (log lines, outputs, saved state, the job summary). Nothing here is a module
 * singleton, so any number of steps can run in one process (the in-process tests do).
 */
export interface StepContext {
  runner: Runner
  clock: Clock
  log: Logger
  outputs: Outputs
  state: StepState
  report: Report
  /** Backups retention already named in this step (making room and keep read the same ones). */
  named: Set<number>
}

/** What every command works with besides its settings: the step's sinks, the API and the deadline. */
export interface CommandContext extends StepContext {
  api: VpsApi
  deadline: Deadline
}

/**
 * What the post step of restore-on-failure is handed besides the step: the settings the main step
 * read (read again the same way, the token registered as a secret first), and the API for them.
 */
export interface PostStepContext extends StepContext {
  readSettings(): Promise<CommonSettings>
  withApi<T>(settings: CommonSettings, work: (context: CommandContext) => Promise<T>): Promise<T>
}
