/**
 * What ties the steps of one job run together: an id unique to this job run, which the first step
 * of this action in the job makes (a random UUID) and exports through GITHUB_ENV, so that the job's
 * later steps and its post steps see it, and no other job, matrix leg, attempt or run does. The
 * records a step leaves the others (records/restores.ts, records/made.ts) are in a folder named by it,
 * directly under RUNNER_TEMP: a record another job run left there (the runner empties RUNNER_TEMP
 * only when it can) is never read as this one's.
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { messageOf } from '../base/errors.js'
import type { Runner } from '../runner/port.js'

export const JOB_RUN_VARIABLE = 'VPS_BACKUP_ACTION_JOB_RUN'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function jobRunId(runner: Pick<Runner, 'env'>): string | undefined {
  const id = runner.env(JOB_RUN_VARIABLE)?.trim().toLowerCase()
  return id !== undefined && UUID.test(id) ? id : undefined
}

/**
 * Main step: gives the job run its id unless an earlier step of the action did. Without GITHUB_ENV
 * (not on a runner) nothing is exported, and no record is kept.
 */
export function startJobRun(runner: Pick<Runner, 'env' | 'exportVariable' | 'debug'>): void {
  if (jobRunId(runner) !== undefined) return
  try {
    runner.exportVariable(JOB_RUN_VARIABLE, randomUUID())
  } catch (error) {
    // Not this step's concern: a post step without the id restores all the same, with a warning.
    runner.debug(`Could not export ${JOB_RUN_VARIABLE} through GITHUB_ENV: ${messageOf(error)}`)
  }
}

/** This job run's folder; or why there is none, and whether that is worth a warning (on a runner). */
export type JobRunFolder = { path: string } | { why: string; onRunner: boolean }

export function jobRunFolder(runner: Pick<Runner, 'env'>): JobRunFolder {
  const temp = runner.env('RUNNER_TEMP')
  if (!temp) return { why: 'RUNNER_TEMP is not set (not on a GitHub runner)', onRunner: false }
  const id = jobRunId(runner)
  if (id !== undefined) return { path: join(temp, `vps-backup-action-${id}`) }
  if (!runner.env('GITHUB_ENV')) return { why: 'GITHUB_ENV is not set (not on a GitHub runner)', onRunner: false }
  return {
    why: `${JOB_RUN_VARIABLE} is not set (this job's main step ran another version of the action?)`,
    onRunner: true
  }
}

/** `<path>: <error>`, the path once (Node.js's messages often name it already). */
export function fileProblem(path: string, error: unknown): string {
  const message = messageOf(error)
  return message.includes(path) ? message : `${path}: ${message}`
}
