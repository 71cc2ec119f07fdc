/**
 * The backup policy, in one place: how a backup's date is read, how backups rank, which of them
 * `latest` and retention consider, which `keep` and `keep-within` keep, and what must go to stay
 * under the API's limit of 10 manual backups. Pure: every "now" is given (the API's clock, which
 * dates the backups; for an age that decides a deletion, the earlier of it and the runner's), nothing
 * here reads a clock or sends a request.
 */
import { COMPLETED, RAW_CREATED_AT, type Backup } from './api/backup.js'
import { utcTime, type ClockReading } from './api/http-date.js'
import { formatDuration } from './duration.js'
import { BackupError } from './errors.js'
import { BACKUPS, type RestorePoints } from './restore-points.js'
import { safeText } from './text.js'

/** VPS.org refuses an 11th manual backup of a server (a 6th snapshot: restore-points.ts). */
export const MANUAL_BACKUP_LIMIT = BACKUPS.limit

/** A backup dated further than this past the API's now has a wrong date, and is named. */
export const FUTURE_TOLERANCE_MS = 10 * 60_000

/**
 * RFC 3339 §5.6 date-time: `2025-01-15T10:00:00Z`, `…T10:00:00.123+02:00`. The separator may be
 * `T`, `t` or a space (as §5.6's note allows). Without a zone (`2025-01-15T10:00:00`, as a Django
 * API with USE_TZ off gives) it is read as UTC, never as the runner's local time.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))?$/

/** An RFC 3339 date-time (zoneless: UTC) as epoch ms, or undefined when the text is not one. */
export function parseDateTime(text: string): number | undefined {
  const match = DATE_TIME.exec(text)
  if (!match) return undefined
  const [, y, mo, d, h, mi, s, fraction, sign, offsetH, offsetM] = match
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'))
  const local = utcTime(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), ms)
  if (local === undefined || sign === undefined) return local
  if (Number(offsetH) > 23 || Number(offsetM) > 59) return undefined
  const offsetMs = (Number(offsetH) * 60 + Number(offsetM)) * 60_000
  return sign === '+' ? local - offsetMs : local + offsetMs
}

/** The backup's created_at in ms, or undefined when it is not an RFC 3339 date-time. */
export function createdAt(backup: Backup): number | undefined {
  return RAW_CREATED_AT in backup ? undefined : parseDateTime(backup.created_at)
}

/** `created_at "yesterday"`, `created_at null`, `no created_at`: what the API gave, for messages. */
export function shownCreatedAt(backup: Backup): string {
  if (!(RAW_CREATED_AT in backup)) return `created_at "${safeText(backup.created_at, 60)}"`
  const raw = backup[RAW_CREATED_AT]
  if (raw === undefined) return 'no created_at'
  // Stryker disable next-line StringLiteral: equivalent, raw is a value parsed from JSON (not undefined), which always stringifies
  const shown = JSON.stringify(raw) ?? 'undefined'
  return `created_at ${safeText(shown, 60)}`
}

/**
 * Oldest first by (created_at, id): ids break ties between backups of the same instant. Backups
 * whose date cannot be read sort first; no rule that deletes or chooses ranks them.
 */
export function byAge(a: Backup, b: Backup): number {
  const at = (x: Backup): number => createdAt(x) ?? -Infinity
  return at(a) - at(b) || a.id - b.id
}

/** Newest first, for lists shown to people; backups whose date cannot be read go last. */
export function newestFirst(backups: readonly Backup[]): Backup[] {
  return [...backups].sort((a, b) => byAge(b, a))
}

/** Whose backups a rule is about: one server's, with descriptions starting with the prefix. */
export interface Scope {
  serverId: number
  keepPrefix: string
  /** The kind of restore point; backups when not given. */
  points?: RestorePoints
}

/** Counted by the kind (manual backups, every snapshot), of the server by its own server.id, prefixed. */
function inScope(backup: Backup, scope: Scope): boolean {
  return (
    (scope.points ?? BACKUPS).counts(backup) &&
    backup.server.id === scope.serverId &&
    backup.description.startsWith(scope.keepPrefix)
  )
}

/** What `latest` may choose and retention may delete: in scope and completed. */
export function isEligible(backup: Backup, scope: Scope): boolean {
  return inScope(backup, scope) && backup.status === COMPLETED
}

interface Dated {
  backup: Backup
  at: number
}

/** The backups dated, oldest first by (created_at, id), and those whose date cannot be read. */
function byDate(backups: readonly Backup[]): { dated: Dated[]; undated: Backup[] } {
  const dated: Dated[] = []
  const undated: Backup[] = []
  for (const backup of backups) {
    const at = createdAt(backup)
    if (at === undefined) undated.push(backup)
    else dated.push({ backup, at })
  }
  dated.sort((a, b) => a.at - b.at || a.backup.id - b.backup.id)
  return { dated, undated }
}

