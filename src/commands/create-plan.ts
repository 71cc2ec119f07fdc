/**
 * create's plan, before anything is changed: every server checked (no restore running, listed),
 * what must go to make room under the kind's limit, and in a dry run what a real run would do.
 */
import { MANUAL, type Backup } from '../api/backup.js'
import type { ClockReading } from '../api/client.js'
import { eligibleAhead, isAtLimit, planKeep, planRoom } from '../policy/backups.js'
import { BackupError } from '../base/errors.js'
import type { RetentionSettings } from '../runner/inputs.js'
import type { RestorePoints } from '../api/kinds.js'
import { describeRule, reportKept } from '../backups/retention.js'
import { waitWhileBusy } from '../restores/server-status.js'
import { safeText } from '../base/text.js'
import type { CommandContext } from '../context.js'

/** Why retention deletes before creating: `to make room under the limit of 10 manual backups` (or `of 5 snapshots`). */
export const makingRoom = ({ limit, counted }: RestorePoints): string =>
  `to make room under the limit of ${limit} ${counted}`

/** One server of the step: what was there before, and what must go to make room. */
export interface Plan {
  serverId: number
  before: Backup[]
  roomFor: Backup[]
}

/**
 * Every check, for every server, before anything is changed. A restore still running comes first:
 * waiting for it may take minutes, and the lists that decide what to delete must be read after it.
 */
export async function checkServers(
  settings: { serverIds: number[]; pollIntervalMs: number; retention?: RetentionSettings },
  context: CommandContext
): Promise<Plan[]> {
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
 * What must go before creating, measured from the earlier of the API's clock and the runner's (see
 * VpsApi.deletionNow); names the backups dated ahead of it, and those kept for a date it cannot read.
 */
export function makeRoom(
  context: CommandContext,
  backups: readonly Backup[],
  serverId: number,
  retention: RetentionSettings | undefined
): Backup[] {
  // Below the limit no age matters: the clock is not read (nor its absence warned of).
  const { points } = context.api
  if (!isAtLimit(backups, serverId, points)) return []
  const now = context.api.deletionNow()
  if (retention !== undefined) {
    const ahead = eligibleAhead(backups, { ...retention, serverId, points }, now.at)
    reportKept(context, { undated: [], ahead }, now.at, now.clock)
  }
  const plan = planRoom(backups, serverId, retention, points, now)
  reportKept(context, plan, now.at, now.clock)
  return plan.remove
}

/**
 * dry-run: what a real run would delete and create, from what it has read. The new backup would
 * be the newest, created now: the same now as making room's (see VpsApi.deletionNow).
 */
export function forecast(
  context: CommandContext,
  settings: { description: string; wait: boolean; retention?: RetentionSettings },
  { serverId, before, roomFor }: Plan,
  now: ClockReading
): void {
  const { log } = context
  const { noun } = context.api.points
  // With wait: false, keep makes room now and the wait step applies it: no "then" to forecast.
  const retention = settings.wait ? settings.retention : undefined
  for (const backup of roomFor) {
    log.info(`Dry run: would delete ${noun} ${backup.id} (${safeText(backup.created_at, 40)}) to stay under the limit`)
  }
  log.info(
    `Dry run: would create a ${context.api.points.countedOne} of server ${serverId} described "${safeText(settings.description, 120)}"`
  )
  if (retention === undefined) return
  log.info(
    `Dry run: would then apply ${describeRule(retention)} to the "${safeText(retention.keepPrefix, 60)}" ${noun}s of server ${serverId}`
  )
  const remaining = before.filter(b => !roomFor.includes(b))
  const plan = planKeep(remaining, { ...retention, serverId, points: context.api.points }, undefined, now.at)
  reportKept(context, plan, now.at, now.clock)
  for (const backup of plan.remove) {
    log.info(
      `Dry run: would then delete ${noun} ${backup.id} (${safeText(backup.created_at, 40)}), by ${describeRule(retention)}`
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
