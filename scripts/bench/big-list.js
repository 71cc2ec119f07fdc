// @ts-check
/** A large list: `list` of 10,000 backups served as 100 pages of 100: wall time, peak RSS and connections. */
import { join } from 'node:path'
import { startSimulator } from '../../tools/simulator/index.js'
import { DIST, SERVER_ID, TARGETS, TOKEN, fmtS, listInputs, median, mustSucceed, progress, runNode } from './shared.js'

const BIG_COUNT = 10_000
const BIG_PAGE = 100

/** A simulator serving BIG_COUNT backups of one server in pages of BIG_PAGE, and the `list` inputs for it. */
export async function bigListSimulator() {
  const sim = await startSimulator({ token: TOKEN, pageSize: BIG_PAGE })
  const start = Date.parse('2025-01-01T00:00:00Z')
  for (let i = 0; i < BIG_COUNT; i++) {
    const automatic = i % 3 === 0
    sim.addBackup({
      serverId: SERVER_ID,
      backup_type: automatic ? 'automatic' : 'manual',
      description: automatic
        ? 'Automatic daily backup'
        : `Pre-deploy backup: acme/shop@${(i * 7919).toString(16).padStart(7, '0')} (run ${9e9 + i})`,
      created_at: new Date(start + i * 3_600_000).toISOString()
    })
  }
  return { sim, inputs: listInputs(sim.url) }
}

/**
 * `list` of the big simulator's backups with `script`, `runs` times: median wall time, highest peak RSS.
 * @param {string} script
 * @param {{ sim: import('../../tools/simulator/index.js').Simulator, inputs: Record<string, string> }} big
 * @param {number} runs
 */
export async function bigListRuns(script, { sim, inputs }, runs) {
  /** @type {Array<{ ms: number, peakMb: number, connections: number, gets: number }>} */
  const results = []
  for (let i = 0; i < runs; i++) {
    const firstRequest = sim.requests.length
    const before = sim.connections
    const run = await runNode([script], inputs, { peak: true })
    mustSucceed(run, `list of ${BIG_COUNT} backups`)
    if (run.outputs.count !== String(BIG_COUNT))
      throw new Error(`list counted ${run.outputs.count}, expected ${BIG_COUNT}`)
    results.push({
      ms: run.ms,
      peakMb: run.peakMb ?? 0,
      connections: sim.connections - before,
      gets: sim.requests.slice(firstRequest).filter(r => r.method === 'GET').length
    })
  }
  return {
    ms: median(results.map(r => r.ms)),
    peakMb: Math.max(...results.map(r => r.peakMb)),
    connections: Math.max(...results.map(r => r.connections)),
    gets: Math.max(...results.map(r => r.gets)),
    runs
  }
}

async function bigList() {
  const big = await bigListSimulator()
  try {
    const RUNS = 3
    progress(`list of ${BIG_COUNT} backups in ${BIG_COUNT / BIG_PAGE} pages: ${RUNS} runs`)
    return await bigListRuns(join(DIST, 'index.js'), big, RUNS)
  } finally {
    await big.sim.close()
  }
}

/** @param {Awaited<ReturnType<typeof bigList>>} big @param {import('./shared.js').Row} row */
function rowsOf(big, row) {
  row(
    `list of 10,000 (${big.gets} pages): wall time (median of ${big.runs})`,
    fmtS(big.ms),
    `< ${fmtS(TARGETS.bigListMs)}`,
    big.ms < TARGETS.bigListMs
  )
  row(
    `list of 10,000: peak RSS (highest of ${big.runs})`,
    `${big.peakMb.toFixed(1)} MB`,
    `< ${TARGETS.bigListPeakMb} MB`,
    big.peakMb < TARGETS.bigListPeakMb
  )
  row(
    'list of 10,000: connections',
    String(big.connections),
    `<= ${TARGETS.connections}`,
    big.connections <= TARGETS.connections
  )
}

/** @type {import('./shared.js').Benchmark} */
export default {
  name: 'big-list',
  about: `list of ${BIG_COUNT} backups in pages of ${BIG_PAGE}: wall time, peak RSS, connections`,
  async run() {
    const big = await bigList()
    return { rows: row => rowsOf(big, row) }
  }
}
