/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
  testTimeout: 120000,
  maxWorkers: 2,
  // Each test file's module graph (the Temporal SDK's, the providers') stays reachable in its worker
  // (~20 MB a file, measured with --logHeapUsage): a worker that ran half the suite held 3-4 GB, and
  // its garbage collection stalled workflow tasks for seconds (a 7 s test timed out at 120 s in CI).
  // A worker past this heap after a file is replaced by a fresh one.
  workerIdleMemoryLimit: '700MB',
  forceExit: true,
  verbose: true,
  reporters: ['default', '<rootDir>/test/setup/summaryReporter.js'],
};
