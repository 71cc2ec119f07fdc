// @ts-check
/**
 * The two kinds of restore point the simulated API holds, each described once: where it lives, how
 * its list filters, its limit, what its POST takes, the row its documentation shows, how it is
 * restored. The store (restore-points.js) and the endpoints (restore-points-api.js) are one for both.
 *
 * - Backups (VPS.org's Backups API): GET and POST /api/v1/backups/, DELETE /api/v1/backups/{id}/;
 *   the list filters on `server_id` and `backup_type`; at most 10 manual backups per server
 *   (automatic ones do not count); manual backups never expire; restored through the Servers API
 *   (POST /api/v1/servers/{id}/restore/ with `backup_id`, servers-api.js).
 * - Snapshots (VPS.org's Snapshots API): the same three, filtered on `server_id` only; POST takes a
 *   `name`; at most 5 snapshots per server, whatever their status (one limit, no kinds of snapshot);
 *   POST /api/v1/snapshots/{id}/restore/ restores one.
 *
 * No endpoint to read one row is documented for either. Both document `in_progress` and `completed`
 * and no failure value: the simulator's choice for one that ends badly is `failed`, the word the
 * backups use (setCreateOutcome, setSnapshotOutcome); any other string can be set.
 *
 * The simulator's choices where the snapshot documentation is silent:
 * - name: DRF's SlugField rule, ASCII letters, digits, hyphens and underscores (the docs say
 *   "letters/digits, hyphens, underscores"), trimmed first as DRF does; no length bound unless
 *   snapshotNameMaxLength is set (Django's SlugField defaults to 50). Names need not be unique.
 * - restore takes no body (an empty one, or any JSON object, which is ignored), refuses a snapshot
 *   that is not completed with 400, and puts the server through the same timeline as a backup
 *   restore (servers.js);
 * - DELETE answers as the backups' DELETE does: 204 (or 202 with setDeleteStatus), 404 when unknown.
 */
import { fieldError } from './drf.js'
import { isoTimestamp } from './servers.js'

/** @import { Behaviour } from './settings.js' */

/**
 * A backup as the Backups API represents it.
 * @typedef {object} SimBackup
 * @property {number} id
 * @property {{ id: number, name: string }} server
 * @property {'manual'|'automatic'} backup_type
 * @property {string} status `in_progress`, `completed`, or a failure such as `failed`.
 * @property {number|null} size_mb null until completed.
 * @property {string} created_at ISO-8601 UTC.
 * @property {string|null} expires_at null for manual backups.
 * @property {string} description
 */

/**
 * A snapshot as the Snapshots API represents it.
 * @typedef {object} SimSnapshot
 * @property {number} id
 * @property {{ id: number, name: string }} server
 * @property {string} name letters, digits, hyphens and underscores
 * @property {string} status `in_progress`, `completed`, or a failure (the simulator's `failed`).
 * @property {number|null} size_mb null until completed.
 * @property {string} created_at ISO-8601 UTC.
 * @property {string} description
 */

/**
 * What addBackup and addSnapshot take: any field of the row but `server`, and the id of an existing
 * server.
 * @template R
 * @typedef {Partial<Omit<R, 'server'>> & { serverId: number }} PointInput
 */

/** @typedef {PointInput<SimBackup>} BackupInput */
/** @typedef {PointInput<SimSnapshot>} SnapshotInput */

/** @typedef {{ backup_type: 'manual'|'automatic', expires_at: string|null }} BackupFields */
/** @typedef {{ name: string }} SnapshotFields */

/**
 * A restore point as stored: what both kinds have, and the fields of its own kind (`own`, named as
 * its API names them). `status`/`sizeMb` is the state it was created in; `transition`, when set, the
 * state it reaches at a given time (lifecycle.js).
 * @template O
 * @typedef {object} PointRecord
 * @property {number} id
 * @property {number} serverId
 * @property {string} status
 * @property {number|null} sizeMb
 * @property {string} createdAt
 * @property {string} description
 * @property {O} own
 * @property {{ at: number, status: string, sizeMb: number|null } | null} transition
 */

/**
 * A list filter besides `server_id`: a query parameter with a fixed set of choices.
 * @template O
 * @typedef {object} ListFilter
 * @property {string} param the query parameter
 * @property {string[]} choices
 * @property {'ignoreTypeFilter'} ignoredBy the list quirk that makes the list ignore it
 * @property {(own: O, value: string) => boolean} matches
 */

/**
 * One kind of restore point.
 * @template O the fields of its own kind
 * @template R the row its API shows
 * @typedef {object} Kind
 * @property {string} noun 'backup' or 'snapshot', for messages
 * @property {string} title 'Backup' or 'Snapshot', as in the simulator's addBackup, finishSnapshot
 * @property {'backups'|'snapshots'} plural its path is /api/v1/<plural>/; the list addRawListRow names
 * @property {number} firstId ids near the documentation's examples
 * @property {(id: number) => number} finishedSizeMb what one that completes reports: positive and
 *   deterministic, so runs are reproducible
 * @property {number} addedSizeMb what a completed one added without a size reports
 * @property {{ max: number, what: string, counts: (own: O) => boolean }} limit per server
 * @property {ListFilter<O>[]} filters
 * @property {Record<string, { type: 'integer'|'string', required?: boolean }>} createFields POST's body
 * @property {(data: Record<string, unknown>, behaviour: Behaviour) => O} created the own fields of one
 *   POST creates, from a body whose fields have their types (400 for what the kind refuses)
 * @property {(partial: PointInput<R>, id: number, createdAt: string) => O} added the own fields of one
 *   added directly, defaults filled in
 * @property {(id: number, createdAt: string, filters: Record<string, string|undefined>) => O} synthetic
 *   the own fields of a row of an endless list, matching the filters
 * @property {(record: PointRecord<O>, state: { status: string, sizeMb: number|null },
 *   server: { id: number, name: string }) => R} row
 * @property {string} createMessage
 * @property {'backupDurationMs'|'snapshotDurationMs'} durationSetting
 * @property {'createOutcome'|'snapshotOutcome'} outcomeSetting
 * @property {{ message: string, shown: (record: PointRecord<O>) => object,
 *   from: (id: number) => { snapshotId: number } } | null} restore its own restore endpoint (POST
 *   /api/v1/<plural>/{id}/restore/): its answer's message, what the answer shows of the row, and
 *   what the simulator's `restores` record; null when restored elsewhere
 */

