/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/setup/environment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
  testTimeout: 120000,
  maxWorkers: 2,
  // A test file still reachable after it ends keeps its module graph (~20 MB) in its worker; the
  // leak test/setup/environment.ts fixes grew workers to 3-4 GB. Should another appear, a worker past
  // this heap after a file is replaced by a fresh one.
  workerIdleMemoryLimit: '700MB',
  forceExit: true,
  verbose: true,
  reporters: ['default', '<rootDir>/test/setup/summaryReporter.js'],
};
