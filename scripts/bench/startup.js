// @ts-check
/**
 * Start-up: the whole-process time of `node dist/index.js` for a small `list`, next to bare `node -e 0` (median of
 * interleaved runs), the peak RSS of that list, the connections a run opens, and the size of dist/.
 */
import { join } from 'node:path'
import { startSimulator } from '../../tools/simulator/index.js'
import {
  DIST,
  SERVER_ID,
  TARGETS,
  TOKEN,
  bundleMinifies,
  directoryBytes,
  fmtBytes,
  fmtMs,
  interleaved,
  listInputs,
  median,
  mustSucceed,
  progress,
  runNode
} from './shared.js'

/** @param {number} runs */
async function measure(runs) {
  const distBytes = directoryBytes(DIST)
  const sim = await startSimulator({ token: TOKEN })
  try {
    for (let i = 0; i < 3; i++) {
      sim.addBackup({
        serverId: SERVER_ID,
        description: `Pre-deploy backup ${i}`,
        created_at: `2026-11-2${i}T03:00:00Z`
      })
    }
    const inputs = listInputs(sim.url)
    progress(`start-up: ${runs} interleaved runs each of the action (list of 3 backups) and node -e 0`)
    const { times, maxConnections } = await interleaved(
      [
        { name: 'action', args: [join(DIST, 'index.js')], inputs, check: true },
        { name: 'bare', args: ['-e', '0'], inputs }
      ],
      runs,
      sim
    )
    const small = await runNode([join(DIST, 'index.js')], inputs, { peak: true })
    mustSucceed(small, 'small list')
    return {
      action: median(times.action),
      bare: median(times.bare),
      maxConnections,
      smallPeakMb: small.peakMb ?? 0,
      distBytes
    }
  } finally {
    await sim.close()
  }
}

/** @type {import('./shared.js').Benchmark} */
export default {
  name: 'startup',
  about: 'start-up of a small list against node -e 0, its peak RSS and connections, the size of dist/',
  async run(options) {
    const start = await measure(options.runs)
    return {
      rows(row) {
        row('start-up: node dist/index.js, list of 3 (median)', fmtMs(start.action), 'as low as the bundle allows')
        row('start-up: node -e 0 (median)', fmtMs(start.bare))
        row('start-up: ratio action / bare node', `${(start.action / start.bare).toFixed(2)}x`)
        row('start-up: peak RSS of the small list', `${start.smallPeakMb.toFixed(1)} MB`)
        row(
          'start-up: connections per run',
          String(start.maxConnections),
          `<= ${TARGETS.connections}`,
          start.maxConnections <= TARGETS.connections
        )
        row('dist/ size (bytes of its files)', fmtBytes(start.distBytes))
        row('dist/index.js built by npm run bundle', bundleMinifies() ? 'minified (ncc -m)' : 'not minified')
      }
    }
  }
}
