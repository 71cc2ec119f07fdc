// @ts-check
/**
 * Runs the bundled action as the GitHub runner does: `node dist/index.js` in a child process,
 * every input of action.yml as INPUT_<NAME> (its defaults filled in), and the GITHUB_OUTPUT,
 * GITHUB_STATE, GITHUB_ENV and GITHUB_STEP_SUMMARY files; the post step with STATE_<name> from the
 * main step's GITHUB_STATE. What a step writes to GITHUB_ENV comes back as `exported`: the caller
 * passes it on (`env`) to the job's later steps and post steps, as the runner does. Plain JavaScript so that `npm run demo` and the benchmark use it as the
 * tests do.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * @typedef {{
 *   inputs: Record<string, { description: string; required?: boolean; default?: string }>
 *   outputs: Record<string, { description: string }>
 *   runs: { using: string; main: string; post?: string; 'post-if'?: string }
 * }} ActionYml
 * @typedef {{
 *   exitCode: number | null
 *   log: string
 *   outputs: Record<string, string>
 *   state: Record<string, string>
 *   exported: Record<string, string>
 *   summary: string
 *   durationMs: number
 *   ranMs: number
 *   killed: boolean
 *   exitedAfterLastLineMs: number
 * }} ActionRun
 */

/**
 * @typedef {object} RunOptions
 * @property {Record<string, string>} [env]
 * @property {Record<string, string>} [postState] Runs the post step with this state of the main step.
 * @property {number} [killAfterMs] Kills the step (SIGKILL) after this long; default 50 s. The run
 *   then says `killed`, so a step that never ends fails the test that names it.
 * @property {(text: string) => void} [echo] Receives the log as it comes, e.g. to abort once a line
 *   was printed.
 * @property {AbortSignal} [signal] Aborting it kills the step at once (SIGKILL), as cancelling the job
 *   does; what the step wrote to its files by then is collected as usual.
 */

/** @returns {ActionYml} */
export function readActionYml() {
  return parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'))
}

/**
 * The Node.js that runs the action: this one (Node.js 24, the runtime action.yml names, in `.ci/run` and the
 * workflows), or another given as ACTION_NODE, to try the bundle on another runtime.
 */
export const ACTION_NODE = process.env.ACTION_NODE || process.execPath

/** The repository, commit and run a workflow run would have. */
export const GITHUB_ENV = {
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_SHA: '3f1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e',
  GITHUB_RUN_ID: '9876543210',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_WORKFLOW: 'deploy',
  GITHUB_JOB: 'deploy',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_ACTIONS: 'true'
}

/**
 * The event that started the run, as the runner gives every step (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH): a push
 * to acme/shop's main, with the payload's usual size (about 9 KB), which @actions/github's context reads and parses.
 */
export const EVENT_ENV = {
  GITHUB_EVENT_NAME: 'push',
  GITHUB_EVENT_PATH: join(ROOT, 'tools/push-event.json')
}

/**
 * Input name → runner variable: uppercased, spaces to `_`, hyphens kept.
 * @param {string} name
 */
export function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/**
 * Parses a GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV file (`name<<delimiter` heredocs and `name=value` lines).
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function parseCommandFile(text) {
  /** @type {Record<string, string>} */
  const values = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name = '', delimiter] = heredoc
      const body = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i])
      values[name] = body.join('\n')
    } else if (line.includes('=')) {
      const at = line.indexOf('=')
      values[line.slice(0, at)] = line.slice(at + 1)
    }
  }
  return values
}

/**
 * What the runner gives a step: a fresh directory with the GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV
 * and GITHUB_STEP_SUMMARY files, and an environment with every input of action.yml as INPUT_<NAME>
 * (its default when not given) and the run's GITHUB_* variables, the event payload's file among them.
 * @param {Record<string, string>} inputs
 * @param {Record<string, string>} [extraEnv]
 */
export function prepareStep(inputs, extraEnv = {}) {
  const action = readActionYml()
  const unknown = Object.keys(inputs).filter(name => !(name in action.inputs))
  if (unknown.length) throw new Error(`inputs that action.yml does not declare: ${unknown.join(', ')}`)
  const dir = mkdtempSync(join(tmpdir(), 'vps-action-'))
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary')
  }
  for (const file of Object.values(files)) writeFileSync(file, '')
  /** @type {Record<string, string>} */
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    RUNNER_TEMP: dir,
    ...GITHUB_ENV,
    ...EVENT_ENV,
    ...files,
    ...extraEnv
  }
  for (const [name, spec] of Object.entries(action.inputs)) {
    env[inputVariable(name)] = inputs[name] ?? spec.default ?? ''
  }
  return { dir, files, env }
}

/**
 * Runs the main step (or, with `postState`, the post step) and collects what the runner would.
 * @param {Record<string, string>} inputs
 * @param {RunOptions} [options]
 * @returns {Promise<ActionRun>}
 */
export async function runAction(inputs, options = {}) {
  const action = readActionYml()
  const { dir, files, env } = prepareStep(inputs, options.env)
  for (const [name, value] of Object.entries(options.postState ?? {})) env[`STATE_${name}`] = value
  const script = join(ROOT, options.postState ? String(action.runs.post) : action.runs.main)

  const started = Date.now()
  const child = spawn(ACTION_NODE, [script], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  let lastOutputAt = started
  /** @type {number | undefined} */
  let firstOutputAt
  /** @param {Buffer} chunk */
  const collect = chunk => {
    lastOutputAt = Date.now()
    firstOutputAt ??= lastOutputAt
    log += chunk.toString()
    options.echo?.(chunk.toString())
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  let killed = false
  const killer = setTimeout(() => {
    killed = true
    child.kill('SIGKILL')
  }, options.killAfterMs ?? 50_000)
  const cancel = () => child.kill('SIGKILL')
  if (options.signal?.aborted) cancel()
  options.signal?.addEventListener('abort', cancel, { once: true })
  /** @type {number | null} */
  const exitCode = await new Promise(done => child.on('close', code => done(code)))
  const closedAt = Date.now()
  const exitedAfterLastLineMs = closedAt - lastOutputAt
  clearTimeout(killer)
  options.signal?.removeEventListener('abort', cancel)
  /** @param {string} file */
  const read = file => readFileSync(file, 'utf8')
  const run = {
    exitCode,
    log,
    outputs: parseCommandFile(read(files.GITHUB_OUTPUT)),
    state: parseCommandFile(read(files.GITHUB_STATE)),
    exported: parseCommandFile(read(files.GITHUB_ENV)),
    summary: read(files.GITHUB_STEP_SUMMARY),
    durationMs: closedAt - started,
    // From the action's first line (the token's mask, printed before anything else) to its exit:
    // what the action's own timers and requests took, without starting Node.js and loading the
    // bundle, the part a busy machine stretches most (seen: 8 s for a step that ran 1 s).
    ranMs: closedAt - (firstOutputAt ?? started),
    killed,
    exitedAfterLastLineMs
  }
  rmSync(dir, { recursive: true, force: true })
  return run
}
