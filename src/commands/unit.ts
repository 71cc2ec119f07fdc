import type { CommandInput, CommonSettings, InputReader } from '../runner/inputs.js'
import type { Output } from '../runner/outputs.js'
import type { CommandContext } from '../context.js'

/**
 * A command, self-describing: its name, the inputs it uses and how they are parsed, the outputs
 * it may set, and what it does. The registry lists every unit; the command list, the inputs each
 * uses, the outputs each sets, main's dispatch and the tests' list of commands all come from it.
 */
export interface CommandUnit<
  Name extends string = string,
  S extends CommonSettings = CommonSettings,
  Outcome = unknown
> {
  readonly name: Name
  /** The command inputs it uses (COMMAND_INPUTS); any other given to it is refused. */
  readonly inputs: readonly CommandInput[]
  /** The outputs it may set (action.yml declares them; README's table is generated: npm run readme). */
  readonly outputs: readonly Output[]
  /**
   * Whether parse names the run (InputReader.run: the default description and snapshot name): the run's identity is
   * read, which on a runner loads @actions/github and the event payload, for such a command only.
   */
  readonly readsRun?: boolean
  /** Its settings, from the inputs every command shares and its own; throws InputError. */
  parse(inputs: InputReader, common: CommonSettings): S
  /** Whether the post step is to restore the server if a later step fails. */
  armsRestoreOnFailure?(settings: S): boolean
  /**
   * Does the work and returns what happened. What a stopped step must still hand on (a backup's
   * id the moment the API accepts it, the state the post step reads) goes to the context's sinks
   * as it is known; the rest is rendered from the outcome by `present`.
   */
  run(settings: S, context: CommandContext): Promise<Outcome>
  /**
   * Renders the outcome through the presenters (src/presenters/), one per concern: the final
   * outputs, the notices and the job summary, then the step's error line, thrown last.
   */
  present(outcome: Outcome, context: CommandContext): Promise<void>
}

/** Declares a unit, its settings type inferred from `parse` and its outcome's from `run`. */
export function defineCommand<Name extends string, S extends CommonSettings & { command: Name }, Outcome>(
  unit: CommandUnit<Name, S, Outcome>
): CommandUnit<Name, S, Outcome> {
  return unit
}
