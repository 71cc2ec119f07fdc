// ESM mode: the package is "type": "module" and @actions/* are ESM-only.
// `npm test` sets NODE_OPTIONS=--experimental-vm-modules, which Jest needs for this.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  testMatch: ['**/__tests__/**/*.test.ts'],
  // StrykerJS's sandboxes (`npm run test:mutation`) are copies of the project: never tests nor modules here.
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1'
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  // The end-to-end tests start a simulator and a child process each; two workers fit 2 cores.
  maxWorkers: 2,
  testTimeout: 60000,
  // Coverage (issue 16): `npm test` passes --coverage; a single file run with `npx jest FILE` does not collect it.
  // Only what runs in Jest's own processes counts: the end-to-end tests run dist/index.js in a child process, so
  // this is the share of src/ lines that the in-process tests reach: at least 85%.
  collectCoverageFrom: ['src/**/*.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  coverageThreshold: { global: { lines: 85 } }
}
