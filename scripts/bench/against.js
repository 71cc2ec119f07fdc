// @ts-check
/**
 * `--against DIR` measures only start-up, of the committed dist/ against other builds of the action (DIR holds its
 * index.js, e.g. the bundle of an earlier commit; repeat --against for more): a one-request `list` (one backup),
 * interleaved with `node -e 0`, wall and CPU time, and the sizes: what a change to src/ or its packages costs every
 * step. CPU is compared, run by run, with the first DIR.
 */
import { existsSync, statSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { startSimulator } from '../../tools/simulator/index.js'
import {
  DIST,
  SERVER_ID,
  TOKEN,
  directoryBytes,
  interleaved,
  listInputs,
  median,
  printTable,
  progress,
  summary
} from './shared.js'

/** @typedef {{ name: string, args: string[], inputs: Record<string, string>, check?: boolean, dir?: string }} Variant */

/**
 * The table's row of one variant: its sizes, medians, and its CPU over `other`'s, paired.
 * @param {Variant} v
 * @param {string} other
 * @param {Record<string, number[]>} times
 * @param {Record<string, number[]>} cpuTimes
 */
function rowOf(v, other, times, cpuTimes) {
  const vs = summary(cpuTimes[v.name], cpuTimes[other])
  const share = `${vs.diff >= 0 ? '+' : ''}${((vs.diff / median(cpuTimes[other])) * 100).toFixed(1)}%`
  return [
    v.name,
    v.dir ? String(directoryBytes(v.dir)) : '',
    v.dir ? String(statSync(join(v.dir, 'index.js')).size) : '',
    `${median(times[v.name]).toFixed(1)} ms`,
    `${median(cpuTimes[v.name]).toFixed(1)} ms`,
    v.dir && v.dir !== other
      ? `${vs.diff.toFixed(1)} ms, ${share} (${vs.diffP25.toFixed(1)}..${vs.diffP75.toFixed(1)})`
      : ''
  ]
}

/** @param {string[]} others directories holding other builds' index.js; the first is the base @param {number} runs */
async function against(others, runs) {
  for (const dir of others) if (!existsSync(join(dir, 'index.js'))) throw new Error(`${dir}/index.js is missing`)
  const other = others[0]
  const sim = await startSimulator({ token: TOKEN })
  try {
    sim.addBackup({ serverId: SERVER_ID, description: 'Pre-deploy backup', created_at: '2026-11-27T03:00:00Z' })
    const inputs = listInputs(sim.url)
    /** @type {Variant[]} */
    const variants = [
      { name: 'node -e 0', args: ['-e', '0'], inputs },
      { name: 'dist/', args: [join(DIST, 'index.js')], inputs, check: true, dir: DIST },
      ...others.map(dir => ({ name: dir, args: [join(dir, 'index.js')], inputs, check: true, dir }))
    ]
    const loadAtStart = loadavg()[0].toFixed(2)
    const before = sim.requests.length
    progress(`dist/ against ${others.join(', ')}: ${runs} interleaved runs of each (list of 1 backup)`)
    const { times, cpuTimes } = await interleaved(variants, runs, sim, { cpu: true })
    const requests = (sim.requests.length - before) / ((runs + 1) * (others.length + 1))
    const rows = variants.map(v => rowOf(v, other, times, cpuTimes))
    const loadAtEnd = loadavg()[0].toFixed(2)
    return { other, rows, requests, loadAtStart, loadAtEnd }
  } finally {
    await sim.close()
  }
}

/** @param {Awaited<ReturnType<typeof against>>} found */
function print({ other, rows, requests, loadAtStart, loadAtEnd }) {
  printTable(
    ['build', 'dir bytes', 'index.js', 'wall, median', 'CPU, median', `CPU over ${other}, paired (p25..p75)`],
    rows
  )
  console.log(
    `\n${requests} request(s) a run; Node ${process.version}, ${cpus().length} cores, load average ` +
      `${loadAtStart} at the start, ${loadAtEnd} at the end`
  )
}

/** @type {import('./shared.js').Benchmark} */
export default {
  name: 'against',
  about: 'start-up of dist/ against the builds in the --against DIRs (needs at least one)',
  async run(options) {
    if (options.against.length === 0) throw new Error('against: name a build to compare with, --against DIR')
    const found = await against(options.against, options.runs)
    return { print: () => print(found) }
  }
}