const aheadOf = (now: number) => (d: Dated) => d.at - now > FUTURE_TOLERANCE_MS

/** The eligible backups (see isEligible) dated more than FUTURE_TOLERANCE_MS past now: to be named. */
export function eligibleAhead(backups: readonly Backup[], scope: Scope, now: number): Backup[] {
  return byDate(backups.filter(b => isEligible(b, scope)))
    .dated.filter(aheadOf(now))
    .map(d => d.backup)
}

/** Several backups named in one line: `backup 7 (created_at null), backup 9 (no created_at)`. */
function named(backups: readonly Backup[], { noun }: RestorePoints): string {
  const shown = backups.slice(0, 5).map(b => `${noun} ${b.id} (${shownCreatedAt(b)})`)
  return shown.join(', ') + (backups.length > 5 ? ` and ${backups.length - 5} more` : '')
}

export interface LatestChoice {
  backup: Backup
  /** Backups in scope, dated after the chosen one and not completed: passed over, to be named. */
  passedOver: Backup[]
  /** How far the chosen backup is dated past now, when that is beyond FUTURE_TOLERANCE_MS. */
  aheadMs?: number
}

/**
 * `backup-id: latest`: the newest eligible backup by (created_at, id). Never waits for one that is
 * not completed. Refuses when an eligible backup's date cannot be read: it might be the newest,
 * and restoring an older one without a word is what this must never do.
 */
export function chooseLatest(backups: readonly Backup[], scope: Scope, now: number): LatestChoice {
  const { dated, undated } = byDate(backups.filter(b => isEligible(b, scope)))
  const points = scope.points ?? BACKUPS
  if (undated.length > 0) {
    const ids = undated.map(b => b.id)
    throw new BackupError(
      `backup-id latest refused for server ${scope.serverId}: ${named(undated, points)} ` +
        `${undated.length === 1 ? 'has a created_at that is' : 'have a created_at that is'} not an RFC 3339 date-time, ` +
        `so which ${points.noun} is the newest is unknown; name the ${points.noun} to restore in backup-id (e.g. backup-id: ${ids[0]}); ` +
        'nothing was restored'
    )
  }
  const found = dated.at(-1)
  if (found === undefined) {
    throw new BackupError(
      `no completed ${points.countedOne} of server ${scope.serverId} whose description starts with ` +
        `"${safeText(scope.keepPrefix, 60)}" for backup-id latest; nothing was restored`
    )
  }
  // In scope and newer than the chosen one: none of them is completed, the chosen one being the newest that is.
  const later = byDate(backups.filter(b => inScope(b, scope))).dated
  const passedOver = later.filter(d => d.at > found.at || (d.at === found.at && d.backup.id > found.backup.id))
  return {
    backup: found.backup,
    passedOver: passedOver.reverse().map(d => d.backup),
    ...(aheadOf(now)(found) ? { aheadMs: found.at - now } : {})
  }
}

/** keep and keep-within, for one server's backups with keep-prefix. */
export interface RetentionRule extends Scope {
  keep?: number
  keepWithinMs?: number
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
  rule: RetentionRule,
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
export function isAtLimit(backups: readonly Backup[], serverId: number, points: RestorePoints = BACKUPS): boolean {
  return backups.filter(b => points.counts(b) && b.server.id === serverId).length >= points.limit
}

export interface RoomPlan {
  /** To delete before creating, oldest first (none while below the limit). */
  remove: Backup[]
  /** At the limit: eligible backups whose date cannot be read, kept, to be said so. */
  undated: Backup[]
}

/**
 * Before creating: the server's manual backups must leave room for one more. Deletes only eligible
 * backups whose date can be read, the oldest first, and with keep-within only those created more
 * than keepWithinMs before now (`clock` says whose, for the refusal: the earlier of the API's and
 * the runner's, see VpsApi.deletionNow). Says why there is no room when there is none.
 */
export function planRoom(
  backups: readonly Backup[],
  serverId: number,
  retention: Omit<RetentionRule, 'serverId' | 'points'> | undefined,
  now: number,
  points: RestorePoints = BACKUPS,
  clock: ClockReading['clock'] = "the API's"
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
  const candidates = dated.filter(d => window === undefined || d.at < now - window)
  if (candidates.length >= excess) return { remove: candidates.slice(0, excess).map(d => d.backup), undated }
  const why = whyKept({ dated, candidates, undated, window, now: { at: now, clock }, points })
  throw new BackupError(
    `${where}, and only ${candidates.length} of them may be deleted (completed, description starting with ` +
      `"${safeText(retention.keepPrefix, 60)}"${window === undefined ? '' : `, older than keep-within ${formatDuration(window)}`}), ` +
      `${excess} needed; ${why.join('; ')}; nothing was deleted`
  )
}
