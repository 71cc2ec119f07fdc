import { systemClock, type Clock } from './base/clock.js'
import { VpsApiClient } from './api/client.js'
import { restorePointsOf } from './api/kinds.js'
import { Deadline } from './base/deadline.js'
import type { CommandContext, PostStepContext, StepContext } from './context.js'
import type { CommonSettings } from './runner/inputs.js'
import { Logger } from './runner/logger.js'
import { Outputs } from './runner/outputs.js'
import { Report } from './runner/report.js'
import { StepState } from './runner/state.js'
import { readInvocation } from './commands/registry.js'
import { restoreOnFailure } from './commands/restore-on-failure.js'
import { startJobRun } from './records/job-run.js'
import { ApiError, BackupError, InputError, messageOf } from './base/errors.js'
import { actionsRunner } from './runner/actions-runner.js'
import type { Runner } from './runner/port.js'

/**
 * The one place that assembles the real parts: the step's sinks on the runner port, the registry's
 * reading of the inputs, and the API client with the step's deadline, handed to the commands.
 *
 * The action's entry: the main step, or, after it, the post step of restore-on-failure. The real
 * runner and clock unless others are given (the in-process tests give fakes).
 */
export async function run(runner: Runner = actionsRunner, clock: Clock = systemClock): Promise<void> {
  const step = stepContext(runner, clock)
  try {
    if (step.state.isPost()) {
      await restoreOnFailure(postStep(step))
    } else {
      step.state.markMainStepRan()
      await mainStep(step)
      step.state.markMainStepSucceeded()
    }
  } catch (error) {
    fail(step, error)
  }
}

async function mainStep(step: StepContext): Promise<void> {
  const invocation = await readInvocation(step.runner)
  // The job run's id, for the records its later steps and post steps read (records/job-run.ts).
  startJobRun(step.runner)
  if (invocation.armsRestoreOnFailure) step.state.saveRestoreOnFailure(true)
  await withApi(step, invocation.settings, context => invocation.run(context))
}

function stepContext(runner: Runner, clock: Clock): StepContext {
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

function postStep(step: StepContext): PostStepContext {
  return {
    ...step,
    readSettings: async () => (await readInvocation(step.runner)).settings,
    withApi: (settings, work) => withApi(step, settings, work)
  }
}

/** Runs `work` with an API client and the step's deadline; every request ends with it. */
async function withApi<T>(
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

/** One line a person can act on; a stack only for what this action did not foresee, in debug. */
function fail(step: StepContext, error: unknown): void {
  const known = error instanceof InputError || error instanceof ApiError || error instanceof BackupError
  if (!known && error instanceof Error && error.stack) step.log.debug(error.stack)
  step.runner.setFailed(messageOf(error))
}
