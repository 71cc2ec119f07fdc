// ESLint flat config: typescript-eslint's recommended rules, type-aware for the TypeScript sources
// (src/, __tests__/) through the TypeScript project service, and the plain recommended rules for the
// ESM JavaScript that runs on Node as it is (tools/, scripts/, this file and jest.config.js).
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

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

  // The sources stay readable in one sitting: no file over 300 lines, no function over 60, every line
  // counted (comments and blank lines too, as `wc -l` counts them).
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: false, skipComments: false, IIFEs: true }]
    }
  },

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
