import { COMPLETED } from '../api/backup.js'
import { refuseOtherKind } from '../records/made.js'
import { lastSeen, notCompleted, waitForBackups } from '../backups/waiting.js'
import { formatDuration } from '../base/duration.js'
import { BackupError, InputError } from '../base/errors.js'
import type { CommonSettings, InputReader } from '../runner/inputs.js'
import type { Retention } from '../policy/retention.js'
import { findBackup } from '../backups/lookup.js'
import type { BackupsOutcome } from '../presenters/outcomes.js'
import { BackupOutputs } from '../presenters/backup-outputs.js'
import { presentBackups } from '../presenters/backup-report.js'
import { formatSize, serverLabel } from '../runner/report.js'
import { applyKeep } from '../backups/retention.js'
import { safeText } from '../base/text.js'
import type { CommandContext } from '../context.js'
import { restorePointsOf } from '../api/kinds.js'
import { defineCommand } from './unit.js'

/** `command: wait`: a backup started earlier (create with wait: false), waited for as create would. */
export interface WaitSettings extends CommonSettings {
  command: 'wait'
  backupId: number
  /** When given, the backup must belong to this server. */
  serverId?: number
  retention?: Retention
  restoreOnFailure: boolean
}

export const wait = defineCommand({
  name: 'wait',
  inputs: ['server-id', 'backup-id', 'poll-interval', 'keep', 'keep-within', 'keep-prefix', 'restore-on-failure'],
  outputs: ['backup-id', 'status', 'size-mb', 'created-at', 'server-id', 'server-name', 'backup', 'deleted-ids'],
  parse(inputs: InputReader, common: CommonSettings): WaitSettings {
    if (!inputs.boolean('wait', 'true')) {
      throw new InputError(
        `wait: false contradicts command wait, which waits for the ${restorePointsOf(common.kind).noun}: remove one of them`
      )
    }
    return {
      ...common,
      command: 'wait',
      backupId: inputs.requiredPositiveInteger('backup-id', 'wait'),
      serverId: inputs.oneServerId('wait'),
      retention: inputs.retention(),
      restoreOnFailure: inputs.boolean('restore-on-failure', 'false')
    }
  },
  armsRestoreOnFailure: settings => settings.restoreOnFailure,
  run: waitForBackup,
  present: presentBackups
})

/**
 * `command: wait`: a backup started earlier (create with wait: false) is waited for just before
 * the deploy, with the outputs, keep and restore-on-failure of a create that waits.
 */
async function waitForBackup(settings: WaitSettings, context: CommandContext): Promise<BackupsOutcome> {
  const { api, deadline, log } = context
  const { noun, Noun } = api.points
  refuseOtherKind(context, api.points.kind, [settings.backupId], 'wait for')
  const found = await findBackup(api, settings.backupId, settings.serverId, 'nothing was waited for')
  const { retention } = settings
  // As create refuses such a description: keep would count the backup among those it keeps while
  // it never matches, and so delete one matching backup more than keep allows.
  if (retention !== undefined && !found.description.startsWith(retention.keepPrefix)) {
    throw new BackupError(
      `${retention.keep !== undefined ? 'keep' : 'keep-within'} is set but ${noun} ${found.id} is described ` +
        `"${safeText(found.description, 80)}", which does not start with keep-prefix "${safeText(retention.keepPrefix, 60)}": ` +
        `it would never count toward the ${noun}s kept; nothing was waited for or deleted`
    )
  }
  if (settings.dryRun) {
    log.info(
      `Dry run: ${noun} ${found.id} of server ${safeText(serverLabel(found))} is ${safeText(found.status, 40)}; ` +
        (found.status === COMPLETED ? 'nothing to wait for' : 'a real run would wait for it to complete')
    )
    return { servers: [], problems: [], deletedIds: [] }
  }
  const outputs = new BackupOutputs(context.outputs, 1)
  context.state.saveCreatedBackups([found])
  outputs.seen([found])
  log.info(`Waiting up to ${deadline.describe()} for ${noun} ${found.id} of server ${safeText(serverLabel(found))}…`)
  const { settled, waitedMs, rounds } = await waitForBackups(api, [found], {
    pollIntervalMs: settings.pollIntervalMs,
    deadline,
    log
  })
  const outcome = settled.get(found.id) ?? { state: 'timed-out', status: found.status }
  // As create: the outputs carry the status last seen, so a backup that failed does not stay in_progress.
  const last = lastSeen(found, outcome)
  outputs.seen([last])
  const serverId = found.server.id
  if (outcome.state !== 'done') {
    const problem = notCompleted(found, outcome, deadline.describe(), noun).message
    return { servers: [{ serverId, backup: last, problem }], problems: [problem], waitedMs, deletedIds: [] }
  }
  const backup = outcome.value
  log.info(
    `${Noun} ${backup.id} is completed after ${formatDuration(waitedMs)} (${formatSize(backup.size_mb)}), ${rounds} rounds of status checks`
  )
  const deletedIds = retention === undefined ? [] : await applyKeep(context, retention, backup)
  outputs.deleted(deletedIds)
  return { servers: [{ serverId, backup }], problems: [], waitedMs, deletedIds }
}
