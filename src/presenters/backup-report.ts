import { COMPLETED } from '../api/backup.js'
import type { VpsApi } from '../api/client.js'
import { BackupError } from '../base/errors.js'
import type { Logger } from '../runner/logger.js'
import type { BackupsOutcome } from './outcomes.js'
import { serverLabel, type Report } from '../runner/report.js'
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
    if (only?.backup) await report.summariseBackup(only.backup, waitedMs, deletedIds, points)
    return
  }
  const rows = servers.map(({ serverId, backup, problem }) => ({
    serverId,
    backup,
    result: problem ?? (backup?.status === COMPLETED ? 'completed' : 'started')
  }))
  await report.summariseBackups(rows, waitedMs, deletedIds, points)
}
