/**
 * create's plan, before anything is changed: every server checked (no restore running, listed),
 * what must go to make room under the kind's limit, and in a dry run what a real run would do.
 */
import { MANUAL, type Backup } from '../api/backup.js'
import type { ClockReading } from '../api/client.js'
import { BackupError } from '../base/errors.js'
import type { Retention } from '../policy/retention.js'
import { forecastKeep, forecastRoom, makeRoom } from '../backups/retention.js'
import { waitWhileBusy } from '../restores/server-status.js'
import { safeText } from '../base/text.js'
import type { CommandContext } from '../context.js'

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
  settings: { serverIds: number[]; pollIntervalMs: number; retention?: Retention },
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
 * dry-run: what a real run would delete and create, from what it has read. The new backup would
 * be the newest, created now: the same now as making room's (see VpsApi.deletionNow).
 */
export function forecast(
  context: CommandContext,
  settings: { description: string; wait: boolean; retention?: Retention },
  { serverId, before, roomFor }: Plan,
  now: ClockReading
): void {
  // With wait: false, keep makes room now and the wait step applies it: no "then" to forecast.
  const retention = settings.wait ? settings.retention : undefined
  forecastRoom(context, roomFor)
  context.log.info(
    `Dry run: would create a ${context.api.points.countedOne} of server ${serverId} described "${safeText(settings.description, 120)}"`
  )
  if (retention === undefined) return
  forecastKeep(
    context,
    retention,
    serverId,
    before.filter(b => !roomFor.includes(b)),
    now
  )
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
