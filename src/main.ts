import { systemClock, type Clock } from './clock.js'
import { stepContext, withApi, type StepContext } from './commands/context.js'
import { readInvocation } from './commands/registry.js'
import { restoreOnFailure } from './commands/restore-on-failure.js'
import { startJobRun } from './job-run.js'
import { ApiError, BackupError, InputError, messageOf } from './errors.js'
import { actionsRunner } from './runner/actions-runner.js'
import type { Runner } from './runner/port.js'

/**
 * The action's entry: the main step, or, after it, the post step of restore-on-failure. The real
 * runner and clock unless others are given (the in-process tests give fakes).
 */
export async function run(runner: Runner = actionsRunner, clock: Clock = systemClock): Promise<void> {
  const step = stepContext(runner, clock)
  try {
    if (step.state.isPost()) {
      await restoreOnFailure(step)
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
  // The job run's id, for the records its later steps and post steps read (job-run.ts).
  startJobRun(step.runner)
  if (invocation.armsRestoreOnFailure) step.state.saveRestoreOnFailure(true)
  await withApi(step, invocation.settings, context => invocation.run(context))
}

/** One line a person can act on; a stack only for what this action did not foresee, in debug. */
function fail(step: StepContext, error: unknown): void {
  const known = error instanceof InputError || error instanceof ApiError || error instanceof BackupError
  if (!known && error instanceof Error && error.stack) step.log.debug(error.stack)
  step.runner.setFailed(messageOf(error))
}
