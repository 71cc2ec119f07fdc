/**
 * Restoring servers from backups, for `command: restore` and the post step of
 * restore-on-failure: choosing and checking the backups (every check before any request), one
 * restore request per server sent without one waiting for another, and following the servers
 * until they are back.
 */
import { COMPLETED, MANUAL, isFailedStatus, type Backup } from './api/backup.js'
import type { VpsApi } from './api/client.js'
import { serverState, statusInRestoreAnswer } from './api/server.js'
import { chooseLatest } from './backup-policy.js'
import { backupName, notCompleted, waitForBackups } from './backup-waiting.js'
import type { Deadline } from './deadline.js'
import { formatDuration } from './duration.js'
import { BackupError, RestoreError, messageOf } from './errors.js'
import type { BackupSelection } from './input-helper.js'
import * as log from './logger.js'
import { findBackups } from './lookup.js'
import { setRestoreOutputs, setServerStatuses } from './outputs.js'
import { serverLabel, summariseRestoresEnded, summariseRestoresStarted } from './report.js'
import { datedAhead } from './retention.js'
import { restoreOutcomeText, waitForRestores, waitWhileBusy } from './server-waiting.js'
import { safeText } from './text.js'

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

/** How one server's wait ended, for the summary. */
interface Ended {
  label: string
  outcome: { state: string; status: string }
  text: string
}

/**
 * Checks every backup (it exists, belongs to its server by its own server.id, is completed or is
 * waited for) and that no restore of the servers is running, then sends one restore request per
 * server and, when asked, follows the servers until they are back. Fails with a RestoreError that
 * names the servers not restored, once requests were sent.
 */
export async function restoreFromBackups(api: VpsApi, deadline: Deadline, request: RestoreRequest): Promise<void> {
  const waiting = { pollIntervalMs: request.pollIntervalMs, deadline, log }
  const checked = await completedBackups(api, await chooseBackups(api, request), request.waitForBackup, waiting)
  const serverIds = checked.map(b => b.server.id)
  let readBefore: Set<number> | undefined
  if (request.waitForServer) {
    readBefore = (await waitWhileBusy(api, serverIds, 'restoring it', { ...waiting, debug: log.debug })).read
  } else {
    for (const [serverId, lookup] of await api.getServers(serverIds)) {
      const status = 'server' in lookup ? lookup.server?.status : undefined
      if (status !== undefined && serverState(status) === 'busy') {
        throw new BackupError(
          `server ${serverId} is ${safeText(status, 40)} (another restore or operation is running); restore refused ` +
            '(with wait: true the step waits for it to settle)'
        )
      }
    }
  }

  const describe = (backup: Backup): string =>
    `server ${safeText(serverLabel(backup))} from backup ${backup.id} (${safeText(backup.created_at, 40)}, ` +
    `"${safeText(backup.description, 80)}")`
  if (request.dryRun) {
    for (const backup of checked) log.info(`Dry run: would restore ${describe(backup)}, overwriting the server's disk`)
    return
  }
  const backups = request.claim === undefined ? checked : checked.filter(request.claim)
  if (backups.length === 0) return
  for (const backup of backups) {
    log.info(`Restoring ${describe(backup)}: the server's disk is overwritten with the backup's state`)
  }
  // Every request at once: none waits for another's answer, and an uncertain one is never repeated.
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
  const accepted = sent.filter((s): s is Sent & { answer: Record<string, unknown> } => s.answer !== undefined)
  // Recorded at once, so a job killed while waiting still shows what was started.
  const several = backups.length > 1
  setRestoreOutputs(
    accepted.map(({ backup, answer }) => ({ backup, answer })),
    several
  )
  for (const { backup, answer } of accepted) {
    const status = typeof answer.status === 'string' ? answer.status : 'accepted'
    log.info(`Restore of server ${backup.server.id} from backup ${backup.id} accepted (${safeText(status, 40)})`)
    log.notice(
      `Server ${safeText(serverLabel(backup))} is being restored from backup ${backup.id}`,
      `VPS.org restore of server ${backup.server.id}`
    )
  }
  await summariseRestoresStarted(sent)
  const problems = sent.flatMap(s => (s.failed === undefined ? [] : [{ backup: s.backup, text: s.failed }]))
  if (request.waitForServer && accepted.length > 0) {
    const followed = await followServers(api, accepted, several, { ...waiting, readBefore })
    problems.push(...followed.problems)
    const refused = sent.flatMap((s): Ended[] =>
      s.failed === undefined ? [] : [{ label: s.label, outcome: { state: 'refused', status: '—' }, text: s.failed }]
    )
    await summariseRestoresEnded([...followed.ended, ...refused], followed.waitedMs)
  }
  const notRestored = problems.map(p => ({ serverId: p.backup.server.id, backupId: p.backup.id }))
  const [only] = problems
  if (problems.length === 1 && only !== undefined) throw new RestoreError(only.text, notRestored)
  if (problems.length > 1) {
    for (const problem of problems) log.error(problem.text)
    throw new RestoreError(
      `${problems.length} of ${backups.length} servers were not restored as asked (each is named above)`,
      notRestored
    )
  }
}

/**
 * Follows the servers whose restore was accepted: how each ended, and a line for each that did
 * not come back.
 */
