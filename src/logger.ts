import * as core from '@actions/core'
import { neutraliseWorkflowCommands } from './text.js'

/**
 * Every plain log line goes through here. `core.info` writes its text raw to stdout, where the
 * runner would act on any line that looks like a workflow command; API text can reach these
 * lines, so they are neutralised. Annotations and debug lines are escaped by the toolkit itself.
 */
export function info(message: string): void {
  core.info(neutraliseWorkflowCommands(message))
}

export function debug(message: string): void {
  core.debug(message)
}

export function warning(message: string): void {
  core.warning(message)
}

export function notice(message: string, title?: string): void {
  core.notice(message, title ? { title } : undefined)
}

/** An error annotation that does not end the step: one of several, before the step fails. */
export function error(message: string): void {
  core.error(message)
}
