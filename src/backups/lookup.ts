import type { Backup } from '../api/backup.js'
import type { VpsApi } from '../api/client.js'
import { BackupError } from '../base/errors.js'
import { serverLabel } from '../runner/report.js'
import { safeText } from '../base/text.js'

export interface WantedBackup {
  backupId: number
  /** When given, the backup must belong to this server. */
  serverId?: number
}

/**
 * The backups, found by id in the documented list (there is no endpoint for one backup): first in
 * the server's list when a server is named, else in the whole list, each list read once. Each is
 * checked to be of its server by its own `server.id`, not by the filter asked for: an API or a
 * cache that ignores the filter must not make this action restore or delete another server's
 * backup (or snapshot: the kind's noun names it). `refused` says what does not happen when a check fails ("restore refused").
 */
export async function findBackups(api: VpsApi, wanted: readonly WantedBackup[], refused: string): Promise<Backup[]> {
  const serverLists = new Map<number, Backup[]>()
  let everything: Backup[] | undefined
  const found: Backup[] = []
  for (const { backupId, serverId } of wanted) {
    let backup: Backup | undefined
    if (serverId !== undefined) {
      const listed = serverLists.get(serverId) ?? (await api.listBackups({ serverId }))
      serverLists.set(serverId, listed)
      backup = listed.find(b => b.id === backupId)
    }
    everything ??= backup === undefined ? await api.listBackups() : undefined
    backup ??= everything?.find(b => b.id === backupId)
    if (!backup) throw new BackupError(`${api.points.noun} ${backupId} not found; ${refused}`)
    if (serverId !== undefined && backup.server.id !== serverId) {
      throw new BackupError(
        `${api.points.noun} ${backupId} belongs to server ${safeText(serverLabel(backup))}, not server ${serverId}; ${refused}`
      )
    }
    found.push(backup)
  }
  return found
}

export async function findBackup(
  api: VpsApi,
  backupId: number,
  serverId: number | undefined,
  refused: string
): Promise<Backup> {
  const [backup] = await findBackups(api, [{ backupId, serverId }], refused)
  return backup
}
