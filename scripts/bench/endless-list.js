// @ts-check
/**
 * `list` against a `next` chain that never ends, in three shapes that each reach another of the action's bounds
 * (10,000 pages, 100,000 items, 64 MiB of answers): where it stopped, how fast, the peak RSS, and that it stopped
 * with one clear error line.
 */
import { join } from 'node:path'
import { startSimulator } from '../../tools/simulator/index.js'
import { DIST, TOKEN, fmtS, progress, runNode } from './shared.js'

/**
 * Three shapes of an endless `next` chain, each reaching another of the action's bounds first
 * (LIST_LIMITS in src/api/session.ts): empty pages reach 10,000 pages; pages of 100 small rows reach
 * 100,000 items after 1,000 pages; pages of 100 rows of about 3 KB reach 64 MiB of answers first.
 */
const ENDLESS = [
  { name: 'empty pages', rows: 0, descriptionLength: 0, bound: /more than 10000 pages/, boundName: '10,000 pages' },
  {
    name: '100 rows a page',
    rows: 100,
    descriptionLength: 0,
    bound: /more than 100000 backups/,
    boundName: '100,000 items'
  },
  {
    name: '100 rows of 3 KB a page',
    rows: 100,
    descriptionLength: 3000,
    bound: /more than 64 MiB of answers/,
    boundName: '64 MiB'
  }
]

/** @param {(typeof ENDLESS)[number]} shape */
async function endlessList(shape) {
  const sim = await startSimulator({
    token: TOKEN,
    listQuirks: {
      nextChain: 'endless',
      endlessRowsPerPage: shape.rows,
      endlessDescriptionLength: shape.descriptionLength
    }
  })
  try {
    progress(`list against an endless next chain: ${shape.name}`)
    const run = await runNode(
      [join(DIST, 'index.js')],
      { 'api-token': TOKEN, 'api-url': sim.url, command: 'list' },
      { peak: true }
    )
    const errors = run.log.split('\n').filter(line => line.startsWith('::error::'))
    return {
      ...shape,
      exitCode: run.exitCode,
      error: errors.join(' | ').replace(/^::error::/, ''),
      clear: run.exitCode === 1 && errors.length === 1 && shape.bound.test(errors[0] ?? '') && errors[0].length < 500,
      pages: sim.requests.length,
      ms: run.ms,
      peakMb: run.peakMb ?? 0
    }
  } finally {
    await sim.close()
  }
}

/** @type {import('./shared.js').Benchmark} */
export default {
  name: 'endless-list',
  about: 'list against an endless next chain, in three shapes: where and how it stopped, peak RSS',
  async run() {
    /** @type {Array<Awaited<ReturnType<typeof endlessList>>>} */
    const endless = []
    for (const shape of ENDLESS) endless.push(await endlessList(shape))
    return {
      rows(row) {
        for (const e of endless) {
          row(
            `endless next chain, ${e.name}: stopped`,
            `${e.clear ? `at ${e.boundName}` : `exit ${e.exitCode}: ${e.error.slice(0, 60)}`}, after ${e.pages} pages, ${fmtS(e.ms)}`,
            'one clear error at a bound',
            e.clear
          )
          row(`endless next chain, ${e.name}: peak RSS`, `${e.peakMb.toFixed(1)} MB`)
        }
      },
      print() {
        console.log('\nWhere an endless next chain stopped (the error line of each):')
        for (const e of endless) console.log(`  ${e.name}: ${e.error}`)
      }
    }
  }
}
