import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real gdb and python3 processes: keep parallelism modest on a 2-core machine.
    maxWorkers: 2,
    // chevrotain's grammar checks, which fred itself skips (grammars/chevrotain.ts).
    env: { FRED_CHECK_GRAMMARS: '1' },
  },
});
