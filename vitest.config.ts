import { defineConfig } from 'vitest/config';

// The twin runs on Node 20 on purpose (the machine's runtime); the SDK's notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

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
