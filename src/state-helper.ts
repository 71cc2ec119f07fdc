import * as core from '@actions/core'

/**
 * What the main step leaves for its post step (restore-on-failure). The runner hands saved state
 * to the post step of the same step only, as STATE_<name>.
 */
const IS_POST = 'isPost'
const RESTORE_ON_FAILURE = 'restoreOnFailure'
const BACKUP_ID = 'backupId'
const SERVER_ID = 'serverId'

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

/** Saved as soon as the API accepts the backup, so the post step knows it even after a timeout. */
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
