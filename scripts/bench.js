#!/usr/bin/env node
// `npm run bench` (issue 5): a report, not a test. Against the VPS.org API simulator on loopback, it
// measures from one run
//   - start-up: the whole-process time of `node dist/index.js` for a small `list`, next to bare `node -e 0`
//     (median of interleaved runs), and the size of dist/;
//   - for backups that take 4 s and 20 s, and a snapshot that takes 20 s (`kind: snapshot`, issue 17), with
//     the default settings (command create, wait true, default poll-interval): how late completion is noticed,
//     how many status checks that cost and how many TCP connections the run opened;
//   - several servers (issue 11), with the default settings: `create` of 20 servers whose backups take 20 s
//     each, and `restore` of 20 servers whose restores take 20 s: how late the last completion is noticed,
//     how many rounds of checks and requests that cost, and the most TCP connections open at once; and the
//     same for the restore of one server;
//   - `list` of 10,000 backups served as 100 pages of 100: wall time, peak RSS and connections;
//   - `list` against a `next` chain that never ends, in three shapes that each reach another of the
//     action's bounds (10,000 pages, 100,000 items, 64 MiB of answers): where it stopped, how fast, the
//     peak RSS, and that it stopped with one clear error line;
// and prints each figure with its target and PASS or MISS. It exits 0 on a MISS and non-zero only when
// something crashed (a run that did not succeed, a simulator that misbehaved).
//
// `npm run bench -- --builds` also builds, into temporary directories, the action not minified and minified
// (ncc -m) and two tiny bundles (undici, which @actions/http-client loads; @actions/core, which only the real
// runner port, src/runner/actions-runner.ts, imports), and compares their start-up (wall and CPU time) and peak
// RSS: whether minifying pays, and how much of start-up is the toolkit and how much the action's own modules.
// (Until issue 16 there was also a build without @actions/github, to price octokit: the action no longer
// depends on it.)
// `npm run bench -- --against DIR` measures only start-up, of the committed dist/ against other builds of the action
// (DIR holds its index.js, e.g. the bundle of an earlier commit; repeat --against for more): a one-request `list` (one
// backup), interleaved with `node -e 0`, wall and CPU time, and the sizes: what a change to src/ or its packages costs
// every step. CPU is compared, run by run, with the first DIR.
// Every run has the runner's event payload (GITHUB_EVENT_PATH, tools/runner.js).
// Options: --runs N (start-up runs per variant; default 10, 40 with --builds or --against), --builds, --against DIR.
import { spawn, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { exampleServers, startSimulator } from '../tools/simulator/index.js'
import { ROOT, parseCommandFile, prepareStep, runAction } from '../tools/runner.js'

const { values: args } = parseArgs({
  options: {
    builds: { type: 'boolean', default: false },
    runs: { type: 'string' },
    against: { type: 'string', multiple: true }
  }
})
const STARTUP_RUNS = Number(args.runs ?? (args.builds || args.against ? 40 : 10))
if (!Number.isInteger(STARTUP_RUNS) || STARTUP_RUNS < 1) throw new Error(`--runs must be a positive integer`)

const TOKEN = 'bench-token'
const SERVER_ID = 12345
const DIST = join(ROOT, 'dist')
const TIME = '/usr/bin/time'
const HAS_TIME = existsSync(TIME)
const LIST_PATH = '/api/v1/backups/'
const SNAPSHOT_LIST_PATH = '/api/v1/snapshots/'
/** Loaded with --import by the runs that report their CPU time: writes it (µs) when the process exits. */
const CPU_PRELOAD =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { writeFileSync } from 'node:fs'\n" +
      "process.on('exit', () => { const u = process.cpuUsage(); writeFileSync(process.env.BENCH_CPU_FILE, String(u.user + u.system)) })\n"
  )

