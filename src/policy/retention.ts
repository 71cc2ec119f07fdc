/**
 * Retention, in one place: which backups `keep` and `keep-within` keep after this run's backup, what
 * must go to make room under the API's limit (the kind's: 10 manual backups, 5 snapshots), and why
 * the rest is kept. Pure: every "now" is given (the API's clock, which dates the backups; for an age
 * that decides a deletion before creating, the earlier of it and the runner's); backups/retention.ts
 * reads, deletes and says what it kept.
 */
import type { Backup } from '../api/backup.js'
import type { ClockReading } from '../api/http-date.js'
import type { RestorePoints } from '../api/kinds.js'
import { formatDuration } from '../base/duration.js'
import { BackupError } from '../base/errors.js'
import { safeText } from '../base/text.js'
import {
  FUTURE_TOLERANCE_MS,
  aheadOf,
  byDate,
  createdAt,
  isEligible,
  named,
  type Dated,
  type Scope
} from './backups.js'

/**
 * The retention settings, one shape from the inputs (runner/inputs.ts) to the rules: retention may
 * delete completed backups whose description starts with keepPrefix, and keeps the `keep` newest,
 * those younger than `keepWithinMs`, or, with both, those either rule keeps. At least one of the two is set.
 */
export interface Retention {
  keep?: number
  keepWithinMs?: number
  keepPrefix: string
}

/** `keep 5 and keep-within 30d`, for log lines. */
export function describeRule(retention: Retention): string {
  return [
    retention.keep === undefined ? '' : `keep ${retention.keep}`,
    retention.keepWithinMs === undefined ? '' : `keep-within ${formatDuration(retention.keepWithinMs)}`
  ]
    .filter(Boolean)
    .join(' and ')
}

/** Why retention deletes before creating: `to make room under the limit of 10 manual backups` (or `of 5 snapshots`). */
export const makingRoom = ({ limit, counted }: RestorePoints): string =>
  `to make room under the limit of ${limit} ${counted}`

/** The eligible backups (see isEligible) dated more than FUTURE_TOLERANCE_MS past now: to be named. */
export function eligibleAhead(backups: readonly Backup[], scope: Scope, now: number): Backup[] {
  return byDate(backups.filter(b => isEligible(b, scope)))
    .dated.filter(aheadOf(now))
    .map(d => d.backup)
}

export interface KeepPlan {
  /** To delete, oldest first. */
  remove: Backup[]
  /** Eligible backups whose date cannot be read: never deleted, and to be said so. */
  undated: Backup[]
  /** Eligible backups dated more than FUTURE_TOLERANCE_MS past now: they rank newest, and are named. */
  ahead: Backup[]
  /** This run's backup's own date cannot be read: which backups are older is unknown, none is deleted. */
  ownUndated?: true
}

/**
 * After this run's backup (`own`) completed, or, for a dry run's forecast, `own` undefined: the
 * backup it would create now, which has no id yet and ranks after every backup of the same instant.
 * Eligible backups rank by (created_at, id); `own` and every newer one survive and count toward
 * keep; of the older ones, only as many as keep leaves room for, and those created less than
 * keepWithinMs before `own`. So a run never deletes another run's newer backup, and at least
 * min(keep, backups) remain whatever concurrent runs do.
 */
export function planKeep(
  backups: readonly Backup[],
  rule: Retention & Scope,
  own: Backup | undefined,
  now: number
): KeepPlan {
  const others = backups.filter(b => b.id !== own?.id && isEligible(b, rule))
  const { dated, undated } = byDate(others)
  const ahead = dated.filter(aheadOf(now)).map(d => d.backup)
  const ownAt = own === undefined ? now : createdAt(own)
  if (ownAt === undefined) return { remove: [], undated, ahead, ownUndated: true }
  const ownId = own?.id ?? Infinity
  // Equivalent mutant (StrykerJS), left: `d.backup.id <= ownId`, as no backup of `others` has own's id.
  const older = dated.filter(d => d.at < ownAt || (d.at === ownAt && d.backup.id < ownId))
  const newer = dated.length - older.length
  const keptByCount = rule.keep === undefined ? 0 : Math.max(0, rule.keep - 1 - newer)
  const window = rule.keepWithinMs
  const remove = older
    .slice(0, Math.max(0, older.length - keptByCount))
    .filter(d => window === undefined || d.at < ownAt - window)
  return { remove: remove.map(d => d.backup), undated, ahead }
}

