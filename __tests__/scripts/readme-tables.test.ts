/**
 * README's inputs and outputs tables are generated from action.yml and the command registry by
 * scripts/readme-tables.js (`npm run readme`): README must be as generated, and the generator
 * refuses what a table cannot carry.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { COMMANDS, INPUTS_USED, OUTPUTS_SET_BY } from '../../src/commands/registry.js'
import { COMMAND_INPUTS } from '../../src/runner/inputs.js'
import {
  CELL_LIMIT,
  inputsTable,
  outputsTable,
  renderReadme,
  replaceBetweenMarkers,
  table
} from '../../scripts/readme-tables.js'
import { ROOT, readActionYml } from '../support/run-action.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const action = readActionYml()
const registry = {
  commands: COMMANDS,
  commandInputs: COMMAND_INPUTS,
  inputsUsed: INPUTS_USED,
  outputsSetBy: OUTPUTS_SET_BY
}

/** The generated table's row of `name`, split into its cells. */
function row(rendered: string, name: string): string[] {
  const line = rendered.split('\n').find(l => l.startsWith(`| \`${name}\` `)) ?? ''
  return line
    .slice(1, -1)
    .split(' | ')
    .map(cell => cell.trim())
}

describe('README tables', () => {
  it('are as scripts/readme-tables.js generates them from action.yml and the registry', () => {
    const fix = 'README.md differs from action.yml and src/commands/registry.ts: run `npm run readme`'
    expect({ [fix]: readme }).toEqual({ [fix]: renderReadme(readme, action, registry) })
  })

  it('say which commands use each input: `all` for inputs every command reads, else those of INPUTS_USED', () => {
    const inputs = inputsTable(action, registry)
    expect(row(inputs, 'api-token').slice(1, 3)).toEqual(['required', 'all'])
    expect(row(inputs, 'timeout').slice(1, 3)).toEqual(['`30m`', 'all'])
    expect(row(inputs, 'backup-id').slice(1, 3)).toEqual(['—', 'wait, restore, delete'])
    expect(row(inputs, 'keep-prefix')[2]).toBe('create, wait, restore')
    const only = { ...registry, inputsUsed: { ...INPUTS_USED, restore: [] } }
    expect(row(inputsTable(action, only), 'keep-prefix')[2]).toBe('create, wait')
  })

  it('say which commands set each output, in the registry order', () => {
    const outputs = outputsTable(action, registry)
    expect(row(outputs, 'deleted-ids')[1]).toBe('create, wait, delete')
    expect(row(outputs, 'count')[1]).toBe('list')
    const set = { ...registry, outputsSetBy: { ...OUTPUTS_SET_BY, count: ['list', 'create'] } }
    expect(row(outputsTable(action, set), 'count')[1]).toBe('create, list')
  })

  it('refuse a description longer than a cell carries, naming the input', () => {
    const long = 'x'.repeat(CELL_LIMIT + 1)
    const spec = { ...action, inputs: { ...action.inputs, keep: { description: long } } }
    expect(() => inputsTable(spec, registry)).toThrow(/description of input keep is 201 characters.*\(200\)/)
    const fits = { ...action, inputs: { ...action.inputs, keep: { description: long.slice(1) } } }
    expect(row(inputsTable(fits, registry), 'keep')[3]).toBe(long.slice(1))
    const output = { ...action, outputs: { ...action.outputs, count: { description: long } } }
    expect(() => outputsTable(output, registry)).toThrow(/description of output count is 201 characters/)
  })

  it('refuse an input no command uses or an output no command sets, and keep a cell one cell', () => {
    const unused = { ...action, inputs: { ...action.inputs, keep: { description: 'kept | or not\n too' } } }
    expect(row(inputsTable(unused, registry), 'keep')[3]).toBe('kept \\| or not too')
    const nobody = { ...registry, inputsUsed: { ...INPUTS_USED, list: [] } }
    expect(() => inputsTable(action, nobody)).toThrow(
      'input backup-type: no command of src/commands/registry.ts uses it'
    )
    const extra = { ...action, outputs: { ...action.outputs, later: { description: 'An output of no command.' } } }
    expect(() => outputsTable(extra, registry)).toThrow('output later: no command of src/commands/registry.ts sets it')
  })

  it('pad the columns as Prettier does, and go only between the markers', () => {
    expect(table(['a', 'bb'], [['ccc', 'd']])).toBe('| a   | bb  |\n| --- | --- |\n| ccc | d   |')
    const page = 'before\n<!-- x:start -->\nold\n<!-- x:end -->\nafter'
    expect(replaceBetweenMarkers(page, 'x', 'new')).toBe('before\n<!-- x:start -->\n\nnew\n\n<!-- x:end -->\nafter')
    expect(() => replaceBetweenMarkers('no markers', 'x', 'new')).toThrow('README.md: no <!-- x:start -->')
  })

  it("action.yml's command input names every command of the registry", () => {
    const described = action.inputs.command?.description ?? ''
    for (const command of COMMANDS)
      expect([command, described]).toEqual([command, expect.stringContaining(`\`${command}\``)])
  })
})
