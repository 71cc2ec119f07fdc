/**
 * Restoring servers from backups, for `command: restore` and the post step of
 * restore-on-failure: choosing and checking the backups (every check before any request), one
 * restore request per server sent without one waiting for another, and following the servers
 * until they are back.
 */
import type { Backup } from '../api/backup.js'
import { serverState, statusInRestoreAnswer } from '../api/server.js'
import type { BackupSelection } from '../runner/backup-id.js'
import { chooseBackups, completedBackups } from './choosing.js'
import type { CommandContext } from '../context.js'
import { formatDuration } from '../base/duration.js'
import { BackupError, messageOf } from '../base/errors.js'
import type { RestoreEnded, RestoresOutcome } from '../presenters/outcomes.js'
import { setRestoreOutputs, summariseRestoresStarted } from '../presenters/restore-report.js'
import { serverLabel } from '../runner/report.js'
import type { RestorePoints } from '../api/kinds.js'
import { restoreOutcomeText, waitForRestores } from './waiting.js'
import { waitWhileBusy } from './server-status.js'
import { safeText } from '../base/text.js'

export interface RestoreRequest {
  backups: BackupSelection
  /** When given, exactly the servers of the backups, one backup each. Required with `latest`. */
  serverIds: readonly number[]
  /** With `latest`: only backups whose description starts with it. */
  keepPrefix: string
  /** Wait for a backup still in progress instead of refusing it. */
  waitForBackup: boolean
  /** Wait until the servers are back, and for a restore already running instead of refusing. */
  waitForServer: boolean
  pollIntervalMs: number
  dryRun: boolean
  /**
   * Asked of each backup once every check passed, just before its restore request is sent: false
   * leaves that server out (the callee says why). Restore-on-failure records each restore here, so
   * a later post step of the job does not send it again.
   */
  claim?: (backup: Backup) => boolean
}

/** One server's restore once its request was answered. */
interface Sent {
  backup: Backup
  label: string
  answer?: Record<string, unknown>
  /** Why the request failed, when it did. */
  failed?: string
}

/** A restore request that was accepted, with its answer. */
type Accepted = Sent & { answer: Record<string, unknown> }

/**
 * Checks every backup (it exists, belongs to its server by its own server.id, is completed or is
 * waited for) and that no restore of the servers is running, then sends one restore request per
 * server and, when asked, follows the servers until they are back. One server or several is one
 * path; presentRestores renders what happened, and fails with a RestoreError that names the
 * servers not restored.
 */
export async function restoreServers(context: CommandContext, request: RestoreRequest): Promise<RestoresOutcome> {
  const { api, deadline, log } = context
  const waiting = { pollIntervalMs: request.pollIntervalMs, deadline, log }
  const checked = await completedBackups(api, await chooseBackups(context, request), request.waitForBackup, waiting)
  const readBefore = await checkServersFree(context, request, checked)
  if (request.dryRun) {
    for (const backup of checked)
      log.info(`Dry run: would restore ${describe(backup, api.points)}, overwriting the server's disk`)
    return { servers: 0, problems: [] }
  }
  const backups = request.claim === undefined ? checked : checked.filter(request.claim)
  if (backups.length === 0) return { servers: 0, problems: [] }
  const sent = await sendRestores(context, backups)
  const accepted = sent.filter((s): s is Accepted => s.answer !== undefined)
  const problems = sent.flatMap(s => (s.failed === undefined ? [] : [{ backup: s.backup, text: s.failed }]))
  if (!request.waitForServer || accepted.length === 0) return { servers: backups.length, problems }
  const followed = await followServers(context, accepted, { ...waiting, readBefore })
  const refused = sent.flatMap((s): RestoreEnded[] =>
    s.failed === undefined ? [] : [{ label: s.label, outcome: { state: 'refused', status: '—' }, text: s.failed }]
  )
  return {
    servers: backups.length,
    followed: { ...followed, ended: [...followed.ended, ...refused] },
    problems: [...problems, ...followed.problems]
  }
}

const describe = (backup: Backup, { noun }: RestorePoints): string =>
  `server ${safeText(serverLabel(backup))} from ${noun} ${backup.id} (${safeText(backup.created_at, 40)}, ` +
  `"${safeText(backup.description, 80)}")`

/**
 * No other operation may be running on the servers: with waitForServer it is waited for (and the
 * servers read are returned), else refused.
 */
