/**
 * action.yml, README.md and the code must agree on every input and output: an input the code
 * reads that a user cannot find, or a documented one that does nothing, fails here.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { ROOT, readActionYml } from './support/run-action.js'

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []
  )
}

const source = sourceFiles(join(ROOT, 'src'))
  .map(file => readFileSync(file, 'utf8'))
  .join('\n')
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const action = readActionYml()

function matches(text: string, pattern: RegExp): Set<string> {
  return new Set([...text.matchAll(pattern)].map(match => match[1]))
}

/** The rows of the Markdown table under a `## heading`, by their first cell's `name`. */
function readmeTable(heading: string): Map<string, string[]> {
  const section = readme.split(/^## /m).find(part => part.startsWith(`${heading}\n`)) ?? ''
  const rows = new Map<string, string[]>()
  for (const line of section.split('\n')) {
    const cells = /^\| `([a-z-]+)` +\|(.*)\|$/.exec(line)
    if (cells)
      rows.set(
        cells[1],
        cells[2].split(' | ').map(cell => cell.trim())
      )
  }
  return rows
}

const sorted = (values: Iterable<string>): string[] => [...values].sort()

describe('inputs', () => {
  const read = matches(
    source,
    /(?:getInput|parseBoolean|optionalPositiveInteger|requiredPositiveInteger|parseDuration)\(\s*'([a-z-]+)'/g
  )

  it('the code reads exactly the inputs action.yml declares', () => {
    expect(read.size).toBeGreaterThan(10)
    expect(sorted(read)).toEqual(sorted(Object.keys(action.inputs)))
  })

  it('README documents exactly those inputs, with action.yml defaults', () => {
    const table = readmeTable('Inputs')
    expect(sorted(table.keys())).toEqual(sorted(Object.keys(action.inputs)))
    for (const [name, spec] of Object.entries(action.inputs)) {
      const documented = table.get(name)?.[0]
      if (spec.required) expect([name, documented]).toEqual([name, 'required'])
      else if (spec.default !== undefined) expect([name, documented]).toEqual([name, `\`${spec.default}\``])
      else expect([name, documented]).not.toEqual([name, expect.stringMatching(/^`/)])
      expect(spec.description.length).toBeGreaterThan(10)
    }
  })
})

describe('outputs', () => {
  const set = matches(source, /setOutput\(\s*'([a-z-]+)'/g)

  it('the code sets exactly the outputs action.yml declares', () => {
    expect(set.size).toBeGreaterThan(5)
    expect(sorted(set)).toEqual(sorted(Object.keys(action.outputs)))
    for (const spec of Object.values(action.outputs)) expect(spec.description.length).toBeGreaterThan(10)
  })

  it('README documents exactly those outputs', () => {
    expect(sorted(readmeTable('Outputs').keys())).toEqual(sorted(Object.keys(action.outputs)))
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
