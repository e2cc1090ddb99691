/** Jest runs TypeScript through esbuild (already a dependency); `npm run typecheck` does the type checking. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(ts|js|mjs)$': '<rootDir>/test/support/esbuild-transform.cjs' },
  // ESM-only packages must be transformed to CommonJS for jest's module system.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|jose)/)'],
  setupFiles: [
    '<rootDir>/local/step-functions/promise-with-resolvers.ts',
    '<rootDir>/test/support/test-environment.cjs',
  ],
  testTimeout: 30000,
};