async function checkServersFree(
  { api, deadline, log }: CommandContext,
  request: RestoreRequest,
  checked: readonly Backup[]
): Promise<Set<number> | undefined> {
  const serverIds = checked.map(b => b.server.id)
  if (request.waitForServer) {
    const waiting = { pollIntervalMs: request.pollIntervalMs, deadline, log, debug: log.debug }
    return (await waitWhileBusy(api, serverIds, 'restoring it', waiting)).read
  }
  for (const [serverId, lookup] of await api.getServers(serverIds)) {
    const status = 'server' in lookup ? lookup.server?.status : undefined
    if (status !== undefined && serverState(status) === 'busy') {
      throw new BackupError(
        `server ${serverId} is ${safeText(status, 40)} (another restore or operation is running); restore refused ` +
          '(with wait: true the step waits for it to settle)'
      )
    }
  }
  return undefined
}

/**
 * Every request at once: none waits for another's answer, and an uncertain one is never repeated.
 * What was accepted is recorded at once (outputs, notices, summary), so a job killed while waiting
 * still shows what was started.
 */
async function sendRestores(context: CommandContext, backups: readonly Backup[]): Promise<Sent[]> {
  const { api, log, outputs, report } = context
  const { noun } = api.points
  for (const backup of backups) {
    log.info(`Restoring ${describe(backup, api.points)}: the server's disk is overwritten with the ${noun}'s state`)
  }
  const sent: Sent[] = await Promise.all(
    backups.map(async backup => {
      const label = serverLabel(backup)
      try {
        return { backup, label, answer: await api.restoreServer(backup.server.id, backup.id) }
      } catch (error) {
        return { backup, label, failed: messageOf(error) }
      }
    })
  )
  const accepted = sent.filter((s): s is Accepted => s.answer !== undefined)
  setRestoreOutputs(
    outputs,
    accepted.map(({ backup, answer }) => ({ backup, answer })),
    backups.length
  )
  for (const { backup, answer } of accepted) {
    const status = typeof answer.status === 'string' ? answer.status : 'accepted'
    log.info(`Restore of server ${backup.server.id} from ${noun} ${backup.id} accepted (${safeText(status, 40)})`)
    log.notice(
      `Server ${safeText(serverLabel(backup))} is being restored from ${noun} ${backup.id}`,
      `VPS.org restore of server ${backup.server.id}`
    )
  }
  await summariseRestoresStarted(report, sent, api.points)
  return sent
}

/**
 * Follows the servers whose restore was accepted: how each ended, and a line for each that did
 * not come back.
 */
async function followServers(
  { api, log }: CommandContext,
  accepted: readonly Accepted[],
  waiting: Parameters<typeof waitForRestores>[2]
): Promise<NonNullable<RestoresOutcome['followed']> & Pick<RestoresOutcome, 'problems'>> {
  const { deadline } = waiting
  const { noun } = api.points
  const names = accepted.map(a => safeText(a.label)).join(', ')
  log.info(
    `Waiting up to ${formatDuration(deadline.remainingMs())} for server${accepted.length > 1 ? 's' : ''} ${names} to be back…`
  )
  const { settled, waitedMs } = await waitForRestores(
    api,
    accepted.map(a => ({ serverId: a.backup.server.id, label: a.label, answered: statusInRestoreAnswer(a.answer) })),
    waiting
  )
  const problems: Array<{ backup: Backup; text: string }> = []
  const ended = accepted.map(({ backup, label }) => {
    const outcome = settled.get(backup.server.id) ?? { state: 'timed-out' as const, status: 'unknown' }
    const text = restoreOutcomeText(safeText(label), `${noun} ${backup.id}`, outcome, deadline.describe())
    switch (outcome.state) {
      case 'done':
        log.info(
          `Server ${safeText(label)} is back (${safeText(outcome.status, 40)}) after ${formatDuration(waitedMs)}`
        )
        log.notice(
          `Server ${safeText(label)} is back (${safeText(outcome.status, 40)}), restored from ${noun} ${backup.id}`,
          `VPS.org restore of server ${backup.server.id}`
        )
        if (serverState(outcome.status) === 'stopped') {
          log.warning(
            `Server ${safeText(label)} was restored from ${noun} ${backup.id} and is stopped: start it when ready`
          )
        }
        break
      case 'unconfirmed':
        log.warning(text)
        break
      case 'failed':
      case 'timed-out':
      case 'unread':
        problems.push({ backup, text })
    }
    return { backup, label, outcome, text }
  })
  const statuses = ended.map(({ backup, outcome }) => ({ serverId: backup.server.id, status: outcome.status }))
  return { problems, ended: ended.map(({ label, outcome, text }) => ({ label, outcome, text })), statuses, waitedMs }
}
