/**
 * What the create steps of one job run made (kind, server, id), in this job run's folder under
 * RUNNER_TEMP (records/job-run.ts): a backup and a snapshot may have the same id, and nothing but the kind
 * input tells them apart, so a wait or restore step given an id this job run made as the other
 * kind, and never as its own, refuses. Only a guard: a record that cannot be written or read is a
 * debug line, never a refusal.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { InputError } from '../base/errors.js'
import { fileProblem, jobRunFolder } from './job-run.js'
import type { RecordPlace } from './restores.js'
import { KINDS, type RestorePointKind } from '../api/kinds.js'
import type { Logger } from '../runner/logger.js'

interface Place extends RecordPlace {
  log: Pick<Logger, 'debug'>
}

const RECORD = /^(backup|snapshot)-(\d+)-(\d+)\.json$/

function madeDir(place: Place): string | undefined {
  const folder = jobRunFolder(place.runner)
  return 'path' in folder ? join(folder.path, 'made') : undefined
}

/** A create step: records the backup (or snapshot) the API accepted. */
export function recordMade(place: Place, kind: RestorePointKind, made: { id: number; server: { id: number } }): void {
  const dir = madeDir(place)
  if (dir === undefined) return
  const file = join(dir, `${kind}-${made.server.id}-${made.id}.json`)
  const record = { kind, serverId: made.server.id, id: made.id, at: new Date(place.clock.now()).toISOString() }
  try {
    mkdirSync(dir, { recursive: true })
    writeFileSync(file, JSON.stringify(record))
  } catch (error) {
    place.log.debug(`Could not record the ${kind} this step made (${fileProblem(file, error)})`)
  }
}

/** The kinds this job run made a restore point of with this id, as far as can be read. */
function kindsMade(place: Place, id: number): RestorePointKind[] {
  const dir = madeDir(place)
  if (dir === undefined) return []
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') place.log.debug(`Could not read ${fileProblem(dir, error)}`)
    return []
  }
  const made = names.flatMap(name => {
    const [, kind, , madeId] = RECORD.exec(name) ?? []
    return madeId === `${id}` ? [kind] : []
  })
  return KINDS.filter(kind => made.includes(kind))
}

/**
 * Refuses (before any request) an id that this job run made as the other kind and not as `kind`:
 * `doing` says what the step would have done with it (`wait for`, `restore from`).
 */
export function refuseOtherKind(place: Place, kind: RestorePointKind, ids: readonly number[], doing: string): void {
  for (const id of ids) {
    const made = kindsMade(place, id)
    const other = made.find(k => k !== kind)
    if (other === undefined || made.includes(kind)) continue
    throw new InputError(
      `backup-id ${id} is the ${other} an earlier step of this job created, but kind is ${kind}: set kind: ${other} ` +
        `to ${doing} that ${other} (an id alone does not say its kind); no request was sent`
    )
  }
}
