// That a zoneless created_at is read as UTC whatever the runner's time zone (GitHub issue 14 §3): TZ
// is a property of the process, so this runs the bundled dist/index.js in a child process with TZ
// set, against the simulator over real HTTP. The rest of backup dates is tested in process, in
// policy/backup-dates.test.ts.
import { describe, expect, it } from '@jest/globals'
import { errorLines } from '../support/run-action.js'
import { PREFIX, WEB, restorePath, useSimulator } from '../support/simulator-fixture.js'

const fx = useSimulator({ backupDurationMs: 300, restoreDurationMs: 300 })
const { sim, run, add } = fx

const restores = () => sim.requests.filter(r => r.method === 'POST' && r.path === restorePath(WEB))

describe('backup-id latest in another time zone', () => {
  it("reads a zoneless created_at as UTC, whatever the runner's time zone", async () => {
    const utc = add(WEB, `${PREFIX}: 10:00 UTC`, '2025-01-15T10:00:00Z')
    // 08:00 UTC, older; read in New York's time it would be 13:00 UTC, the newest.
    add(WEB, `${PREFIX}: 08:00, no zone`, '2025-01-15T08:00:00')

    const inNewYork = await run(
      { command: 'restore', 'backup-id': 'latest', 'server-id': String(WEB), wait: 'false' },
      { env: { TZ: 'America/New_York' } }
    )

    expect(errorLines(inNewYork.log)).toEqual([])
    expect(inNewYork.exitCode).toBe(0)
    expect(restores().map(r => r.json)).toEqual([{ backup_id: utc.id }])
    expect(inNewYork.log).toContain(`backup-id latest: backup ${utc.id} of server`)
  })
})
