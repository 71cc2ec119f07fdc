/**
 * Everything the action does with the runner, as one port (as actions/cache passes its state
 * provider): inputs, the run's identity and variables in; variables for the job's later steps, log
 * lines, outputs, saved state and the job summary out. The real port is actions-runner.ts (the only
 * module that imports @actions/core and @actions/github); tests hand in a fake, so a command runs in
 * process without the runner's files.
 */

/** The run's identity, as @actions/github's `context` gives it; a field is undefined when not known. */
export interface RunIdentity {
  /** `owner/repo` */
  repository?: string
  /** The commit the run is for. */
  sha?: string
  runId?: number
  runAttempt?: number
  job?: string
  /** `https://github.com`, or a GitHub Enterprise Server's URL. */
  serverUrl?: string
}

/** The run's other variables the action reads. */
export type RunnerVariable =
  | 'GITHUB_ACTION'
  | 'GITHUB_ACTION_REPOSITORY'
  | 'GITHUB_ACTION_REF'
  | 'RUNNER_TEMP'
  | 'GITHUB_ENV'
  | 'VPS_BACKUP_ACTION_JOB_RUN'

export interface InputOptions {
  /** Default true, as @actions/core: leading and trailing white space removed. */
  trimWhitespace?: boolean
}

export interface Runner {
  /** The input's value, '' when not given (the runner passes action.yml's defaults). */
  getInput(name: string, options?: InputOptions): string
  /** A variable of the run, undefined when not set (outside a runner). */
  env(name: RunnerVariable): string | undefined
  /**
   * Which repository, commit, run, attempt and job this is, and on which server. Read only by a command that names
   * the run (CommandUnit.readsRun): the real port loads @actions/github, which reads the event payload, for it.
   */
  identity(): Promise<RunIdentity>
  /**
   * Sets a variable for this step and, through the GITHUB_ENV file, for the job's later steps and
   * post steps; false when there is no GITHUB_ENV (not on a runner): then nothing is set.
   */
  exportVariable(name: RunnerVariable, value: string): boolean
  /** Masks the value in every later log line. */
  setSecret(secret: string): void
  /** A plain log line, written raw: callers neutralise text from the API first (Logger). */
  info(message: string): void
  debug(message: string): void
  warning(message: string): void
  notice(message: string, title?: string): void
  /** An error annotation that does not end the step. */
  error(message: string): void
  setOutput(name: string, value: string): void
  saveState(name: string, value: string): void
  /** The main step's saved state, in the post step; '' when not saved. */
  getState(name: string): string
  /** Appends Markdown to the job summary; false when there is none (not on a runner). */
  appendSummary(markdown: string): Promise<boolean>
  /** Ends the step as failed, with this error line. */
  setFailed(message: string): void
}