async function followServers(
  api: VpsApi,
  accepted: ReadonlyArray<{ backup: Backup; label: string; answer: Record<string, unknown> }>,
  several: boolean,
  waiting: { pollIntervalMs: number; deadline: Deadline; log: typeof log; readBefore?: ReadonlySet<number> }
): Promise<{ problems: Array<{ backup: Backup; text: string }>; ended: Ended[]; waitedMs: number }> {
  const { deadline } = waiting
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
    const text = restoreOutcomeText(safeText(label), backup.id, outcome, deadline.describe())
    switch (outcome.state) {
      case 'done':
        log.info(
          `Server ${safeText(label)} is back (${safeText(outcome.status, 40)}) after ${formatDuration(waitedMs)}`
        )
        log.notice(
          `Server ${safeText(label)} is back (${safeText(outcome.status, 40)}), restored from backup ${backup.id}`,
          `VPS.org restore of server ${backup.server.id}`
        )
        if (serverState(outcome.status) === 'stopped') {
          log.warning(
            `Server ${safeText(label)} was restored from backup ${backup.id} and is stopped: start it when ready`
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
  setServerStatuses(
    ended.map(({ backup, outcome }) => ({ serverId: backup.server.id, status: outcome.status })),
    several
  )
  return { problems, ended, waitedMs }
}

/** The backups asked for, in the order of server-id when given; every check before any request. */
async function chooseBackups(api: VpsApi, request: RestoreRequest): Promise<Backup[]> {
  const { backups: selection, serverIds } = request
  if ('latest' in selection) {
    const chosen: Backup[] = []
    for (const serverId of serverIds) chosen.push(await latestBackup(api, serverId, request.keepPrefix))
    for (const backup of chosen) {
      log.info(
        `backup-id latest: backup ${backup.id} of server ${safeText(serverLabel(backup))}, created ` +
          `${safeText(backup.created_at, 40)}, "${safeText(backup.description, 80)}"`
      )
    }
    return chosen
  }
  if ('byServer' in selection) {
    return findBackups(
      api,
      [...selection.byServer].map(([serverId, backupId]) => ({ backupId, serverId })),
      'restore refused'
    )
  }
  const only = serverIds.length === 1 && selection.ids.length === 1 ? serverIds[0] : undefined
  const found = await findBackups(
    api,
    selection.ids.map(backupId => ({ backupId, serverId: only })),
    'restore refused'
  )
  const servers = found.map(b => b.server.id)
  const twice = servers.find((id, i) => servers.indexOf(id) !== i)
  if (twice !== undefined) {
    throw new BackupError(`backup-id names two backups of server ${twice}; one backup per server; restore refused`)
  }
  if (serverIds.length > 0 && (servers.length !== serverIds.length || servers.some(id => !serverIds.includes(id)))) {
    throw new BackupError(
      `server-id names servers ${serverIds.join(', ')}, but the backups are of servers ${servers.join(', ')}; restore refused`
    )
  }
  return serverIds.length > 0 ? serverIds.map(id => found.find(b => b.server.id === id) as Backup) : found
}

/** The backups, completed: failed ones refused, ones in progress waited for or refused. */
async function completedBackups(
  api: VpsApi,
  backups: readonly Backup[],
  waitForBackup: boolean,
  waiting: { pollIntervalMs: number; deadline: Deadline; log: typeof log }
): Promise<Backup[]> {
  for (const backup of backups) {
    const status = safeText(backup.status, 40)
    if (isFailedStatus(backup.status)) {
      throw new BackupError(`backup ${backup.id} has status "${status}" and cannot be restored; restore refused`)
    }
    if (backup.status !== COMPLETED && !waitForBackup) {
      throw new BackupError(`backup ${backup.id} is ${status}, not completed; restore refused`)
    }
  }
  const running = backups.filter(b => b.status !== COMPLETED)
  if (running.length === 0) return [...backups]
  for (const backup of running) {
    log.info(
      `Backup ${backup.id} is ${safeText(backup.status, 40)}; waiting up to ${waiting.deadline.describe()} for it to complete before restoring`
    )
  }
  const { settled } = await waitForBackups(api, running, waiting)
  for (const backup of running) {
    const outcome = settled.get(backup.id) ?? { state: 'timed-out', status: backup.status }
    if (outcome.state !== 'done') {
      throw new BackupError(
        `${notCompleted(backup, outcome, waiting.deadline.describe()).message}; nothing was restored`
      )
    }
  }
  return backups.map(b => {
    const outcome = settled.get(b.id)
    return outcome?.state === 'done' ? outcome.value : b
  })
}

/**
 * The newest (by created_at, then id) completed manual backup of the server, by its own server.id,
 * whose description starts with the prefix (the rule: chooseLatest). Never waits for one: newer
 * backups that are not completed are named in the log and passed over; one dated in the future is
 * named too.
 */
export async function latestBackup(
  api: Pick<VpsApi, 'listBackups' | 'now'>,
  serverId: number,
  prefix: string
): Promise<Backup> {
  const listed = await api.listBackups({ serverId, backupType: MANUAL })
  const now = api.now()
  const choice = chooseLatest(listed, { serverId, keepPrefix: prefix }, now)
  for (const b of choice.passedOver) {
    log.info(`backup-id latest: passing over ${backupName(b)} (${safeText(b.status, 40)}, not completed)`)
  }
  if (choice.aheadMs !== undefined) {
    log.warning(`backup-id latest: ${datedAhead(choice.backup, now)}, so it ranks as the latest`)
  }
  return choice.backup
}
