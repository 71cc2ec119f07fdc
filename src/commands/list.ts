import { newestFirst } from '../api/backup.js'
import type { ListSettings } from '../input-helper.js'
import { setListOutputs } from '../outputs.js'
import { reportList } from '../report.js'
import type { CommandContext } from './context.js'

/** `command: list`: every backup matching the filters, from every page, newest first. */
export async function listCommand(settings: ListSettings, { api }: CommandContext): Promise<void> {
  const { serverId, backupType } = settings
  const backups = newestFirst(await api.listBackups({ serverId, backupType }))
  const filters = [
    serverId !== undefined ? `server ${serverId}` : 'all servers',
    backupType ? `${backupType} only` : ''
  ]
    .filter(Boolean)
    .join(', ')
  setListOutputs(backups)
  await reportList(backups, filters)
}
