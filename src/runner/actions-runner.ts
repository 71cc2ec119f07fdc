/** The real runner port, on @actions/core: the only module of src/ that imports it. */
import * as core from '@actions/core'
import type { Runner, RunnerVariable } from './port.js'

export const actionsRunner: Runner = {
  getInput: (name, options) => core.getInput(name, options),
  env: (name: RunnerVariable) => process.env[name] || undefined,
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
