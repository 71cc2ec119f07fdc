/**
 * The name of a snapshot (VPS.org's snapshots need one, backups do not): checking a name given as
 * the `snapshot-name` input, and the default made from the run. Pure: the run is given.
 */
import type { RunContext } from './description.js'
import { InputError } from '../base/errors.js'
import { safeText } from '../base/text.js'

/**
 * VPS.org documents no bound on a snapshot's name, only its characters: letters, digits, hyphens
 * and underscores, which is Django's slug rule; Django's SlugField holds 50 characters unless told
 * otherwise, and a DRF serializer over it refuses a longer name with 400 after the run has started.
 * So names stay within 50: the largest bound that such an API takes, and enough for the default
 * name's run id and attempt (at most 47 characters with the largest ids) with room for the sha and
 * some of the repository.
 */
export const SNAPSHOT_NAME_MAX_LENGTH = 50

/**
 * ASCII only: the slug rule Django applies unless told to allow Unicode. Tested one character at a time, so three
 * mutants of its anchors and `+` are equivalent (StrykerJS), left.
 */
const SNAPSHOT_NAME = /^[A-Za-z0-9_-]+$/
const NOT_IN_NAME = /[^A-Za-z0-9_-]+/gu
const DEFAULT_PREFIX = 'pre-deploy'

/**
 * The `snapshot-name` input as given, or an InputError naming what is wrong with it: a name is
 * refused, never rewritten, so the snapshot in the panel carries the name the workflow says.
 */
export function checkSnapshotName(name: string): string {
  const problem = snapshotNameProblem(name)
  if (problem === undefined) return name
  throw new InputError(
    `snapshot-name "${safeText(name, 60)}" ${problem}; VPS.org takes letters (a-z, A-Z), digits, hyphens and ` +
      `underscores only, and this action at most ${SNAPSHOT_NAME_MAX_LENGTH} characters (leave it empty for a name made from the run)`
  )
}

function snapshotNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty'
  const length = [...name].length
  if (length > SNAPSHOT_NAME_MAX_LENGTH) return `is ${length} characters long`
  const bad = [...name].find(c => !SNAPSHOT_NAME.test(c))
  return bad === undefined ? undefined : `contains ${/\s/u.test(bad) ? 'white space' : `"${safeText(bad, 4)}"`}`
}

/**
 * Runs of other characters made one `-`, and none left at either end. (`-$` for `-+$` is an equivalent mutant,
 * left: the cut in defaultSnapshotName drops trailing hyphens again.)
 */
function slug(text: string): string {
  return text.replace(NOT_IN_NAME, '-').replace(/^-+|-+$/g, '')
}

const isPositive = (n: number | undefined): boolean => Number.isSafeInteger(n) && Number(n) > 0

/**
 * `pre-deploy-<repo>-<sha7>-run<id>-<attempt>`, e.g. `pre-deploy-shop-3f1c2d9-run9876543210-1`:
 * unique per run and attempt (GITHUB_RUN_ID is unique across repositories), which is what matches
 * an uncertain create afterwards. The repository's name without its owner (the run id already
 * tells repositories apart), other characters turned to `-`. Over the bound, the repository's
 * part is cut first, then the sha's, so the run and attempt always survive; values missing are
 * left out, down to `pre-deploy`, never empty.
 */
export function defaultSnapshotName(run: RunContext): string {
  const repo = slug(run.repository?.split('/').at(-1) ?? '')
  const sha = slug(run.sha?.slice(0, 7) ?? '')
  const runPart = isPositive(run.runId) ? `run${run.runId}` : ''
  const attempt = isPositive(run.runAttempt) && runPart ? String(run.runAttempt) : ''
  // In the order they are cut, each as long as the others leave room for.
  const cuttable = [repo, sha]
  const fixed = [DEFAULT_PREFIX, runPart, attempt]
  const join = (parts: string[]): string => [fixed[0], ...parts, ...fixed.slice(1)].filter(Boolean).join('-')
  for (const [i, part] of cuttable.entries()) {
    const over = Math.max(0, join(cuttable).length - SNAPSHOT_NAME_MAX_LENGTH)
    // A cut leaves no hyphen at the part's end (a slug has none there of its own).
    cuttable[i] = part.slice(0, Math.max(0, part.length - over)).replace(/-+$/, '')
  }
  return join(cuttable)
}
