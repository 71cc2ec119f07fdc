import { parseBackupSelection, type BackupSelection } from '../runner/backup-id.js'
import { InputError } from '../base/errors.js'
import type { CommonSettings, InputReader } from '../runner/inputs.js'
import type { RestoresOutcome } from '../presenters/outcomes.js'
import { presentRestores } from '../presenters/restore-report.js'
import { refuseOtherKind } from '../records/made.js'
import { restoreServers } from '../restores/restoring.js'
import type { CommandContext } from '../context.js'
import { restorePointsOf } from '../api/kinds.js'
import { defineCommand } from './unit.js'

export interface RestoreSettings extends CommonSettings {
  command: 'restore'
  backups: BackupSelection
  /** When given, exactly the servers of the backups, one backup each. Required with `latest`. */
  serverIds: number[]
  keepPrefix: string
  /** Wait for a backup still in progress, and until the server is back. */
  wait: boolean
}

/** `command: restore`: servers from their backups (or their latest backups), after checking every backup. */
export const restore = defineCommand({
  name: 'restore',
  inputs: ['server-id', 'backup-id', 'wait', 'poll-interval', 'keep-prefix'],
  outputs: ['backup-id', 'backup-ids', 'status', 'server-id', 'restore', 'server-status'],
  parse,
  run(settings: RestoreSettings, context: CommandContext): Promise<RestoresOutcome> {
    const { backups } = settings
    const ids = 'ids' in backups ? backups.ids : 'byServer' in backups ? [...backups.byServer.values()] : []
    refuseOtherKind(context, context.api.points.kind, ids, 'restore from')
    return restoreServers(context, { ...settings, waitForBackup: settings.wait, waitForServer: settings.wait })
  },
  present: presentRestores
})

function parse(inputs: InputReader, common: CommonSettings): RestoreSettings {
  const serverIds = inputs.serverIds()
  const backups = parseBackupSelection(inputs.text('backup-id'))
  if ('latest' in backups && serverIds.length === 0) {
    throw new InputError(
      `backup-id latest needs server-id: the newest ${restorePointsOf(common.kind).noun} of which server?`
    )
  }
  if ('byServer' in backups && serverIds.length > 0) {
    const keys = [...backups.byServer.keys()]
    if (keys.length !== serverIds.length || keys.some(id => !serverIds.includes(id))) {
      throw new InputError(
        `server-id (${serverIds.join(', ')}) must name exactly the servers of backup-id (${keys.join(', ')})`
      )
    }
  }
  return {
    ...common,
    command: 'restore',
    backups,
    serverIds,
    keepPrefix: inputs.keepPrefix(),
    wait: inputs.boolean('wait', 'true')
  }
}
