/**
 * Jest runs TypeScript through esbuild (already a dependency); `npm run typecheck` does the type checking.
 * Four projects: `fast` (unit, state machine, templates, stack: the inner loop, `npm run test:fast`), `local`
 * (each local service against real files and ffmpeg), `e2e` (local mode end to end, the CLI, the browser) and
 * `reliability` (faults at every state, crashes, concurrency, property-based parser tests). `npm test` runs all.
 */
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(ts|js|mjs)$': '<rootDir>/test/support/esbuild-transform.cjs' },
  // ESM-only packages must be transformed to CommonJS for jest's module system.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|jose)/)'],
  setupFiles: [
    '<rootDir>/local/step-functions/promise-with-resolvers.ts',
    '<rootDir>/test/support/test-environment.cjs',
  ],
};

module.exports = {
  testTimeout: 30000,
  projects: [
    {
      ...shared,
      displayName: 'fast',
      testMatch: ['<rootDir>/test/{unit,statemachine,templates,stack}/**/*.test.ts'],
    },
    {
      ...shared,
      displayName: 'local',
      testMatch: ['<rootDir>/test/local/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/local/e2e/'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/local/e2e/**/*.test.ts'],
      // Every answer a local service gives during these runs is checked against AWS's API models.
      setupFilesAfterEnv: ['<rootDir>/test/support/seam-conformance.setup.ts'],
    },
    {
      ...shared,
      displayName: 'reliability',
      testMatch: ['<rootDir>/test/reliability/**/*.test.ts'],
      // Injected faults answer with errors AWS's API models declare: checked like every other answer.
      setupFilesAfterEnv: ['<rootDir>/test/support/seam-conformance.setup.ts'],
    },
  ],
};
