// @ts-check
/**
 * The lifecycle of what POST starts and time finishes (backups, snapshots): a record holds the
 * state it was created in and, when set, the state it reaches at a given time. Reads resolve the
 * state from the clock, so there are no timers to leak and a record "finishes" exactly when its
 * time has come.
 */

/** @typedef {{ status: string, sizeMb: number|null }} TimedState */

/**
 * @typedef {object} Timed
 * @property {string} status the state it was created in
 * @property {number|null} sizeMb
 * @property {{ at: number, status: string, sizeMb: number|null } | null} transition the state it
 *   reaches at `at` (a Date.now() time); null: it stays as it is
 */

/**
 * @param {Timed} record
 * @param {number} now
 * @returns {TimedState}
 */
export function stateAt(record, now) {
  return record.transition && now >= record.transition.at ? record.transition : record
}

/**
 * The transition of something started now: in progress for `durationMs`, then `outcome` (null:
 * completed, with `sizeMb`; any other status: that one, without a size).
 * @param {number} now
 * @param {number} durationMs
 * @param {string | null} outcome
 * @param {number} sizeMb
 */
export function transitionAfter(now, durationMs, outcome, sizeMb) {
  const status = outcome ?? 'completed'
  return { at: now + durationMs, status, sizeMb: status === 'completed' ? sizeMb : null }
}

/**
 * Makes a record started through POST, still in progress, reach its final state now instead of
 * when its duration runs out.
 * @param {Timed | undefined} record
 * @param {number} now
 * @param {string} what e.g. 'backup 501', for the error
 * @param {string} setter e.g. 'finishBackup', for the error
 */
export function finishEarly(record, now, what, setter) {
  if (!record) throw new Error(`simulator: ${setter} for unknown ${what}`)
  if (!record.transition || now >= record.transition.at) {
    throw new Error(`simulator: ${what} is not in progress (only ones started through POST finish)`)
  }
  record.transition = { ...record.transition, at: now }
}
