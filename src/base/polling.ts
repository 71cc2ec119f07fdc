/**
 * The one poller: follows things that settle in their own time (backups being made, servers being
 * restored) in rounds of checks on an adaptive schedule, says what changes, shows it is alive, and
 * stops at the step's deadline. What a check reads and what a status means is the caller's.
 */
import type { Deadline } from './deadline.js'
import { formatDuration } from './duration.js'
import { safeText } from './text.js'

const FIRST_CHECK_MS = 1000
/** Each pause is this share of the time waited so far: checks thin out as a wait runs long. */
const GROWTH = 0.2
/** A person watching the job sees a line at least this often. */
export const HEARTBEAT_MS = 30_000

/**
 * The pause before the next round of checks: about a second at first, so a short backup is
 * noticed at once, then a fifth of the time waited so far, up to `maxIntervalMs`. A 20 s backup
 * costs about 13 rounds and is noticed within 2 s; a 10 min one costs about 60.
 */
export function pollDelay(elapsedMs: number, maxIntervalMs: number): number {
  return Math.min(maxIntervalMs, Math.max(FIRST_CHECK_MS, Math.round(elapsedMs * GROWTH)))
}

/** What one check found out about one subject. */
export type Reading<T> =
  | { state: 'waiting'; status: string }
  | { state: 'done'; status: string; value: T }
  /** It will not get where it should: `why` says what happened, for a person. */
  | { state: 'failed'; status: string; why: string }
  /** The wait cannot tell how it ends (the API does not show it): `why` says why. */
  | { state: 'unconfirmed'; status: string; why: string }

/** Where a subject ended: a reading other than waiting, or `timed-out` with its last status. */
export type Settled<T> = Exclude<Reading<T>, { state: 'waiting' }> | { state: 'timed-out'; status: string }

export interface Subject<K> {
  key: K
  /** `backup 502 of server 12345`, for messages. */
  name: string
  /** `Backup 502`, at the start of a log line. */
  label: string
}

export interface PollLog {
  info(message: string): void
}

export interface PollOptions {
  pollIntervalMs: number
  deadline: Deadline
  log: PollLog
  /** What is waited for, in the plural, for heartbeats about several: `backups`. */
  plural: string
}

export interface PollResult<K, T> {
  settled: Map<K, Settled<T>>
  /** When each subject was seen settled, from the start of the wait. */
  settledAfterMs: Map<K, number>
  waitedMs: number
  /** Rounds of checks made. */
  rounds: number
}

/**
 * Checks the subjects still waiting, a round at a time (`check` reads all of them at once, so a
 * round costs what the caller can make it cost, not a request per subject), until every one has
 * settled or the deadline passes. A subject whose check fails is settled as failed; the others are
 * still waited for.
 */
export async function pollUntilSettled<K, T>(
  subjects: ReadonlyArray<Subject<K> & { first: Reading<T> }>,
  check: (pending: ReadonlyArray<Subject<K>>) => Promise<Map<K, Reading<T>>>,
  options: PollOptions
): Promise<PollResult<K, T>> {
  const { deadline, log, pollIntervalMs } = options
  const { clock } = deadline
  const started = clock.now()
  const settled = new Map<K, Settled<T>>()
  const settledAfterMs = new Map<K, number>()
  const waiting = new Map<K, { subject: Subject<K>; status: string }>()
  for (const { first, ...subject } of subjects) {
    if (first.state === 'waiting') waiting.set(subject.key, { subject, status: first.status })
    else {
      settled.set(subject.key, first)
      settledAfterMs.set(subject.key, 0)
    }
  }
  let rounds = 0
  let lastHeartbeat = started
  while (waiting.size > 0) {
    if (deadline.expired()) {
      for (const [key, { status }] of waiting) {
        settled.set(key, { state: 'timed-out', status })
        settledAfterMs.set(key, clock.now() - started)
      }
      break
    }
    await clock.sleep(Math.min(pollDelay(clock.now() - started, pollIntervalMs), deadline.remainingMs()))
    const pending = [...waiting.values()].map(entry => entry.subject)
    const readings = await check(pending)
    rounds++
    const now = clock.now()
    for (const subject of pending) {
      const entry = waiting.get(subject.key)
      const reading = readings.get(subject.key)
      if (entry === undefined || reading === undefined) continue
      if (reading.status !== entry.status) {
        log.info(
          `${subject.label}: ${safeText(entry.status, 40)} → ${safeText(reading.status, 40)} after ${formatDuration(now - started)}`
        )
        lastHeartbeat = now
        entry.status = reading.status
      }
      if (reading.state !== 'waiting') {
        settled.set(subject.key, reading)
        settledAfterMs.set(subject.key, now - started)
        waiting.delete(subject.key)
      }
    }
    if (waiting.size > 0 && now - lastHeartbeat >= HEARTBEAT_MS) {
      log.info(
        `Still waiting for ${describeWaiting([...waiting.values()], options.plural)}: ${formatDuration(now - started)} so far, ` +
          `${formatDuration(deadline.remainingMs(now))} left before the timeout`
      )
      lastHeartbeat = now
    }
  }
  return { settled, settledAfterMs, waitedMs: clock.now() - started, rounds }
}

/** `backup 502 (in_progress)`, or for many `12 backups (in_progress: 10, queued: 2)`. */
function describeWaiting(entries: Array<{ subject: { name: string }; status: string }>, plural: string): string {
  if (entries.length === 1) {
    const [entry] = entries as [(typeof entries)[number]]
    return `${entry.subject.name} (${safeText(entry.status, 40)})`
  }
  const counts = new Map<string, number>()
  for (const { status } of entries) counts.set(status, (counts.get(status) ?? 0) + 1)
  const byStatus = [...counts].map(([status, n]) => `${safeText(status, 40)}: ${n}`).join(', ')
  return `${entries.length} ${plural} (${byStatus})`
}
