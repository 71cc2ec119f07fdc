// @ts-check
/**
 * Several servers (issue 11): `create` of MANY servers at once, each backup taking MANY_MS, with the default
 * settings: how late the last completion is noticed, how many rounds of checks and requests that cost, and the most
 * TCP connections open at once.
 */
import { exampleServers, startSimulator } from '../../tools/simulator/index.js'
import { runAction } from '../../tools/runner.js'
import {
  LIST_PATH,
  MANY,
  MANY_MS,
  TARGETS,
  TOKEN,
  fmtS,
  lastIndexOf,
  mustSucceed,
  noticed,
  progress
} from './shared.js'

async function manyBackupsScenario() {
  const sim = await startSimulator({ token: TOKEN, servers: exampleServers(MANY), backupDurationMs: MANY_MS })
  try {
    const serverIds = sim.servers().map(s => s.id)
    progress(`create and wait: ${MANY} servers, each backup takes ${MANY_MS / 1000} s`)
    const run = await runAction(
      { 'api-token': TOKEN, 'api-url': sim.url, 'server-id': serverIds.join(' ') },
      { killAfterMs: 180_000 }
    )
    const ended = Date.now()
    mustSucceed(run, `create of ${MANY} servers`)
    const backups = sim.backups()
    if (backups.length !== MANY || backups.some(b => b.status !== 'completed')) {
      throw new Error(
        `expected ${MANY} completed backups, the simulator has ${JSON.stringify(backups.map(b => b.status))}`
      )
    }
    const handedOn = Object.keys(JSON.parse(run.outputs['backup-ids'] ?? '{}'))
    if (handedOn.length !== MANY) throw new Error(`backup-ids names ${handedOn.length} servers, not ${MANY}`)
    const created = backups.map(b => Date.parse(b.created_at))
    const lastCreate = lastIndexOf(sim.requests, r => r.method === 'POST' && r.path === LIST_PATH)
    const checks = sim.requests.slice(lastCreate + 1).filter(r => r.method === 'GET' && r.path === LIST_PATH)
    const logged = [...run.log.matchAll(/, (\d+) rounds of status checks$/gm)].map(m => Number(m[1]))
    if (logged.length === 0) throw new Error(`the log gives no count of status checks\n${run.log.slice(-3000)}`)
    return {
      startedWithinMs: Math.max(...created) - Math.min(...created),
      ...noticed(checks, Math.max(...created) + MANY_MS, ended),
      rounds: Math.max(...logged),
      waitRequests: checks.length,
      requests: sim.requests.length,
      maxOpen: sim.maxOpenConnections,
      connections: sim.connections
    }
  } finally {
    await sim.close()
  }
}

/** @param {Awaited<ReturnType<typeof manyBackupsScenario>>} many @param {import('./shared.js').Row} row */
function rowsOf(many, row) {
  const manyName = `${MANY} servers, ${MANY_MS / 1000} s backups`
  row(`${manyName}: backups started within`, fmtS(many.startedWithinMs))
  row(
    `${manyName}: last completion noticed after`,
    `${fmtS(many.noticedLateMs)}${many.noticedBy === 'check' ? '' : ' (run end)'}`,
    `<= ${fmtS(TARGETS.noticedMany)}`,
    many.noticedLateMs <= TARGETS.noticedMany
  )
  row(`${manyName}: run ended after the last completion`, fmtS(many.runEndLateMs))
  row(
    `${manyName}: rounds of status checks`,
    String(many.rounds),
    `<= ${TARGETS.roundsMany}`,
    many.rounds <= TARGETS.roundsMany
  )
  row(`${manyName}: requests (during the wait / whole run)`, `${many.waitRequests} / ${many.requests}`)
  row(
    `${manyName}: connections open at once (most)`,
    String(many.maxOpen),
    `<= ${TARGETS.connections}`,
    many.maxOpen <= TARGETS.connections
  )
  row(`${manyName}: connections opened`, String(many.connections))
}

/** @type {import('./shared.js').Benchmark} */
export default {
  name: 'many-servers',
  about: `create and wait: ${MANY} servers at once, each backup ${MANY_MS / 1000} s`,
  async run() {
    const many = await manyBackupsScenario()
    return { rows: row => rowsOf(many, row) }
  }
}
