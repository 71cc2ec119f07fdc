import { COMPLETED, MANUAL, type Backup } from '../api/backup.js'
import type { CreatedBackup } from '../api/client.js'
import { backupName, lastSeen, notCompleted, waitForBackups } from '../backup-waiting.js'
import { formatDuration } from '../duration.js'
import { ApiError, BackupError, InputError, messageOf } from '../errors.js'
import type { CommonSettings, InputReader, RetentionSettings } from '../input-helper.js'
import { formatSize, serverLabel } from '../report.js'
import { isAtLimit, planKeep, planRoom } from '../backup-policy.js'
import { applyKeep, deleteBackups, describeRule, reportKept } from '../retention.js'
import { waitWhileBusy } from '../server-waiting.js'
import { safeText } from '../text.js'
import type { CommandContext } from './context.js'
import { defineCommand } from './unit.js'

export interface CreateSettings extends CommonSettings {
  command: 'create'
  /** One or more, in the order given. */
  serverIds: number[]
  description: string
  wait: boolean
  /** Absent when neither keep nor keep-within is set: nothing is ever deleted. */
  retention?: RetentionSettings
  restoreOnFailure: boolean
}

function parse(inputs: InputReader, common: CommonSettings): CreateSettings {
  const serverIds = inputs.serverIds()
  if (serverIds.length === 0) throw new InputError('server-id is required for command create')
  const settings: CreateSettings = {
    ...common,
    command: 'create',
    serverIds,
    description: inputs.text('description', { trim: false }) || inputs.runDescription(),
    wait: inputs.boolean('wait', 'true'),
    restoreOnFailure: inputs.boolean('restore-on-failure', 'false')
  }
  const retention = inputs.retention()
  if (retention === undefined) return settings
  const rule = retention.keep !== undefined ? 'keep' : 'keep-within'
  if (!settings.description.startsWith(retention.keepPrefix)) {
    throw new InputError(
      `${rule} is set but description "${settings.description}" does not start with keep-prefix "${retention.keepPrefix}": ` +
        'the new backup would never count toward the backups kept'
    )
  }
  if (!settings.wait) {
    throw new InputError(`${rule} needs wait: true: old backups are deleted only once the new one is completed`)
  }
  return { ...settings, retention }
}

const MAKING_ROOM = 'to make room under the limit of 10 manual backups'

/** One server of the step: what was there before, and what must go to make room. */
interface Plan {
  serverId: number
  before: Backup[]
  roomFor: Backup[]
}

/** One server's create request: the backup the API accepted, or why it failed. */
interface Started {
  plan: Plan
  backup?: Backup
  failed?: string
}

/** What the step has done so far, shared by its phases. */
interface Progress {
  deletedIds: number[]
  problems: string[]
  /** Each backup as last seen, by id. */
  final: Map<number, Backup>
  waitedMs?: number
}

export const create = defineCommand({
  name: 'create',
  inputs: [
    'server-id',
    'description',
    'wait',
    'poll-interval',
    'keep',
    'keep-within',
    'keep-prefix',
    'restore-on-failure'
  ],
  outputs: [
    'backup-id',
    'backup-ids',
    'status',
    'size-mb',
    'created-at',
    'server-id',
    'server-name',
    'backup',
    'backups',
    'deleted-ids'
  ],
  parse,
  armsRestoreOnFailure: settings => settings.restoreOnFailure,
  run: createBackups
})

/**
 * The main job, for one server or several: check every server first (room under the API's
 * limit, no restore running), make room where allowed, start every backup, hand the ids on at
 * once, wait for all of them together, then apply keep and keep-within to each server.
 */
async function createBackups(settings: CreateSettings, context: CommandContext): Promise<void> {
  const plans = await checkServers(settings, context)
  if (settings.dryRun) {
    const now = context.api.now()
    for (const plan of plans) forecast(settings, plan, now, context)
    return
  }
  const progress: Progress = { deletedIds: [], problems: [], final: new Map() }
  for (const plan of plans) {
    progress.deletedIds.push(...(await deleteBackups(context, plan.roomFor, MAKING_ROOM)))
  }
  context.outputs.setDeletedIds(progress.deletedIds)
  const started = await startBackups(settings, context, plans, progress)
  const running = started.flatMap(s => (s.backup ? [s.backup] : []))
  progress.problems.push(...started.flatMap(s => (s.failed === undefined ? [] : [s.failed])))
  for (const backup of running) progress.final.set(backup.id, backup)
  if (settings.serverIds.length > 1) context.outputs.setBackupsOutput(running)
  if (settings.wait && running.length > 0) await waitAndKeep(settings, context, running, progress)
  else if (!settings.wait) {
    for (const backup of running) {
      context.log.info(
        `Not waiting (wait: false): backup ${backup.id} is ${safeText(backup.status, 40)}; it is not usable until completed`
      )
    }
  }
  await present(settings, context, started, progress)
}

