import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Solves run in worker threads of their own; two test files at a time suit a 2-core machine.
    maxWorkers: 2,
    // The README's test command sets up what the tests need on a fresh Debian machine: the Debian
    // packages of the Python client and browser tests, and a PostgreSQL server for the store tests
    // (COSCHED_TEST_POSTGRES_URL, else a throwaway one it starts).
    globalSetup: ['test/setup/ensureDebianPackages.ts', 'test/setup/ensurePostgres.ts', 'test/setup/ensureRedis.ts'],
  },
});
