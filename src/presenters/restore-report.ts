import type { Backup } from '../api/backup.js'
import type { RestorePoints } from '../api/kinds.js'
import { formatDuration } from '../base/duration.js'
import { RestoreError } from '../base/errors.js'
import { oneLine, truncate } from '../base/text.js'
import type { Logger } from '../runner/logger.js'
import type { RestoresOutcome } from './outcomes.js'
import type { Outputs } from '../runner/outputs.js'
import {
  fieldTable,
  fromApi,
  markdownTable,
  serverLabel,
  type Cell,
  type Report,
  type Table
} from '../runner/report.js'
import { setBackupIds } from './backup-outputs.js'

/**
 * How the restores ended, once the wait for the servers is over: the server-status output, the
 * job summary's table, and the step's error line. What was started was rendered the moment the
 * API accepted it (restores/restoring.ts), so a job killed while waiting still shows it. One problem is
 * the step's error; several are error annotations, and the step's error counts them.
 */
export async function presentRestores(
  { servers, followed, problems }: RestoresOutcome,
  { log, outputs, report }: { log: Logger; outputs: Outputs; report: Report }
): Promise<void> {
  if (followed !== undefined) {
    setServerStatuses(outputs, followed.statuses, servers)
    await summariseRestoresEnded(report, followed.ended, followed.waitedMs)
  }
  const notRestored = problems.map(p => ({ serverId: p.backup.server.id, backupId: p.backup.id }))
  const [only] = problems
  if (problems.length === 1 && only !== undefined) throw new RestoreError(only.text, notRestored)
  if (problems.length > 1) {
    for (const problem of problems) log.error(problem.text)
    throw new RestoreError(
      `${problems.length} of ${servers} servers were not restored as asked (each is named above)`,
      notRestored
    )
  }
}

/**
 * As soon as the API accepted the restores: what was started, from which backup. One server:
 * backup-id, server-id, status and restore as for one; several: restore as an object by server.
 */
export function setRestoreOutputs(
  outputs: Outputs,
  accepted: ReadonlyArray<{ backup: Backup; answer: Record<string, unknown> }>,
  servers: number
): void {
  if (accepted.length === 0) return
  setBackupIds(
    outputs,
    accepted.map(a => a.backup)
  )
  const [only] = accepted
  if (servers <= 1 && only !== undefined) {
    outputs.set('backup-id', String(only.backup.id))
    outputs.set('server-id', String(only.backup.server.id))
    outputs.set('status', typeof only.answer.status === 'string' ? only.answer.status : 'accepted')
    outputs.setJson('restore', only.answer)
    return
  }
  outputs.setJson('restore', Object.fromEntries(accepted.map(a => [String(a.backup.server.id), a.answer])))
}

/** Once the wait for the servers ended: the status each ended in (one server: the status alone). */
function setServerStatuses(
  outputs: Outputs,
  statuses: ReadonlyArray<{ serverId: number; status: string }>,
  servers: number
): void {
  const [only] = statuses
  if (servers <= 1 && only !== undefined) outputs.set('server-status', only.status)
  else outputs.setJson('server-status', Object.fromEntries(statuses.map(s => [String(s.serverId), s.status])))
}

/**
 * As soon as the restore requests were answered, so a job killed while waiting still shows what
 * was started. One server: its fields; several: a row each.
 */
export async function summariseRestoresStarted(
  report: Report,
  sent: ReadonlyArray<{ backup: Backup; answer?: Record<string, unknown>; failed?: string }>,
  { Noun }: RestorePoints
): Promise<void> {
  const accepted = sent.filter(s => s.answer !== undefined)
  if (accepted.length === 0) return
  const statusOf = (s: (typeof sent)[number]): Cell =>
    s.answer === undefined
      ? `request failed: ${s.failed ?? ''}`
      : fromApi(typeof s.answer.status === 'string' ? s.answer.status : 'accepted')
  const [only] = sent
  if (sent.length === 1 && only !== undefined) {
    const { backup } = only
    const table = fieldTable([
      ['Server', fromApi(serverLabel(backup))],
      [`${Noun} ID`, String(backup.id)],
      [`${Noun} created`, fromApi(backup.created_at)],
      [`${Noun} description`, fromApi(backup.description)],
      ['Restore status', statusOf(only)]
    ])
    await report.writeSummary(
      [`## VPS.org restore of server ${backup.server.id}`, '', markdownTable(table), ''].join('\n')
    )
    return
  }
  const table: Table = {
    headers: ['Server', `${Noun} ID`, `${Noun} created`, `${Noun} description`, 'Restore status'],
    rows: sent.map(s => [
      fromApi(serverLabel(s.backup)),
      String(s.backup.id),
      fromApi(s.backup.created_at),
      fromApi(truncate(oneLine(s.backup.description), 60)),
      statusOf(s)
    ])
  }
  await report.writeSummary([`## VPS.org restore of ${sent.length} servers`, '', markdownTable(table), ''].join('\n'))
}

/**
 * When the wait for the servers ended: for each, how it ended and its final status; a server whose
 * restore request failed too, so the table names every server of the step.
 */
async function summariseRestoresEnded(
  report: Report,
  ended: ReadonlyArray<{ label: string; outcome: { state: string; status: string }; text: string }>,
  waitedMs: number
): Promise<void> {
  const verdicts: Record<string, string> = {
    done: 'back',
    unconfirmed: 'not confirmed',
    unread: 'status unknown, may still be restoring',
    refused: 'not restored'
  }
  const verdict = (state: string): string => verdicts[state] ?? 'not back'
  const table: Table = {
    headers: ['Server', 'Result', 'Server status', 'Details'],
    rows: ended.map(e => [fromApi(e.label), verdict(e.outcome.state), fromApi(e.outcome.status), fromApi(e.text)])
  }
  await report.writeSummary(
    [`Waited ${formatDuration(waitedMs)} for the restore to finish:`, '', markdownTable(table), ''].join('\n')
  )
}
