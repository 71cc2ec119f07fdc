import { BackupError } from '../errors.js'
import type { DeleteSettings } from '../input-helper.js'
import * as log from '../logger.js'
import { findBackup } from '../lookup.js'
import { setDeletedIds } from '../outputs.js'
import { serverLabel } from '../report.js'
import { safeText } from '../text.js'
import type { CommandContext } from './context.js'

/**
 * `command: delete`: looks the backup up first (so a backup that never existed fails before any
 * DELETE, and the log names what is deleted), then one DELETE.
 */
export async function deleteCommand(settings: DeleteSettings, { api }: CommandContext): Promise<void> {
  const { backupId } = settings
  const backup = await findBackup(api, backupId, settings.serverId, 'nothing was deleted')
  const what =
    `backup ${backupId} of server ${safeText(serverLabel(backup))} ` +
    `(${safeText(backup.created_at, 40)}, "${safeText(backup.description, 80)}")`
  if (settings.dryRun) {
    log.info(`Dry run: would delete ${what}`)
    return
  }
  if ((await api.deleteBackup(backupId)) === 'already-gone') {
    // Listed a moment ago, now 404: gone, unless the API is wrong about it. The list decides.
    if ((await api.listBackups({ serverId: backup.server.id })).some(b => b.id === backupId)) {
      throw new BackupError(
        `DELETE of backup ${backupId} answered 404, yet the backup is still listed; nothing was deleted: ` +
          'check it in the VPS.org panel'
      )
    }
    setDeletedIds([])
    log.warning(`${what} was listed, but was already gone when the DELETE was sent: someone else deleted it meanwhile`)
    return
  }
  setDeletedIds([backupId])
  log.info(`Deleted ${what}`)
  log.notice(`Backup ${backupId} deleted`, `VPS.org backup ${backupId}`)
}
