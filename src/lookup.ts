import type { Backup } from './api/backup.js'
import type { VpsApi } from './api/client.js'
import { BackupError } from './errors.js'
import { serverLabel } from './report.js'
import { safeText } from './text.js'

/**
 * The backup, found by id in the documented list (there is no endpoint for one backup): first in
 * the server's list when a server is named, else in the whole list. It is checked to be of that
 * server by its own `server.id`, not by the filter asked for: an API or a cache that ignores the
 * filter must not make this action restore or delete another server's backup. `refused` says
 * what does not happen when the check fails ("restore refused").
 */
export async function findBackup(
  api: VpsApi,
  backupId: number,
  serverId: number | undefined,
  refused: string
): Promise<Backup> {
  let found: Backup | undefined
  if (serverId !== undefined) found = (await api.listBackups({ serverId })).find(b => b.id === backupId)
  found ??= (await api.listBackups()).find(b => b.id === backupId)
  if (!found) throw new BackupError(`backup ${backupId} not found; ${refused}`)
  if (serverId !== undefined && found.server.id !== serverId) {
    throw new BackupError(
      `backup ${backupId} belongs to server ${safeText(serverLabel(found))}, not server ${serverId}; ${refused}`
    )
  }
  return found
}
