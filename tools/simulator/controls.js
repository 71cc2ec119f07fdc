// @ts-check
/**
 * What a test can do to the simulated API besides sending it requests: the members of each kind
 * of restore point (the same for backups and snapshots, named for each) and the setters of the
 * switchable behaviour (settings.js). index.js assembles them into the simulator.
 */
import { BACKUPS, SNAPSHOTS } from './kinds.js'
import {
  checkClockOffset,
  checkDeleteStatus,
  checkDescriptionMaxLength,
  checkDuration,
  checkListQuirks,
  checkNameMaxLength,
  checkRestoreAnswer,
  checkServerReads,
  withServerSetting
} from './settings.js'

/** @import { BackupFields, BackupInput, Kind, PointInput, SimBackup, SimSnapshot, SnapshotFields,
 *   SnapshotInput } from './kinds.js' */
/** @import { RestorePointStore } from './restore-points.js' */
/** @import { Behaviour } from './settings.js' */

/**
 * The members about backups and snapshots.
 * @typedef {object} KindMembers
 * @property {(partial: BackupInput) => SimBackup} addBackup Adds a backup directly (no lifecycle: its
 *   status stays as given). Defaults: next id (from 501), manual, completed, size_mb 1000 when
 *   completed (else null), created_at now, expires_at null for manual and created_at + 30 days for
 *   automatic, description ''. Throws for an unknown server or a taken id.
 * @property {() => SimBackup[]} backups Copies of the current backups in insertion order, statuses
 *   resolved as of now.
 * @property {(ms: number, options?: { serverId?: number }) => void} setBackupDuration Duration of backups
 *   created from now on; with `serverId`, of that server's only (the others keep the general one), e.g.
 *   one server among several whose backup outlasts the timeout. Throws for an unknown server.
 * @property {(status: string | null, options?: { serverId?: number }) => void} setCreateOutcome null
 *   (default): backups created via POST end 'completed'; a string such as 'failed' makes the backups
 *   created from now on end with that status (size_mb stays null). With `serverId`, for that server's
 *   backups only (null then makes them complete whatever the general outcome), e.g. one server failing
 *   among several. Throws for an unknown server.
 * @property {(id: number) => void} finishBackup Makes a backup started through POST and still in
 *   progress end now (completed, or the create outcome it was started with) rather than when its
 *   duration runs out: with a long duration, the test decides when a backup completes, e.g. to keep
 *   one run's backup in progress while another run reads the list. Throws for an unknown backup, one
 *   added with addBackup (no lifecycle) and one that has ended already.
 * @property {(partial: SnapshotInput) => SimSnapshot} addSnapshot Adds a snapshot directly, as addBackup
 *   does a backup. Defaults: next id (from 801), name `snapshot-<id>`, completed, size_mb 5000 when
 *   completed (else null), created_at now, description ''.
 * @property {() => SimSnapshot[]} snapshots Copies of the current snapshots, as backups() of the backups.
 * @property {(ms: number, options?: { serverId?: number }) => void} setSnapshotDuration As
 *   setBackupDuration, for snapshots.
 * @property {(status: string | null, options?: { serverId?: number }) => void} setSnapshotOutcome As
 *   setCreateOutcome, for snapshots. VPS.org documents no failure value: use 'failed', the
 *   simulator's choice, unless testing another.
 * @property {(id: number) => void} finishSnapshot As finishBackup, for snapshots.
 * @property {(row: unknown, options?: { serverId?: number, list?: 'backups' | 'snapshots' }) => void}
 *   addRawListRow Puts `row` verbatim into the backup list (or, with `list: 'snapshots'`, the snapshot
 *   list), after the stored rows (e.g. `{"id": 900, "server": null}`, to test
 *   malformed rows). A list filtered by `server_id` includes it only when `serverId` is that server,
 *   or when no `serverId` was given; `backup_type` does not filter it. It counts in `count` and is
 *   paged like any row, but it is not a backup: not in backups(), and DELETE or restore of its id
 *   answer as for an unknown backup. reset() drops it.
 */

/**
 * @typedef {object} Stores
 * @property {RestorePointStore<BackupFields, SimBackup>} backups
 * @property {RestorePointStore<SnapshotFields, SimSnapshot>} snapshots
 */

/**
 * @typedef {object} ControlContext
 * @property {Behaviour} behaviour
 * @property {(id: number) => number} knownServer the id, or throws for a server that does not exist
 * @property {() => number} now
 */

/**
 * The members of one kind, under names of no kind.
 * @template O, R
 * @param {Kind<O, R>} kind
 * @param {RestorePointStore<O, R>} store
 * @param {ControlContext} context
 */
