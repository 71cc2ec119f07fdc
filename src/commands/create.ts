import { COMPLETED, type Backup } from '../api/backup.js'
import type { CreatedBackup, PointLabel } from '../api/client.js'
import { lastSeen, notCompleted, waitForBackups } from '../backups/waiting.js'
import { formatDuration } from '../base/duration.js'
import { ApiError, InputError, messageOf } from '../base/errors.js'
import type { CommonSettings, InputReader } from '../runner/inputs.js'
import type { BackupsOutcome, ServerBackup } from '../presenters/outcomes.js'
import { BackupOutputs } from '../presenters/backup-outputs.js'
import { presentBackups } from '../presenters/backup-report.js'
import { formatSize, serverLabel } from '../runner/report.js'
import type { Retention } from '../policy/retention.js'
import { restorePointsOf } from '../api/kinds.js'
import { applyKeep, deleteForRoom, makeRoomAgain } from '../backups/retention.js'
import { safeText } from '../base/text.js'
import { recordMade } from '../records/made.js'
import type { CommandContext } from '../context.js'
import { checkServers, forecast, type Plan } from './create-plan.js'
import { defineCommand } from './unit.js'

export interface CreateSettings extends CommonSettings {
  command: 'create'
  /** One or more, in the order given. */
  serverIds: number[]
  description: string
  /** kind: snapshot only: the new snapshots' name. */
  snapshotName?: string
  wait: boolean
  /** Absent when neither keep nor keep-within is set: nothing is ever deleted. */
  retention?: Retention
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
    ...snapshotNameFor(inputs, common),
    wait: inputs.boolean('wait', 'true'),
    restoreOnFailure: inputs.boolean('restore-on-failure', 'false')
  }
  const retention = inputs.retention()
  if (retention === undefined) return settings
  const rule = retention.keep !== undefined ? 'keep' : 'keep-within'
  const { noun } = restorePointsOf(common.kind)
  if (!settings.description.startsWith(retention.keepPrefix)) {
    throw new InputError(
      `${rule} is set but description "${settings.description}" does not start with keep-prefix "${retention.keepPrefix}": ` +
        `the new ${noun} would never count toward the ${noun}s kept`
    )
  }
  // With wait: false, keep only makes room at the limit now; the wait step applies it afterwards.
  return { ...settings, retention }
}

/** A snapshot's name (given, or made from the run); refused with kind: backup, where it means nothing. */
function snapshotNameFor(inputs: InputReader, common: CommonSettings): { snapshotName?: string } {
  if (common.kind === 'snapshot') return { snapshotName: inputs.snapshotName() }
  if (inputs.text('snapshot-name') !== '') {
    throw new InputError('snapshot-name is used with kind: snapshot only; remove it or set kind: snapshot')
  }
  return {}
}

/** One server's create request: the backup the API accepted, or why it failed. */
interface Started {
  plan: Plan
  backup?: Backup
  failed?: string
}

/** What the step has done so far, shared by its phases, and the outputs it sets as it goes. */
interface Progress {
  deletedIds: number[]
  problems: string[]
  /** Each backup as last seen, by id, and why it did not complete. */
  final: Map<number, { backup: Backup; problem?: string }>
  waitedMs?: number
  outputs: BackupOutputs
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
    'restore-on-failure',
    'snapshot-name'
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
  // The default description and snapshot name name the repository, commit, run and attempt.
  readsRun: true,
  parse,
  armsRestoreOnFailure: settings => settings.restoreOnFailure,
  run: createBackups,
  present: presentBackups
})

/**
 * The main job, for one server or several: check every server first (room under the API's
 * limit, no restore running), make room where allowed, start every backup, hand the ids on at
 * once, wait for all of them together, then apply keep and keep-within to each server.
 */
