/**
 * The layers of src/ are code (eslint.config.js, LAYERS): lint, through ESLint's Node API and the project's own
 * config, refuses an import that runs up, at any depth of `../` and as `import type`, and accepts one that runs down.
 * The fixtures are lint's input only: no file is written.
 */
import { describe, expect, it } from '@jest/globals'
import { ESLint } from 'eslint'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { LAYERS } from '../eslint.config.js'

const root = fileURLToPath(new URL('..', import.meta.url))
// Only the boundary rule, without type information: the fixtures are not files of the TypeScript project.
const eslint = new ESLint({
  cwd: root,
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } }
})

/** The boundary errors lint gives `code` as if it were the file `path`. */
async function refusals(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` })
  return result.messages.map(message => message.message)
}

describe('the layers of src/', () => {
  it('are the folders of src/, beside index.ts, main.ts and the types-only context.ts', () => {
    const entries = readdirSync(`${root}src`, { withFileTypes: true })
    expect(entries.filter(entry => entry.isDirectory()).map(entry => entry.name)).toEqual([...LAYERS].sort())
    expect(entries.filter(entry => entry.isFile()).map(entry => entry.name)).toEqual([
      'context.ts',
      'index.ts',
      'main.ts'
    ])
  })

  it('refuse an upward import, whatever its form', async () => {
    const refused = await refusals(
      'src/api/fixture.ts',
      [
        "import { restoreServers } from '../restores/restoring.js'",
        "import type { Outputs } from '../runner/outputs.js'",
        "export { run } from '../main.js'",
        "import type { CommandContext } from '../context.js'",
        'export type Up = [typeof restoreServers, Outputs, CommandContext]'
      ].join('\n')
    )
    expect(refused).toHaveLength(4)
    for (const message of refused) expect(message).toContain('api/ imports only what lies below it (LAYERS')
  })

  it('refuse an upward import from a deeper folder', async () => {
    const code = "import type { CommandUnit } from '../../commands/unit.js'\nexport type Up = CommandUnit"
    expect(await refusals('src/policy/rules/fixture.ts', code)).toHaveLength(1)
  })

  it('accept the imports of a command: the layers below it and the context it is handed', async () => {
    const code = [
      "import type { CommandContext } from '../context.js'",
      "import { chooseBackups } from '../restores/choosing.js'",
      "import { safeText } from '../base/text.js'",
      "import { defineCommand } from './unit.js'",
      'export const down = [chooseBackups, safeText, defineCommand] as const',
      'export type Down = CommandContext'
    ].join('\n')
    expect(await refusals('src/commands/fixture.ts', code)).toEqual([])
  })

  it('run one way between every two layers', async () => {
    for (const [i, upper] of LAYERS.entries()) {
      for (const lower of LAYERS.slice(i + 1)) {
        const down = `import { x } from '../${lower}/x.js'\nexport const y = x`
        const up = `import { x } from '../${upper}/x.js'\nexport const y = x`
        expect([upper, lower, await refusals(`src/${upper}/fixture.ts`, down)]).toEqual([upper, lower, []])
        expect([lower, upper, (await refusals(`src/${lower}/fixture.ts`, up)).length]).toEqual([lower, upper, 1])
      }
    }
  })

  it('keep the types-only context.ts from runner/ and what lies below it', async () => {
    const code = "import type { CommandContext } from '../context.js'\nexport type Up = CommandContext"
    for (const layer of LAYERS.slice(LAYERS.indexOf('runner')))
      expect([layer, (await refusals(`src/${layer}/fixture.ts`, code)).length]).toEqual([layer, 1])
    const upward = "import type { CommandUnit } from './commands/unit.js'\nexport type Up = CommandUnit"
    expect(await refusals('src/context.ts', upward)).toHaveLength(1)
  })
})
