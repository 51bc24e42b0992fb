import { defineConfig } from 'vitest/config';

// One runner for every workspace. Unit tests sit beside their file (x.test.ts), integration tests
// (x.int.test.ts) talk to the real Postgres and Redis, end-to-end tests (test/e2e) start the built stack.
export default defineConfig({
  test: {
    include: ['{packages,services,tools}/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
