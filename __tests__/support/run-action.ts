/**
 * Test helpers around the runner emulation in runner.js (shared with `npm run demo` and the
 * benchmark).
 */
import { readActionYml, runAction, type ActionRun, type RunOptions } from './runner.js'

export { GITHUB_ENV, ROOT, inputVariable, parseCommandFile, readActionYml, runAction } from './runner.js'
export type { ActionRun, ActionYml, RunOptions } from './runner.js'

/**
 * The main step, then the post step as the runner runs it for `post-if: failure()`: only when the
 * job has failed so far (this step failing, or a later step such as the deploy).
 */
export async function runWithPost(
  inputs: Record<string, string>,
  options: RunOptions & { laterStepFailed: boolean }
): Promise<{ main: ActionRun; post: ActionRun | undefined }> {
  const action = readActionYml()
  if (action.runs['post-if'] !== 'failure()') throw new Error('action.yml: runs.post-if is not failure()')
  const main = await runAction(inputs, options)
  const jobFailed = main.exitCode !== 0 || options.laterStepFailed
  const post = jobFailed ? await runAction(inputs, { ...options, postState: main.state }) : undefined
  return { main, post }
}

/** The `::error::` lines the runner turns into annotations, decoded. */
export function errorLines(log: string): string[] {
  return log
    .split('\n')
    .filter(line => line.startsWith('::error'))
    .map(line =>
      line
        .replace(/^::error[^:]*::/, '')
        .replace(/%0A/g, '\n')
        .replace(/%0D/g, '\r')
        .replace(/%25/g, '%')
    )
}

/**
 * The log as a person sees it: the runner consumes `::add-mask::` lines (that is how a secret is
 * registered) and never shows them, so the token may stand there and nowhere else.
 */
export function visibleLog(log: string): string {
  return log
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n')
}