const TARGETS = {
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

// ---------------------------------------------------------------------------------------------
// Running the action
// ---------------------------------------------------------------------------------------------

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
async function runNode(nodeArgs, inputs, options = {}) {
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
  // Without /usr/bin/time: the kernel's VmHWM of the child, read every 20 ms; the last value read is
  // the high-water mark up to then (it only grows), which misses at most the last 20 ms.
  let polledKb = 0
  const poller =
    options.peak && !viaTime
      ? setInterval(() => {
          try {
            const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
            if (match) polledKb = Math.max(polledKb, Number(match[1]))
          } catch {
            // gone already
          }
        }, 20)
      : undefined
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
  clearInterval(poller)
  const peakKb = viaTime ? Number(readFileSync(peakFile, 'utf8').trim().split('\n').at(-1)) : polledKb
  const outputs = parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8'))
  const cpuMs = options.cpu && existsSync(cpuFile) ? Number(readFileSync(cpuFile, 'utf8')) / 1000 : undefined
  rmSync(dir, { recursive: true, force: true })
  return { exitCode, ms, cpuMs, peakMb: options.peak ? peakKb / 1024 : undefined, log, outputs }
}

/** @param {{ exitCode: number | null, log: string }} run @param {string} what */
function mustSucceed(run, what) {
  if (run.exitCode !== 0) throw new Error(`${what}: exit code ${run.exitCode}\n${run.log.slice(-3000)}`)
}

// ---------------------------------------------------------------------------------------------
// Statistics and printing
// ---------------------------------------------------------------------------------------------

/** @param {number[]} values */
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low)
}
/** @param {number[]} values */
const median = values => quantile(values, 0.5)
/** @param {number} ms */
const fmtMs = ms => `${Math.round(ms)} ms`
/** @param {number} ms */
const fmtS = ms => `${(ms / 1000).toFixed(2)} s`
/** @param {number} bytes */
const fmtBytes = bytes => `${(bytes / 1024).toFixed(0)} KiB (${bytes} B)`

/** @param {string} directory */
function directoryBytes(directory) {
  let total = 0
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name)
    total += entry.isDirectory() ? directoryBytes(path) : statSync(path).size
  }
  return total
}

/** @type {Array<[string, string, string, string]>} */
const rows = []
let misses = 0
/**
 * @param {string} figure
 * @param {string} value
 * @param {string} target
 * @param {boolean | undefined} pass undefined: no target, information only
 */
function row(figure, value, target = '', pass = undefined) {
  if (pass === false) misses++
  rows.push([figure, value, target, pass === undefined ? '' : pass ? 'PASS' : 'MISS'])
}

