import * as core from '@actions/core'
import type { Backup } from '../api-client.js'
import { formatDuration } from '../duration.js'
import * as log from '../logger.js'
import { setBackupOutputs, setDeletedIds } from '../outputs.js'
import { waitForBackup } from '../poller.js'
import { actionReference, fieldTable, formatSize, markdownTable, serverLabel, writeSummary } from '../report.js'
import { saveCreatedBackup } from '../state-helper.js'
import { safeText } from '../text.js'
import type { CommandContext } from './context.js'
import { deleteBackups } from './delete.js'
import { backupsBeyondKeep, backupsToMakeRoom, type RetentionRule } from './retention.js'

/**
 * The main job: make room under the API's limit if allowed, start a manual backup, hand its id
 * on at once, wait until it is usable, then trim old pre-deploy backups to `keep`.
 */
export async function createBackup({ settings, client, deadline }: CommandContext): Promise<void> {
  const serverId = settings.serverId as number
  const rule: RetentionRule = { serverId, keepPrefix: settings.keepPrefix }
  const before = await client.listBackups({ serverId, backupType: 'manual' })
  const roomFor = backupsToMakeRoom(before, rule, settings.keep)
  const description = safeText(settings.description, 120)

  if (settings.dryRun) {
    for (const backup of roomFor)
      log.info(`Dry run: would delete backup ${backup.id} (${backup.created_at}) to stay under the limit`)
    log.info(`Dry run: would create a manual backup of server ${serverId} described "${description}"`)
    if (settings.keep !== undefined) {
      log.info(
        `Dry run: would then keep the ${settings.keep} newest "${safeText(settings.keepPrefix, 60)}" backups of server ${serverId}`
      )
      // The new backup counts as one of those kept (it has no id yet: 0 matches none).
      const remaining = before.filter(b => !roomFor.includes(b))
      for (const backup of backupsBeyondKeep(remaining, rule, settings.keep, 0)) {
        log.info(
          `Dry run: would then delete backup ${backup.id} (${backup.created_at}), keeping the ${settings.keep} newest`
        )
      }
    }
    return
  }

  const deletedIds = await deleteBackups(client, roomFor, 'to make room under the limit of 10 manual backups')
  setDeletedIds(deletedIds)

  const { backup: started, adopted } = await client.createBackup(
    serverId,
    settings.description,
    new Set(before.map(b => b.id))
  )
  saveCreatedBackup(started.id, started.server.id)
  setBackupOutputs(started)
  log.info(
    `Backup ${started.id} of server ${safeText(serverLabel(started))} ${adopted ? 'found after an interrupted request' : 'started'}: "${description}"`
  )

  let backup: Backup = started
  let waitedMs: number | undefined
  if (settings.wait) {
    log.info(`Waiting up to ${deadline.describe()} for backup ${started.id} to complete…`)
    const result = await waitForBackup(client, started, { pollIntervalMs: settings.pollIntervalMs, deadline, log })
    backup = result.backup
    waitedMs = result.waitedMs
    setBackupOutputs(backup)
    log.info(
      `Backup ${backup.id} completed in ${formatDuration(waitedMs)} (${formatSize(backup.size_mb)}), ${result.checks} status checks`
    )
  } else {
    log.info(
      `Not waiting (wait: false): backup ${started.id} is ${safeText(backup.status, 40)}; it is not usable until completed`
    )
  }

  if (settings.keep !== undefined) {
    const current = await client.listBackups({ serverId, backupType: 'manual' })
    const expired = backupsBeyondKeep(current, rule, settings.keep, backup.id)
    deletedIds.push(...(await deleteBackups(client, expired, `keeping the ${settings.keep} newest`)))
    setDeletedIds(deletedIds)
  }

  core.notice(`Backup ${backup.id} of server ${safeText(serverLabel(backup))} is ${safeText(backup.status, 40)}`, {
    title: `VPS.org backup ${backup.id}`
  })
  await writeSummary(createSummary(backup, waitedMs, deletedIds))
}

function createSummary(backup: Backup, waitedMs: number | undefined, deletedIds: number[]): string {
  const table = fieldTable([
    ['Backup ID', String(backup.id)],
    ['Server', serverLabel(backup)],
    ['Status', backup.status],
    ['Size', formatSize(backup.size_mb)],
    ['Created', backup.created_at],
    ['Description', backup.description],
    ['Wait', waitedMs === undefined ? 'not waited for' : formatDuration(waitedMs)],
    ['Deleted by retention', deletedIds.length ? deletedIds.join(', ') : 'none']
  ])
  return [
    `## VPS.org backup ${backup.id}`,
    '',
    markdownTable(table),
    '',
    'To restore the server from this backup, add this step (to a rollback job, for instance):',
    '',
    '```yaml',
    `- uses: ${actionReference()}`,
    '  with:',
    '    api-token: ${{ secrets.VPS_API_TOKEN }}',
    '    command: restore',
    `    backup-id: ${backup.id}`,
    '```',
    ''
  ].join('\n')
}
