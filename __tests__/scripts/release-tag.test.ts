/**
 * The release workflow's move of the major tag, rehearsed offline against a bare origin in a temp dir: the
 * `Decide where the major tag goes` step (scripts/move-major-tag.js, in a clone with every tag, as the check job
 * has it) with the release's JSON as GitHub answers it, then the `Move` step of the job that may push, in another
 * clone, as the workflow runs them (their `run:` text from release.yml, with bash -eo pipefail). Each case asserts
 * where the tags point in the origin afterwards, and what a refusal says.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { parse as parseYaml } from 'yaml'
import { ROOT } from '../support/run-action.js'

type Step = { name?: string; id?: string; run?: string }
const workflow = parseYaml(readFileSync(join(ROOT, '.github/workflows/release.yml'), 'utf8')) as {
  jobs: Record<string, { steps: Step[] }>
}
const planStep = workflow.jobs.check?.steps.find(step => step.id === 'plan')?.run ?? ''
const moveStep = workflow.jobs['move-major-tag']?.steps.find(step => step.run?.includes('git push'))?.run ?? ''

const NOT_FOUND = {
  message: 'Not Found',
  documentation_url: 'https://docs.github.com/rest/releases/releases#get-a-release-by-tag-name',
  status: '404'
}

/** A release as GET /repos/{owner}/{repo}/releases/tags/{tag} answers it. */
function release(tag: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    url: `https://api.github.com/repos/org/vps-backup-action/releases/1`,
    id: 1,
    tag_name: tag,
    target_commitish: 'main',
    name: tag,
    draft: false,
    prerelease: false,
    immutable: true,
    created_at: '2026-12-01T10:00:00Z',
    published_at: '2026-12-01T10:05:00Z',
    assets: [],
    ...fields
  }
}

let dir = ''
let runs = 0
const env = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: dir,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Release Test',
  GIT_AUTHOR_EMAIL: 'release@example.test',
  GIT_COMMITTER_NAME: 'Release Test',
  GIT_COMMITTER_EMAIL: 'release@example.test'
})

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: env(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

const origin = (): string => join(dir, 'origin.git')
const work = (): string => join(dir, 'work')

/** Where a tag points in the origin (the commit), or null. */
function originTag(name: string): string | null {
  const out = spawnSync('git', ['rev-parse', '--verify', '--quiet', `refs/tags/${name}^{commit}`], {
    cwd: origin(),
    env: env(),
    encoding: 'utf8'
  })
  return out.status === 0 ? out.stdout.trim() : null
}

/** A new commit on `branch` of the work clone (created from `from` if given), pushed, and tagged `tag` if given. */
function commit(branch: string, options: { from?: string; tag?: string } = {}): string {
  if (options.from) git(work(), 'checkout', '-q', '-B', branch, options.from)
  else git(work(), 'checkout', '-q', branch)
  git(work(), 'commit', '-q', '--allow-empty', '-m', `a change on ${branch}`)
  const sha = git(work(), 'rev-parse', 'HEAD')
  if (options.tag) git(work(), 'tag', '-a', options.tag, '-m', options.tag)
  git(work(), 'push', '-q', 'origin', branch, ...(options.tag ? [`refs/tags/${options.tag}`] : []))
  return sha
}

/** Sets a tag in the origin by hand, as a maintainer would before this workflow existed. */
function pointTag(name: string, sha: string): void {
  git(work(), 'tag', '-f', name, sha)
  git(work(), 'push', '-q', '--force', 'origin', `refs/tags/${name}`)
}

function bash(script: string, cwd: string, extra: Record<string, string>) {
  const file = join(dir, `step-${++runs}.sh`)
  writeFileSync(file, script)
  const out = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
    cwd,
    env: { ...env(), ...extra },
    encoding: 'utf8'
  })
  return { status: out.status, log: `${out.stdout}${out.stderr}` }
}

type Check = { status: number | null; log: string; outputs: Record<string, string> }

