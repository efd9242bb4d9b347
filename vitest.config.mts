import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC (not esbuild) compiles the tests so that NestJS sees decorator metadata, as `nest build` does.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.spec.ts', 'test/unit/**/*.spec.ts'], exclude: ['test/unit/fuzz/**'], testTimeout: 10_000 },
      },
      {
        extends: true,
        // 10 000 cases per property: CPU-bound, so given room on a slow or busy machine
        test: { name: 'fuzz', include: ['test/unit/fuzz/**/*.spec.ts'], testTimeout: 120_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.spec.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
