import * as core from '@actions/core'

/**
 * What the main step leaves for its post step (restore-on-failure). The runner hands saved state
 * to the post step of the same step only, as STATE_<name>, also when the main step failed.
 */
const IS_POST = 'isPost'
const RESTORE_ON_FAILURE = 'restoreOnFailure'
const BACKUP_ID = 'backupId'
const SERVER_ID = 'serverId'
const MAIN_STEP_SUCCEEDED = 'mainStepSucceeded'

/** True in the post step: the main step of this action ran before it in this job. */
export function isPost(): boolean {
  return core.getState(IS_POST) === 'true'
}

export function markMainStepRan(): void {
  core.saveState(IS_POST, 'true')
}

export function saveRestoreOnFailure(enabled: boolean): void {
  core.saveState(RESTORE_ON_FAILURE, String(enabled))
}

export function restoreOnFailureRequested(): boolean {
  return core.getState(RESTORE_ON_FAILURE) === 'true'
}

/**
 * The main step's last act when it succeeded. `post-if: failure()` cannot tell a failure of this
 * step from one of a later step (the deploy); only the latter is a reason to restore.
 */
export function markMainStepSucceeded(): void {
  core.saveState(MAIN_STEP_SUCCEEDED, 'true')
}

export function mainStepSucceeded(): boolean {
  return core.getState(MAIN_STEP_SUCCEEDED) === 'true'
}

/** Saved as soon as the API accepts the backup, so the post step can name it in what it says. */
export function saveCreatedBackup(backupId: number, serverId: number): void {
  core.saveState(BACKUP_ID, String(backupId))
  core.saveState(SERVER_ID, String(serverId))
}

export function createdBackup(): { backupId: number; serverId: number } | undefined {
  const backupId = Number(core.getState(BACKUP_ID))
  const serverId = Number(core.getState(SERVER_ID))
  return Number.isSafeInteger(backupId) && backupId > 0 && Number.isSafeInteger(serverId) && serverId > 0
    ? { backupId, serverId }
    : undefined
}
