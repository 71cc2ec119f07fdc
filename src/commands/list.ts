import type { Backup } from '../api/backup.js'
import type { VpsApi } from '../api/client.js'
import { newestFirst } from '../policy/backups.js'
import { parseBackupType, type BackupType, type CommonSettings, type InputReader } from '../runner/inputs.js'
import { InputError, messageOf } from '../base/errors.js'
import type { Logger } from '../runner/logger.js'
import type { CommandContext } from '../context.js'
import { defineCommand } from './unit.js'

export interface ListSettings extends CommonSettings {
  command: 'list'
  /** None: every server. */
  serverIds: number[]
  backupType?: BackupType
}

export const list = defineCommand({
  name: 'list',
  inputs: ['server-id', 'backup-type'],
  outputs: ['backups', 'count'],
  parse: (inputs: InputReader, common: CommonSettings): ListSettings => ({
    ...common,
    command: 'list',
    serverIds: inputs.serverIds(),
    backupType: backupTypeFor(common, inputs.text('backup-type'))
  }),
  run: listBackups,
  // The list in the log and the job summary, and the backups and count outputs.
  present: async ({ backups, filters }, { outputs, report, api }) => {
    outputs.setJson('backups', backups)
    outputs.set('count', String(backups.length))
    await report.reportList(backups, filters, api.points)
  }
})

/** Snapshots have no type: backup-type with kind: snapshot is refused, not ignored. */
function backupTypeFor(common: CommonSettings, raw: string): BackupType | undefined {
  if (raw !== '' && common.kind === 'snapshot') {
    throw new InputError('backup-type is not used with kind: snapshot (snapshots have no type); remove it')
  }
  return parseBackupType(raw)
}

/** `command: list`: every backup matching the filters, each server's, from every page, newest first. */
async function listBackups(
  settings: ListSettings,
  { api, log }: CommandContext
): Promise<{ backups: Backup[]; filters: string }> {
  const { serverIds, backupType } = settings
  const lists: Backup[][] = []
  if (serverIds.length === 0) lists.push(await api.listBackups({ backupType }))
  for (const serverId of serverIds) lists.push(await api.listBackups({ serverId, backupType }))
  const backups = newestFirst([...new Map(lists.flat().map(b => [b.id, b])).values()])
  await warnOfUnknownServers(
    api,
    log,
    serverIds.filter((_, i) => lists[i]?.length === 0)
  )
  const servers =
    serverIds.length === 0 ? 'all servers' : `server${serverIds.length > 1 ? 's' : ''} ${serverIds.join(', ')}`
  const filters = [servers, backupType ? `${backupType} only` : ''].filter(Boolean).join(', ')
  return { backups, filters }
}

/**
 * A server with no backup listed may be one that does not exist (a typo in server-id): when the
 * server list, read without error, does not hold it, a warning says so rather than a plain "no
 * backups". A server list the token may not read is no reason to warn.
 */
async function warnOfUnknownServers(
  api: Pick<VpsApi, 'getServers' | 'points'>,
  log: Logger,
  serverIds: number[]
): Promise<void> {
  if (serverIds.length === 0) return
  let servers
  try {
    servers = await api.getServers(serverIds)
  } catch (error) {
    log.debug(`Could not read the servers to check server-id: ${messageOf(error)}`)
    return
  }
  for (const serverId of serverIds) {
    const lookup = servers.get(serverId)
    if (lookup === undefined || 'error' in lookup) {
      if (lookup !== undefined)
        log.debug(`Could not read server ${serverId} to check server-id: ${lookup.error.message}`)
      continue
    }
    if (lookup.server !== undefined) continue
    log.warning(
      `server ${serverId} is not in the VPS.org server list of this token's account: server-id may be wrong ` +
        `(no ${api.points.noun} of it is listed)`
    )
  }
}
