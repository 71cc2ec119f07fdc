import type { Runner } from './port.js'
import { neutraliseWorkflowCommands } from '../base/text.js'

/**
 * Every log line goes through here. A plain line is written raw to stdout, where the runner would
 * act on any line that looks like a workflow command; API text can reach these lines, so they are
 * neutralised. Annotations and debug lines are escaped by the runner port (the toolkit).
 */
export class Logger {
  constructor(private readonly runner: Runner) {}

  // Arrow functions: the methods are handed on alone (`debug: log.debug`).
  readonly info = (message: string): void => this.runner.info(neutraliseWorkflowCommands(message))
  readonly debug = (message: string): void => this.runner.debug(message)
  readonly warning = (message: string): void => this.runner.warning(message)
  readonly notice = (message: string, title?: string): void => this.runner.notice(message, title)
  /** An error annotation that does not end the step: one of several, before the step fails. */
  readonly error = (message: string): void => this.runner.error(message)
}
