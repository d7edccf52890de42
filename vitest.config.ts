import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Docker-backed suites share one engine; two files at a time suits a 2-core machine.
    maxWorkers: 2,
  },
});
