/**
 * `npm run readme` runs scripts/readme-tables.js on Node itself, loading the registry's TypeScript: the
 * generator must keep running as the sources change (a syntax Node cannot strip, an import it cannot resolve).
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from '@jest/globals'
import { ROOT } from '../support/run-action.js'

it('npm run readme -- --check loads the registry and finds README as generated', () => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>
  }
  const [node, ...args] = (scripts.readme ?? '').split(' ')
  expect(node).toBe('node')
  const run = spawnSync(process.execPath, [...args, '--check'], { cwd: ROOT, encoding: 'utf8' })
  expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
    status: 0,
    stdout: 'README.md: the inputs and outputs tables are as generated\n',
    stderr: ''
  })
})