// The documentation says automatic backups are kept 7–30 days depending on the plan.
const AUTOMATIC_RETENTION_MS = 30 * 24 * 60 * 60 * 1000
/** @param {string} createdAt */
const automaticExpiry = createdAt => isoTimestamp(Date.parse(createdAt) + AUTOMATIC_RETENTION_MS)
// Django's validate_slug, as DRF's SlugField applies it.
const SLUG = /^[-a-zA-Z0-9_]+$/
const SLUG_MESSAGE = 'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'

/** @type {Kind<BackupFields, SimBackup>} */
export const BACKUPS = {
  noun: 'backup',
  title: 'Backup',
  plural: 'backups',
  // Near the documentation's examples (499, 501, 502).
  firstId: 501,
  finishedSizeMb: id => 4000 + ((id * 37) % 1000),
  addedSizeMb: 1000,
  limit: { max: 10, what: 'manual backups', counts: own => own.backup_type === 'manual' },
  filters: [
    {
      param: 'backup_type',
      choices: ['manual', 'automatic'],
      ignoredBy: 'ignoreTypeFilter',
      matches: (own, value) => own.backup_type === value
    }
  ],
  createFields: { server_id: { type: 'integer', required: true }, description: { type: 'string' } },
  created: () => ({ backup_type: 'manual', expires_at: null }),
  added(partial, _id, createdAt) {
    const backupType = partial.backup_type ?? 'manual'
    const expiresAt = backupType === 'automatic' ? automaticExpiry(createdAt) : null
    return { backup_type: backupType, expires_at: partial.expires_at !== undefined ? partial.expires_at : expiresAt }
  },
  synthetic(_id, createdAt, filters) {
    const backupType = filters.backup_type === 'automatic' ? 'automatic' : 'manual'
    return { backup_type: backupType, expires_at: backupType === 'automatic' ? automaticExpiry(createdAt) : null }
  },
  row: (record, state, server) => ({
    id: record.id,
    server,
    backup_type: record.own.backup_type,
    status: state.status,
    size_mb: state.sizeMb,
    created_at: record.createdAt,
    expires_at: record.own.expires_at,
    description: record.description
  }),
  createMessage: 'Backup is being created. This may take several minutes depending on server size.',
  durationSetting: 'backupDurationMs',
  outcomeSetting: 'createOutcome',
  restore: null
}

/** @type {Kind<SnapshotFields, SimSnapshot>} */
export const SNAPSHOTS = {
  noun: 'snapshot',
  title: 'Snapshot',
  plural: 'snapshots',
  // Near the documentation's examples (798, 801, 802), apart from the backups'.
  firstId: 801,
  // The documentation's examples: 4856, 5120. A whole server, so larger than a backup.
  finishedSizeMb: id => 5000 + ((id * 53) % 1000),
  addedSizeMb: 5000,
  limit: { max: 5, what: 'snapshots', counts: () => true },
  filters: [],
  createFields: {
    server_id: { type: 'integer', required: true },
    name: { type: 'string', required: true },
    description: { type: 'string' }
  },
  created: (data, behaviour) => ({ name: validName(/** @type {string} */ (data.name), behaviour) }),
  added: (partial, id) => ({ name: partial.name ?? `snapshot-${id}` }),
  synthetic: id => ({ name: `synthetic-snapshot-${id}` }),
  row: (record, state, server) => ({
    id: record.id,
    server,
    name: record.own.name,
    status: state.status,
    size_mb: state.sizeMb,
    created_at: record.createdAt,
    description: record.description
  }),
  createMessage: 'Snapshot is being created. This may take 3-10 minutes depending on server size.',
  durationSetting: 'snapshotDurationMs',
  outcomeSetting: 'snapshotOutcome',
  restore: {
    message: 'Server is being restored from snapshot. This may take 5-15 minutes.',
    shown: record => ({ id: record.id, name: record.own.name, created_at: record.createdAt }),
    from: id => ({ snapshotId: id })
  }
}

/**
 * The name as DRF's SlugField takes it: trimmed, not blank, a slug, within the bound if any.
 * @param {string} raw
 * @param {Behaviour} behaviour
 */
function validName(raw, behaviour) {
  const name = raw.trim()
  if (name === '') throw fieldError('name', 'This field may not be blank.')
  const max = behaviour.snapshotNameMaxLength
  if (max !== null && [...name].length > max) {
    throw fieldError('name', `Ensure this field has no more than ${max} characters.`)
  }
  if (!SLUG.test(name)) throw fieldError('name', SLUG_MESSAGE)
  return name
}
