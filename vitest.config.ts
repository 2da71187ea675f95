import { defineConfig } from 'vitest/config';

// Two projects: unit (pure logic, no servers) and integration (real lab servers; needs root).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{electron,shared,renderer,e2e,bench,scripts}/**/*.test.{ts,tsx}'],
          exclude: ['**/*.int.test.{ts,tsx}', 'node_modules/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{electron,shared,e2e}/**/*.int.test.ts'],
          exclude: ['node_modules/**'],
          environment: 'node',
          globalSetup: ['e2e/lab/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
