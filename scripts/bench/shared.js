// @ts-check
/**
 * What the benchmarks share: the constants, running a script as the runner runs the action (timed, with its peak RSS
 * or CPU time), interleaved runs, medians and paired differences, and printing. Each benchmark is one file beside this
 * one; index.js runs them.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { ROOT, parseCommandFile, prepareStep } from '../../tools/runner.js'

/**
 * @typedef {import('../../tools/simulator/index.js').RecordedRequest} RecordedRequest
 * @typedef {{ runs: number, against: string[] }} Options --runs (start-up runs per variant) and the --against dirs
 * @typedef {(figure: string, value: string, target?: string, pass?: boolean) => void} Row a row of the report's
 *   table; `pass` undefined: no target, information only
 * @typedef {{ rows?: (row: Row) => void, print?: () => void }} Findings what a benchmark found: its rows of the
 *   table, and what it prints after the table
 * @typedef {{ name: string, about: string, run: (options: Options) => Promise<Findings> }} Benchmark
 */

export const TOKEN = 'bench-token'
export const SERVER_ID = 12345
export const DIST = join(ROOT, 'dist')
const TIME = '/usr/bin/time'
export const HAS_TIME = existsSync(TIME)
export const LIST_PATH = '/api/v1/backups/'
export const SNAPSHOT_LIST_PATH = '/api/v1/snapshots/'
/** Several servers: how many, and how long each backup or restore takes. */
export const MANY = 20
export const MANY_MS = 20_000

export const TARGETS = {
  noticed4s: 1500,
  noticed20s: 3000,
  checks20s: 15,
  // Several servers, and the restore of one: the same as for one 20 s backup.
  noticedMany: 3000,
  roundsMany: 15,
  connections: 2,
  bigListMs: 1500,
  bigListPeakMb: 100
}

/** Loaded with --import by the runs that report their CPU time: writes it (µs) when the process exits. */
const CPU_PRELOAD =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { writeFileSync } from 'node:fs'\n" +
      "process.on('exit', () => { const u = process.cpuUsage(); writeFileSync(process.env.BENCH_CPU_FILE, String(u.user + u.system)) })\n"
  )

/** The inputs of a `list` of SERVER_ID's backups. @param {string} url the simulator's */
export const listInputs = url => ({
  'api-token': TOKEN,
  'api-url': url,
  'server-id': String(SERVER_ID),
  command: 'list'
})

/**
 * The high-water mark of a child's RSS (kB) without /usr/bin/time: the kernel's VmHWM, read every 20 ms; the last value
 * read is the high-water mark up to then (it only grows), which misses at most the last 20 ms.
 * @param {number | undefined} pid
 */
function pollPeak(pid) {
  const peak = { kb: 0, timer: /** @type {NodeJS.Timeout | undefined} */ (undefined) }
  peak.timer = setInterval(() => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
      if (match) peak.kb = Math.max(peak.kb, Number(match[1]))
    } catch {
      // gone already
    }
  }, 20)
  return peak
}

/**
 * Runs a script the way tools/runner.js's runAction does (same environment: every input of
 * action.yml as INPUT_<NAME> with its defaults, the GITHUB_* files, cwd in a fresh temp dir, stdout and
 * stderr piped), but for any script (a bundle built elsewhere, `node -e 0`), timed with the monotonic
 * clock, and, with `peak`, measuring the process's RSS high-water mark. With `cpu`, the child also loads
 * CPU_PRELOAD and reports the CPU time (user + system, all threads) it used, a figure that other work on
 * the machine disturbs far less than the wall time.
 * @param {string[]} nodeArgs arguments of `node`, e.g. [script] or ['-e', '0']
 * @param {Record<string, string>} inputs
 * @param {{ peak?: boolean, cpu?: boolean }} [options]
 */
export async function runNode(nodeArgs, inputs, options = {}) {
  const { dir, files, env } = prepareStep(inputs)
  const peakFile = join(dir, 'peak')
  const cpuFile = join(dir, 'cpu')
  if (options.cpu) {
    env.BENCH_CPU_FILE = cpuFile
    nodeArgs = [`--import=${CPU_PRELOAD}`, ...nodeArgs]
  }
  const viaTime = options.peak && HAS_TIME
  const [command, argv] = viaTime
    ? [TIME, ['-o', peakFile, '-f', '%M', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs]
  const started = performance.now()
  const child = spawn(command, argv, { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  const polled = options.peak && !viaTime ? pollPeak(child.pid) : undefined
  let log = ''
  child.stdout.on('data', chunk => (log += chunk))
  child.stderr.on('data', chunk => (log += chunk))
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000)
  /** @type {number | null} */
  const exitCode = await new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code => resolve(code))
  })
  const ms = performance.now() - started
  clearTimeout(killer)
  clearInterval(polled?.timer)
  const peakKb = viaTime ? Number(readFileSync(peakFile, 'utf8').trim().split('\n').at(-1)) : (polled?.kb ?? 0)
  const outputs = parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8'))
  const cpuMs = options.cpu && existsSync(cpuFile) ? Number(readFileSync(cpuFile, 'utf8')) / 1000 : undefined
  rmSync(dir, { recursive: true, force: true })
  return { exitCode, ms, cpuMs, peakMb: options.peak ? peakKb / 1024 : undefined, log, outputs }
}

