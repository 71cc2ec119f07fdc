/**
 * What the post steps of one job run leave each other: the restore points restore-on-failure
 * restored a server from, so that two steps that armed it (a create with wait: false, then its
 * wait step) do not restore the same server from the same point twice. One file per restore point
 * in this job run's folder under RUNNER_TEMP (records/job-run.ts), which the runner empties before a job
 * when it can: a record of another job run is never read. Only a record of this job run skips a
 * restore; a record that cannot be read or written never does.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from '../base/clock.js'
import { fileProblem, jobRunFolder } from './job-run.js'
import type { Runner } from '../runner/port.js'

/** What a server is restored from: a backup or a snapshot (ids of the two may coincide). */
export type { RestorePointKind } from '../api/kinds.js'
import type { RestorePointKind } from '../api/kinds.js'

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

/** Whether an earlier step of this job run restored the server from this point. */
export type Lookup =
  | { found: false }
  | { found: true; earlier: EarlierRestore }
  /** The record could not be read (`why` names the file and the error): the restore goes ahead. */
  | { found: 'unreadable'; why: string }

export type Claim =
  /** This step is the first of the job to restore the server from this point. */
  | { claimed: true }
  /** An earlier step of the job did: do not restore again. */
  | { claimed: false; earlier: EarlierRestore }
  /**
   * No record could be written (`why`): nothing keeps a later step from restoring again. `warn`:
   * worth a warning (on a runner; else the post step said why at its start).
   */
  | { claimed: 'unrecorded'; why: string; warn: boolean }

/** Where the records are (this job run's folder), and the clock that dates them. */
export interface RecordPlace {
  runner: Pick<Runner, 'env'>
  clock: Clock
}

function recordFile(dir: string, point: RestorePoint): string {
  return join(dir, `${point.kind}-${point.serverId}-${point.id}.json`)
}

function recordDir(place: RecordPlace): { path: string } | { why: string } {
  const folder = jobRunFolder(place.runner)
  return 'path' in folder ? { path: join(folder.path, 'restored') } : folder
}

export function earlierRestore(place: RecordPlace, point: RestorePoint): Lookup {
  const dir = recordDir(place)
  if (!('path' in dir)) return { found: false }
  const file = recordFile(dir.path, point)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { found: false }
    return { found: 'unreadable', why: fileProblem(file, error) }
  }
  return { found: true, earlier: parseRecord(text) }
}

/**
 * Records that this step restores the server from this point, unless an earlier step of the job
 * run did. Made before the restore request is sent, so a step that dies after sending it still
 * keeps the next from sending it again; created exclusively (O_EXCL), so of two steps only one
 * claims it. Only the record file's own EEXIST is a claim: the folder's EEXIST (a file in its
 * place) is a record that cannot be written.
 */
export function claimRestore(place: RecordPlace, point: RestorePoint): Claim {
  const dir = recordDir(place)
  if (!('path' in dir)) return { claimed: 'unrecorded', why: dir.why, warn: false }
  try {
    mkdirSync(dir.path, { recursive: true })
  } catch (error) {
    return { claimed: 'unrecorded', why: fileProblem(dir.path, error), warn: true }
  }
  const file = recordFile(dir.path, point)
  const record = { ...point, step: place.runner.env('GITHUB_ACTION'), at: new Date(place.clock.now()).toISOString() }
  try {
    writeFileSync(file, JSON.stringify(record), { flag: 'wx' })
    return { claimed: true }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      return { claimed: 'unrecorded', why: fileProblem(file, error), warn: true }
    }
  }
  const earlier = earlierRestore(place, point)
  return { claimed: false, earlier: earlier.found === true ? earlier.earlier : {} }
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
