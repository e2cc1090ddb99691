/** Jest runs TypeScript through esbuild (already a dependency); `npm run typecheck` does the type checking. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/test/support/esbuild-transform.cjs' },
  setupFiles: ['<rootDir>/test/support/promise-with-resolvers.cjs', '<rootDir>/test/support/test-environment.cjs'],
  testTimeout: 30000,
};
