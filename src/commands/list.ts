import type { Backup } from '../api/backup.js'
import { newestFirst } from '../backup-policy.js'
import type { ListSettings } from '../input-helper.js'
import { setListOutputs } from '../outputs.js'
import { reportList } from '../report.js'
import type { CommandContext } from './context.js'

/** `command: list`: every backup matching the filters, each server's, from every page, newest first. */
export async function listCommand(settings: ListSettings, { api }: CommandContext): Promise<void> {
  const { serverIds, backupType } = settings
  const lists: Backup[][] = []
  if (serverIds.length === 0) lists.push(await api.listBackups({ backupType }))
  for (const serverId of serverIds) lists.push(await api.listBackups({ serverId, backupType }))
  const backups = newestFirst([...new Map(lists.flat().map(b => [b.id, b])).values()])
  const servers =
    serverIds.length === 0 ? 'all servers' : `server${serverIds.length > 1 ? 's' : ''} ${serverIds.join(', ')}`
  const filters = [servers, backupType ? `${backupType} only` : ''].filter(Boolean).join(', ')
  setListOutputs(backups)
  await reportList(backups, filters)
}
