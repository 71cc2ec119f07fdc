// @ts-check
/**
 * What a test can do with the simulated snapshots (snapshots.js, snapshots-api.js): the members of
 * the simulator that are about snapshots, kept apart from index.js.
 */
import { checkDuration, withServerSetting } from './settings.js'

/** @import { Behaviour } from './settings.js' */
/** @import { SimSnapshot, SnapshotInput, SnapshotStore } from './snapshots.js' */

/**
 * @typedef {object} SnapshotMembers
 * @property {(partial: SnapshotInput) => SimSnapshot} addSnapshot Adds a snapshot directly (no
 *   lifecycle: its status stays as given). Defaults: next id (from 801), name `snapshot-<id>`,
 *   completed, size_mb 5000 when completed (else null), created_at now, description ''. Throws for
 *   an unknown server or a taken id.
 * @property {() => SimSnapshot[]} snapshots Copies of the current snapshots in insertion order,
 *   statuses resolved as of now.
 * @property {(ms: number, options?: { serverId?: number }) => void} setSnapshotDuration Duration of
 *   snapshots created from now on; with `serverId`, of that server's only. Throws for an unknown
 *   server.
 * @property {(status: string | null, options?: { serverId?: number }) => void} setSnapshotOutcome null
 *   (default): snapshots created through POST end 'completed'; a string makes the snapshots created
 *   from now on end with that status (size_mb stays null). VPS.org documents no failure value: use
 *   'failed', the simulator's choice, unless testing another. With `serverId`, that server's only.
 * @property {(id: number) => void} finishSnapshot Makes a snapshot started through POST and still in
 *   progress end now, with the outcome it was started with. Throws for an unknown snapshot, one
 *   added with addSnapshot and one that has ended already.
 * @property {(length: number | null) => void} setSnapshotNameMaxLength Names longer than this (code
 *   points) are refused with 400 from now on; null (default): no bound, as documented.
 */

/**
 * @param {{ snapshots: SnapshotStore, behaviour: Behaviour, knownServer: (id: number) => number, now: () => number }} context
 * @returns {SnapshotMembers}
 */
export function snapshotControls({ snapshots, behaviour, knownServer, now: clock }) {
  return {
    addSnapshot: partial => snapshots.toJson(snapshots.insert(partial), clock()),
    snapshots() {
      const now = clock()
      return snapshots.list().map(record => snapshots.toJson(record, now))
    },
    setSnapshotDuration(ms, { serverId } = {}) {
      checkDuration('snapshotDurationMs', ms)
      if (serverId === undefined) behaviour.snapshotDurationMs = ms
      else behaviour.byServer = withServerSetting(behaviour.byServer, knownServer(serverId), 'snapshotDurationMs', ms)
    },
    setSnapshotOutcome(status, { serverId } = {}) {
      if (serverId === undefined) behaviour.snapshotOutcome = status
      else behaviour.byServer = withServerSetting(behaviour.byServer, knownServer(serverId), 'snapshotOutcome', status)
    },
    finishSnapshot(id) {
      snapshots.finish(id, clock())
    },
    setSnapshotNameMaxLength(length) {
      behaviour.snapshotNameMaxLength = checkNameMaxLength(length)
    }
  }
}

/** @param {number | null} length */
export function checkNameMaxLength(length) {
  if (length !== null && !(Number.isInteger(length) && length >= 1)) {
    throw new Error(`simulator: snapshotNameMaxLength must be a positive integer or null, not ${String(length)}`)
  }
  return length
}
