// ESLint flat config: typescript-eslint's recommended rules, type-aware for the TypeScript sources
// (src/, __tests__/) through the TypeScript project service, and the plain recommended rules for the
// ESM JavaScript that runs on Node as it is (tools/, scripts/, this file and jest.config.js).
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/**
 * The layers of src/, top to bottom (docs/how-it-works.md, "The code"): a folder imports only the folders
 * below it. Above them sit main.ts and index.ts, which no module imports, and context.ts, the types a command
 * is handed, which only the folders above runner/ (what it is made of) import.
 */
export const LAYERS = ['commands', 'restores', 'backups', 'presenters', 'records', 'runner', 'policy', 'api', 'base']
const CONTEXT_FROM_ABOVE = LAYERS.indexOf('runner')

// An import of one of these folders, or root files, from a layer's folder (through any depth of `../`) or from the
// root (`./`): `import type` and `export ... from` too.
const UP = '(\\.\\./)+'
const folders = (names, up) => ({ regex: `^${up}(${names.join('|')})/` })
const rootFiles = (names, up) => ({ regex: `^${up}(${names.join('|')})\\.js$` })

function layerRule(from, above, root, up = UP) {
  const message = `${from} imports only what lies below it (LAYERS in eslint.config.js; docs/how-it-works.md).`
  const patterns = [...(above.length > 0 ? [folders(above, up)] : []), rootFiles(root, up)]
  return { 'no-restricted-imports': ['error', { patterns: patterns.map(pattern => ({ ...pattern, message })) }] }
}

const layerBoundaries = [
  ...LAYERS.map((layer, i) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: layerRule(
      `${layer}/`,
      LAYERS.slice(0, i),
      i < CONTEXT_FROM_ABOVE ? ['main', 'index'] : ['main', 'index', 'context']
    )
  })),
  {
    files: ['src/context.ts'],
    rules: layerRule('context.ts', LAYERS.slice(0, CONTEXT_FROM_ABOVE), ['main', 'index'], '\\./')
  }
]

export default defineConfig([
  globalIgnores(['dist/', 'node_modules/', 'coverage/', '.demo/', '.stryker-tmp/', 'reports/']),

  {
    files: ['**/*.{js,mjs,cjs,ts,mts,cts}'],
    linterOptions: { reportUnusedDisableDirectives: 'error' }
  },

  // TypeScript: src/ and __tests__/, with type information from tsconfig.json.
  {
    files: ['src/**/*.ts', '__tests__/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname
      }
    },
    rules: {
      // `_name` marks an argument or binding kept on purpose (a callback's shape, a skipped element).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // URL and URLSearchParams print what they hold; the rule allows them by default, but only as declared
      // in TypeScript's DOM lib, and here (lib ES2022, no DOM) they come from @types/node.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allowNumber: true,
          allow: [
            { from: 'lib', name: ['Error', 'URL', 'URLSearchParams'] },
            { from: 'package', package: '@types/node', name: ['URL', 'URLSearchParams'] }
          ]
        }
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
      'no-var': 'error'
    }
  },

  // The sources and scripts stay readable in one sitting: no file over 300 lines, no function over 60, every line
  // counted (comments and blank lines too, as `wc -l` counts them).
  {
    files: ['src/**/*.ts', 'scripts/**/*.js'],
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: false, skipComments: false, IIFEs: true }]
    }
  },

  // The layers: an import up fails lint (LAYERS above).
  ...layerBoundaries,

  // Tests: `expect(core.setFailed).toHaveBeenCalled()` and the like pass methods unbound on purpose, and fakes
  // of async interfaces are `async` functions with nothing to await.
  {
    files: ['__tests__/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off'
    }
  },

  // Plain ESM JavaScript for Node: tools/ (the simulator, the runner emulation), scripts/ and the config files.
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: globals.node
    },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
      'no-var': 'error'
    }
  }
])
