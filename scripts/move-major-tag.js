#!/usr/bin/env node
// Decides where the release workflow (.github/workflows/release.yml) moves the major tag, and refuses what it must
// not do. Run in a clone that has every tag, with the release's JSON as GitHub's REST API answers
// GET /repos/{owner}/{repo}/releases/tags/{tag} (a draft, or a tag without a release, answers 404):
//
//   TAG=v1.1.0 GITHUB_EVENT_NAME=release node scripts/move-major-tag.js release.json
//
// - TAG must be vX.Y.Z; its major tag is vX (a v2.x release moves v2, never v1).
// - The release must be published and not a pre-release; anything else GitHub answered is refused.
// - On a `release` event, TAG must be higher than every other vX.Y.Z tag of that major, compared as version
//   numbers (not by ancestry: a hotfix v1.0.1 on a branch not merged into main does not hold back v1.1.0 from
//   main). A lower one is refused: a rollback is a by-hand run (workflow_dispatch), which moves the major tag
//   to any release of that major.
// On success it writes `major`, `sha` (the release's commit) and `lease` (what the major tag points at now, empty
// if it does not exist) to $GITHUB_OUTPUT; the job that may push moves the tag only if it still points there.
// Plain Node and git, no dependency: the workflow runs it before any `npm ci`.
import { execFileSync } from 'node:child_process'
import { appendFileSync, readFileSync } from 'node:fs'

const VERSION = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/

class Refusal extends Error {
  constructor(title, message) {
    super(message)
    this.title = title
  }
}

/** A workflow command's text: a newline or `%` in a tag typed by hand cannot start another command. */
function escape(text) {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function git(...args) {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return ''
  }
}

function parseVersion(tag) {
  const match = VERSION.exec(tag)
  return match ? match.slice(1, 4).map(Number) : null
}

function compareVersions(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return 0
}

/** The release GitHub gave, or a refusal saying what it gave instead. */
function checkRelease(tag, major, file) {
  let release
  try {
    release = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    release = null
  }
  const title = `${major} not moved`
  if (release?.tag_name !== tag || release.draft !== false || !release.published_at) {
    const answer =
      typeof release?.message === 'string'
        ? `GitHub answered "${release.message}"`
        : typeof release?.tag_name === 'string'
          ? `GitHub answered ${release.tag_name === tag ? 'a draft' : `the release of ${release.tag_name}`}`
          : 'no release read'
    throw new Refusal(
      title,
      `${tag} has no published release (${answer}; a draft answers 404): ${major} moves only to a published release`
    )
  }
  if (release.prerelease !== false)
    throw new Refusal(title, `${tag} is a pre-release: ${major} moves only to a release that is not a pre-release`)
}

/** The highest vX.Y.Z tag of the major other than `tag`, or null. */
function highestOther(tag, major) {
  let highest = null
  for (const name of git('for-each-ref', '--format=%(refname:strip=2)', `refs/tags/${major}.*`).split('\n')) {
    const version = parseVersion(name)
    if (name === tag || !version || `v${version[0]}` !== major) continue
    if (!highest || compareVersions(version, highest.version) > 0) highest = { name, version }
  }
  return highest
}

function plan(tag, event, releaseFile) {
  const version = parseVersion(tag)
  if (!version)
    throw new Refusal('Not a release tag', `'${tag}' is not a release tag vX.Y.Z; the major tag moves only to one`)
  const major = `v${version[0]}`
  checkRelease(tag, major, releaseFile)
  const sha = git('rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`)
  if (!sha) throw new Refusal(`${major} not moved`, `the repository has no tag ${tag}`)
  const highest = highestOther(tag, major)
  if (event === 'release' && highest && compareVersions(version, highest.version) < 0)
    throw new Refusal(
      `${major} not moved`,
      `${tag} is lower than ${highest.name}, the highest release of ${major}: a release moves ${major} only forward. ` +
        `A rollback is a by-hand run: run this workflow (workflow_dispatch) with tag ${tag} to move ${major} back to it`
    )
  const lease = git('rev-parse', '--verify', '--quiet', `refs/tags/${major}`)
  const from = lease ? `from ${git('rev-parse', `refs/tags/${major}^{commit}`)}` : 'a new tag'
  const why = !highest
    ? `the first release of ${major}`
    : compareVersions(version, highest.version) > 0
      ? `higher than ${highest.name}`
      : `a rollback by hand, below ${highest.name}`
  return { major, sha, lease, line: `${major} moves to ${tag} (${sha}, ${why}), ${from}` }
}

try {
  const { major, sha, lease, line } = plan(process.env.TAG ?? '', process.env.GITHUB_EVENT_NAME, process.argv[2] ?? '')
  console.log(line)
  if (process.env.GITHUB_OUTPUT)
    appendFileSync(process.env.GITHUB_OUTPUT, `major=${major}\nsha=${sha}\nlease=${lease}\n`)
} catch (error) {
  if (!(error instanceof Refusal)) throw error
  console.log(`::error title=${error.title}::${escape(error.message)}`)
  process.exitCode = 1
}
