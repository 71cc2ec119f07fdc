import type { Runner } from './port.js'

/**
 * What the main step leaves for its post step (restore-on-failure). The runner hands saved state
 * to the post step of the same step only, as STATE_<name>, also when the main step failed.
 */
const IS_POST = 'isPost'
const RESTORE_ON_FAILURE = 'restoreOnFailure'
const BACKUPS = 'backups'
const MAIN_STEP_SUCCEEDED = 'mainStepSucceeded'

/** The step's saved state, on the runner port. */
export class StepState {
  constructor(private readonly runner: Pick<Runner, 'saveState' | 'getState'>) {}

  /** True in the post step: the main step of this action ran before it in this job. */
  isPost(): boolean {
    return this.runner.getState(IS_POST) === 'true'
  }

  markMainStepRan(): void {
    this.runner.saveState(IS_POST, 'true')
  }

  saveRestoreOnFailure(enabled: boolean): void {
    this.runner.saveState(RESTORE_ON_FAILURE, String(enabled))
  }

  restoreOnFailureRequested(): boolean {
    return this.runner.getState(RESTORE_ON_FAILURE) === 'true'
  }

  /**
   * The main step's last act when it succeeded. `post-if: failure()` cannot tell a failure of this
   * step from one of a later step (the deploy); only the latter is a reason to restore.
   */
  markMainStepSucceeded(): void {
    this.runner.saveState(MAIN_STEP_SUCCEEDED, 'true')
  }

  mainStepSucceeded(): boolean {
    return this.runner.getState(MAIN_STEP_SUCCEEDED) === 'true'
  }

  /**
   * Saved each time the API accepts one more backup of the step, so the post step knows every
   * server and its backup, in the order of server-id.
   */
  saveCreatedBackups(backups: ReadonlyArray<{ id: number; server: { id: number } }>): void {
    this.runner.saveState(BACKUPS, JSON.stringify(backups.map(b => [b.server.id, b.id])))
  }

  /** Server id → backup id of what the main step created (or waited for), in order. */
  createdBackups(): Map<number, number> {
    let pairs: unknown
    try {
      pairs = JSON.parse(this.runner.getState(BACKUPS) || '[]')
    } catch {
      return new Map()
    }
    const valid = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) > 0
    return new Map(
      Array.isArray(pairs)
        ? pairs.flatMap(pair =>
            Array.isArray(pair) && valid(pair[0]) && valid(pair[1]) ? [[pair[0], pair[1]] as [number, number]] : []
          )
        : []
    )
  }
}
