import * as core from '@actions/core'
import { VpsApiClient } from './api/client.js'
import type { CommandContext } from './commands/context.js'
import { createCommand } from './commands/create.js'
import { deleteCommand } from './commands/delete.js'
import { listCommand } from './commands/list.js'
import { restoreCommand } from './commands/restore.js'
import { waitCommand } from './commands/wait.js'
import { Deadline } from './deadline.js'
import { ApiError, BackupError, InputError, RestoreError, messageOf } from './errors.js'
import { getInputs, type CommonSettings, type Settings } from './input-helper.js'
import * as log from './logger.js'
import { claimRestore, earlierRestore, type EarlierRestore } from './restore-record.js'
import { restoreFromBackups } from './restoring.js'
import * as state from './state-helper.js'

/** The action's entry: the main step, or, after it, the post step of restore-on-failure. */
export async function run(): Promise<void> {
  try {
    if (state.isPost()) {
      await restoreOnFailure()
    } else {
      state.markMainStepRan()
      await mainStep()
      state.markMainStepSucceeded()
    }
  } catch (error) {
    fail(error)
  }
}

async function mainStep(): Promise<void> {
  const settings = getInputs()
  if ((settings.command === 'create' || settings.command === 'wait') && settings.restoreOnFailure) {
    state.saveRestoreOnFailure(true)
  }
  await withApi(settings, context => runCommand(settings, context))
}

function runCommand(settings: Settings, context: CommandContext): Promise<void> {
  switch (settings.command) {
    case 'create':
      return createCommand(settings, context)
    case 'wait':
      return waitCommand(settings, context)
    case 'restore':
      return restoreCommand(settings, context)
    case 'delete':
      return deleteCommand(settings, context)
    case 'list':
      return listCommand(settings, context)
  }
}

/**
 * Runs only when the job has failed so far (post-if: failure() in action.yml): restores the server
 * from the backup the main step created, when the main step itself succeeded (so the failure came
 * later, from the deploy) and that backup completed; otherwise says why it does not. A server an
 * earlier post step of the job restored from the same backup is not restored again.
 */
async function restoreOnFailure(): Promise<void> {
  if (!state.restoreOnFailureRequested()) return
  // First, so the token is registered as a secret before anything is printed.
  const settings = getInputs()
  const created = state.createdBackups()
  const what = describeRestores(created)
  if (created.size === 0) {
    log.warning(
      'restore-on-failure: the job failed, but this step created no backup, so there is nothing to restore from'
    )
    return
  }
  if (!state.mainStepSucceeded()) {
    log.warning(
      `restore-on-failure: the job failed, but in this backup step itself (${what}), before any later step ran: ` +
        'nothing was deployed after it, so nothing is restored'
    )
    return
  }
  if (!process.env.RUNNER_TEMP) {
    log.debug('RUNNER_TEMP is not set (not on a GitHub runner): no record is kept of the restores of this job')
  }
  const pending = new Map(
    [...created].filter(([serverId, backupId]) => {
      const earlier = earlierRestore({ kind: 'backup', serverId, id: backupId })
      if (earlier !== undefined) alreadyRestored(serverId, backupId, earlier)
      return earlier === undefined
    })
  )
  if (pending.size === 0) return
  log.info(
    `restore-on-failure: the job failed after this step; checking the backups before restoring ${describeRestores(pending)}`
  )
  try {
    await withApi(settings, ({ api, deadline }) =>
      restoreFromBackups(api, deadline, {
        backups: { byServer: pending },
        serverIds: [],
        keepPrefix: '',
        // The backups must have completed by now; the servers are followed until they are back.
        waitForBackup: false,
        waitForServer: true,
        pollIntervalMs: settings.pollIntervalMs,
        dryRun: false,
        claim: backup => claim(backup.server.id, backup.id)
      })
    )
  } catch (error) {
    // Only the servers that were not restored: one that came back is named in a notice instead.
    const notRestored =
      error instanceof RestoreError ? new Map(error.notRestored.map(r => [r.serverId, r.backupId])) : pending
    throw new BackupError(`restore-on-failure could not restore ${describeRestores(notRestored)}: ${messageOf(error)}`)
  }
}

/** `server 12345 from backup 900, server 777 from backup 901` */
function describeRestores(backups: ReadonlyMap<number, number>): string {
  return [...backups].map(([serverId, backupId]) => `server ${serverId} from backup ${backupId}`).join(', ')
}

/** Records, just before its request, that this step restores the server; false when another step did. */
function claim(serverId: number, backupId: number): boolean {
  const claimed = claimRestore({ kind: 'backup', serverId, id: backupId })
  if (claimed.claimed === true) return true
  if (claimed.claimed === false) {
    alreadyRestored(serverId, backupId, claimed.earlier)
    return false
  }
  // The restore matters more than the record: it goes ahead, saying what could happen.
  if (claimed.runnerTemp) {
    log.warning(
      `restore-on-failure could not record that it restores server ${serverId} from backup ${backupId} ` +
        `(${claimed.why}): another step of this job with restore-on-failure may restore it again`
    )
  }
  return true
}

function alreadyRestored(serverId: number, backupId: number, earlier: EarlierRestore): void {
  const step =
    earlier.step === undefined ? 'an earlier step of this job' : `an earlier step of this job (${earlier.step})`
  log.notice(
    `restore-on-failure: ${step} already restored (or tried to restore) server ${serverId} from backup ${backupId}; it is not restored ` +
      "again from the same backup (that step's log says how the restore went)",
    `VPS.org restore of server ${serverId}`
  )
}

async function withApi(settings: CommonSettings, work: (context: CommandContext) => Promise<void>): Promise<void> {
  const deadline = new Deadline(settings.timeoutMs)
  const api = new VpsApiClient({
    baseUrl: settings.apiUrl,
    token: settings.apiToken,
    requestTimeoutMs: settings.requestTimeoutMs,
    deadline,
    log
  })
  try {
    await work({ api, deadline })
  } finally {
    api.dispose()
  }
}

/** One line a person can act on; a stack only for what this action did not foresee, in debug. */
function fail(error: unknown): void {
  const known = error instanceof InputError || error instanceof ApiError || error instanceof BackupError
  if (!known && error instanceof Error && error.stack) log.debug(error.stack)
  core.setFailed(messageOf(error))
}
