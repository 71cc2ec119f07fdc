// ESM mode: the package is "type": "module" and @actions/* are ESM-only.
// `npm test` sets NODE_OPTIONS=--experimental-vm-modules, which Jest needs for this.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  testMatch: ['**/__tests__/**/*.test.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1'
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  // The end-to-end tests start a simulator and a child process each; two workers fit 2 cores.
  maxWorkers: 2,
  testTimeout: 60000
}
