import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Says once per run when the acceptance cases outside the repository (../shared) are skipped, or fails the run
    // when CI requires them (test/helpers/shared.ts).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
  },
});
