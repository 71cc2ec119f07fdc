import * as core from '@actions/core'
import { VpsApiClient } from './api-client.js'
import { createBackup } from './commands/create.js'
import type { CommandContext } from './commands/context.js'
import { deleteCommand } from './commands/delete.js'
import { listCommand } from './commands/list.js'
import { restoreCommand, restoreServer } from './commands/restore.js'
import { Deadline } from './deadline.js'
import { ApiError, BackupError, InputError, messageOf } from './errors.js'
import { getInputs, type Command, type Settings } from './input-helper.js'
import * as log from './logger.js'
import * as state from './state-helper.js'

const COMMAND_RUNNERS: Record<Command, (context: CommandContext) => Promise<void>> = {
  create: createBackup,
  restore: restoreCommand,
  delete: deleteCommand,
  list: listCommand
}

/** The action's entry: the main step, or, after it, the post step of restore-on-failure. */
export async function run(): Promise<void> {
  try {
    if (state.isPost()) {
      await restoreOnFailure()
    } else {
      state.markMainStepRan()
      await mainStep()
    }
  } catch (error) {
    fail(error)
  }
}

async function mainStep(): Promise<void> {
  const settings = getInputs()
  if (settings.restoreOnFailure) state.saveRestoreOnFailure(true)
  await withClient(settings, context => COMMAND_RUNNERS[settings.command](context))
}

/**
 * Runs only when the job has failed (post-if: failure() in action.yml): restores the server from
 * the backup the main step created, if that backup completed, or says why it cannot.
 */
async function restoreOnFailure(): Promise<void> {
  if (!state.restoreOnFailureRequested()) return
  const created = state.createdBackup()
  if (!created) {
    log.warning(
      'restore-on-failure: the job failed, but this step created no backup, so there is nothing to restore from'
    )
    return
  }
  const settings = getInputs()
  log.info(
    `restore-on-failure: the job failed; checking backup ${created.backupId} before restoring server ${created.serverId} from it`
  )
  try {
    await withClient(settings, context =>
      restoreServer(context, { backupId: created.backupId, serverId: created.serverId, wait: false })
    )
  } catch (error) {
    throw new BackupError(
      `restore-on-failure could not restore server ${created.serverId} from backup ${created.backupId}: ${messageOf(error)}`
    )
  }
}

async function withClient(settings: Settings, work: (context: CommandContext) => Promise<void>): Promise<void> {
  const deadline = new Deadline(settings.timeoutMs)
  const client = new VpsApiClient({
    baseUrl: settings.apiUrl,
    token: settings.apiToken,
    requestTimeoutMs: settings.requestTimeoutMs,
    deadline,
    log
  })
  try {
    await work({ settings, client, deadline })
  } finally {
    client.dispose()
  }
}

/** One line a person can act on; a stack only for what this action did not foresee, in debug. */
function fail(error: unknown): void {
  const known = error instanceof InputError || error instanceof ApiError || error instanceof BackupError
  if (!known && error instanceof Error && error.stack) log.debug(error.stack)
  core.setFailed(messageOf(error))
}
