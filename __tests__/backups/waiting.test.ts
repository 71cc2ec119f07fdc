/**
 * The poller's timing with a fake clock: what a person watching a long wait sees, and how many
 * status checks it costs. Over real HTTP the same poller is exercised by the end-to-end tests.
 */
import { beforeEach, describe, expect, it } from '@jest/globals'
import type { Backup } from '../../src/api/backup.js'
import type { BackupFilter, VpsApi } from '../../src/api/client.js'
import { Deadline } from '../../src/base/deadline.js'
import { BackupError } from '../../src/base/errors.js'
import { notCompleted, waitForBackups } from '../../src/backups/waiting.js'
import { BACKUPS } from '../../src/api/kinds.js'
import { FakeClock } from '../support/in-process.js'

const START = Date.parse('2026-11-28T12:00:00Z')

function backup(status: string): Backup {
  return {
    id: 502,
    server: { id: 12345, name: 'web-server-01' },
    backup_type: 'manual',
    status,
    size_mb: status === 'completed' ? 4000 : null,
    created_at: '2026-11-28T12:00:00Z',
    expires_at: null,
    description: 'Pre-deploy backup'
  }
}

/** A list endpoint whose backup 502 completes `doneAfterMs` after START. */
function fakeClient(
  doneAfterMs: number,
  filters: BackupFilter[]
): Pick<VpsApi, 'listBackups' | 'sizeOfList' | 'points'> {
  const listBackups = async (filter: BackupFilter = {}): Promise<Backup[]> => {
    filters.push(filter)
    // Another, older backup is listed first: the poller must find 502 by id, not by position.
    return [
      { ...backup('completed'), id: 400 },
      backup(clock.now() - START >= doneAfterMs ? 'completed' : 'in_progress')
    ]
  }
  // One server is followed through its filtered list: the size of the whole list is never asked.
  const sizeOfList = (): Promise<{ count: number; pages: number }> => Promise.reject(new Error('not expected'))
  return { listBackups, sizeOfList, points: BACKUPS }
}

// Virtual time: every pause of the wait ends at once, the clock moved to its end.
let clock: FakeClock
beforeEach(() => {
  clock = new FakeClock(START)
})

describe('waitForBackups', () => {
  it('logs a line at least once a minute during a long wait, and each status change', async () => {
    const lines: Array<{ at: number; text: string }> = []
    const filters: BackupFilter[] = []
    const waiting = waitForBackups(fakeClient(5 * 60_000, filters), [backup('in_progress')], {
      pollIntervalMs: 15_000,
      deadline: new Deadline(30 * 60_000, clock),
      log: { info: text => lines.push({ at: clock.now(), text }) }
    })
    const result = await waiting

    const settled = result.settled.get(502)
    expect(settled?.state === 'done' ? settled.value : settled).toMatchObject({ id: 502, status: 'completed' })
    expect(lines.at(-1)?.text).toMatch(/^Backup 502: in_progress → completed after 5m\d\ds$/)
    expect(
      lines.filter(line => line.text.startsWith('Still waiting for backup 502 of server 12345 (in_progress)')).length
    ).toBeGreaterThanOrEqual(8)
    const times = [START, ...lines.map(line => line.at)]
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeLessThanOrEqual(60_000)
    // Completion noticed within one poll-interval, at a cost of far fewer checks than one a second.
    expect(result.waitedMs - 5 * 60_000).toBeLessThanOrEqual(15_000)
    expect(result.rounds).toBeLessThan(40)
    expect(filters.every(f => f.serverId === 12345 && f.backupType === 'manual')).toBe(true)
  })

  it('stops at the deadline, saying after how long, with the last status', async () => {
    const waiting = waitForBackups(fakeClient(Infinity, []), [backup('in_progress')], {
      pollIntervalMs: 15_000,
      deadline: new Deadline(2 * 60_000, clock),
      log: { info: () => undefined }
    })
    const settled = (await waiting).settled.get(502)
    expect(settled).toEqual({ state: 'timed-out', status: 'in_progress' })
    expect(
      notCompleted(
        backup('in_progress'),
        settled ?? { state: 'done', status: '', value: backup('') },
        '2m00s',
        'backup'
      )
    ).toEqual(
      new BackupError(
        'timed out after 2m00s waiting for backup 502 of server 12345 to complete (last status: in_progress); ' +
          'the backup may still complete: raise timeout for larger servers'
      )
    )
  })
})
