#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench` (issue 5): a report, not a test. Runs benchmarks against the VPS.org API simulator on loopback, each
 * one file in this folder, and prints each figure with its target and PASS or MISS. It exits 0 on a MISS and non-zero
 * only when something crashed (a run that did not succeed, a simulator that misbehaved). Every run has the runner's
 * event payload (GITHUB_EVENT_PATH, tools/runner.js).
 *
 *   npm run bench                        startup, wait, many-servers, restore, big-list, endless-list
 *   npm run bench -- NAME...             only those (e.g. `npm run bench -- startup big-list`)
 *   npm run bench -- --builds            the default ones, then builds
 *   npm run bench -- --against DIR...    only against: dist/ against the build in DIR (repeat for more)
 *   --runs N                             start-up runs per variant; default 10, 40 with builds or against
 */
import { cpus, loadavg } from 'node:os'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import against from './against.js'
import bigList from './big-list.js'
import builds from './builds.js'
import endlessList from './endless-list.js'
import manyServers from './many-servers.js'
import restore from './restore.js'
import startup from './startup.js'
import wait from './wait.js'
import { DIST, HAS_TIME, printTable } from './shared.js'

/** @typedef {import('./shared.js').Benchmark} Benchmark */

/** What `npm run bench` runs, in the order of its report. */
const DEFAULT = [startup, wait, manyServers, restore, bigList, endlessList]
const ALL = [...DEFAULT, builds, against]

/** The benchmarks the command line names, and their options. */
function parse() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      builds: { type: 'boolean', default: false },
      runs: { type: 'string' },
      against: { type: 'string', multiple: true, default: [] }
    }
  })
  const dirs = values.against ?? []
  const chosen = positionals.map(name => {
    const found = ALL.find(b => b.name === name)
    if (!found) throw new Error(`no benchmark ${name}: the benchmarks are ${ALL.map(b => b.name).join(', ')}`)
    return found
  })
  /** @type {Benchmark[]} */
  const selected = chosen.length ? chosen : dirs.length ? [against] : [...DEFAULT, ...(values.builds ? [builds] : [])]
  const slow = selected.some(b => b.name === 'builds' || b.name === 'against')
  const runs = Number(values.runs ?? (slow ? 40 : 10))
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer`)
  return { selected, options: { runs, against: dirs } }
}

/** @param {number} runs @param {string} loadAtStart */
function printHeader(runs, loadAtStart) {
  const cpu = cpus()
  console.log(
    `\nvps-backup-action benchmark: Node ${process.version}, ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ` +
      `${process.platform}/${process.arch}; start-up: ${runs} interleaved runs each; peak RSS via ` +
      `${HAS_TIME ? '/usr/bin/time -f %M' : 'VmHWM polled every 20 ms'}; load average at the start ${loadAtStart}, ` +
      `at the end ${loadavg()[0].toFixed(2)} (other work on the machine slows the wall times)\n`
  )
}

async function main() {
  if (!existsSync(join(DIST, 'index.js'))) throw new Error('dist/index.js is missing: run npm run bundle first')
  const { selected, options } = parse()
  const loadAtStart = loadavg()[0].toFixed(2)
  const found = []
  for (const benchmark of selected) found.push(await benchmark.run(options))

  /** @type {string[][]} */
  const rows = []
  let misses = 0
  /** @type {import('./shared.js').Row} */
  const row = (figure, value, target = '', pass = undefined) => {
    if (pass === false) misses++
    rows.push([figure, value, target, pass === undefined ? '' : pass ? 'PASS' : 'MISS'])
  }
  for (const f of found) f.rows?.(row)
  if (rows.length) {
    printHeader(options.runs, loadAtStart)
    printTable(['figure', 'value', 'target', ''], rows)
  }
  for (const f of found) f.print?.()
  if (rows.length) {
    console.log(
      misses ? `\n${misses} target${misses === 1 ? '' : 's'} missed (a report: exit code 0).` : '\nAll targets met.'
    )
  }
}

try {
  await main()
} catch (error) {
  console.error(`bench crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exitCode = 1
}