/** The check job's decision, in a fresh clone with every tag, given the release's JSON as GitHub answered. */
function check(tag: string, event: 'release' | 'workflow_dispatch', answer: unknown): Check {
  const clone = join(dir, `check-${++runs}`)
  git(dir, 'clone', '-q', '--no-checkout', origin(), clone)
  mkdirSync(join(clone, 'scripts'))
  copyFileSync(join(ROOT, 'scripts/move-major-tag.js'), join(clone, 'scripts/move-major-tag.js'))
  const temp = mkdtempSync(join(dir, 'runner-temp-'))
  writeFileSync(join(temp, 'release.json'), JSON.stringify(answer))
  const output = join(temp, 'output')
  writeFileSync(output, '')
  const run = bash(planStep, clone, { TAG: tag, GITHUB_EVENT_NAME: event, RUNNER_TEMP: temp, GITHUB_OUTPUT: output })
  const outputs = Object.fromEntries(
    readFileSync(output, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(line => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
  )
  return { ...run, outputs }
}

/** The job that may push, in a fresh clone checked out at the release's commit, as actions/checkout leaves it. */
function move(tag: string, outputs: Record<string, string>) {
  const clone = join(dir, `move-${++runs}`)
  git(dir, 'clone', '-q', origin(), clone)
  git(clone, 'checkout', '-q', '--detach', outputs.sha ?? '')
  const summary = join(dir, `summary-${runs}`)
  const run = bash(moveStep, clone, {
    TAG: tag,
    MAJOR: outputs.major ?? '',
    SHA: outputs.sha ?? '',
    LEASE: outputs.lease ?? '',
    GITHUB_STEP_SUMMARY: summary
  })
  return { ...run, summary: run.status === 0 ? readFileSync(summary, 'utf8') : '' }
}

/** The whole workflow: the check, then, if it passed, the move. */
function runWorkflow(tag: string, event: 'release' | 'workflow_dispatch', answer: unknown = release(tag)) {
  const decided = check(tag, event, answer)
  if (decided.status !== 0) return decided
  const moved = move(tag, decided.outputs)
  expect(moved).toMatchObject({
    status: 0,
    summary: `${decided.outputs.major} now points at ${decided.outputs.sha} (${tag})\n`
  })
  return decided
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'release-tag-'))
  git(dir, 'init', '-q', '--bare', '--initial-branch=main', origin())
  git(dir, 'clone', '-q', origin(), work())
  git(work(), 'checkout', '-q', '-b', 'main')
  git(work(), 'commit', '-q', '--allow-empty', '-m', 'the first commit')
  git(work(), 'push', '-q', 'origin', 'main')
})

afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('the workflow steps that the rehearsal runs', () => {
  it('take what they use from the environment the workflow sets, not from expressions', () => {
    expect(planStep).toContain('node scripts/move-major-tag.js')
    expect(moveStep).toContain('git push --force-with-lease')
    for (const step of [planStep, moveStep]) expect(step).not.toContain('${{')
  })
})

describe('on a release', () => {
  it('the first release of a major makes its major tag', () => {
    const c1 = commit('main', { tag: 'v1.0.0' })
    expect(runWorkflow('v1.0.0', 'release')).toMatchObject({ status: 0, outputs: { major: 'v1', sha: c1, lease: '' } })
    expect(originTag('v1')).toBe(c1)
  })

  it('moves the major tag forward to a higher version', () => {
    const c1 = commit('main', { tag: 'v1.0.0' })
    pointTag('v1', c1)
    const c2 = commit('main', { tag: 'v1.1.0' })
    expect(runWorkflow('v1.1.0', 'release').log).toContain(`v1 moves to v1.1.0 (${c2}, higher than v1.0.0), from ${c1}`)
    expect(originTag('v1')).toBe(c2)
    expect(originTag('v1.0.0')).toBe(c1)
  })

  it('a hotfix on a release branch, then a minor release from main: each moves the major tag forward', () => {
    const c1 = commit('main', { tag: 'v1.0.0' })
    pointTag('v1', c1)
    const hotfix = commit('releases/v1.0', { from: c1, tag: 'v1.0.1' })
    expect(runWorkflow('v1.0.1', 'release').status).toBe(0)
    expect(originTag('v1')).toBe(hotfix)
    // main does not contain the hotfix: versions, not ancestry, say which is newer.
    const minor = commit('main', { tag: 'v1.1.0' })
    expect(spawnSync('git', ['merge-base', '--is-ancestor', hotfix, minor], { cwd: work() }).status).toBe(1)
    expect(runWorkflow('v1.1.0', 'release').status).toBe(0)
    expect(originTag('v1')).toBe(minor)
  })

  it('refuses a release lower than the highest of its major, naming both, and says a rollback is a by-hand run', () => {
    const c1 = commit('main', { tag: 'v1.0.0' })
    const c2 = commit('main', { tag: 'v1.1.0' })
    pointTag('v1', c2)
    commit('releases/v1.0', { from: c1, tag: 'v1.0.1' })
    const refused = runWorkflow('v1.0.1', 'release')
    expect(refused.status).toBe(1)
    expect(refused.log.trim()).toBe(
      '::error title=v1 not moved::v1.0.1 is lower than v1.1.0, the highest release of v1: a release moves v1 only ' +
        'forward. A rollback is a by-hand run: run this workflow (workflow_dispatch) with tag v1.0.1 to move v1 back to it'
    )
    expect(refused.outputs).toEqual({})
    expect(originTag('v1')).toBe(c2)
  })

  it('a v2 release moves v2 and leaves v1; a later v1 release still moves v1', () => {
    commit('main', { tag: 'v1.0.0' })
    const c2 = commit('main', { tag: 'v1.1.0' })
    pointTag('v1', c2)
    const c3 = commit('main', { tag: 'v2.0.0' })
    expect(runWorkflow('v2.0.0', 'release')).toMatchObject({ status: 0, outputs: { major: 'v2', sha: c3, lease: '' } })
    expect(originTag('v2')).toBe(c3)
    expect(originTag('v1')).toBe(c2)
    const c4 = commit('releases/v1', { from: c2, tag: 'v1.1.1' })
    expect(runWorkflow('v1.1.1', 'release').status).toBe(0)
    expect([originTag('v1'), originTag('v2')]).toEqual([c4, c3])
  })
})

