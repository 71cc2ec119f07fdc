/**
 * Starting a manual backup without ever leaving two behind. POST is not idempotent: when its
 * outcome is unknown (reset or timeout after sending, a gateway error), the server's manual
 * backups are listed and a new backup of this server whose description may be this one as the API
 * stores it, not among `knownIds`, is adopted; only when there is none is the POST sent again,
 * and when there are several (another run with the same description) the step fails rather than
 * guess.
 */
import { formatDuration } from '../duration.js'
import { ApiError, OutcomeUnknownError } from '../errors.js'
import { safeText } from '../text.js'
import { BACKUPS_PATH, type BackupFilter } from './backup-endpoints.js'
import { MANUAL, decodeBackup, mayBeStoredAs, type Backup } from './backup.js'
import { failure, parseJson, parseJsonOr } from './messages.js'
import { MAX_ATTEMPTS, backoffDelay } from './retry.js'
import type { ApiSession } from './session.js'

export interface CreatedBackup {
  backup: Backup
  /** True when the POST's outcome was unknown and the backup was found in the list afterwards. */
  adopted: boolean
}

/** How long to let the API settle before looking for a backup whose creation was cut off. */
const SETTLE_MS = 2000

const REQUEST = { method: 'POST', path: BACKUPS_PATH }

/** One create request of a server, and how to find what it may have created. */
interface Creation {
  session: ApiSession
  listBackups: (filter: BackupFilter) => Promise<Backup[]>
  serverId: number
  description: string
  knownIds: ReadonlySet<number>
}

/** Starts a manual backup of the server; one call never leaves two backups behind. */
export async function createBackup(
  session: ApiSession,
  listBackups: (filter: BackupFilter) => Promise<Backup[]>,
  serverId: number,
  description: string,
  knownIds: ReadonlySet<number>
): Promise<CreatedBackup> {
  const creation: Creation = { session, listBackups, serverId, description, knownIds }
  for (let attempt = 1; ; attempt++) {
    const sent = await post(creation)
    if (!(sent instanceof OutcomeUnknownError)) return sent
    const found = await reconcile(creation, attempt, sent)
    if (found) return { backup: found, adopted: true }
  }
}

/** One POST: the backup it started, or the uncertainty of an outcome unknown. */
async function post(creation: Creation): Promise<CreatedBackup | OutcomeUnknownError> {
  const { session, serverId, description } = creation
  const body = JSON.stringify({ server_id: serverId, description })
  try {
    const answer = await session.send('POST', session.url(BACKUPS_PATH), body, 'once')
    if (answer.status < 200 || answer.status >= 300) throw failure(answer, REQUEST, `server ${serverId}`)
    const backup = decodeBackup(parseJsonOr(answer.body))
    if (backup === undefined) {
      // The API said it started a backup but its answer cannot be read: find it rather than
      // create another. A 2xx is never followed by a second POST.
      const found = await findNewBackup(creation)
      if (found) return { backup: found, adopted: true }
      parseJson(answer, REQUEST)
      throw new ApiError(
        `POST ${BACKUPS_PATH} answered ${answer.status} without a readable backup (no id, status or server id), ` +
          `and no new backup of server ${serverId} is listed`,
        REQUEST,
        answer.status
      )
    }
    if (backup.server.id !== serverId) {
      throw new ApiError(
        `POST ${BACKUPS_PATH} for server ${serverId} answered with backup ${backup.id} of server ${backup.server.id}; ` +
          'not using it: check the backups of both servers in the VPS.org panel',
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
  // Look only after the pause the API asked for, or a short one: behind a gateway that gave up
  // (502, 504) the API may still be creating it, and a backup listed late would be missed and
  // a second one started.
  const remainingMs = session.deadline.remainingMs()
  const pause = uncertainty.retryAfterMs ?? Math.max(SETTLE_MS, backoffDelay(attempt))
  const mayRetry = attempt < MAX_ATTEMPTS && pause < remainingMs
  session.log.warning(
    `Creating the backup of server ${serverId} may or may not have worked (${uncertainty.message}); ` +
      `checking the backup list${mayRetry ? ` in ${formatDuration(pause)}, before trying again` : ''}`
  )
  if (mayRetry) await session.pause(pause)
  const found = await findNewBackup(creation)
  if (found) {
    session.log.warning(`Backup ${found.id} was created by that request; using it instead of creating another`)
    return found
  }
  if (mayRetry) return undefined
  const asked =
    uncertainty.retryAfterMs !== undefined && pause >= remainingMs
      ? `; the API asked to retry after ${formatDuration(pause)}, but only ${formatDuration(remainingMs)} remain of the ` +
        `${session.deadline.describe()} timeout`
      : ''
  throw new ApiError(
    `could not create a backup of server ${serverId}: ${uncertainty.message}, and no new backup is listed ` +
      `after ${attempt} attempt${attempt > 1 ? 's' : ''}${asked}`,
    REQUEST,
    uncertainty.status
  )
}

/**
 * The one backup of the server, not there before the request, whose description may be this
 * one as the API stored it. Several such backups: another run uses the same description, and
 * guessing could adopt its backup, so the step fails saying so.
 */
async function findNewBackup({ listBackups, serverId, description, knownIds }: Creation): Promise<Backup | undefined> {
  const backups = await listBackups({ serverId, backupType: MANUAL })
  const fresh = backups.filter(
    b => !knownIds.has(b.id) && b.server.id === serverId && mayBeStoredAs(description, b.description)
  )
  if (fresh.length <= 1) return fresh[0]
  throw new ApiError(
    `creating the backup of server ${serverId} may or may not have worked, and ${fresh.length} new backups ` +
      `with its description are listed (${fresh.map(b => b.id).join(', ')}): another run may have made some of them, ` +
      `so this step does not guess which is its own. Check them in the VPS.org panel, and give each run its own ` +
      `description (the default names the run and its attempt; this one is "${safeText(description, 60)}")`,
    REQUEST
  )
}