function pointControls(kind, store, { behaviour, knownServer, now: clock }) {
  return {
    add: (/** @type {PointInput<R>} */ partial) => store.toJson(store.insert(partial), clock()),
    all() {
      const now = clock()
      return store.list().map(record => store.toJson(record, now))
    },
    /** @type {(ms: number, options?: { serverId?: number }) => void} */
    setDuration(ms, { serverId } = {}) {
      const name = kind.durationSetting
      checkDuration(name, ms)
      if (serverId === undefined) behaviour[name] = ms
      else behaviour.byServer = withServerSetting(behaviour.byServer, knownServer(serverId), name, ms)
    },
    /** @type {(status: string | null, options?: { serverId?: number }) => void} */
    setOutcome(status, { serverId } = {}) {
      const name = kind.outcomeSetting
      if (serverId === undefined) behaviour[name] = status
      else behaviour.byServer = withServerSetting(behaviour.byServer, knownServer(serverId), name, status)
    },
    finish: (/** @type {number} */ id) => store.finish(id, clock())
  }
}

/**
 * @param {Stores} stores
 * @param {ControlContext} context
 * @returns {KindMembers}
 */
export function kindMembers({ backups, snapshots }, context) {
  const backup = pointControls(BACKUPS, backups, context)
  const snapshot = pointControls(SNAPSHOTS, snapshots, context)
  return {
    addBackup: backup.add,
    backups: backup.all,
    setBackupDuration: backup.setDuration,
    setCreateOutcome: backup.setOutcome,
    finishBackup: backup.finish,
    addSnapshot: snapshot.add,
    snapshots: snapshot.all,
    setSnapshotDuration: snapshot.setDuration,
    setSnapshotOutcome: snapshot.setOutcome,
    finishSnapshot: snapshot.finish,
    addRawListRow(row, { serverId, list = 'backups' } = {}) {
      const store = list === 'snapshots' ? snapshots : backups
      store.rawRows.push({ row: structuredClone(row), serverId })
    }
  }
}

/**
 * The setters of the behaviour every kind and server shares (documented in index.js), and of the
 * snapshot name bound.
 * @param {ControlContext} context
 */
export function settingMembers({ behaviour }) {
  return {
    /** @param {number} ms */
    setClockOffset(ms) {
      behaviour.clockOffsetMs = checkClockOffset(ms)
    },
    /** @param {number} ms */
    setProxyDateOffset(ms) {
      behaviour.proxyDateOffsetMs = checkClockOffset(ms, 'proxyDateOffsetMs')
    },
    /** @param {boolean} on */
    setDateHeader(on) {
      behaviour.dateHeader = on
    },
    /** @param {Behaviour['listQuirks']} quirks */
    setListQuirks(quirks) {
      behaviour.listQuirks = checkListQuirks(quirks)
    },
    /** @param {{ descriptionMaxLength?: number | null, normaliseLineEndings?: boolean }} storage */
    setDescriptionStorage({ descriptionMaxLength, normaliseLineEndings }) {
      if (descriptionMaxLength !== undefined) {
        behaviour.descriptionMaxLength = checkDescriptionMaxLength(descriptionMaxLength)
      }
      if (normaliseLineEndings !== undefined) behaviour.normaliseLineEndings = normaliseLineEndings
    },
    /** @param {204 | 202} status */
    setDeleteStatus(status) {
      behaviour.deleteStatus = checkDeleteStatus(status)
    },
    /** @param {number | null} length */
    setSnapshotNameMaxLength(length) {
      behaviour.snapshotNameMaxLength = checkNameMaxLength(length)
    }
  }
}

/**
 * The setters of how restores unfold and how the server reads answer (documented in index.js).
 * @param {ControlContext} context
 */
export function restoreSettingMembers({ behaviour, knownServer }) {
  return {
    /** @param {number} ms */
    setRestoreDuration(ms) {
      behaviour.restoreDurationMs = checkDuration('restoreDurationMs', ms)
    },
    /** @param {number} ms */
    setRestoreStartDelay(ms) {
      behaviour.restoreStartDelayMs = checkDuration('restoreStartDelayMs', ms)
    },
    /** @type {(status: string, options?: { serverId?: number }) => void} */
    setRestoreOutcome(status, { serverId } = {}) {
      if (serverId === undefined) behaviour.restoreOutcome = status
      else behaviour.byServer = withServerSetting(behaviour.byServer, knownServer(serverId), 'restoreOutcome', status)
    },
    /** @param {Behaviour['restoreAnswer']} shape */
    setRestoreAnswer(shape) {
      behaviour.restoreAnswer = checkRestoreAnswer(shape)
    },
    /** @param {boolean} never */
    setRestoreNeverShowsRestoring(never) {
      behaviour.restoreNeverShowsRestoring = never
    },
    /** @param {Behaviour['serverReads']} reads */
    setServerReads(reads) {
      behaviour.serverReads = checkServerReads(reads)
    }
  }
}
