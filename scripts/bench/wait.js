// @ts-check
/**
 * Waiting for one backup or snapshot: `create` with the default settings (wait true, the default poll-interval) of a
 * backup that takes 4 s, one that takes 20 s, and a snapshot that takes 20 s (`kind: snapshot`, issue 17): how late
 * completion is noticed, how many status checks that cost and how many TCP connections the run opened.
 */
import { startSimulator } from '../../tools/simulator/index.js'
import { runAction } from '../../tools/runner.js'
import { LIST_PATH, SERVER_ID, SNAPSHOT_LIST_PATH, TARGETS, TOKEN, fmtS, mustSucceed, progress } from './shared.js'

/**
 * `create` of one backup or snapshot that takes `durationMs`, with the default settings.
 * @param {number} durationMs
 * @param {'backup' | 'snapshot'} [kind]
 */
async function waitScenario(durationMs, kind = 'backup') {
  const snapshot = kind === 'snapshot'
  const sim = await startSimulator(
    snapshot ? { token: TOKEN, snapshotDurationMs: durationMs } : { token: TOKEN, backupDurationMs: durationMs }
  )
  const listPath = snapshot ? SNAPSHOT_LIST_PATH : LIST_PATH
  try {
    progress(`create and wait: a ${kind} that takes ${durationMs / 1000} s`)
    const run = await runAction(
      { 'api-token': TOKEN, 'api-url': sim.url, 'server-id': String(SERVER_ID), ...(snapshot ? { kind } : {}) },
      { killAfterMs: 120_000 }
    )
    const ended = Date.now()
    mustSucceed(run, `create (${durationMs / 1000} s ${kind})`)
    if (run.outputs.status !== 'completed')
      throw new Error(`create ended with status ${run.outputs.status}\n${run.log}`)
    const posts = sim.requests.filter(r => r.method === 'POST' && r.path === listPath)
    if (posts.length !== 1) throw new Error(`expected one POST to ${listPath}, the simulator saw ${posts.length}`)
    const points = snapshot ? sim.snapshots() : sim.backups()
    const created = points.find(b => String(b.id) === run.outputs['backup-id'])
    if (!created) throw new Error(`${kind} ${run.outputs['backup-id']} is not in the simulator`)
    // The simulator resolves a backup's or snapshot's status from the clock: it first reports
    // `completed` at created_at + duration.
    const completedAt = Date.parse(created.created_at) + durationMs
    const checks = sim.requests.filter(r => r.method === 'GET' && r.path === listPath && r.at >= posts[0].at)
    const seeing = checks.find(r => r.at >= completedAt)
    return {
      kind,
      durationMs,
      noticedLateMs: (seeing?.at ?? ended) - completedAt,
      noticedBy: seeing ? 'check' : 'run end',
      runEndLateMs: ended - completedAt,
      checks: checks.length,
      connections: sim.connections,
      runMs: run.durationMs
    }
  } finally {
    await sim.close()
  }
}

/** @param {Awaited<ReturnType<typeof waitScenario>>} w @param {import('./shared.js').Row} row */
function rowsOf(w, row) {
  const s = `${w.durationMs / 1000} s ${w.kind}`
  const target = w.durationMs === 4000 ? TARGETS.noticed4s : TARGETS.noticed20s
  row(
    `${s}: completion noticed after`,
    `${fmtS(w.noticedLateMs)}${w.noticedBy === 'check' ? '' : ' (run end)'}`,
    `<= ${fmtS(target)}`,
    w.noticedLateMs <= target
  )
  row(`${s}: run ended after completion`, fmtS(w.runEndLateMs))
  row(
    `${s}: status checks`,
    String(w.checks),
    w.durationMs === 20_000 ? `<= ${TARGETS.checks20s}` : '',
    w.durationMs === 20_000 ? w.checks <= TARGETS.checks20s : undefined
  )
  row(`${s}: connections`, String(w.connections), `<= ${TARGETS.connections}`, w.connections <= TARGETS.connections)
}

/** @type {import('./shared.js').Benchmark} */
export default {
  name: 'wait',
  about: 'create and wait: a 4 s backup, a 20 s backup, a 20 s snapshot (about 50 s)',
  async run() {
    const waits = [await waitScenario(4000), await waitScenario(20_000), await waitScenario(20_000, 'snapshot')]
    return { rows: row => waits.forEach(w => rowsOf(w, row)) }
  }
}