/**
 * Every check, for every server, before anything is changed. A restore still running comes first:
 * waiting for it may take minutes, and the lists that decide what to delete must be read after it.
 */
async function checkServers(settings: CreateSettings, context: CommandContext): Promise<Plan[]> {
  const { api, deadline, log } = context
  const waiting = { pollIntervalMs: settings.pollIntervalMs, deadline, log, debug: log.debug }
  const { absent } = await waitWhileBusy(api, settings.serverIds, 'backing it up', waiting)
  if (absent.length > 0) throw notInServerList(absent)
  const plans: Plan[] = []
  for (const serverId of settings.serverIds) {
    const before = await api.listBackups({ serverId, backupType: MANUAL })
    plans.push({ serverId, before, roomFor: makeRoom(context, before, serverId, settings.retention) })
  }
  return plans
}

/**
 * All create requests at once; each backup's id goes out (outputs and state) the moment the API
 * accepts it. With one server a failed request ends the step; with several, the others go on.
 */
async function startBackups(
  settings: CreateSettings,
  context: CommandContext,
  plans: readonly Plan[],
  progress: Progress
): Promise<Started[]> {
  const { serverIds } = settings
  const accepted = new Map<number, Backup>()
  return Promise.all(
    plans.map(async (plan): Promise<Started> => {
      try {
        const created = await startBackup(settings, context, plan, progress.deletedIds)
        accepted.set(plan.serverId, created.backup)
        backupAccepted(
          settings,
          context,
          created,
          serverIds.flatMap(id => accepted.get(id) ?? [])
        )
        return { plan, backup: created.backup }
      } catch (error) {
        if (serverIds.length === 1) throw error
        return { plan, failed: `could not start a backup of server ${plan.serverId}: ${messageOf(error)}` }
      }
    })
  )
}

function backupAccepted(
  settings: CreateSettings,
  { state, outputs, log }: CommandContext,
  created: CreatedBackup,
  inOrder: Backup[]
): void {
  state.saveCreatedBackups(inOrder)
  outputs.setBackupIds(inOrder)
  if (settings.serverIds.length === 1) outputs.setBackupOutputs(created.backup)
  log.info(
    `Backup ${created.backup.id} of server ${safeText(serverLabel(created.backup))} ` +
      `${created.adopted ? 'found after an interrupted request' : 'started'}: "${safeText(settings.description, 120)}"`
  )
}

/** Waits for the backups together, then applies keep and keep-within to each completed one. */
async function waitAndKeep(
  settings: CreateSettings,
  context: CommandContext,
  running: readonly Backup[],
  progress: Progress
): Promise<void> {
  const { api, deadline, log, outputs } = context
  const only = running.length === 1 ? `backup ${running[0]?.id}` : `${running.length} backups`
  log.info(`Waiting up to ${deadline.describe()} for ${only} to complete…`)
  const result = await waitForBackups(api, running, { pollIntervalMs: settings.pollIntervalMs, deadline, log })
  progress.waitedMs = result.waitedMs
  for (const backup of running) {
    const outcome = result.settled.get(backup.id) ?? { state: 'timed-out' as const, status: backup.status }
    if (outcome.state !== 'done') progress.problems.push(notCompleted(backup, outcome, deadline.describe()).message)
    // With the status last seen: the create answer's in_progress would hide a backup that failed.
    progress.final.set(backup.id, lastSeen(backup, outcome))
  }
  const latest = running.map(b => progress.final.get(b.id) ?? b)
  if (settings.serverIds.length > 1) outputs.setBackupsOutput(latest)
  else for (const backup of latest) outputs.setBackupOutputs(backup)
  const completed = latest.filter(b => b.status === COMPLETED)
  for (const backup of completed) {
    const afterMs = result.settledAfterMs.get(backup.id) ?? result.waitedMs
    log.info(
      `Backup ${backup.id} completed in ${formatDuration(afterMs)} (${formatSize(backup.size_mb)}), ` +
        `${result.rounds} rounds of status checks`
    )
  }
  if (settings.retention === undefined) return
  for (const backup of completed) {
    progress.deletedIds.push(
      ...(await applyKeep(context, { ...settings.retention, serverId: backup.server.id }, backup))
    )
    outputs.setDeletedIds(progress.deletedIds)
  }
}

