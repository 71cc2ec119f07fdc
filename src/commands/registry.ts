/**
 * Every command of the action, in the order README lists them. The command list, the inputs each
 * uses, the outputs each sets, main's dispatch and the tests' list of commands all come from here:
 * adding a command is a new unit and an entry below (plus its API calls, docs and tests).
 */
import { InputError } from '../base/errors.js'
import {
  InputReader,
  readCommon,
  readToken,
  refuseUnusedInputs,
  type CommandInput,
  type CommonSettings
} from '../runner/inputs.js'
import { OUTPUTS, type Output } from '../runner/outputs.js'
import type { Runner } from '../runner/port.js'
import type { CommandContext } from '../context.js'
import { create } from './create.js'
import { deleteUnit } from './delete.js'
import { list } from './list.js'
import { restore } from './restore.js'
import type { CommandUnit } from './unit.js'
import { wait } from './wait.js'

export const COMMAND_UNITS = [create, wait, restore, deleteUnit, list] as const

type Unit = (typeof COMMAND_UNITS)[number]
export type Command = Unit['name']
/** Everything the action was asked to do, validated, for one command. */
export type Settings = ReturnType<Unit['parse']>

export const COMMANDS: readonly Command[] = COMMAND_UNITS.map(unit => unit.name)

/** Which command inputs each command uses: README's inputs table is generated from it (npm run readme). */
export const INPUTS_USED = Object.fromEntries(COMMAND_UNITS.map(unit => [unit.name, unit.inputs])) as Record<
  Command,
  readonly CommandInput[]
>

/** Which commands set each output: README's outputs table is generated from it and action.yml (npm run readme). */
export const OUTPUTS_SET_BY = Object.fromEntries(
  OUTPUTS.map(output => [output, COMMAND_UNITS.filter(unit => unit.outputs.includes(output)).map(unit => unit.name)])
) as unknown as Record<Output, readonly Command[]>

/** The unit of `command` (its input as given, for the message). */
function unitOf(raw: string): CommandUnit<string, CommonSettings, unknown> {
  const name = raw.trim().toLowerCase()
  const unit = COMMAND_UNITS.find(u => u.name === name)
  if (unit === undefined) throw new InputError(`command must be one of ${COMMANDS.join(', ')}, got "${raw}"`)
  // Each unit's run takes the settings its own parse returned: the pairing below keeps that true.
  return unit
}

/** The command asked for, with its settings, ready to run. */
export interface Invocation {
  settings: Settings
  /** Whether the post step restores the server when a later step fails. */
  armsRestoreOnFailure: boolean
  run(context: CommandContext): Promise<void>
}

/**
 * Reads and validates every input before anything is sent: the token first (registered as a
 * secret), the command, the refusal of inputs the command does not use, then its settings (with
 * the run's identity, for a command that names the run).
 */
export async function readInvocation(runner: Runner): Promise<Invocation> {
  const apiToken = readToken(runner)
  const inputs = new InputReader(runner)
  const unit = unitOf(inputs.text('command') || 'create')
  refuseUnusedInputs(inputs, unit.name, unit.inputs)
  const common = readCommon(inputs, apiToken)
  const settings = unit.parse(unit.readsRun ? new InputReader(runner, await runner.identity()) : inputs, common)
  return {
    settings: settings as Settings,
    armsRestoreOnFailure: unit.armsRestoreOnFailure?.(settings) ?? false,
    run: async context => {
      const outcome = await unit.run(settings, context)
      await unit.present(outcome, context)
    }
  }
}
