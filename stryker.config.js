// StrykerJS (`npm run test:mutation`, not part of `npm test`: it takes minutes): mutates the pure policy
// layer and runs only the unit tests that pin its rules, so a mutant that survives is a rule no test holds.
// Score and how to read it: CONTRIBUTING.md, Test.

/** The policy layer: the pure rules that decide which backups are deleted and which is restored. */
const POLICY_LAYER = ['src/policy/*.ts']

/** The tests that pin those rules (in process; the end-to-end tests run the bundle, which Stryker does not mutate). */
const POLICY_TESTS = [
  '__tests__/policy/*.test.ts',
  '__tests__/backups/keep-within.test.ts',
  '__tests__/backups/retention.test.ts'
]

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: POLICY_LAYER,
  testRunner: 'jest',
  // Jest runs the ESM sources (ts-jest, useESM) only with Node's VM modules.
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    configFile: 'jest.config.js',
    config: { testMatch: POLICY_TESTS.map(path => `<rootDir>/${path}`), maxWorkers: 1 },
    enableFindRelatedTests: false
  },
  coverageAnalysis: 'perTest',
  // 2 shared cores: one test runner at a time.
  concurrency: 1,
  incremental: true,
  incrementalFile: 'reports/mutation/incremental.json',
  tempDirName: '.stryker-tmp',
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  thresholds: { high: 95, low: 90, break: 95 }
}
