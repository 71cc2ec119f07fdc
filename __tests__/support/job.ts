/**
 * One job of the runner's, for tests of several of its steps: the steps share one RUNNER_TEMP, and
 * what a step exports (GITHUB_ENV) reaches the job's later steps and post steps, as the runner passes
 * it on. A fresh job for each test. `run` is how a step runs: in process or as the bundle.
 */
import { afterEach, beforeEach } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

interface StepRun {
  state: Record<string, string>
  exported: Record<string, string>
}

export interface JobStepOptions {
  env: Record<string, string>
  postState?: Record<string, string>
}

/** Runs one step of the job: its main step, or with `after`, its post step after a later step failed. */
export type JobStep<R> = (inputs: Record<string, string>, after?: R) => Promise<R>

export interface Job<R> {
  step: JobStep<R>
  /** The job's RUNNER_TEMP. */
  temp(): string
  /** Another job from here on: a new RUNNER_TEMP, nothing exported yet. */
  startAnother(): void
}

export function useJob<R extends StepRun>(
  run: (inputs: Record<string, string>, options: JobStepOptions) => Promise<R>
): Job<R> {
  let jobTemp = ''
  let jobEnv: Record<string, string> = {}
  const startAnother = (): void => {
    if (jobTemp) rmSync(jobTemp, { recursive: true, force: true })
    jobTemp = mkdtempSync(join(tmpdir(), 'vps-job-'))
    jobEnv = {}
  }
  beforeEach(startAnother)
  afterEach(() => {
    rmSync(jobTemp, { recursive: true, force: true })
    jobTemp = ''
  })
  const step: JobStep<R> = async (inputs, after) => {
    const result = await run(inputs, {
      env: { ...jobEnv, RUNNER_TEMP: jobTemp },
      ...(after ? { postState: after.state } : {})
    })
    Object.assign(jobEnv, result.exported)
    return result
  }
  return { step, temp: () => jobTemp, startAnother }
}
