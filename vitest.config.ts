import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Contract suites each start a twin; two cores run two files at a time.
    maxWorkers: 2,
    allowOnly: false,
  },
});
