// native/pdb/event-counter.c's positions (E, k): frame boundaries and events since the last one
// name the same event whether the run traced every frame (fred_pdb's Python tracers counting
// through the C counter), almost none (UNTRACED, with CPython 3.11's frame hook), or was counted
// by fred_pdb's pure-Python rule. test/helpers/event_counter_oracle.py does the runs (each a fork
// of one python3) and says what it found.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/build.js';
import { fixtureSource } from '../helpers/fixtures.js';
import { ensureEventCounter } from './native-build.js';

interface OracleReport {
  hooked: boolean;
  disagreements: unknown[];
  events: number;
  plainEvents: number;
  checked: number;
  mismatchCount: number;
  mismatches: unknown[];
  fullTraceCalls: number;
  untracedTraceCalls: number;
  lastReached: boolean;
}

function oracle(fixture: string, args: string[], targets: number, seed: number): OracleReport {
  const module = ensureEventCounter();
  const output = execFileSync('python3', [join(repoRoot, 'test', 'helpers', 'event_counter_oracle.py'), module, String(targets), String(seed), fixtureSource(fixture), ...args], {
    encoding: 'utf8', timeout: 50_000,
  });
  return JSON.parse(output) as OracleReport;
}

// The frame hook relies on CPython 3.11's internals; built for another python3 the counter traces every frame.
const python311 = execFileSync('python3', ['-c', 'import sys; print(sys.version_info[:2] == (3, 11))'], { encoding: 'utf8' }).trim() === 'True';

describe('pdb event counter: positions (E, k), reachable without tracing (CPython 3.11)', () => {
  // control_flow.py has generators, exceptions through recursion, with, properties, lambdas called
  // from C, a decorator and a coroutine; crash.py ends in an uncaught exception.
  it.each([
    ['control_flow.py', [], 3],
    ['recursion.py', [], 4],
    ['crash.py', [], 5],
    ['linked_list.py', [], 6],
    ['inventory.py', ['300', '200'], 7],
  ] as const)('%s: every picked position is the same event untraced as traced, and as the Python rule counts it', (fixture, args, seed) => {
    const report = oracle(fixture, [...args], 120, seed);
    expect(report.hooked).toBe(python311);
    // Every event of the program's (a plain sys.settrace count), each where the Python rule puts it.
    expect(report.events).toBe(report.plainEvents);
    expect(report.disagreements).toEqual([]);
    expect(report.checked).toBe(Math.min(120, report.events));
    expect(report.mismatches).toEqual([]);
    expect(report.lastReached).toBe(true);
  });

  it('leaves the frames before the target untraced: inventory.py runs to its last event with a fraction of the trace calls', () => {
    const report = oracle('inventory.py', ['300', '200'], 1, 1);
    expect(report.hooked).toBe(python311);
    if (!python311) return;
    expect(report.lastReached).toBe(true);
    expect(report.fullTraceCalls).toBeGreaterThan(report.events);
    expect(report.untracedTraceCalls * 20).toBeLessThan(report.fullTraceCalls);
  });
});
