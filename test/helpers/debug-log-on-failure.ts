// Set up for every test file (vitest.config.ts setupFiles): fred's debug log (FRED_DEBUG_LOG) is
// on in every session a test starts, in-process or as a child, and a failing test's message ends
// with the log's last lines. Rare hangs under a loaded CI machine otherwise leave nothing to read.

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

const TAIL_LINES = 120;

// Not under the sandbox's TMPDIR (set later, in beforeAll): its leftover checks must not see it.
// Named now (fred reads FRED_DEBUG_LOG as it is imported), made in beforeAll: a file whose tests
// are all filtered out (-t) runs no hook, and would leave the folder behind.
const folder = join(tmpdir(), `vitest-debug-log-${randomBytes(6).toString('hex')}`);
const log = join(folder, 'fred.log');
// A test may set its own log before importing fred (test/system/debug-log.test.ts).
process.env['FRED_DEBUG_LOG'] ??= log;

beforeAll(() => {
  mkdirSync(folder, { mode: 0o700 });
});

beforeEach(() => {
  writeFileSync(log, '', { mode: 0o600 });
});

afterEach((context) => {
  const errors = context.task.result?.errors;
  if (context.task.result?.state !== 'fail' || !errors || errors.length === 0) return;
  let lines: string[];
  try {
    lines = readFileSync(log, 'utf8').split('\n').filter((line) => line !== '');
  } catch {
    return;
  }
  const tail = lines.length === 0 ? '(empty)' : lines.slice(-TAIL_LINES).join('\n');
  const first = errors[0]!;
  first.message = `${first.message}\nfred's debug log (last ${Math.min(lines.length, TAIL_LINES)} of ${lines.length} lines):\n${tail}`;
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});
