// Several servers in one step (GitHub issue 11), what a process shows: the outputs and state a step
// cancelled mid-run (killed) has already written to the runner's files. The rest is in process, in
// commands/several-servers.test.ts.
import { describe, expect, it } from '@jest/globals'
import { parseJsonOutput, runAction, type ActionRun, type RunOptions } from '../support/run-action.js'
import { exampleServers } from '../../tools/simulator/index.js'
import { DB, LIST, WEB, useSimulator } from '../support/simulator-fixture.js'

const S3 = 30003
/** The single-backup outputs, which a step of several servers leaves unset. */
const SINGLE_OUTPUTS = ['backup-id', 'status', 'size-mb', 'created-at', 'server-id', 'server-name', 'backup']

const { sim, inputs } = useSimulator({ servers: exampleServers(6), pageSize: 5, backupDurationMs: 1500 })

function run(extra: Record<string, string>, options?: RunOptions): Promise<ActionRun> {
  return runAction(inputs(extra), options)
}

const byId = (a: number, b: number): number => a - b

describe('create of several servers', () => {
  // Kept e2e: the process is killed mid-step; what it wrote to GITHUB_OUTPUT and GITHUB_STATE by then stays.
  it('sets backup-ids as each create is accepted: a job cancelled meanwhile still hands on the backups started', async () => {
    // DB's create is never answered; the job is cancelled once the other two were started.
    const held = sim.hold({ method: 'POST', path: LIST, json: { server_id: DB } })
    const cancel = new AbortController()
    let log = ''
    const running = run(
      { 'server-id': `${WEB} ${DB} ${S3}`, 'restore-on-failure': 'true', timeout: '20s' },
      {
        signal: cancel.signal,
        echo: text => {
          log += text
          if ((log.match(/^Backup \d+ of server .+ started: /gm) ?? []).length === 2) cancel.abort()
        }
      }
    )
    await held.arrived
    const result = await running

    expect(cancel.signal.aborted).toBe(true)
    expect(result.exitCode).toBeNull()
    const started = sim.backups()
    expect(started.map(b => b.server.id).sort(byId)).toEqual([WEB, S3].sort(byId))
    const idOf = (serverId: number): number | undefined => started.find(b => b.server.id === serverId)?.id
    expect(parseJsonOutput(result, 'backup-ids')).toEqual({ [WEB]: idOf(WEB), [S3]: idOf(S3) })
    // What restore-on-failure's post step will restore, in the order of server-id.
    expect(JSON.parse(result.state.backups ?? '')).toEqual([
      [WEB, idOf(WEB)],
      [S3, idOf(S3)]
    ])
    for (const name of SINGLE_OUTPUTS) expect({ name, value: result.outputs[name] }).toEqual({ name, value: undefined })
  })
})
