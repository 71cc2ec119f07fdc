/**
 * What the post steps of one job leave each other: the restore points restore-on-failure restored
 * a server from, so that two steps that armed it (a create with wait: false, then its wait step)
 * do not restore the same server from the same point twice. One file per restore point under
 * RUNNER_TEMP, which the runner gives each job (and empties before it).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from './clock.js'
import { messageOf } from './errors.js'
import type { Runner } from './runner/port.js'

/** What a server is restored from: a backup or a snapshot (ids of the two may coincide). */
export type { RestorePointKind } from './restore-points.js'
import type { RestorePointKind } from './restore-points.js'

export interface RestorePoint {
  kind: RestorePointKind
  serverId: number
  /** The backup's id. */
  id: number
}

/** What an earlier step recorded: its step (GITHUB_ACTION) and when, as far as it could be read. */
export interface EarlierRestore {
  step?: string
  at?: string
}

export type Claim =
  /** This step is the first of the job to restore the server from this point. */
  | { claimed: true }
  /** An earlier step of the job did: do not restore again. */
  | { claimed: false; earlier: EarlierRestore }
  /** No record could be written (`why`): nothing keeps a later step from restoring again. */
  | { claimed: 'unrecorded'; why: string; runnerTemp: boolean }

const NO_RUNNER_TEMP = 'RUNNER_TEMP is not set (not on a GitHub runner)'

/** Where the records are (the runner's RUNNER_TEMP), and the clock that dates them. */
export interface RecordPlace {
  runner: Pick<Runner, 'env'>
  clock: Clock
}

function recordDir({ runner }: RecordPlace): string | undefined {
  const temp = runner.env('RUNNER_TEMP')
  return temp ? join(temp, 'vps-backup-action', 'restored') : undefined
}

function recordFile(dir: string, point: RestorePoint): string {
  return join(dir, `${point.kind}-${point.serverId}-${point.id}.json`)
}

/** Whether an earlier step of this job restored the server from this point. */
export function earlierRestore(place: RecordPlace, point: RestorePoint): EarlierRestore | undefined {
  const dir = recordDir(place)
  if (dir === undefined) return undefined
  let text: string
  try {
    text = readFileSync(recordFile(dir, point), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    // There, but unreadable: still a restore that was claimed.
    return {}
  }
  return parseRecord(text)
}

/**
 * Records that this step restores the server from this point, unless an earlier step of the job
 * did. Made before the restore request is sent, so a step that dies after sending it still keeps
 * the next from sending it again; created exclusively (O_EXCL), so of two steps only one claims it.
 */
export function claimRestore(place: RecordPlace, point: RestorePoint): Claim {
  const dir = recordDir(place)
  if (dir === undefined) return { claimed: 'unrecorded', why: NO_RUNNER_TEMP, runnerTemp: false }
  const record = { ...point, step: place.runner.env('GITHUB_ACTION'), at: new Date(place.clock.now()).toISOString() }
  try {
    mkdirSync(dir, { recursive: true })
    writeFileSync(recordFile(dir, point), JSON.stringify(record), { flag: 'wx' })
    return { claimed: true }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return { claimed: false, earlier: earlierRestore(place, point) ?? {} }
    }
    return { claimed: 'unrecorded', why: messageOf(error), runnerTemp: true }
  }
}

function parseRecord(text: string): EarlierRestore {
  try {
    const parsed = JSON.parse(text) as unknown
    if (typeof parsed !== 'object' || parsed === null) return {}
    const { step, at } = parsed as Record<string, unknown>
    return {
      ...(typeof step === 'string' && step !== '' ? { step } : {}),
      ...(typeof at === 'string' ? { at } : {})
    }
  } catch {
    // Being written by the step that claimed it, or cut short: the claim stands all the same.
    return {}
  }
}
