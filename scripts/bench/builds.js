// @ts-check
/**
 * Other builds (`--builds`): builds, into temporary directories, the action not minified and minified (ncc -m) and
 * two tiny bundles (undici, which @actions/http-client loads; @actions/core, which only the real runner port,
 * src/runner/actions-runner.ts, imports), and compares their start-up (wall and CPU time) and peak RSS: whether
 * minifying pays, and how much of start-up is the toolkit and how much the action's own modules. (Until issue 16
 * there was also a build without @actions/github, to price octokit; issue 21 priced its import with --against.)
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSimulator } from '../../tools/simulator/index.js'
import { ROOT } from '../../tools/runner.js'
import { bigListRuns, bigListSimulator } from './big-list.js'
import {
  SERVER_ID,
  TOKEN,
  bundleMinifies,
  interleaved,
  listInputs,
  mustSucceed,
  printTable,
  progress,
  runNode,
  summary
} from './shared.js'

const UNMINIFIED = 'action, not minified (list)'
const MINIFIED = 'action, minified: ncc -m (list)'
const TINY_UNDICI = 'tiny: undici only'
const TINY_CORE = 'tiny: @actions/core only'

/** @typedef {{ name: string, args: string[], inputs: Record<string, string>, check?: boolean, dir?: string }} Variant */
/** @typedef {{ wall: ReturnType<typeof summary>, cpu: ReturnType<typeof summary> }} Comparison */

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

/** Builds the four bundles into `work`. @param {string} work @param {string[]} minify @returns the dir of one */
function buildAll(work, minify) {
  const out = (/** @type {string} */ name) => join(work, name)
  progress('building: the action not minified and minified, and two tiny bundles (about half a minute)')
  ncc(['src/index.ts', '-o', out('unminified'), '--license', 'licenses.txt'], ROOT)
  ncc(['src/index.ts', '-o', out('minified'), '-m', '--license', 'licenses.txt'], ROOT)
  // The tiny ones are built as the bundle script builds (minified or not), to compare like with like.
  const tiny = tinyProject(work)
  ncc(['undici-only.js', '-o', out('undici-only'), ...minify], tiny)
  ncc(['core-only.js', '-o', out('core-only'), ...minify], tiny)
  return out
}

/** The peak RSS of each variant: of a small list, and of the list of 10,000 for the builds of the action. @param {Variant[]} variants */
async function peaksOf(variants) {
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
  return peaks
}

/** @param {(name: string) => string} out @param {number} runs @param {boolean} minified */
async function measure(out, runs, minified) {
  const sim = await startSimulator({ token: TOKEN })
  try {
    sim.addBackup({ serverId: SERVER_ID, description: 'Pre-deploy backup', created_at: '2026-11-27T03:00:00Z' })
    const inputs = listInputs(sim.url)
    /** @type {(name: string, dir: string, action: boolean) => Variant} */
    const variant = (name, dir, action) => ({
      name,
      args: [join(out(dir), 'index.js')],
      inputs,
      check: action,
      dir: out(dir)
    })
    /** @type {Variant[]} */
    const variants = [
      { name: 'node -e 0', args: ['-e', '0'], inputs },
      variant(UNMINIFIED, 'unminified', true),
      variant(MINIFIED, 'minified', true),
      variant(TINY_UNDICI, 'undici-only', false),
      variant(TINY_CORE, 'core-only', false)
    ]
    progress(`build comparison: ${runs} interleaved runs of each of ${variants.length} variants`)
    const { times, cpuTimes } = await interleaved(variants, runs, sim, { cpu: true })
    const peaks = await peaksOf(variants)
    /** @type {(name: string, base: string) => Comparison} */
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
      minifiedBundle: minified,
      minified: compare(MINIFIED, UNMINIFIED),
      overCore: compare(minified ? MINIFIED : UNMINIFIED, TINY_CORE),
      coreOverUndici: compare(TINY_CORE, TINY_UNDICI)
    }
  } finally {
    await sim.close()
  }
}

/** @param {number} runs */
async function builds(runs) {
  const work = mkdtempSync(join(tmpdir(), 'vps-bench-builds-'))
  const minify = bundleMinifies() ? ['-m'] : []
  try {
    return await measure(buildAll(work, minify), runs, minify.length > 0)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** @param {string} what @param {Comparison} c */
function delta(what, c) {
  console.log(
    `${what}: wall ${c.wall.diff >= 0 ? '+' : ''}${c.wall.diff.toFixed(1)} ms (p25-p75 ${c.wall.diffP25.toFixed(1)} to ` +
      `${c.wall.diffP75.toFixed(1)}, lower in ${Math.round(c.wall.lowerShare * 100)}% of pairs), CPU ` +
      `${c.cpu.diff >= 0 ? '+' : ''}${c.cpu.diff.toFixed(1)} ms (p25-p75 ${c.cpu.diffP25.toFixed(1)} to ` +
      `${c.cpu.diffP75.toFixed(1)}, lower in ${Math.round(c.cpu.lowerShare * 100)}% of pairs)`
  )
}

/** @param {Awaited<ReturnType<typeof builds>>} compared @param {number} runs */
function printTableOf(compared, runs) {
  console.log(
    `\nStart-up of other builds (--builds): ${runs} interleaved runs each, every run loading a one-line ` +
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
}

/** @param {Awaited<ReturnType<typeof builds>>} compared @param {number} runs */
function print(compared, runs) {
  printTableOf(compared, runs)
  const current = compared.minifiedBundle ? MINIFIED : UNMINIFIED
  console.log(
    `\nPaired differences (median over rounds of one's run minus the other's); the bundle script ` +
      `${compared.minifiedBundle ? 'minifies' : 'does not minify'}, and the tiny builds above are built likewise:`
  )
  delta('minified - not minified', compared.minified)
  delta(`${current.replace(' (list)', '')} - tiny core only`, compared.overCore)
  delta('tiny core only - tiny undici only', compared.coreOverUndici)
  const action = /** @type {(typeof compared.variants)[number]} */ (compared.variants.find(v => v.name === current))
  const undici = /** @type {(typeof compared.variants)[number]} */ (compared.variants.find(v => v.name === TINY_UNDICI))
  /** @param {number} ms */
  const share = ms => `${ms.toFixed(1)} ms (${Math.round((ms / action.cpu.diff) * 100)}%)`
  console.log(
    `Of the action's CPU over bare node (${action.cpu.diff.toFixed(1)} ms): undici ${share(undici.cpu.diff)}, ` +
      `the rest of @actions/core ${share(compared.coreOverUndici.cpu.diff)}, the action's own modules and the ` +
      `list ${share(compared.overCore.cpu.diff)} (medians of paired differences: they need not add up)`
  )
}

/** @type {import('./shared.js').Benchmark} */
export default {
  name: 'builds',
  about: 'start-up and peak RSS of the action not minified and minified and of two tiny bundles (about 100 s)',
  async run(options) {
    const compared = await builds(options.runs)
    return { print: () => print(compared, options.runs) }
  }
}
