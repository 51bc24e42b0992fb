import { defineConfig } from 'vitest/config';

// One runner for every workspace. Unit tests sit beside their file (x.test.ts), integration tests
// (x.int.test.ts) talk to the real Postgres and Redis, end-to-end tests (test/e2e) start the built stack.
export default defineConfig({
  test: {
    include: [
      '{packages,services,tools}/*/src/**/*.test.ts',
      'services/dashboard/{server,web}/src/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    // Most test files wait on Postgres, Redis, child processes or sockets, not on the CPU: on a 2-core machine Vitest's
    // default (cores - 1 = one file at a time) leaves the machine idle. Three files at a time roughly halves the run.
    maxWorkers: 3,
    minWorkers: 1,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