describe('by hand (workflow_dispatch)', () => {
  it('moves the major tag back to an older release of that major: the rollback', () => {
    const c1 = commit('main', { tag: 'v1.0.0' })
    const c2 = commit('main', { tag: 'v1.1.0' })
    pointTag('v1', c2)
    const rollback = runWorkflow('v1.0.0', 'workflow_dispatch')
    expect(rollback.log).toContain(`v1 moves to v1.0.0 (${c1}, a rollback by hand, below v1.1.0), from ${c2}`)
    expect(originTag('v1')).toBe(c1)
  })

  it('refuses a tag that is not vX.Y.Z', () => {
    commit('main', { tag: 'v1.0.0' })
    const refused = runWorkflow('v1.0', 'workflow_dispatch', release('v1.0'))
    expect(refused.status).toBe(1)
    expect(refused.log.trim()).toBe(
      "::error title=Not a release tag::'v1.0' is not a release tag vX.Y.Z; the major tag moves only to one"
    )
    expect(originTag('v1')).toBeNull()
  })
})

describe.each(['release', 'workflow_dispatch'] as const)(
  'on %s, only a published release that is not a pre-release',
  event => {
    let c1 = ''
    beforeEach(() => {
      c1 = commit('main', { tag: 'v1.0.0' })
      pointTag('v1', c1)
      commit('main', { tag: 'v1.1.0' })
    })

    it('refuses a pre-release', () => {
      const refused = runWorkflow('v1.1.0', event, release('v1.1.0', { prerelease: true }))
      expect(refused.status).toBe(1)
      expect(refused.log.trim()).toBe(
        '::error title=v1 not moved::v1.1.0 is a pre-release: v1 moves only to a release that is not a pre-release'
      )
      expect(originTag('v1')).toBe(c1)
    })

    it('refuses a draft, which GitHub answers with 404, and a tag without a release', () => {
      const refused = runWorkflow('v1.1.0', event, NOT_FOUND)
      expect(refused.status).toBe(1)
      expect(refused.log.trim()).toBe(
        '::error title=v1 not moved::v1.1.0 has no published release (GitHub answered "Not Found"; a draft answers 404): ' +
          'v1 moves only to a published release'
      )
      expect(originTag('v1')).toBe(c1)
    })
  }
)

describe('whatever else GitHub answers is refused', () => {
  it.each([
    ['no answer (gh failed)', '', 'no release read'],
    ['a draft', release('v1.1.0', { draft: true, published_at: null }), 'GitHub answered a draft'],
    ['the release of another tag', release('v1.0.0'), 'GitHub answered the release of v1.0.0']
  ])('%s', (_what, answer, why) => {
    const c1 = commit('main', { tag: 'v1.0.0' })
    pointTag('v1', c1)
    commit('main', { tag: 'v1.1.0' })
    expect(runWorkflow('v1.1.0', 'workflow_dispatch', answer).log).toContain(`v1.1.0 has no published release (${why};`)
    expect(originTag('v1')).toBe(c1)
  })
})

describe('the job that may push', () => {
  it('moves nothing if the major tag moved after the check', () => {
    const c1 = commit('main', { tag: 'v1.0.0' })
    pointTag('v1', c1)
    commit('main', { tag: 'v1.1.0' })
    const decided = check('v1.1.0', 'release', release('v1.1.0'))
    expect(decided.outputs.lease).toBe(c1)
    const other = commit('main', { tag: 'v1.2.0' })
    pointTag('v1', other)
    const moved = move('v1.1.0', decided.outputs)
    expect(moved.status).toBe(1)
    expect(moved.log).toContain(
      `::error title=v1 not moved::v1 moved since the check (it was at '${c1}'); run this workflow again`
    )
    expect(originTag('v1')).toBe(other)
  })
})
