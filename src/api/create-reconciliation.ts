/**
 * Starting a manual backup (or a snapshot: the same care, matched by its name) without ever
 * leaving two behind. POST is not idempotent: when its
 * outcome is unknown (reset or timeout after sending, a gateway error), the server's manual
 * backups are listed and a new backup of this server whose description may be this one as the API
 * stores it, not among `knownIds`, is adopted; only when there is none is the POST sent again,
 * and when there are several (another run with the same description) the step fails rather than
 * guess.
 */
import { formatDuration } from '../base/duration.js'
import { ApiError, OutcomeUnknownError, type RequestDescription } from '../base/errors.js'
import { safeText } from '../base/text.js'
import type { BackupFilter } from './backup-endpoints.js'
import { MANUAL, mayBeStoredAs, type Backup } from './backup.js'
import type { RestorePoints } from './kinds.js'
import { failure, parseJson, parseJsonOr } from './messages.js'
import { MAX_ATTEMPTS, backoffDelay } from './retry.js'
import type { ApiSession } from './session.js'
import { mayBeCreatedSnapshot, snapshotCreateBody, type Snapshot } from './snapshot.js'

export interface CreatedBackup {
  backup: Backup
  /** True when the POST's outcome was unknown and the backup was found in the list afterwards. */
  adopted: boolean
}

/** How long to let the API settle before looking for a backup whose creation was cut off. */
const SETTLE_MS = 2000

/** What the new restore point is called: its description, and a snapshot's name. */
export interface PointLabel {
  description: string
  /** Snapshots only (required there); an uncertain create is matched by it. */
  name?: string
}

/** One create request of a server, and how to find what it may have created. */
interface Creation {
  session: ApiSession
  listBackups: (filter: BackupFilter) => Promise<Backup[]>
  serverId: number
  knownIds: ReadonlySet<number>
  points: RestorePoints
  body: string
  /** Whether a row not listed before may be what this request created. */
  mayBeOurs: (row: Backup) => boolean
  /** `description "…"`, `name "…"`: what a second match shares, for the message. */
  sameLabel: string
  filter: BackupFilter
}

/** The create request; both kinds' docs say a 404 to it means the server does not exist. */
const requestOf = ({ points, serverId }: Creation): RequestDescription => ({
  method: 'POST',
  path: points.path,
  notFound: `server ${serverId}`
})

/** A manual backup described so, or a snapshot named and described so (its name '' when not given). */
function creationOf(
  session: ApiSession,
  points: RestorePoints,
  listBackups: (filter: BackupFilter) => Promise<Backup[]>,
  serverId: number,
  { description, name = '' }: PointLabel,
  knownIds: ReadonlySet<number>
): Creation {
  const common = { session, points, listBackups, serverId, knownIds }
  if (points.kind === 'backup') {
    return {
      ...common,
      body: JSON.stringify({ server_id: serverId, description }),
      mayBeOurs: b => mayBeStoredAs(description, b.description),
      sameLabel: `description (the default names the run and its attempt; this one is "${safeText(description, 60)}")`,
      filter: { serverId, backupType: MANUAL }
    }
  }
  return {
    ...common,
    body: snapshotCreateBody(serverId, name, description),
    mayBeOurs: b => mayBeCreatedSnapshot(b as Snapshot, serverId, name, knownIds),
    sameLabel: `snapshot-name (the default names the run and its attempt; this one is "${safeText(name, 60)}")`,
    filter: { serverId }
  }
}

/** Starts a manual backup or a snapshot, by `points`; one call never leaves two behind. */
export async function createBackup(
  session: ApiSession,
  points: RestorePoints,
  listBackups: (filter: BackupFilter) => Promise<Backup[]>,
  serverId: number,
  label: PointLabel,
  knownIds: ReadonlySet<number>
): Promise<CreatedBackup> {
  const creation = creationOf(session, points, listBackups, serverId, label, knownIds)
  for (let attempt = 1; ; attempt++) {
    const sent = await post(creation)
    if (!(sent instanceof OutcomeUnknownError)) return sent
    const found = await reconcile(creation, attempt, sent)
    if (found) return { backup: found, adopted: true }
  }
}

