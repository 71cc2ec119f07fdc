import * as core from '@actions/core'
import * as log from '../logger.js'
import { backupTable, logTable, markdownTable, writeSummary } from '../report.js'
import type { CommandContext } from './context.js'
import { newestFirst } from './retention.js'

/** The job summary holds 1 MiB per step; the full list is in the log and the backups output. */
const SUMMARY_ROWS = 300

/** `command: list`: every backup matching the filters, from every page, newest first. */
export async function listCommand({ settings, client }: CommandContext): Promise<void> {
  const backups = newestFirst(
    await client.listBackups({ serverId: settings.serverId, backupType: settings.backupType })
  )
  const filters = [
    settings.serverId !== undefined ? `server ${settings.serverId}` : 'all servers',
    settings.backupType ? `${settings.backupType} only` : ''
  ]
    .filter(Boolean)
    .join(', ')
  core.setOutput('backups', JSON.stringify(backups))
  core.setOutput('count', String(backups.length))
  log.info(`${backups.length} backup${backups.length === 1 ? '' : 's'} (${filters}):`)
  const table = backupTable(backups)
  if (backups.length) logTable(table)
  const shown = { ...table, rows: table.rows.slice(0, SUMMARY_ROWS) }
  const more = backups.length - shown.rows.length
  await writeSummary(
    [
      `## VPS.org backups (${filters})`,
      '',
      backups.length ? markdownTable(shown) : '_No backups._',
      more > 0 ? `\n…and ${more} older backups: see the log or the \`backups\` output.` : '',
      ''
    ].join('\n')
  )
}
