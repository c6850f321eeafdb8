import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real gdb and python3 processes: keep parallelism modest on a 2-core machine.
    maxWorkers: 2,
    // One test file at a time: the gdb tests with 1 ms checkpoints have failed now and then under
    // a loaded machine, and CI has time to spare. (The DMTCP restore hang once blamed on files
    // running together was inherited descriptors: fixed in dmtcp-pdb.ts.)
    fileParallelism: false,
    // fred's debug log on in every test; a failure's message ends with its last lines.
    setupFiles: ['test/helpers/debug-log-on-failure.ts'],
    // chevrotain's grammar checks, which fred itself skips (grammars/chevrotain.ts).
    env: { FRED_CHECK_GRAMMARS: '1' },
  },
});
