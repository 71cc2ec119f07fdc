// A rollback that finishes (GitHub issue 10), what a process shows: a job killed while the step
// runs leaves the outputs, the log, the summary and the state as the process wrote them before the
// kill (and no post step runs). The rest is in process, in restores/rollback.test.ts.
import { describe, expect, it } from '@jest/globals'
import { BUSY_MACHINE_MS, runAction, runWithPost, type ActionRun } from '../support/run-action.js'
import { exampleServers, type SimBackup } from '../../tools/simulator/index.js'
import { PREFIX, WEB, useSimulator } from '../support/simulator-fixture.js'

const WEB_LABEL = 'web-server-01 (12345)'

// Seven servers two a page, as in restores/rollback.test.ts.
const { sim, inputs } = useSimulator({
  servers: exampleServers(7),
  pageSize: 2,
  restoreDurationMs: 1500,
  backupDurationMs: 1000
})

function restoreInputs(backupId: number | string, extra: Record<string, string> = {}): Record<string, string> {
  return inputs({ command: 'restore', 'backup-id': String(backupId), ...extra })
}

function goodBackup(serverId = WEB, extra: Partial<Omit<SimBackup, 'server'>> = {}): SimBackup {
  return sim.addBackup({ serverId, description: `${PREFIX}: good state`, created_at: '2025-03-01T10:00:00Z', ...extra })
}

/** Log lines the action wrote as plain info (no workflow command). */
function infoLines(run: ActionRun): string[] {
  return run.log.split('\n').filter(l => l !== '' && !l.startsWith('::'))
}

describe('restore waits until the server is back', () => {
  // Kept e2e: the process is killed mid-wait; what it wrote to the runner's files by then stays.
  it('a job killed while waiting still has the outputs, the notice and the summary of the restore it started', async () => {
    sim.setRestoreDuration(60_000)
    const backup = goodBackup()

    // Long enough for a slow start, the backup check and the restore request; far short of the restore.
    const run = await runAction(restoreInputs(backup.id), { killAfterMs: 2000 + BUSY_MACHINE_MS })

    expect(run.exitCode).toBeNull()
    expect(sim.restores).toEqual([{ serverId: WEB, backupId: backup.id, at: expect.any(Number) }])
    expect(run.log).toContain(`Waiting up to`)
    expect(run.outputs).toEqual({
      'backup-id': String(backup.id),
      'backup-ids': JSON.stringify({ [WEB]: backup.id }),
      'server-id': String(WEB),
      status: 'restoring',
      restore: expect.any(String)
    })
    expect(run.log).toContain(`::notice title=VPS.org restore of server ${WEB}::`)
    expect(run.summary).toContain(`## VPS.org restore of server ${WEB}\n`)
    expect(run.summary).toContain(`| Backup ID | ${backup.id} |`)
    expect(run.summary).toContain('| Restore status | `restoring` |')
    expect(run.summary).not.toContain('Waited')
  })
})

describe('restore-on-failure', () => {
  // Kept e2e: the process is killed mid-step (the job cancelled), so no post step runs and the state lacks mainStepSucceeded.
  it('after a job cancelled during this step, no post step runs; the log and outputs show the backup it started', async () => {
    sim.setBackupDuration(60_000)

    const { main, post } = await runWithPost(inputs({ 'server-id': String(WEB), 'restore-on-failure': 'true' }), {
      jobStatus: 'cancelled',
      killAfterMs: 2000 + BUSY_MACHINE_MS
    })

    expect(main.exitCode).toBeNull()
    const [backup] = sim.backups()
    expect(backup?.status).toBe('in_progress')
    expect(main.outputs['backup-id']).toBe(String(backup?.id))
    expect(infoLines(main).slice(0, 2)).toEqual([
      `Backup ${backup?.id} of server ${WEB_LABEL} started: "Pre-deploy backup: acme/shop@3f1c2d9 (run 9876543210)"`,
      `Waiting up to 40s for backup ${backup?.id} to complete…`
    ])
    expect(main.state.mainStepSucceeded).toBeUndefined()
    expect(post).toBeUndefined()
    expect(sim.requests.filter(r => r.path.endsWith('/restore/'))).toEqual([])
    expect(sim.restores).toEqual([])
  })
})