/** The notices, the summary and the step's end: one server's problem is its error, several are counted. */
async function present(
  settings: CreateSettings,
  { log, report }: CommandContext,
  started: readonly Started[],
  { problems, final, waitedMs, deletedIds }: Progress
): Promise<void> {
  const several = settings.serverIds.length > 1
  if (!several && problems.length > 0) throw new BackupError(problems[0])
  const rows = started.map(s => {
    const backup = s.backup ? (final.get(s.backup.id) ?? s.backup) : undefined
    const problem = s.failed ?? problems.find(p => backup !== undefined && p.includes(backupName(backup)))
    return {
      serverId: s.plan.serverId,
      backup,
      result: problem ?? (backup?.status === COMPLETED ? 'completed' : 'started')
    }
  })
  for (const { backup } of rows) {
    if (backup === undefined) continue
    log.notice(
      `Backup ${backup.id} of server ${safeText(serverLabel(backup))} is ${safeText(backup.status, 40)}`,
      `VPS.org backup ${backup.id}`
    )
  }
  if (!several) {
    const [only] = rows
    if (only?.backup) await report.summariseBackup(only.backup, waitedMs, deletedIds)
    return
  }
  await report.summariseBackups(rows, waitedMs, deletedIds)
  if (problems.length > 0) {
    for (const problem of problems) log.error(problem)
    throw new BackupError(
      `${problems.length} of ${settings.serverIds.length} servers have no completed backup from this step (each is named above)`
    )
  }
}

/**
 * Sends the create request. When the API refuses it with a 400 and a fresh list shows the server
 * at the limit (another run took the last slot since this one looked; the error body is not
 * documented, so the list decides), room is made under keep once more and the request sent
 * again, once.
 */
async function startBackup(
  settings: CreateSettings,
  context: CommandContext,
  plan: Plan,
  deletedIds: number[]
): Promise<CreatedBackup> {
  const { api, log } = context
  const { serverId } = plan
  try {
    return await api.createBackup(serverId, settings.description, new Set(plan.before.map(b => b.id)))
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error
    const fresh = await api.listBackups({ serverId, backupType: MANUAL })
    if (!isAtLimit(fresh, serverId)) throw error
    const roomFor = makeRoom(context, fresh, serverId, settings.retention)
    log.warning(
      `The API refused the backup of server ${serverId} (400) and the server is now at the limit of 10 manual ` +
        'backups: another run took the last slot. Making room once more and trying again'
    )
    deletedIds.push(...(await deleteBackups(context, roomFor, MAKING_ROOM)))
    context.outputs.setDeletedIds(deletedIds)
    return api.createBackup(serverId, settings.description, new Set(fresh.map(b => b.id)))
  }
}

/** What must go before creating, by the API's clock; says what it kept for a date it cannot read. */
function makeRoom(
  context: CommandContext,
  backups: readonly Backup[],
  serverId: number,
  retention: RetentionSettings | undefined
): Backup[] {
  // Below the limit no age matters: the clock is not read (nor its absence warned of).
  if (!isAtLimit(backups, serverId)) return []
  const now = context.api.now()
  const plan = planRoom(backups, serverId, retention, now)
  reportKept(context, plan, now)
  return plan.remove
}

/**
 * dry-run: what a real run would delete and create, from what it has read. The new backup would
 * be the newest, created now by the API's clock.
 */
function forecast(
  settings: CreateSettings,
  { serverId, before, roomFor }: Plan,
  now: number,
  context: CommandContext
): void {
  const { log } = context
  const { retention } = settings
  for (const backup of roomFor) {
    log.info(`Dry run: would delete backup ${backup.id} (${safeText(backup.created_at, 40)}) to stay under the limit`)
  }
  log.info(
    `Dry run: would create a manual backup of server ${serverId} described "${safeText(settings.description, 120)}"`
  )
  if (retention === undefined) return
  log.info(
    `Dry run: would then apply ${describeRule(retention)} to the "${safeText(retention.keepPrefix, 60)}" backups of server ${serverId}`
  )
  const remaining = before.filter(b => !roomFor.includes(b))
  const plan = planKeep(remaining, { ...retention, serverId }, undefined, now)
  reportKept(context, plan, now)
  for (const backup of plan.remove) {
    log.info(
      `Dry run: would then delete backup ${backup.id} (${safeText(backup.created_at, 40)}), by ${describeRule(retention)}`
    )
  }
}

/**
 * The server list, read in full and without error, does not hold these servers: server-id is a typo
 * or another account's server. The step fails before it deletes or creates anything.
 */
function notInServerList(serverIds: number[]): BackupError {
  const which = serverIds.length === 1 ? `server ${serverIds[0]} is` : `servers ${serverIds.join(', ')} are`
  return new BackupError(
    `${which} not in the VPS.org server list of this token's account: server-id may be wrong; nothing was changed`
  )
}
