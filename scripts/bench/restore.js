// @ts-check
/**
 * Restores: `restore` of MANY servers, and of one, each from its own completed backup, each restore taking MANY_MS,
 * with the default settings (waiting until the servers are back): how late the last server back is noticed, how
 * many rounds of server checks and requests that cost, and the most TCP connections open at once.
 */
import { exampleServers, startSimulator } from '../../tools/simulator/index.js'
import { runAction } from '../../tools/runner.js'
import { MANY, MANY_MS, TARGETS, TOKEN, fmtS, lastIndexOf, mustSucceed, noticed, progress } from './shared.js'

const SERVERS_PATH = '/api/v1/servers/'

/** @typedef {import('./shared.js').RecordedRequest} RecordedRequest */

/** @param {RecordedRequest} r a read of servers' statuses: the server list or one server */
const isServerRead = r => r.method === 'GET' && r.path.startsWith(SERVERS_PATH) && !r.path.endsWith('/restore/')

/**
 * Rounds of checks among `requests`: the requests of a round go out together (within a few ms), and
 * rounds are at least a second apart.
 * @param {RecordedRequest[]} requests
 */
function roundsOf(requests) {
  let rounds = 0
  let last = -Infinity
  for (const r of requests) {
    if (r.at - last > 250) rounds++
    last = r.at
  }
  return rounds
}

/** @param {number} count */
async function restoreScenario(count) {
  const sim = await startSimulator({ token: TOKEN, servers: exampleServers(count), restoreDurationMs: MANY_MS })
  try {
    const backups = sim.servers().map(s =>
      sim.addBackup({
        serverId: s.id,
        description: `Pre-deploy backup of ${s.name}`,
        created_at: '2026-11-27T03:00:00Z'
      })
    )
    progress(`restore and wait: ${count} server${count > 1 ? 's' : ''}, each restore takes ${MANY_MS / 1000} s`)
    const run = await runAction(
      { 'api-token': TOKEN, 'api-url': sim.url, command: 'restore', 'backup-id': backups.map(b => b.id).join(' ') },
      { killAfterMs: 180_000 }
    )
    const ended = Date.now()
    mustSucceed(run, `restore of ${count} servers`)
    if (sim.restores.length !== count)
      throw new Error(`expected ${count} restores, the simulator accepted ${sim.restores.length}`)
    const statuses =
      count === 1 ? [run.outputs['server-status']] : Object.values(JSON.parse(run.outputs['server-status'] ?? '{}'))
    if (statuses.length !== count || statuses.some(s => s !== 'active')) {
      throw new Error(`server-status is ${run.outputs['server-status']}, not active for each of ${count}`)
    }
    // A restored server shows its outcome from the restore's acceptance plus its duration on.
    const lastBack = Math.max(...sim.restores.map(r => r.at)) + MANY_MS
    const lastRestore = lastIndexOf(sim.requests, r => r.method === 'POST' && r.path.endsWith('/restore/'))
    const reads = sim.requests.slice(lastRestore + 1).filter(isServerRead)
    return {
      count,
      ...noticed(reads, lastBack, ended),
      rounds: roundsOf(reads),
      waitRequests: reads.length,
      requests: sim.requests.length,
      maxOpen: sim.maxOpenConnections,
      connections: sim.connections
    }
  } finally {
    await sim.close()
  }
}

/** @param {Awaited<ReturnType<typeof restoreScenario>>} r @param {import('./shared.js').Row} row */
function rowsOf(r, row) {
  const name =
    r.count === 1 ? `1 server, ${MANY_MS / 1000} s restore` : `${r.count} servers, ${MANY_MS / 1000} s restores`
  row(
    `${name}: ${r.count === 1 ? 'server' : 'last server'} back, noticed after`,
    `${fmtS(r.noticedLateMs)}${r.noticedBy === 'check' ? '' : ' (run end)'}`,
    `<= ${fmtS(TARGETS.noticedMany)}`,
    r.noticedLateMs <= TARGETS.noticedMany
  )
  row(`${name}: run ended after the ${r.count === 1 ? 'server was' : 'last server was'} back`, fmtS(r.runEndLateMs))
  row(`${name}: rounds of server checks`, String(r.rounds), `<= ${TARGETS.roundsMany}`, r.rounds <= TARGETS.roundsMany)
  row(`${name}: requests (during the wait / whole run)`, `${r.waitRequests} / ${r.requests}`)
  row(
    `${name}: connections open at once (most)`,
    String(r.maxOpen),
    `<= ${TARGETS.connections}`,
    r.maxOpen <= TARGETS.connections
  )
}

/** @type {import('./shared.js').Benchmark} */
export default {
  name: 'restore',
  about: `restore and wait: ${MANY} servers, then 1, each restore ${MANY_MS / 1000} s`,
  async run() {
    const restores = [await restoreScenario(MANY), await restoreScenario(1)]
    return { rows: row => restores.forEach(r => rowsOf(r, row)) }
  }
}
