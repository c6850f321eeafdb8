import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real gdb and python3 processes: keep parallelism modest on a 2-core machine.
    maxWorkers: 2,
    // One test file at a time: a DMTCP restore under pdb was seen to hang (the restarted image
    // never answering, even under a new coordinator) only while another file's DMTCP sessions
    // ran at the same time, never alone (README, "DMTCP backend"); and the gdb tests with 1 ms
    // checkpoints are sensitive to load. Tests in a file still run one after another.
    fileParallelism: false,
    // fred's debug log on in every test; a failure's message ends with its last lines.
    setupFiles: ['test/helpers/debug-log-on-failure.ts'],
    // chevrotain's grammar checks, which fred itself skips (grammars/chevrotain.ts).
    env: { FRED_CHECK_GRAMMARS: '1' },
  },
});
