/**
 * The backup policy, in one place: how a backup's date is read, how backups rank, and which of them
 * `latest` and retention (policy/retention.ts) consider. Pure: every "now" is given (the API's clock,
 * which dates the backups), nothing here reads a clock or sends a request.
 */
import { COMPLETED, RAW_CREATED_AT, type Backup } from '../api/backup.js'
import { utcTime } from '../api/http-date.js'
import { BackupError } from '../base/errors.js'
import type { RestorePoints } from '../api/kinds.js'
import { safeText } from '../base/text.js'

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
  /** The kind of restore point. */
  points: RestorePoints
}

/** Counted by the kind (manual backups, every snapshot), of the server by its own server.id, prefixed. */
function inScope(backup: Backup, scope: Scope): boolean {
  return (
    scope.points.counts(backup) &&
    backup.server.id === scope.serverId &&
    backup.description.startsWith(scope.keepPrefix)
  )
}

/** What `latest` may choose and retention may delete: in scope and completed. */
export function isEligible(backup: Backup, scope: Scope): boolean {
  return inScope(backup, scope) && backup.status === COMPLETED
}

export interface Dated {
  backup: Backup
  at: number
}

/** The backups dated, oldest first by (created_at, id), and those whose date cannot be read. */
export function byDate(backups: readonly Backup[]): { dated: Dated[]; undated: Backup[] } {
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

export const aheadOf = (now: number) => (d: Dated) => d.at - now > FUTURE_TOLERANCE_MS

/** Several backups named in one line: `backup 7 (created_at null), backup 9 (no created_at)`. */
export function named(backups: readonly Backup[], { noun }: RestorePoints): string {
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
  const { points } = scope
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
