// Shared jest preset. Each workspace's jest.config.js spreads it.
// Test kinds by file name: *.unit.spec.ts (pure logic), *.int.spec.ts (real PostgreSQL and
// Kafka), *.e2e.spec.ts (several services). ts-jest transpiles only (isolatedModules); type
// checking is `npm run typecheck` / the build, which keeps the suite fast on two cores.
const path = require('node:path');

/** @param {string} dir the workspace folder (__dirname of its jest.config.js) */
module.exports = function preset(dir) {
  return {
    rootDir: dir,
    testEnvironment: 'node',
    roots: ['<rootDir>/src'],
    testMatch: ['**/*.spec.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(dir, 'tsconfig.json'), diagnostics: false }],
    },
    moduleFileExtensions: ['ts', 'js', 'json'],
    // Workspace packages resolve to their sources so a test never runs against a stale build.
    moduleNameMapper: {
      '^@latchkey/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    },
    testTimeout: 60_000,
    slowTestThreshold: 10,
    maxWorkers: 1,
    // kafkajs can leave one fetch loop (a socket to the broker and a 1 ms timer) alive after
    // disconnect() when a self-restart was in flight — seen in about one of four runs of the
    // outbox suite, whose outage test stops and restarts the broker. Every test still awaits its
    // consumers' stop(); this only keeps such a leftover from holding the run open forever.
    forceExit: true,
  };
};
