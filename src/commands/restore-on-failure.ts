import { BackupError, RestoreError, messageOf } from '../base/errors.js'
import {
  claimRestore,
  earlierRestore,
  type EarlierRestore,
  type RestorePoint,
  type RestorePointKind
} from '../records/restores.js'
import { jobRunFolder } from '../records/job-run.js'
import { restorePointsOf } from '../api/kinds.js'
import { presentRestores } from '../presenters/restore-report.js'
import { restoreServers } from '../restores/restoring.js'
import type { PostStepContext, StepContext } from '../context.js'

/**
 * Runs only when the job has failed so far (post-if: failure() in action.yml): restores the server
 * from the backup the main step created, when the main step itself succeeded (so the failure came
 * later, from the deploy) and that backup completed; otherwise says why it does not. A server an
 * earlier post step of the job restored from the same backup is not restored again.
 */
export async function restoreOnFailure(step: PostStepContext): Promise<void> {
  const { state, log } = step
  if (!state.restoreOnFailureRequested()) return
  // First, so the token is registered as a secret before anything is printed.
  const settings = await step.readSettings()
  const created = state.createdBackups()
  const { noun } = restorePointsOf(settings.kind)
  const what = describeRestores(created, noun)
  if (created.size === 0) {
    log.warning(
      `restore-on-failure: the job failed, but this step created no ${noun}, so there is nothing to restore from`
    )
    return
  }
  if (!state.mainStepSucceeded()) {
    log.warning(
      `restore-on-failure: the job failed, but in this ${noun} step itself (${what}), before any later step ran: ` +
        'nothing was deployed after it, so nothing is restored'
    )
    return
  }
  sayWhenNoRecord(step, noun)
  /** The servers whose record could not be read: restored without claiming one. */
  const unrecorded = new Set<number>()
  const pending = notYetRestored(step, settings.kind, created, unrecorded)
  if (pending.size === 0) return
  log.info(
    `restore-on-failure: the job failed after this step; checking the ${noun}s before restoring ${describeRestores(pending, noun)}`
  )
  try {
    await step.withApi(settings, async context => {
      const outcome = await restoreServers(context, {
        backups: { byServer: pending },
        serverIds: [],
        keepPrefix: '',
        // The backups (or snapshots) must have completed by now; the servers are followed until they are back.
        waitForBackup: false,
        waitForServer: true,
        pollIntervalMs: settings.pollIntervalMs,
        dryRun: false,
        claim: backup => unrecorded.has(backup.server.id) || claim(step, settings.kind, backup.server.id, backup.id)
      })
      // Rendered as `command: restore` renders them.
      await presentRestores(outcome, context)
    })
  } catch (error) {
    // Only the servers that were not restored: one that came back is named in a notice instead.
    const notRestored =
      error instanceof RestoreError ? new Map(error.notRestored.map(r => [r.serverId, r.backupId])) : pending
    throw new BackupError(
      `restore-on-failure could not restore ${describeRestores(notRestored, noun)}: ${messageOf(error)}`
    )
  }
}

/** The servers no earlier step of this job run restored from these points; `unrecorded` gets those unknown. */
function notYetRestored(
  step: StepContext,
  kind: RestorePointKind,
  created: ReadonlyMap<number, number>,
  unrecorded: Set<number>
): Map<number, number> {
  const { noun } = restorePointsOf(kind)
  return new Map(
    [...created].filter(([serverId, backupId]) => {
      const point = { kind, serverId, id: backupId }
      const earlier = earlierRestore(step, point)
      if (earlier.found === true) alreadyRestored(step, point, earlier.earlier)
      if (earlier.found === 'unreadable') {
        // Not a restore that happened: it goes ahead, and its claim is not tried (one warning is enough).
        unrecorded.add(serverId)
        step.log.warning(
          `restore-on-failure could not read whether an earlier step of this job restored server ${serverId} ` +
            `from ${noun} ${backupId} (${earlier.why}): it restores it, and another step of this job with ` +
            'restore-on-failure may restore it again'
        )
      }
      return earlier.found !== true
    })
  )
}

/** `server 12345 from backup 900, server 777 from backup 901` (or `from snapshot 41`: the kind's noun). */
function describeRestores(backups: ReadonlyMap<number, number>, noun: string): string {
  return [...backups].map(([serverId, backupId]) => `server ${serverId} from ${noun} ${backupId}`).join(', ')
}

/** Records, just before its request, that this step restores the server; false when another step did. */
function claim(step: StepContext, kind: RestorePointKind, serverId: number, backupId: number): boolean {
  const claimed = claimRestore(step, { kind, serverId, id: backupId })
  if (claimed.claimed === true) return true
  if (claimed.claimed === false) {
    alreadyRestored(step, { kind, serverId, id: backupId }, claimed.earlier)
    return false
  }
  // The restore matters more than the record: it goes ahead, saying what could happen.
  if (claimed.warn) {
    step.log.warning(
      `restore-on-failure could not record that it restores server ${serverId} from ${restorePointsOf(kind).noun} ${backupId} ` +
        `(${claimed.why}): another step of this job with restore-on-failure may restore it again`
    )
  }
  return true
}

/**
 * When this job run has no folder for its records, says why once (a warning on a runner, where the
 * main step should have made one): every server is then restored without a record.
 */
function sayWhenNoRecord(step: StepContext, noun: string): void {
  const folder = jobRunFolder(step.runner)
  if ('why' in folder) {
    const text = `${folder.why}: no record is kept of the restores of this job`
    if (folder.onRunner) {
      step.log.warning(
        `restore-on-failure: ${text}; another step of this job with restore-on-failure may restore a server ` +
          `from the same ${noun} again`
      )
    } else step.log.debug(text)
  }
}

function alreadyRestored(step: StepContext, restored: RestorePoint, earlier: EarlierRestore): void {
  const { serverId, id } = restored
  const { noun } = restorePointsOf(restored.kind)
  const which =
    earlier.step === undefined ? 'an earlier step of this job' : `an earlier step of this job (${earlier.step})`
  step.log.notice(
    `restore-on-failure: ${which} already restored (or tried to restore) server ${serverId} from ${noun} ${id}; it is not restored ` +
      `again from the same ${noun} (that step's log says how the restore went)`,
    `VPS.org restore of server ${serverId}`
  )
}
