#!/usr/bin/env node
// @ts-check
// README's inputs and outputs tables are generated, as actions/checkout generates its usage section: names,
// defaults and descriptions from action.yml, which commands use an input or set an output from the command
// registry (src/commands/registry.ts). README holds `<!-- inputs:start -->` … `<!-- inputs:end -->` (and the
// same for outputs); this script rewrites what is between them:
//
//   npm run readme            rewrites README.md
//   npm run readme -- --check fails, changing nothing, when README.md is not as generated
//
// __tests__/readme-tables.test.ts renders the tables with the same functions and fails when README differs.
// It runs the registry's TypeScript on Node itself (--experimental-transform-types, see package.json), with a
// resolve hook for the `.js` specifiers the sources import.
import { readFileSync, writeFileSync } from 'node:fs'
import { registerHooks } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/** The longest description a README cell carries: a longer one makes the table unreadable. */
export const CELL_LIMIT = 200

/**
 * @typedef {{ description: string, required?: boolean, default?: string }} InputSpec
 * @typedef {{ inputs: Record<string, InputSpec>, outputs: Record<string, { description: string }> }} ActionSpec
 * @typedef {object} Registry What the command registry says.
 * @property {readonly string[]} commands Every command, in the registry's order.
 * @property {readonly string[]} commandInputs The inputs some commands use (COMMAND_INPUTS); the others, all do.
 * @property {Readonly<Record<string, readonly string[]>>} inputsUsed The command inputs each command uses.
 * @property {Readonly<Record<string, readonly string[]>>} outputsSetBy The commands that set each output.
 */

/**
 * A description as one table cell: white space collapsed, `|` escaped, at most CELL_LIMIT characters.
 * @param {string} kind `input` or `output`
 * @param {string} name
 * @param {unknown} description
 */
function cell(kind, name, description) {
  const text = String(description ?? '')
    .replace(/\s+/g, ' ')
    .trim()
  if (text === '') throw new Error(`action.yml: ${kind} ${name} has no description`)
  if (text.length > CELL_LIMIT) {
    throw new Error(
      `action.yml: the description of ${kind} ${name} is ${text.length} characters, more than a README cell carries ` +
        `(${CELL_LIMIT}): shorten it, and move the detail to README's prose or docs/`
    )
  }
  return text.replace(/\|/g, '\\|')
}

/**
 * `create, wait` in the registry's order, or `all`.
 * @param {readonly string[]} commands every command
 * @param {readonly string[]} these
 */
function commandsCell(commands, these) {
  const listed = commands.filter(command => these.includes(command))
  return listed.length === commands.length ? 'all' : listed.join(', ')
}

/**
 * A Markdown table with its columns padded, as Prettier prints it (at least 3 wide: `---`).
 * @param {string[]} header
 * @param {string[][]} rows
 */
export function table(header, rows) {
  const width = (/** @type {string} */ text) => [...text].length
  const widths = header.map((title, i) => Math.max(3, width(title), ...rows.map(row => width(row[i] ?? ''))))
  const line = (/** @type {string[]} */ cells) =>
    `| ${cells.map((text, i) => text + ' '.repeat((widths[i] ?? 0) - width(text))).join(' | ')} |`
  return [line(header), line(widths.map(w => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/**
 * The inputs table: every input of action.yml, its default, the commands that use it, its description.
 * @param {ActionSpec} action
 * @param {Registry} registry
 */
export function inputsTable(action, registry) {
  const rows = Object.entries(action.inputs).map(([name, spec]) => {
    const preset = spec.required ? 'required' : spec.default === undefined ? '—' : `\`${spec.default}\``
    const users = registry.commandInputs.includes(name)
      ? registry.commands.filter(command => registry.inputsUsed[command]?.includes(name))
      : registry.commands
    if (users.length === 0) throw new Error(`input ${name}: no command of src/commands/registry.ts uses it`)
    return [`\`${name}\``, preset, commandsCell(registry.commands, users), cell('input', name, spec.description)]
  })
  return table(['input', 'default', 'used by', 'meaning'], rows)
}

/**
 * The outputs table: every output of action.yml, the commands that set it, its description.
 * @param {ActionSpec} action
 * @param {Registry} registry
 */
export function outputsTable(action, registry) {
  const rows = Object.entries(action.outputs).map(([name, spec]) => {
    const setters = registry.outputsSetBy[name] ?? []
    if (setters.length === 0) throw new Error(`output ${name}: no command of src/commands/registry.ts sets it`)
    return [`\`${name}\``, commandsCell(registry.commands, setters), cell('output', name, spec.description)]
  })
  return table(['output', 'set by', 'meaning'], rows)
}

/**
 * `markdown` with what is between `<!-- name:start -->` and `<!-- name:end -->` replaced by `content`.
 * @param {string} markdown
 * @param {string} name
 * @param {string} content
 */
export function replaceBetweenMarkers(markdown, name, content) {
  const start = `<!-- ${name}:start -->\n`
  const end = `\n<!-- ${name}:end -->`
  const from = markdown.indexOf(start)
  const to = markdown.indexOf(end, from)
  if (from < 0 || to < 0) throw new Error(`README.md: no ${start.trim()} … ${end.trim()} markers`)
  return `${markdown.slice(0, from + start.length)}\n${content}\n${markdown.slice(to)}`
}

/**
 * README.md with both tables as generated.
 * @param {string} readme
 * @param {ActionSpec} action
 * @param {Registry} registry
 */
export function renderReadme(readme, action, registry) {
  const inputs = replaceBetweenMarkers(readme, 'inputs', inputsTable(action, registry))
  return replaceBetweenMarkers(inputs, 'outputs', outputsTable(action, registry))
}

/** The registry's data, read from the TypeScript sources on Node (`.js` specifiers resolved to their `.ts`). */
async function loadRegistry() {
  registerHooks({
    resolve(specifier, context, next) {
      try {
        return next(specifier, context)
      } catch (error) {
        if (!/^\.\.?\/.*\.js$/.test(specifier)) throw error
        return next(specifier.replace(/\.js$/, '.ts'), context)
      }
    }
  })
  const { COMMANDS, INPUTS_USED, OUTPUTS_SET_BY } = await import('../src/commands/registry.js')
  const { COMMAND_INPUTS } = await import('../src/runner/inputs.js')
  return { commands: COMMANDS, commandInputs: COMMAND_INPUTS, inputsUsed: INPUTS_USED, outputsSetBy: OUTPUTS_SET_BY }
}

async function main() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..')
  const readmeFile = join(root, 'README.md')
  const readme = readFileSync(readmeFile, 'utf8')
  const action = /** @type {ActionSpec} */ (parse(readFileSync(join(root, 'action.yml'), 'utf8')))
  const generated = renderReadme(readme, action, await loadRegistry())
  if (generated === readme) {
    console.log('README.md: the inputs and outputs tables are as generated')
  } else if (process.argv.includes('--check')) {
    console.error('README.md: the inputs or outputs table differs from action.yml and the registry: run npm run readme')
    process.exitCode = 1
  } else {
    writeFileSync(readmeFile, generated)
    console.log('README.md: the inputs and outputs tables rewritten from action.yml and the registry')
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch(error => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  })
}
