/**
 * action.yml, README.md and the code must agree on every input and output: an input the code
 * reads that a user cannot find, a documented one that does nothing, or a table that says the
 * wrong command uses an input or sets an output, fails here. (Every end-to-end run also checks
 * that a command sets no output OUTPUTS_SET_BY does not give it: support/run-action.ts.)
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { COMMANDS, COMMAND_INPUTS, INPUTS_USED } from '../src/input-helper.js'
import { OUTPUTS_SET_BY } from '../src/outputs.js'
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
/** `create, wait` → the commands, in the order of COMMANDS; `all` → every command. */
const commandsIn = (cell: string | undefined): string[] =>
  cell === 'all' ? [...COMMANDS] : COMMANDS.filter(c => (cell ?? '').split(/,\s*/).includes(c))

describe('inputs', () => {
  const read = matches(
    source,
    /(?:getInput|parseBoolean|optionalPositiveInteger|requiredPositiveInteger|parseDuration)\(\s*'([a-z-]+)'/g
  )

  it('the code reads exactly the inputs action.yml declares', () => {
    expect(read.size).toBeGreaterThan(10)
    expect(sorted(read)).toEqual(sorted(Object.keys(action.inputs)))
  })

  it('README documents exactly those inputs, with action.yml defaults, in one-line cells', () => {
    const table = readmeTable('Inputs')
    expect(sorted(table.keys())).toEqual(sorted(Object.keys(action.inputs)))
    for (const [name, spec] of Object.entries(action.inputs)) {
      const documented = table.get(name)?.[0]
      if (spec.required) expect([name, documented]).toEqual([name, 'required'])
      else if (spec.default !== undefined) expect([name, documented]).toEqual([name, `\`${spec.default}\``])
      else expect([name, documented]).not.toEqual([name, expect.stringMatching(/^`/)])
      expect(spec.description.length).toBeGreaterThan(10)
      expect([name, (table.get(name)?.[2] ?? '').length <= 200]).toEqual([name, true])
    }
  })

  it('README says which commands use each input, as the code does', () => {
    const table = readmeTable('Inputs')
    for (const name of Object.keys(action.inputs)) {
      const used = (COMMAND_INPUTS as readonly string[]).includes(name)
        ? COMMANDS.filter(command => (INPUTS_USED[command] as readonly string[]).includes(name))
        : [...COMMANDS]
      expect([name, commandsIn(table.get(name)?.[1])]).toEqual([name, used])
    }
  })
})

describe('outputs', () => {
  it('the code sets exactly the outputs action.yml declares, all through src/outputs.ts', () => {
    expect(sorted(Object.keys(OUTPUTS_SET_BY))).toEqual(sorted(Object.keys(action.outputs)))
    for (const spec of Object.values(action.outputs)) expect(spec.description.length).toBeGreaterThan(10)
    const elsewhere = sources.filter(s => !s.file.endsWith('outputs.ts') && /setOutput\(/.test(s.text))
    expect(elsewhere.map(s => s.file)).toEqual([])
  })

  it('README documents exactly those outputs, each with the commands that set it, in one-line cells', () => {
    const table = readmeTable('Outputs')
    expect(sorted(table.keys())).toEqual(sorted(Object.keys(action.outputs)))
    for (const [name, commands] of Object.entries(OUTPUTS_SET_BY)) {
      expect([name, commandsIn(table.get(name)?.[0])]).toEqual([
        name,
        COMMANDS.filter(c => (commands as readonly string[]).includes(c))
      ])
      expect([name, (table.get(name)?.[1] ?? '').length <= 200]).toEqual([name, true])
    }
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
