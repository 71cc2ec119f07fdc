/**
 * Every output the action sets goes through here; action.yml and README.md list the same ones,
 * and OUTPUTS_SET_BY (commands/registry.ts) says which command sets which (a test compares the three).
 */
import type { Runner } from './port.js'

/** Every output of action.yml; each command unit says which of them it sets. */
export const OUTPUTS = [
  'backup-id',
  'backup-ids',
  'status',
  'size-mb',
  'created-at',
  'server-id',
  'server-name',
  'backup',
  'backups',
  'deleted-ids',
  'restore',
  'server-status',
  'count'
] as const

export type Output = (typeof OUTPUTS)[number]

/**
 * The outputs sink: set progressively, as each fact is known, so a step stopped later still has them.
 * A plain sink: which outputs a step sets, and what they hold with one server or several, is the
 * presenters' to say (presenters/backup-outputs.ts, presenters/restore-report.ts).
 */
export class Outputs {
  constructor(private readonly runner: Pick<Runner, 'setOutput'>) {}

  set(name: Output, value: string): void {
    this.runner.setOutput(name, value)
  }

  /** An output that holds JSON (an object, a list). */
  setJson(name: Output, value: unknown): void {
    this.set(name, JSON.stringify(value))
  }
}