/**
 * Why planRoom may delete no more: keep-within keeps those created within it, and those dated ahead
 * of the clock (a wrong date, or a wrong clock) have no age to measure; dates it cannot read.
 */
function whyKept(kept: {
  dated: Dated[]
  candidates: Dated[]
  undated: Backup[]
  window: number | undefined
  now: ClockReading
  points: RestorePoints
}): string[] {
  const { dated, candidates, undated, window, now, points } = kept
  const ahead = window === undefined ? 0 : dated.filter(aheadOf(now.at)).length
  const within = dated.length - candidates.length - ahead
  const why: string[] = []
  // Equivalent mutant (StrykerJS), left: `true && within > 0`, as without keep-within every dated one may go.
  const keptByWindow = window !== undefined && within > 0
  if (keptByWindow) {
    why.push(
      `keep-within ${formatDuration(window)} keeps ${within} of them (created in the ${formatDuration(window)} before ${now.clock} now)`
    )
  }
  if (ahead > 0) {
    why.push(
      `${ahead} of them ${ahead === 1 ? 'is' : 'are'} dated ahead of the clock, more than ${formatDuration(FUTURE_TOLERANCE_MS)} ` +
        `past ${now.clock} now (${new Date(now.at).toISOString()}): a wrong date or a wrong clock, from which no age is measured`
    )
  }
  if (undated.length > 0) why.push(`${named(undated, points)} kept: created_at not an RFC 3339 date-time`)
  why.push(keptByWindow ? 'shorten keep-within or delete some by hand' : 'delete some by hand')
  return why
}

/** Whether the server has no room for one more manual backup (or snapshot, by `points`). */
export function isAtLimit(backups: readonly Backup[], serverId: number, points: RestorePoints): boolean {
  return backups.filter(b => points.counts(b) && b.server.id === serverId).length >= points.limit
}

export interface RoomPlan {
  /** To delete before creating, oldest first (none while below the limit). */
  remove: Backup[]
  /** At the limit: eligible backups whose date cannot be read, kept, to be said so. */
  undated: Backup[]
}

/**
 * Before creating: the server's rows that count (manual backups, snapshots: by `points`) must leave
 * room for one more. Deletes only eligible rows whose date can be read, the oldest first, and with
 * keep-within only those created more than keepWithinMs before now (`now.clock` says whose, for the
 * refusal: the earlier of the API's and the runner's, see VpsApi.deletionNow). Says why there is no
 * room when there is none.
 */
export function planRoom(
  backups: readonly Backup[],
  serverId: number,
  retention: Retention | undefined,
  points: RestorePoints,
  now: ClockReading
): RoomPlan {
  const manual = backups.filter(b => points.counts(b) && b.server.id === serverId)
  const excess = manual.length - (points.limit - 1)
  if (excess <= 0) return { remove: [], undated: [] }
  const where = `server ${serverId} already has ${manual.length} ${points.counted}, the VPS.org limit of ${points.limit}`
  if (retention === undefined) {
    throw new BackupError(
      `${where}: set the keep input (e.g. keep: ${Math.ceil(points.limit / 2)}) to let this action delete the oldest ${points.noun}s whose ` +
        'description starts with keep-prefix, or delete some by hand; nothing was deleted'
    )
  }
  const { dated, undated } = byDate(manual.filter(b => isEligible(b, { ...retention, serverId, points })))
  const window = retention.keepWithinMs
  const candidates = dated.filter(d => window === undefined || d.at < now.at - window)
  if (candidates.length >= excess) return { remove: candidates.slice(0, excess).map(d => d.backup), undated }
  const why = whyKept({ dated, candidates, undated, window, now, points })
  throw new BackupError(
    `${where}, and only ${candidates.length} of them may be deleted (completed, description starting with ` +
      `"${safeText(retention.keepPrefix, 60)}"${window === undefined ? '' : `, older than keep-within ${formatDuration(window)}`}), ` +
      `${excess} needed; ${why.join('; ')}; nothing was deleted`
  )
}