async function createBackups(settings: CreateSettings, context: CommandContext): Promise<BackupsOutcome> {
  const plans = await checkServers(settings, context)
  if (settings.dryRun) {
    const now = context.api.deletionNow()
    for (const plan of plans) forecast(context, settings, plan, now)
    return { servers: [], problems: [], deletedIds: [] }
  }
  const outputs = new BackupOutputs(context.outputs, settings.serverIds.length)
  const progress: Progress = { deletedIds: [], problems: [], final: new Map(), outputs }
  for (const plan of plans) {
    progress.deletedIds.push(...(await deleteForRoom(context, plan.roomFor)))
  }
  outputs.deleted(progress.deletedIds)
  const started = await startBackups(settings, context, plans, progress)
  const running = started.flatMap(s => (s.backup ? [s.backup] : []))
  progress.problems.push(...started.flatMap(s => (s.failed === undefined ? [] : [s.failed])))
  for (const backup of running) progress.final.set(backup.id, { backup })
  if (settings.wait && running.length > 0) await waitAndKeep(settings, context, running, progress)
  else if (!settings.wait) {
    for (const backup of running) {
      context.log.info(
        `Not waiting (wait: false): ${context.api.points.noun} ${backup.id} is ${safeText(backup.status, 40)}; it is not usable until completed`
      )
    }
  }
  const { problems, waitedMs, deletedIds, final } = progress
  const servers = started.map(({ plan, backup, failed }): ServerBackup => {
    const last = backup === undefined ? undefined : final.get(backup.id)
    return { serverId: plan.serverId, backup: last?.backup, problem: failed ?? last?.problem }
  })
  return { servers, problems, waitedMs, deletedIds }
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
        const created = await startBackup(settings, context, plan, progress)
        accepted.set(plan.serverId, created.backup)
        backupAccepted(
          settings,
          context,
          created,
          serverIds.flatMap(id => accepted.get(id) ?? []),
          progress
        )
        return { plan, backup: created.backup }
      } catch (error) {
        if (serverIds.length === 1) throw error
        return {
          plan,
          failed: `could not start a ${context.api.points.noun} of server ${plan.serverId}: ${messageOf(error)}`
        }
      }
    })
  )
}

/** The moment the API accepts a backup, its id goes out: saved state and outputs, then the log line. */
function backupAccepted(
  settings: CreateSettings,
  context: CommandContext,
  created: CreatedBackup,
  inOrder: Backup[],
  { outputs }: Progress
): void {
  const { state, log, api } = context
  state.saveCreatedBackups(inOrder)
  recordMade(context, api.points.kind, created.backup)
  outputs.accepted(inOrder)
  log.info(
    `${api.points.Noun} ${created.backup.id} of server ${safeText(serverLabel(created.backup))} ` +
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
  const { api, deadline, log } = context
  const { noun, Noun } = api.points
  const only = running.length === 1 ? `${noun} ${running[0]?.id}` : `${running.length} ${noun}s`
  log.info(`Waiting up to ${deadline.describe()} for ${only} to complete…`)
  const result = await waitForBackups(api, running, { pollIntervalMs: settings.pollIntervalMs, deadline, log })
  progress.waitedMs = result.waitedMs
  for (const backup of running) {
    const outcome = result.settled.get(backup.id) ?? { state: 'timed-out' as const, status: backup.status }
    const problem =
      outcome.state === 'done' ? undefined : notCompleted(backup, outcome, deadline.describe(), noun).message
    if (problem !== undefined) progress.problems.push(problem)
    // With the status last seen: the create answer's in_progress would hide a backup that failed.
    progress.final.set(backup.id, { backup: lastSeen(backup, outcome), problem })
  }
  const latest = running.map(b => progress.final.get(b.id)?.backup ?? b)
  progress.outputs.seen(latest)
  const completed = latest.filter(b => b.status === COMPLETED)
  for (const backup of completed) {
    const afterMs = result.settledAfterMs.get(backup.id) ?? result.waitedMs
    log.info(
      `${Noun} ${backup.id} completed in ${formatDuration(afterMs)} (${formatSize(backup.size_mb)}), ` +
        `${result.rounds} rounds of status checks`
    )
  }
  if (settings.retention === undefined) return
  for (const backup of completed) {
    progress.deletedIds.push(...(await applyKeep(context, settings.retention, backup)))
    progress.outputs.deleted(progress.deletedIds)
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
  { deletedIds, outputs }: Progress
): Promise<CreatedBackup> {
  const { api } = context
  const { serverId } = plan
  try {
    return await api.createBackup(serverId, labelOf(settings), new Set(plan.before.map(b => b.id)))
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error
    const again = await makeRoomAgain(context, serverId, settings.retention)
    if (again === undefined) throw error
    deletedIds.push(...again.deleted)
    outputs.deleted(deletedIds)
    return api.createBackup(serverId, labelOf(settings), new Set(again.listed.map(b => b.id)))
  }
}

const labelOf = ({ description, snapshotName }: CreateSettings): PointLabel => ({ description, name: snapshotName })
