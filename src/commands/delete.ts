import { BackupError } from '../base/errors.js'
import type { CommonSettings, InputReader } from '../runner/inputs.js'
import { findBackup } from '../backups/lookup.js'
import { serverLabel } from '../runner/report.js'
import { safeText } from '../base/text.js'
import type { CommandContext } from '../context.js'
import { defineCommand } from './unit.js'

export interface DeleteSettings extends CommonSettings {
  command: 'delete'
  backupId: number
  /** When given, the backup must belong to this server. */
  serverId?: number
}

export const deleteUnit = defineCommand({
  name: 'delete',
  inputs: ['server-id', 'backup-id'],
  outputs: ['deleted-ids'],
  parse: (inputs: InputReader, common: CommonSettings): DeleteSettings => ({
    ...common,
    command: 'delete',
    backupId: inputs.requiredPositiveInteger('backup-id', 'delete'),
    serverId: inputs.oneServerId('delete')
  }),
  run: deleteBackup,
  // The backup deleted by this step, or none when it was already gone; no output in a dry run.
  present: ({ deletedIds }, { outputs }) => {
    if (deletedIds !== undefined) outputs.setJson('deleted-ids', deletedIds)
    return Promise.resolve()
  }
})

/**
 * `command: delete`: looks the backup up first (so a backup that never existed fails before any
 * DELETE, and the log names what is deleted), then one DELETE.
 */
async function deleteBackup(
  settings: DeleteSettings,
  { api, log }: CommandContext
): Promise<{ deletedIds?: number[] }> {
  const { backupId } = settings
  const backup = await findBackup(api, backupId, settings.serverId, 'nothing was deleted')
  const { noun, Noun } = api.points
  const what =
    `${noun} ${backupId} of server ${safeText(serverLabel(backup))} ` +
    `(${safeText(backup.created_at, 40)}, "${safeText(backup.description, 80)}")`
  if (settings.dryRun) {
    log.info(`Dry run: would delete ${what}`)
    return {}
  }
  if ((await api.deleteBackup(backupId)) === 'already-gone') {
    // Listed a moment ago, now 404: gone, unless the API is wrong about it. The list decides.
    if ((await api.listBackups({ serverId: backup.server.id })).some(b => b.id === backupId)) {
      throw new BackupError(
        `DELETE of ${noun} ${backupId} answered 404, yet the ${noun} is still listed; nothing was deleted: ` +
          'check it in the VPS.org panel'
      )
    }
    log.warning(`${what} was listed, but was already gone when the DELETE was sent: someone else deleted it meanwhile`)
    return { deletedIds: [] }
  }
  log.info(`Deleted ${what}`)
  log.notice(`${Noun} ${backupId} deleted`, `VPS.org ${noun} ${backupId}`)
  return { deletedIds: [backupId] }
}