/** @param {string[]} header @param {string[][]} body */
function printTable(header, body) {
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
const progress = text => process.stderr.write(`bench: ${text}\n`)

// ---------------------------------------------------------------------------------------------
// Start-up
// ---------------------------------------------------------------------------------------------

/**
 * Runs every variant `runs` times, interleaved (the order rotates each round so no variant always
 * goes first after an idle moment), after one warm-up run each. Returns the wall times per variant
 * and, with `cpu`, the CPU times.
 * @param {Array<{ name: string, args: string[], inputs: Record<string, string>, check?: boolean }>} variants
 * @param {number} runs
 * @param {{ connections: number }} sim
 * @param {{ cpu?: boolean }} [options]
 */
async function interleaved(variants, runs, sim, options = {}) {
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

/**
 * Median, quartiles, and median paired difference against `base` (run i of both in the same round).
 * @param {number[]} values
 * @param {number[]} base
 */
function summary(values, base) {
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

async function startup() {
  const sim = await startSimulator({ token: TOKEN })
  try {
    for (let i = 0; i < 3; i++) {
      sim.addBackup({
        serverId: SERVER_ID,
        description: `Pre-deploy backup ${i}`,
        created_at: `2026-11-2${i}T03:00:00Z`
      })
    }
    const listInputs = { 'api-token': TOKEN, 'api-url': sim.url, 'server-id': String(SERVER_ID), command: 'list' }
    progress(`start-up: ${STARTUP_RUNS} interleaved runs each of the action (list of 3 backups) and node -e 0`)
    const { times, maxConnections } = await interleaved(
      [
        { name: 'action', args: [join(DIST, 'index.js')], inputs: listInputs, check: true },
        { name: 'bare', args: ['-e', '0'], inputs: listInputs }
      ],
      STARTUP_RUNS,
      sim
    )
    const action = median(times.action)
    const bare = median(times.bare)
    const small = await runNode([join(DIST, 'index.js')], listInputs, { peak: true })
    mustSucceed(small, 'small list')
    return { action, bare, times, maxConnections, smallPeakMb: small.peakMb ?? 0 }
  } finally {
    await sim.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Waiting for a backup
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Several servers
// ---------------------------------------------------------------------------------------------

const MANY = 20
const MANY_MS = 20_000
const SERVERS_PATH = '/api/v1/servers/'

/** @typedef {import('../tools/simulator/index.js').RecordedRequest} RecordedRequest */

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

/**
 * The first of `checks` made when `at` had passed: the check that noticed what happened at `at`.
 * @param {RecordedRequest[]} checks
 * @param {number} at
 * @param {number} ended
 */
function noticed(checks, at, ended) {
  const seeing = checks.find(r => r.at >= at)
  return {
    noticedLateMs: (seeing?.at ?? ended) - at,
    noticedBy: seeing ? 'check' : 'run end',
    runEndLateMs: ended - at
  }
}

/** `create` of MANY servers at once, each backup taking MANY_MS, with the default settings. */
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
    const lastCreate = sim.requests.findLastIndex(r => r.method === 'POST' && r.path === LIST_PATH)
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

/**
 * `restore` of `count` servers, each from its own completed backup, each restore taking MANY_MS, with
 * the default settings (waiting until the servers are back).
 * @param {number} count
 */
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
    const lastRestore = sim.requests.findLastIndex(r => r.method === 'POST' && r.path.endsWith('/restore/'))
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

// ---------------------------------------------------------------------------------------------
// A list that never ends
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// A large list
// ---------------------------------------------------------------------------------------------

const BIG_COUNT = 10_000
const BIG_PAGE = 100

/** A simulator serving BIG_COUNT backups of one server in pages of BIG_PAGE, and the `list` inputs for it. */
async function bigListSimulator() {
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
  const inputs = { 'api-token': TOKEN, 'api-url': sim.url, 'server-id': String(SERVER_ID), command: 'list' }
  return { sim, inputs }
}

/**
 * `list` of the big simulator's backups with `script`, `runs` times: median wall time, highest peak RSS.
 * @param {string} script
 * @param {{ sim: import('../tools/simulator/index.js').Simulator, inputs: Record<string, string> }} big
 * @param {number} runs
 */
async function bigListRuns(script, { sim, inputs }, runs) {
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

// ---------------------------------------------------------------------------------------------
// Other builds (--builds)
// ---------------------------------------------------------------------------------------------

/** @param {string[]} ncc @param {string} cwd */
function ncc(ncc, cwd) {
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/@vercel/ncc/dist/ncc/cli.js'), 'build', ...ncc],
    {
      cwd,
      encoding: 'utf8'
    }
  )
  if (result.status !== 0) throw new Error(`ncc ${ncc.join(' ')} failed:\n${result.stdout}${result.stderr}`)
}

/**
 * A directory in `work` for the tiny bundles: entry files that import one package each, resolved from the
 * project's node_modules (linked, not copied).
 * @param {string} work
 */
function tinyProject(work) {
  const dir = join(work, 'tiny')
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n')
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
  writeFileSync(join(dir, 'core-only.js'), "import * as core from '@actions/core'\ncore.info('hello')\n")
  writeFileSync(join(dir, 'undici-only.js'), "import { Agent } from 'undici'\nconsole.log(typeof Agent)\n")
  return dir
}

/** Whether package.json's bundle script minifies (ncc -m / --minify). */
function bundleMinifies() {
  const script = String(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts?.bundle ?? '')
  return /(^|\s)(-m|--minify)(\s|$)/.test(script)
}

const UNMINIFIED = 'action, not minified (list)'
const MINIFIED = 'action, minified: ncc -m (list)'
const TINY_UNDICI = 'tiny: undici only'
const TINY_CORE = 'tiny: @actions/core only'

async function builds() {
  const work = mkdtempSync(join(tmpdir(), 'vps-bench-builds-'))
  const minify = bundleMinifies() ? ['-m'] : []
  try {
    const out = (/** @type {string} */ name) => join(work, name)
    progress('building: the action not minified and minified, and two tiny bundles (about half a minute)')
    ncc(['src/index.ts', '-o', out('unminified'), '--license', 'licenses.txt'], ROOT)
    ncc(['src/index.ts', '-o', out('minified'), '-m', '--license', 'licenses.txt'], ROOT)
    // The tiny ones are built as the bundle script builds (minified or not), to compare like with like.
    const tiny = tinyProject(work)
    ncc(['undici-only.js', '-o', out('undici-only'), ...minify], tiny)
    ncc(['core-only.js', '-o', out('core-only'), ...minify], tiny)

    const sim = await startSimulator({ token: TOKEN })
    try {
      sim.addBackup({ serverId: SERVER_ID, description: 'Pre-deploy backup', created_at: '2026-11-27T03:00:00Z' })
      const inputs = { 'api-token': TOKEN, 'api-url': sim.url, 'server-id': String(SERVER_ID), command: 'list' }
      /** @param {string} name @param {string} dir @param {boolean} action */
      const variant = (name, dir, action) => ({
        name,
        args: [join(out(dir), 'index.js')],
        inputs,
        check: action,
        dir: out(dir)
      })
      const variants = [
        { name: 'node -e 0', args: ['-e', '0'], inputs },
        variant(UNMINIFIED, 'unminified', true),
        variant(MINIFIED, 'minified', true),
        variant(TINY_UNDICI, 'undici-only', false),
        variant(TINY_CORE, 'core-only', false)
      ]
      progress(`build comparison: ${STARTUP_RUNS} interleaved runs of each of ${variants.length} variants`)
      const { times, cpuTimes } = await interleaved(variants, STARTUP_RUNS, sim, { cpu: true })
      progress('build comparison: peak RSS of each, and of the list of 10,000 for the builds of the action')
      /** @type {Record<string, { small: number, big?: number }>} */
      const peaks = {}
      const big = await bigListSimulator()
      try {
        for (const v of variants) {
          let small = 0
          for (let i = 0; i < 3; i++) {
            const run = await runNode(v.args, v.inputs, { peak: true })
            mustSucceed(run, `peak RSS of ${v.name}`)
            small = Math.max(small, run.peakMb ?? 0)
          }
          peaks[v.name] = { small, big: v.check ? (await bigListRuns(v.args[0], big, 3)).peakMb : undefined }
        }
      } finally {
        await big.sim.close()
      }
      /** @param {string} name @param {string} base */
      const compare = (name, base) => ({
        wall: summary(times[name], times[base]),
        cpu: summary(cpuTimes[name], cpuTimes[base])
      })
      return {
        variants: variants.map(v => ({
          name: v.name,
          bytes: v.dir ? statSync(join(v.dir, 'index.js')).size : undefined,
          peaks: peaks[v.name],
          ...compare(v.name, 'node -e 0')
        })),
        minifiedBundle: minify.length > 0,
        minified: compare(MINIFIED, UNMINIFIED),
        overCore: compare(minify.length ? MINIFIED : UNMINIFIED, TINY_CORE),
        coreOverUndici: compare(TINY_CORE, TINY_UNDICI)
      }
    } finally {
      await sim.close()
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------
// dist/ against another build (--against)
// ---------------------------------------------------------------------------------------------

/** @param {string[]} others directories holding other builds' index.js; the first is the base */
async function against(others) {
  for (const dir of others) if (!existsSync(join(dir, 'index.js'))) throw new Error(`${dir}/index.js is missing`)
  const other = others[0]
  const sim = await startSimulator({ token: TOKEN })
  try {
    sim.addBackup({ serverId: SERVER_ID, description: 'Pre-deploy backup', created_at: '2026-11-27T03:00:00Z' })
    const inputs = { 'api-token': TOKEN, 'api-url': sim.url, 'server-id': String(SERVER_ID), command: 'list' }
    const variants = [
      { name: 'node -e 0', args: ['-e', '0'], inputs },
      { name: 'dist/', args: [join(DIST, 'index.js')], inputs, check: true, dir: DIST },
      ...others.map(dir => ({ name: dir, args: [join(dir, 'index.js')], inputs, check: true, dir }))
    ]
    const loadAtStart = loadavg()[0].toFixed(2)
    const before = sim.requests.length
    progress(`dist/ against ${others.join(', ')}: ${STARTUP_RUNS} interleaved runs of each (list of 1 backup)`)
    const { times, cpuTimes } = await interleaved(variants, STARTUP_RUNS, sim, { cpu: true })
    const requests = (sim.requests.length - before) / ((STARTUP_RUNS + 1) * (others.length + 1))
    printTable(
      ['build', 'dir bytes', 'index.js', 'wall, median', 'CPU, median', `CPU over ${other}, paired (p25..p75)`],
      variants.map(v => {
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
      })
    )
    console.log(
      `\n${requests} request(s) a run; Node ${process.version}, ${cpus().length} cores, load average ` +
        `${loadAtStart} at the start, ${loadavg()[0].toFixed(2)} at the end`
    )
  } finally {
    await sim.close()
  }
}

// ---------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(join(DIST, 'index.js'))) throw new Error('dist/index.js is missing: run npm run bundle first')
  if (args.against) return against(args.against)
  const distBytes = directoryBytes(DIST)
  const loadAtStart = loadavg()[0].toFixed(2)
  const start = await startup()
  const waits = [await waitScenario(4000), await waitScenario(20_000), await waitScenario(20_000, 'snapshot')]
  const many = await manyBackupsScenario()
  const restores = [await restoreScenario(MANY), await restoreScenario(1)]
  const big = await bigList()
  const endless = []
  for (const shape of ENDLESS) endless.push(await endlessList(shape))
  const compared = args.builds ? await builds() : undefined

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
  row('dist/ size (bytes of its files)', fmtBytes(distBytes))
  row('dist/index.js built by npm run bundle', bundleMinifies() ? 'minified (ncc -m)' : 'not minified')
  for (const w of waits) {
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
  for (const r of restores) {
    const name =
      r.count === 1 ? `1 server, ${MANY_MS / 1000} s restore` : `${r.count} servers, ${MANY_MS / 1000} s restores`
    row(
      `${name}: ${r.count === 1 ? 'server' : 'last server'} back, noticed after`,
      `${fmtS(r.noticedLateMs)}${r.noticedBy === 'check' ? '' : ' (run end)'}`,
      `<= ${fmtS(TARGETS.noticedMany)}`,
      r.noticedLateMs <= TARGETS.noticedMany
    )
    row(`${name}: run ended after the ${r.count === 1 ? 'server was' : 'last server was'} back`, fmtS(r.runEndLateMs))
    row(
      `${name}: rounds of server checks`,
      String(r.rounds),
      `<= ${TARGETS.roundsMany}`,
      r.rounds <= TARGETS.roundsMany
    )
    row(`${name}: requests (during the wait / whole run)`, `${r.waitRequests} / ${r.requests}`)
    row(
      `${name}: connections open at once (most)`,
      String(r.maxOpen),
      `<= ${TARGETS.connections}`,
      r.maxOpen <= TARGETS.connections
    )
  }
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

  for (const e of endless) {
    row(
      `endless next chain, ${e.name}: stopped`,
      `${e.clear ? `at ${e.boundName}` : `exit ${e.exitCode}: ${e.error.slice(0, 60)}`}, after ${e.pages} pages, ${fmtS(e.ms)}`,
      'one clear error at a bound',
      e.clear
    )
    row(`endless next chain, ${e.name}: peak RSS`, `${e.peakMb.toFixed(1)} MB`)
  }

  const cpu = cpus()
  console.log(
    `\nvps-backup-action benchmark: Node ${process.version}, ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ` +
      `${process.platform}/${process.arch}; start-up: ${STARTUP_RUNS} interleaved runs each; peak RSS via ` +
      `${HAS_TIME ? '/usr/bin/time -f %M' : 'VmHWM polled every 20 ms'}; load average at the start ${loadAtStart}, ` +
      `at the end ${loadavg()[0].toFixed(2)} (other work on the machine slows the wall times)\n`
  )
  printTable(['figure', 'value', 'target', ''], rows)
  console.log('\nWhere an endless next chain stopped (the error line of each):')
  for (const e of endless) console.log(`  ${e.name}: ${e.error}`)

  if (compared) {
    console.log(
      `\nStart-up of other builds (--builds): ${STARTUP_RUNS} interleaved runs each, every run loading a one-line ` +
        '--import that reports its CPU time (user + system, all threads); ms: median (p25-p75), and over node -e 0 ' +
        '(median of paired differences):\n'
    )
    /** @param {{ median: number, p25: number, p75: number }} s */
    const spread = s => `${s.median.toFixed(1)} (${s.p25.toFixed(0)}-${s.p75.toFixed(0)})`
    printTable(
      ['variant', 'wall', 'wall over bare', 'CPU', 'CPU over bare', 'index.js', 'peak RSS', 'peak RSS, list of 10,000'],
      compared.variants.map(v => [
        v.name,
        spread(v.wall),
        v.wall.diff.toFixed(1),
        spread(v.cpu),
        v.cpu.diff.toFixed(1),
        v.bytes === undefined ? '' : `${Math.round(v.bytes / 1024)} KiB`,
        `${v.peaks.small.toFixed(1)} MB`,
        v.peaks.big === undefined ? '' : `${v.peaks.big.toFixed(1)} MB`
      ])
    )
    console.log('(peak RSS: highest of 3 runs each, without the --import)')
    /** @param {string} what @param {{ wall: ReturnType<typeof summary>, cpu: ReturnType<typeof summary> }} c */
    const delta = (what, c) =>
      console.log(
        `${what}: wall ${c.wall.diff >= 0 ? '+' : ''}${c.wall.diff.toFixed(1)} ms (p25-p75 ${c.wall.diffP25.toFixed(1)} to ` +
          `${c.wall.diffP75.toFixed(1)}, lower in ${Math.round(c.wall.lowerShare * 100)}% of pairs), CPU ` +
          `${c.cpu.diff >= 0 ? '+' : ''}${c.cpu.diff.toFixed(1)} ms (p25-p75 ${c.cpu.diffP25.toFixed(1)} to ` +
          `${c.cpu.diffP75.toFixed(1)}, lower in ${Math.round(c.cpu.lowerShare * 100)}% of pairs)`
      )
    const current = compared.minifiedBundle ? MINIFIED : UNMINIFIED
    console.log(
      `\nPaired differences (median over rounds of one's run minus the other's); the bundle script ` +
        `${compared.minifiedBundle ? 'minifies' : 'does not minify'}, and the tiny builds above are built likewise:`
    )
    delta('minified - not minified', compared.minified)
    delta(`${current.replace(' (list)', '')} - tiny core only`, compared.overCore)
    delta('tiny core only - tiny undici only', compared.coreOverUndici)
    const action = /** @type {(typeof compared.variants)[number]} */ (compared.variants.find(v => v.name === current))
    const undici = /** @type {(typeof compared.variants)[number]} */ (
      compared.variants.find(v => v.name === TINY_UNDICI)
    )
    /** @param {number} ms */
    const share = ms => `${ms.toFixed(1)} ms (${Math.round((ms / action.cpu.diff) * 100)}%)`
    console.log(
      `Of the action's CPU over bare node (${action.cpu.diff.toFixed(1)} ms): undici ${share(undici.cpu.diff)}, ` +
        `the rest of @actions/core ${share(compared.coreOverUndici.cpu.diff)}, the action's own modules and the ` +
        `list ${share(compared.overCore.cpu.diff)} (medians of paired differences: they need not add up)`
    )
  }

  console.log(
    misses ? `\n${misses} target${misses === 1 ? '' : 's'} missed (a report: exit code 0).` : '\nAll targets met.'
  )
}

try {
  await main()
} catch (error) {
  console.error(`bench crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exitCode = 1
}