/** @param {{ exitCode: number | null, log: string }} run @param {string} what */
export function mustSucceed(run, what) {
  if (run.exitCode !== 0) throw new Error(`${what}: exit code ${run.exitCode}\n${run.log.slice(-3000)}`)
}

/**
 * Runs every variant `runs` times, interleaved (the order rotates each round so no variant always
 * goes first after an idle moment), after one warm-up run each. Returns the wall times per variant
 * and, with `cpu`, the CPU times.
 * @param {Array<{ name: string, args: string[], inputs: Record<string, string>, check?: boolean }>} variants
 * @param {number} runs
 * @param {{ connections: number }} sim
 * @param {{ cpu?: boolean }} [options]
 */
export async function interleaved(variants, runs, sim, options = {}) {
  /** @type {Record<string, number[]>} */
  const times = Object.fromEntries(variants.map(v => [v.name, []]))
  /** @type {Record<string, number[]>} */
  const cpuTimes = Object.fromEntries(variants.map(v => [v.name, []]))
  let maxConnections = 0
  for (let round = -1; round < runs; round++) {
    for (let k = 0; k < variants.length; k++) {
      const variant = variants[(k + Math.max(round, 0)) % variants.length]
      const before = sim.connections
      const run = await runNode(variant.args, variant.inputs, { cpu: options.cpu })
      mustSucceed(run, `start-up run of ${variant.name}`)
      if (variant.check && run.outputs.count === undefined)
        throw new Error(`${variant.name}: no count output\n${run.log}`)
      if (options.cpu && run.cpuMs === undefined) throw new Error(`${variant.name}: no CPU time reported`)
      maxConnections = Math.max(maxConnections, sim.connections - before)
      if (round >= 0) {
        times[variant.name].push(run.ms)
        if (run.cpuMs !== undefined) cpuTimes[variant.name].push(run.cpuMs)
      }
    }
  }
  return { times, cpuTimes, maxConnections }
}

// Statistics

/** @param {number[]} values @param {number} q */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low)
}
/** @param {number[]} values */
export const median = values => quantile(values, 0.5)

/**
 * Median, quartiles, and median paired difference against `base` (run i of both in the same round).
 * @param {number[]} values
 * @param {number[]} base
 */
export function summary(values, base) {
  const diffs = values.map((v, i) => v - base[i])
  return {
    median: median(values),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    diff: median(diffs),
    diffP25: quantile(diffs, 0.25),
    diffP75: quantile(diffs, 0.75),
    lowerShare: diffs.filter(d => d < 0).length / diffs.length
  }
}

/**
 * The first of `checks` made when `at` had passed: the check that noticed what happened at `at`.
 * @param {RecordedRequest[]} checks
 * @param {number} at
 * @param {number} ended
 */
export function noticed(checks, at, ended) {
  const seeing = checks.find(r => r.at >= at)
  return {
    noticedLateMs: (seeing?.at ?? ended) - at,
    noticedBy: seeing ? 'check' : 'run end',
    runEndLateMs: ended - at
  }
}

/**
 * The index of the last of `requests` that `matches`, or -1 (Array.prototype.findLastIndex, which lib ES2022 lacks).
 * @param {RecordedRequest[]} requests
 * @param {(r: RecordedRequest) => boolean} matches
 */
export function lastIndexOf(requests, matches) {
  for (let i = requests.length - 1; i >= 0; i--) if (matches(requests[i])) return i
  return -1
}

// Printing

/** @param {number} ms */
export const fmtMs = ms => `${Math.round(ms)} ms`
/** @param {number} ms */
export const fmtS = ms => `${(ms / 1000).toFixed(2)} s`
/** @param {number} bytes */
export const fmtBytes = bytes => `${(bytes / 1024).toFixed(0)} KiB (${bytes} B)`

/** Whether package.json's bundle script minifies (ncc -m / --minify). */
export function bundleMinifies() {
  const script = String(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts?.bundle ?? '')
  return /(^|\s)(-m|--minify)(\s|$)/.test(script)
}

/** @param {string} directory */
export function directoryBytes(directory) {
  let total = 0
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name)
    total += entry.isDirectory() ? directoryBytes(path) : statSync(path).size
  }
  return total
}

/** @param {string[]} header @param {string[][]} body */
export function printTable(header, body) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map(r => r[i].length)))
  const line = (/** @type {string[]} */ r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  console.log(line(header))
  console.log(widths.map(w => '-'.repeat(w)).join('  '))
  for (const r of body) console.log(line(r))
}

/** @param {string} text */
export const progress = text => process.stderr.write(`bench: ${text}\n`)
