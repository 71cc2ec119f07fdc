/** The real runner port, on @actions/core and @actions/github: the only module of src/ that imports them. */
import * as core from '@actions/core'
import type { context } from '@actions/github'
import { messageOf } from '../base/errors.js'
import type { RunIdentity, Runner, RunnerVariable } from './port.js'

type Context = typeof context

/**
 * The run's identity from github.context, as actions/checkout reads it; '' and NaN (not set) as undefined.
 * @actions/github builds its context, reading and parsing the event payload (GITHUB_EVENT_PATH), and sets up
 * octokit when it is loaded: loaded here, on the first call, so a step that does not name its run never pays for it.
 */
async function identity(): Promise<RunIdentity> {
  const context = await githubContext()
  const known = (value: number): number | undefined => (Number.isNaN(value) ? undefined : value)
  return {
    repository: repository(context),
    sha: context.sha || undefined,
    runId: known(context.runId),
    runAttempt: known(context.runAttempt),
    job: context.job || undefined,
    serverUrl: context.serverUrl || undefined
  }
}

/** github.context; a payload that cannot be read fails the step with one line that names its file. */
async function githubContext(): Promise<Context> {
  try {
    // webpackMode eager: bundled into dist/index.js (no chunk file beside it), still evaluated only here.
    return (await import(/* webpackMode: "eager" */ '@actions/github')).context
  } catch (error) {
    const why = error instanceof SyntaxError ? 'it is not valid JSON' : messageOf(error)
    const path = process.env.GITHUB_EVENT_PATH ?? 'not set'
    throw new Error(`the run's event payload (GITHUB_EVENT_PATH ${path}) could not be read: ${why}`, { cause: error })
  }
}

/** `owner/repo`: GITHUB_REPOSITORY, else the event payload's repository; undefined outside a run. */
function repository(context: Context): string | undefined {
  try {
    const { owner, repo } = context.repo
    return owner && repo ? `${owner}/${repo}` : undefined
  } catch {
    return undefined // context.repo throws when neither names one
  }
}

export const actionsRunner: Runner = {
  getInput: (name, options) => core.getInput(name, options),
  env: (name: RunnerVariable) => process.env[name] || undefined,
  identity,
  exportVariable(name, value) {
    // Without the file, @actions/core would print a ::set-env command, which the runner refuses.
    if (!process.env.GITHUB_ENV) return false
    core.exportVariable(name, value)
    return true
  },
  setSecret: secret => core.setSecret(secret),
  info: message => core.info(message),
  debug: message => core.debug(message),
  warning: message => core.warning(message),
  notice: (message, title) => core.notice(message, title ? { title } : undefined),
  error: message => core.error(message),
  setOutput: (name, value) => core.setOutput(name, value),
  saveState: (name, value) => core.saveState(name, value),
  getState: name => core.getState(name),
  async appendSummary(markdown) {
    if (!process.env.GITHUB_STEP_SUMMARY) return false
    await core.summary.addRaw(markdown, true).write()
    return true
  },
  setFailed: message => core.setFailed(message)
}