/** One POST: the backup it started, or the uncertainty of an outcome unknown. */
async function post(creation: Creation): Promise<CreatedBackup | OutcomeUnknownError> {
  const { session, serverId, points, body } = creation
  const REQUEST = requestOf(creation)
  const noun = points.noun
  try {
    const answer = await session.send('POST', session.url(points.path), body, 'once')
    if (answer.status < 200 || answer.status >= 300) throw failure(answer, REQUEST)
    const backup = points.decode(parseJsonOr(answer.body))
    if (backup === undefined) {
      // The API said it started a backup but its answer cannot be read: find it rather than
      // create another. A 2xx is never followed by a second POST.
      const found = await findNewBackup(creation)
      if (found) return { backup: found, adopted: true }
      parseJson(answer, REQUEST)
      throw new ApiError(
        `POST ${points.path} answered ${answer.status} without a readable ${noun} (no id, status or server id), ` +
          `and no new ${noun} of server ${serverId} is listed`,
        REQUEST,
        answer.status
      )
    }
    if (backup.server.id !== serverId) {
      throw new ApiError(
        `POST ${points.path} for server ${serverId} answered with ${noun} ${backup.id} of server ${backup.server.id}; ` +
          `not using it: check the ${noun}s of both servers in the VPS.org panel`,
        REQUEST,
        answer.status
      )
    }
    return { backup, adopted: false }
  } catch (error) {
    if (!(error instanceof OutcomeUnknownError)) throw error
    return error
  }
}

/**
 * After an outcome unknown: the backup that request created, if listed, or undefined to send the
 * POST again; throws when no attempt or no time is left.
 */
async function reconcile(
  creation: Creation,
  attempt: number,
  uncertainty: OutcomeUnknownError
): Promise<Backup | undefined> {
  const { session, serverId } = creation
  const noun = creation.points.noun
  // Look only after the pause the API asked for, or a short one: behind a gateway that gave up
  // (502, 504) the API may still be creating it, and a backup listed late would be missed and
  // a second one started.
  const remainingMs = session.deadline.remainingMs()
  const pause = uncertainty.retryAfterMs ?? Math.max(SETTLE_MS, backoffDelay(attempt))
  const mayRetry = attempt < MAX_ATTEMPTS && pause < remainingMs
  session.log.warning(
    `Creating the ${noun} of server ${serverId} may or may not have worked (${uncertainty.message}); ` +
      `checking the ${noun} list${mayRetry ? ` in ${formatDuration(pause)}, before trying again` : ''}`
  )
  if (mayRetry) await session.pause(pause)
  const found = await findNewBackup(creation)
  if (found) {
    session.log.warning(
      `${creation.points.Noun} ${found.id} was created by that request; using it instead of creating another`
    )
    return found
  }
  if (mayRetry) return undefined
  const asked =
    uncertainty.retryAfterMs !== undefined && pause >= remainingMs
      ? `; the API asked to retry after ${formatDuration(pause)}, but only ${formatDuration(remainingMs)} remain of the ` +
        `${session.deadline.describe()} timeout`
      : ''
  throw new ApiError(
    `could not create a ${noun} of server ${serverId}: ${uncertainty.message}, and no new ${noun} is listed ` +
      `after ${attempt} attempt${attempt > 1 ? 's' : ''}${asked}`,
    requestOf(creation),
    uncertainty.status
  )
}

/**
 * The one backup of the server, not there before the request, whose description may be this
 * one as the API stored it (a snapshot: whose name is this one). Several such: another run uses
 * the same label, and guessing could adopt its backup, so the step fails saying so.
 */
async function findNewBackup(creation: Creation): Promise<Backup | undefined> {
  const { listBackups, serverId, knownIds, mayBeOurs, filter, sameLabel } = creation
  const noun = creation.points.noun
  const backups = await listBackups(filter)
  const fresh = backups.filter(b => !knownIds.has(b.id) && b.server.id === serverId && mayBeOurs(b))
  if (fresh.length <= 1) return fresh[0]
  throw new ApiError(
    `creating the ${noun} of server ${serverId} may or may not have worked, and ${fresh.length} new ${noun}s ` +
      `with its ${sameLabel.startsWith('description') ? 'description' : 'name'} are listed (${fresh.map(b => b.id).join(', ')}): another run may have made some of them, ` +
      `so this step does not guess which is its own. Check them in the VPS.org panel, and give each run its own ` +
      sameLabel,
    requestOf(creation)
  )
}
