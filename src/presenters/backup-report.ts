import { COMPLETED, type Backup } from '../api/backup.js'
import type { VpsApi } from '../api/client.js'
import { BackupError } from '../base/errors.js'
import type { Logger } from '../runner/logger.js'
import type { BackupsOutcome } from './outcomes.js'
import { formatDuration } from '../base/duration.js'
import {
  fieldTable,
  formatSize,
  fromApi,
  markdownTable,
  serverLabel,
  type Report,
  type Table
} from '../runner/report.js'
import type { RestorePoints } from '../api/kinds.js'
import { safeText } from '../base/text.js'

/**
 * What a person reads at the end of create and wait: a notice per backup, the job summary, and the
 * step's error line. A step of one server that has a problem says only that, as its error; with
 * several, each problem is an error annotation and the step's error counts them.
 */
export async function presentBackups(
  outcome: BackupsOutcome,
  { log, report, api }: { log: Logger; report: Report; api: Pick<VpsApi, 'points'> }
): Promise<void> {
  const { servers, problems } = outcome
  // A dry run started nothing: its log lines said it all.
  if (servers.length === 0) return
  const [lone] = problems
  if (servers.length === 1 && lone !== undefined) throw new BackupError(lone)
  for (const { backup } of servers) {
    if (backup === undefined) continue
    log.notice(
      `${api.points.Noun} ${backup.id} of server ${safeText(serverLabel(backup))} is ${safeText(backup.status, 40)}`,
      `VPS.org ${api.points.noun} ${backup.id}`
    )
  }
  await summarise(outcome, report, api.points)
  if (problems.length === 0) return
  for (const problem of problems) log.error(problem)
  throw new BackupError(
    `${problems.length} of ${servers.length} servers have no completed ${api.points.noun} from this step (each is named above)`
  )
}

/** The job summary: one backup's fields and how to restore it, or a row per server. */
async function summarise(
  { servers, waitedMs, deletedIds }: BackupsOutcome,
  report: Report,
  points: RestorePoints
): Promise<void> {
  const [only] = servers
  if (servers.length === 1) {
    if (only?.backup) await summariseBackup(report, only.backup, waitedMs, deletedIds, points)
    return
  }
  const rows = servers.map(({ serverId, backup, problem }) => ({
    serverId,
    backup,
    result: problem ?? (backup?.status === COMPLETED ? 'completed' : 'started')
  }))
  await summariseBackups(report, rows, waitedMs, deletedIds, points)
}

/** A ready-to-paste step that restores from `backupId` (already quoted for YAML where needed). */
function restoreStep(report: Report, backupId: string, points: RestorePoints): string {
  return [
    '```yaml',
    `- uses: ${report.actionReference()}`,
    '  with:',
    '    api-token: ${{ secrets.VPS_API_TOKEN }}',
    '    command: restore',
    ...(points.kind === 'backup' ? [] : [`    kind: ${points.kind}`]),
    `    backup-id: ${backupId}`,
    '```'
  ].join('\n')
}

/** One server's backup: its fields, and how to restore it. */
async function summariseBackup(
  report: Report,
  backup: Backup,
  waitedMs: number | undefined,
  deletedIds: number[],
  points: RestorePoints
): Promise<void> {
  const { noun, Noun } = points
  const table = fieldTable([
    [`${Noun} ID`, String(backup.id)],
    ['Server', fromApi(serverLabel(backup))],
    ['Status', fromApi(backup.status)],
    ['Size', formatSize(backup.size_mb)],
    ['Created', fromApi(backup.created_at)],
    ['Description', fromApi(backup.description)],
    ['Wait', waitedMs === undefined ? 'not waited for' : formatDuration(waitedMs)],
    ['Deleted by retention', deletedIds.length ? deletedIds.join(', ') : 'none']
  ])
  await report.writeSummary(
    [
      `## VPS.org ${noun} ${backup.id}`,
      '',
      markdownTable(table),
      '',
      `To restore the server from this ${noun}, add this step (to a rollback job, for instance):`,
      '',
      restoreStep(report, String(backup.id), points),
      ''
    ].join('\n')
  )
}

/** Several servers' backups of one create step: a row each. */
async function summariseBackups(
  report: Report,
  rows: ReadonlyArray<{ serverId: number; backup?: Backup; result: string }>,
  waitedMs: number | undefined,
  deletedIds: readonly number[],
  points: RestorePoints
): Promise<void> {
  const { noun, Noun } = points
  const table: Table = {
    headers: ['Server', `${Noun} ID`, 'Status', 'Size', 'Created', 'Result'],
    rows: rows.map(({ serverId, backup, result }) => [
      backup ? fromApi(serverLabel(backup)) : String(serverId),
      backup ? String(backup.id) : '—',
      backup ? fromApi(backup.status) : '—',
      backup ? formatSize(backup.size_mb) : '—',
      backup ? fromApi(backup.created_at) : '—',
      fromApi(result)
    ])
  }
  // Only backups that are usable, or may be once started: never one that failed or timed out.
  const usable = rows.filter(r => r.result === 'completed' || r.result === 'started')
  const ids = Object.fromEntries(usable.flatMap(r => (r.backup ? [[String(r.serverId), r.backup.id]] : [])))
  await report.writeSummary(
    [
      `## VPS.org ${noun}s of ${rows.length} servers`,
      '',
      markdownTable(table),
      '',
      `Waited: ${waitedMs === undefined ? 'not waited for' : formatDuration(waitedMs)}. ` +
        `Deleted by retention: ${deletedIds.length ? deletedIds.join(', ') : 'none'}.`,
      '',
      ...(usable.length === 0
        ? []
        : [
            `To restore the servers from these ${noun}s, add this step (to a rollback job, for instance):`,
            '',
            restoreStep(report, `'${JSON.stringify(ids)}'`, points),
            ''
          ])
    ].join('\n')
  )
}
