/** Jest runs TypeScript through @swc/jest; `tsc --noEmit` type-checks separately. */
const shared = {
  testEnvironment: 'node',
  transform: {
    // The dashboard's files are served as text; esbuild bundles them the same way (deploy/esbuild-plugins.cjs).
    '[/\\\\]lib[/\\\\]dashboard[/\\\\]public[/\\\\][^/\\\\]+\\.(html|css|js|svg)$': '<rootDir>/test/support/text-transform.cjs',
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  // @middy/core is published as ES modules only; compile it to CommonJS like the project's code.
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/bench/'],
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
};

module.exports = {
  testTimeout: 30000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '<rootDir>/test/unit/'],
      // A Redis Cluster, the SQS emulator and the MongoDB test server shared by the integration tests.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
