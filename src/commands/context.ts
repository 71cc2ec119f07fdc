import type { VpsApi } from '../api/client.js'
import { VpsApiClient } from '../api/client.js'
import type { Clock } from '../clock.js'
import { Deadline } from '../deadline.js'
import type { CommonSettings } from '../input-helper.js'
import { Logger } from '../logger.js'
import { Outputs } from '../outputs.js'
import { Report } from '../report.js'
import { restorePointsOf } from '../api/kinds.js'
import type { Runner } from '../runner/port.js'
import { StepState } from '../state-helper.js'

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

export function stepContext(runner: Runner, clock: Clock): StepContext {
  const log = new Logger(runner)
  return {
    runner,
    clock,
    log,
    outputs: new Outputs(runner),
    state: new StepState(runner),
    report: new Report(runner, log),
    named: new Set()
  }
}

/** Runs `work` with an API client and the step's deadline; every request ends with it. */
export async function withApi<T>(
  step: StepContext,
  settings: CommonSettings,
  work: (context: CommandContext) => Promise<T>
): Promise<T> {
  const deadline = new Deadline(settings.timeoutMs, step.clock)
  const api = new VpsApiClient(
    {
      baseUrl: settings.apiUrl,
      token: settings.apiToken,
      requestTimeoutMs: settings.requestTimeoutMs,
      deadline,
      clock: step.clock,
      log: step.log
    },
    restorePointsOf(settings.kind)
  )
  try {
    return await work({ ...step, api, deadline })
  } finally {
    api.dispose()
  }
}
