// End-to-end tests of reverse-watch (Session.reverseWatch, what `reverse-watch`/`rw` runs) and of
// `fred bisect`, with real gdb and python3 on the fixtures. Every answer is checked against an
// independent forward run that knows nothing of fred:
//   - C: plain gdb stops at the changing statement with a conditional breakpoint, evaluates the
//     expression and the --print expressions there, `next`s over the statement and evaluates
//     again (and the breakpoint must not be hit a second time);
//   - Python: the program runs under sys.settrace, the expression is evaluated over its globals at
//     every trace event, and the last change is attributed to the latest line of the frame that
//     was executing.
// Line numbers come from the fixtures' markers.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteMiString } from '../../grammars/mi/api.js';
import { FredError } from '../../src/errors.js';
import { Session } from '../../src/session/session.js';
import type { Location } from '../../src/debugger/types.js';
import { ensureBuilt } from '../helpers/build.js';
import { prepareCli, runFred, type FredRun } from '../helpers/cli.js';
import { fixtureBinary, fixtureSource, markerLine } from '../helpers/fixtures.js';
import { PlainGdb } from '../helpers/plain-gdb.js';
import { sessionSandbox } from '../helpers/session-sandbox.js';

// Small enough to search statement by statement in seconds; the bug still lands deep: insertion
// 45 of 60 is linked 6 `insert` frames below `main`.
const BST_ARGS = ['60', '45'];
const INVENTORY_ARGS = ['300', '150'];
const BISECT_TIMEOUT_MS = 120_000;

const sandbox = sessionSandbox('fred-', () => { ensureBuilt(); prepareCli(); });

// ---- fred ---------------------------------------------------------------------------------

interface Opened {
  session: Session;
  /** Everything fred has shown of the program's output so far. */
  programOutput(): string;
}

async function open(program: string, args: string[], checkpointIntervalMs?: number, record = true): Promise<Opened> {
  const session = await Session.start({ program, args, checkpointIntervalMs, record });
  sandbox.sessions.push(session);
  let output = '';
  session.onProgramOutput((text) => { output += text; });
  return { session, programOutput: () => output };
}

interface BisectJson {
  found: boolean;
  expression: string;
  valueBefore: string;
  valueAfter: string;
  location: Location | null;
  backtrace: { function: string; file: string; line: number }[];
  prints: Record<string, string>;
  stats: { seconds: number; checkpoints: number; restores: number; probes: number };
}

function bisect(args: string[]): Promise<FredRun> {
  return runFred(['bisect', ...args], { timeoutMs: BISECT_TIMEOUT_MS });
}

/** `fred bisect --json`: exactly one JSON object on stdout. */
async function bisectJson(args: string[]): Promise<{ run: FredRun; json: BisectJson }> {
  const run = await bisect(['--json', ...args]);
  const lines = run.stdout.split('\n').filter((line) => line !== '');
  expect(lines, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toHaveLength(1);
  return { run, json: JSON.parse(lines[0]!) as BisectJson };
}

/**
 * `fred bisect` on counter_loop's 30 million iterations, miscounting at `bugAt`, with automatic
 * checkpoints every `intervalMs`: the change statement, before it ran (the counter still even).
 */
async function bisectCounterLoop(intervalMs: number, bugAt: number): Promise<{ run: FredRun; json: BisectJson }> {
  const run = await bisectJson(['--checkpoint-interval', String(intervalMs), '--watch', 'check()', '--print', 'iteration', '--print', 'counter', '--',
    fixtureBinary('counter_loop'), '30000000', String(bugAt)]);
  expect(run.run.code, run.run.stderr).toBe(0);
  expect(run.json).toMatchObject({ found: true, valueBefore: '1', valueAfter: '0', location: where('counter_loop.c', 'bug', 'main', 1) });
  expect(run.json.prints).toEqual({ iteration: String(bugAt), counter: String(2 * bugAt) });
  return run;
}

/** The FredError a call rejects with; fails the test if it succeeds. */
async function fredError(action: () => Promise<unknown>): Promise<FredError> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(FredError);
    expect((error as FredError).message, 'one-line message').not.toContain('\n');
    return error as FredError;
  }
  throw new Error('expected a FredError, but the call succeeded');
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function where(file: string, marker: string, functionName: string, depth: number): Location {
  return { file: fixtureSource(file), line: markerLine(file, marker), function: functionName, depth };
}

function at(file: string, marker: string): string {
  return `${file}:${markerLine(file, marker)}`;
}

// ---- the C oracle: plain gdb -------------------------------------------------------------

interface PlainChange {
  /** Where the changing statement starts: the conditional breakpoint's stop. */
  location: Location;
  /** The expression's value there, and after `next` over the statement. */
  before: string;
  after: string;
  /** Where that `next` stopped. */
  afterNext: Location | null;
  /** The --print expressions, evaluated at `location`. */
  prints: Record<string, string>;
}

/**
 * Plain gdb runs `program` to the first stop at one of `breakpoints` and `next`s over that
 * statement. `frameLevel` is the frame (0: innermost) the expression is evaluated in.
 */
async function plainChange(
  program: string, args: string[], breakpoints: { spec: string; condition: string }[],
  expression: string, frameLevel: number, prints: string[],
): Promise<PlainChange> {
  const gdb = await PlainGdb.start(program, args);
  try {
    for (const breakpoint of breakpoints) await gdb.breakAt(breakpoint.spec, breakpoint.condition);
    const stop = await gdb.run();
    expect(stop.reason).toBe('breakpoint-hit');
    const values: Record<string, string> = {};
    for (const print of prints) values[print] = await gdb.evaluate(print);
    const before = await evaluateInFrame(gdb, frameLevel, expression);
    const next = await gdb.next();
    const after = await evaluateInFrame(gdb, frameLevel, expression);
    // The statement the breakpoints pick out runs once.
    expect((await gdb.continue()).reason).not.toBe('breakpoint-hit');
    return { location: stop.location!, before, after, afterNext: next.location, prints: values };
  } finally {
    await gdb.close();
  }
}

async function evaluateInFrame(gdb: PlainGdb, level: number, expression: string): Promise<string> {
  const reply = await gdb.command(`-data-evaluate-expression --thread 1 --frame ${level} ${quoteMiString(expression)}`);
  return String(reply.results['value']);
}

// ---- the Python oracle: sys.settrace -----------------------------------------------------

const PYTHON_ORACLE = `
import json, os, runpy, sys

program, expression, stop_line = os.path.abspath(sys.argv[1]), sys.argv[2], int(sys.argv[3])
prints = json.loads(sys.argv[4])
state = {'globals': None, 'value': None, 'change': None, 'last_line': {}}

class Stop(Exception):
    pass

def depth_of(frame):
    depth = 0
    while frame is not None:
        depth += frame.f_code.co_filename == program
        frame = frame.f_back
    return depth

def line_snapshot(frame):
    values = {}
    for text in prints:
        try:
            values[text] = repr(eval(text, frame.f_globals, frame.f_locals))
        except Exception:
            values[text] = '<error>'
    return {'line': frame.f_lineno, 'function': frame.f_code.co_name, 'depth': depth_of(frame),
            'prints': values, 'before': state['value']}

def observe(frame, event):
    try:
        value = repr(eval(expression, state['globals']))
    except Exception:
        value = '<unavailable>'
    if state['value'] is not None and value != state['value']:
        # Since the previous event, the frame that was executing (the caller, for a call) ran
        # the rest of its latest line: that statement made the change.
        running = frame.f_back if event == 'call' else frame
        state['change'] = dict(state['last_line'][running], after=value)
    state['value'] = value

def local(frame, event, arg):
    observe(frame, event)
    if event == 'line':
        if frame.f_lineno == stop_line and frame.f_code.co_name == '<module>':
            raise Stop()
        state['last_line'][frame] = line_snapshot(frame)
    return local

def tracer(frame, event, arg):
    if frame.f_code.co_filename != program:
        return None
    if state['globals'] is None:
        state['globals'] = frame.f_globals
    observe(frame, event)
    return local

sys.argv = [sys.argv[1]] + sys.argv[5:]
report = sys.stdout
sys.stdout = open(os.devnull, 'w')
sys.settrace(tracer)
try:
    runpy.run_path(program, run_name='__main__')
except BaseException:
    pass
sys.settrace(None)
report.write(json.dumps({'change': state['change'], 'final': state['value']}) + '\\n')
`;

interface PythonChange {
  line: number;
  function: string;
  depth: number;
  before: string;
  after: string;
  prints: Record<string, string>;
}

/** The last change of `expression` (over the program's globals) before line `stopLine` of the main module first runs (0: the end). */
function pythonChange(program: string, args: string[], expression: string, stopLine: number, prints: string[]): { change: PythonChange; final: string } {
  const script = sandbox.scratch.file('oracle.py', PYTHON_ORACLE);
  const output = execFileSync('python3', [script, program, expression, String(stopLine), JSON.stringify(prints), ...args], { encoding: 'utf8' });
  const result = JSON.parse(output) as { change: PythonChange | null; final: string };
  expect(result.change, 'the oracle saw a change').not.toBeNull();
  return { change: result.change!, final: result.final };
}

// ==== C programs under gdb ================================================================

describe('reverse-watch on C programs (gdb)', () => {
  const bst = fixtureBinary('bst');
  const bstOracle = (): Promise<PlainChange> => plainChange(
    bst, BST_ARGS,
    [
      { spec: at('bst.c', 'left'), condition: `inserted == ${BST_ARGS[1]} && tree->left == 0` },
      { spec: at('bst.c', 'right'), condition: `inserted == ${BST_ARGS[1]} && tree->right == 0` },
    ],
    'is_bst(root)', 0, ['inserted', 'key', 'tree->key'],
  );

  it('bst from its exit: lands on the assignment that links the misplaced node, several frames deep, and next breaks the tree', async () => {
    const plain = await bstOracle();
    expect(plain.before).toBe('1');
    expect(plain.after).toBe('0');
    expect(plain.location.function).toBe('insert');
    expect(plain.location.depth).toBeGreaterThanOrEqual(5);

    const { session, programOutput } = await open(bst, BST_ARGS);
    const end = await session.run();
    expect(end.state).toEqual({ kind: 'exited', code: 0 });
    // main's frame is gone at the exit: a global expression with a function call.
    const outcome = await session.reverseWatch('is_bst(root)');
    expect(outcome.found).toBe(true);
    expect(outcome.valueBefore).toBe('1');
    expect(outcome.valueAfter).toBe('0');
    expect(outcome.location).toEqual(plain.location);
    expect(outcome.state).toEqual({ kind: 'stopped' });
    expect(outcome.output).toMatch(/^is_bst\(root\) changed: 1 -> 0\n/);
    expect(outcome.stats.restores).toBeGreaterThan(0);
    expect(outcome.stats.probes).toBeGreaterThan(0);
    // The search evaluated is_bst at its probes: part of its time, never more than all of it.
    expect(outcome.expressionSeconds).toBeGreaterThan(0);
    expect(outcome.expressionSeconds).toBeLessThanOrEqual(outcome.stats.seconds);
    expect(await session.evaluate('inserted')).toBe(plain.prints['inserted']);
    expect(await session.evaluate('key')).toBe(plain.prints['key']);
    expect(await session.evaluate('is_bst(root)')).toBe('1');
    // The line calls insert (which returns the new node) and then assigns: `next` runs both.
    const next = await session.next();
    expect(next.location).toEqual(plain.afterNext);
    expect(await session.evaluate('is_bst(root)')).toBe('0');
    expect(occurrences(programOutput(), `inserted ${BST_ARGS[0]} keys, bst no`)).toBe(1);
  });

  it('fred bisect --json on bst: every field, checked against plain gdb; the same answer with 1 ms checkpoints and with none', async () => {
    const plain = await bstOracle();
    const prints = ['inserted', 'key', 'tree->key'];
    const printArgs = prints.flatMap((print) => ['--print', print]);
    const every = await bisectJson(['--checkpoint-interval', '1', '--watch', 'is_bst(root)', ...printArgs, '--', bst, ...BST_ARGS]);
    expect(every.run.code, every.run.stderr).toBe(0);
    const { json } = every;
    expect(Object.keys(json).sort()).toEqual(['backtrace', 'expression', 'found', 'location', 'prints', 'stats', 'valueAfter', 'valueBefore']);
    expect(json.found).toBe(true);
    expect(json.expression).toBe('is_bst(root)');
    expect(json.valueBefore).toBe(plain.before);
    expect(json.valueAfter).toBe(plain.after);
    expect(json.location).toEqual(plain.location);
    expect(json.prints).toEqual(plain.prints);
    // One frame per level: the changing frame, the insert frames above it, main.
    expect(json.backtrace).toHaveLength(plain.location.depth);
    expect(json.backtrace[0]).toEqual({ function: 'insert', file: plain.location.file, line: plain.location.line });
    expect(json.backtrace.slice(1, -1).every((frame) => frame.function === 'insert'
      && [markerLine('bst.c', 'left'), markerLine('bst.c', 'right')].includes(frame.line))).toBe(true);
    expect(json.backtrace[json.backtrace.length - 1]).toEqual({ function: 'main', file: fixtureSource('bst.c'), line: markerLine('bst.c', 'insert') });
    expect(Object.keys(json.stats).sort()).toEqual(['checkpoints', 'probes', 'restores', 'seconds']);
    for (const value of Object.values(json.stats)) expect(value).toBeGreaterThanOrEqual(0);
    expect(json.stats.seconds).toBeGreaterThan(0);
    expect(json.stats.restores).toBeGreaterThan(0);
    // The program's output goes to stderr, once.
    expect(occurrences(every.run.stderr, `inserted ${BST_ARGS[0]} keys, bst no`)).toBe(1);

    const none = await bisectJson(['--checkpoint-interval', '0', '--watch', 'is_bst(root)', ...printArgs, '--', bst, ...BST_ARGS]);
    expect(none.run.code, none.run.stderr).toBe(0);
    const { stats: _everyStats, ...everyAnswer } = json;
    const { stats: _noneStats, ...noneAnswer } = none.json;
    expect(noneAnswer).toEqual(everyAnswer);
  });

  it('linked_list: lands inside append at the link with value 17, called from the loop with i == 17 (FReD\'s demo)', async () => {
    const file = 'linked_list.c';
    const plain = await plainChange(fixtureBinary('linked_list'), [], [{ spec: at(file, 'link'), condition: 'value == 17' }], 'list_len(head) < 17', 1, ['value']);
    expect(plain.location).toEqual(where(file, 'link', 'append', 2));
    expect([plain.before, plain.after]).toEqual(['0', '1']);

    const { session } = await open(fixtureBinary('linked_list'), []);
    await session.setBreakpoint(at(file, 'after_loop'));
    expect((await session.run()).location).toEqual(where(file, 'after_loop', 'main', 1));
    const outcome = await session.reverseWatch('list_len(head) < 17');
    expect(outcome.found).toBe(true);
    expect([outcome.valueBefore, outcome.valueAfter]).toEqual(['0', '1']);
    expect(outcome.location).toEqual(plain.location);
    expect(await session.evaluate('value')).toBe('17');
    const frames = await session.backtrace();
    expect(frames.map((frame) => [frame.function, frame.line])).toEqual([['append', markerLine(file, 'link')], ['main', markerLine(file, 'append')]]);
    await session.native('up');
    expect(await session.evaluate('i')).toBe('17');
    expect(await session.evaluate('list_len(head) < 17')).toBe('0');
    await session.native('down');
    // append's own `head` is the same list: the link statement shrinks it.
    expect((await session.next()).location).toEqual(plain.afterNext);
    expect(await session.evaluate('list_len(head) < 17')).toBe('1');
  });

  it('counter_loop, 3 million iterations that allocate nothing: fred bisect finds the miscount by counting loop iterations in the program', async () => {
    // No allocation to count and far too many lines to step: the stretch is bisected by the
    // executions of one instruction of the loop, counted by a trampoline (fred_gdb_hits.py).
    // (The plain gdb oracle on the same loop, 200 iterations, is the next test's.)
    const file = 'counter_loop.c';
    const run = await bisectJson(['--watch', 'check()', '--print', 'iteration', '--print', 'counter', '--', fixtureBinary('counter_loop'), '3000000', '2000000']);
    expect(run.run.code, run.run.stderr).toBe(0);
    expect(run.json).toMatchObject({ found: true, valueBefore: '1', valueAfter: '0', location: where(file, 'bug', 'main', 1) });
    // Before the statement ran: the iteration that adds 3, the counter still even.
    expect(run.json.prints).toEqual({ iteration: '2000000', counter: '4000000' });
    expect(occurrences(run.run.stderr, 'counter 6000001 check 0')).toBe(1);
  });

  it('counter_loop, 30 million iterations with a checkpoint every 5 ms: the checkpoints inside the loop carry its count, and the answer is the same', async () => {
    // A checkpoint an interrupt placed inside the loop could be run to again only by stopping
    // at every iteration: `continue` counts the loop between checkpoints instead.
    await bisectCounterLoop(5, 20_000_000);
  });

  it('counter_loop, 30 million iterations, the miscount before the first checkpoint: its stretch is counted through the counted rest of the run', async () => {
    // `continue` counts the loop only from its first automatic checkpoint on (where fred learns
    // where the program loops): the stretch before it ends inside the loop, where a run could
    // stop only by stopping at every iteration. Its count is the whole run's less the rest's.
    // (Before: minutes of stepping, then "more than 200000 steps".)
    const run = await bisectCounterLoop(20, 100_000);
    // The miscount came before the first automatic checkpoint (0.4 ms of loop against 20 ms).
    expect(run.json.stats.checkpoints).toBeGreaterThan(2);
  });

  it('counter_loop with 200 iterations: the same statement as plain gdb, with and without the record shim (no counter then)', async () => {
    const file = 'counter_loop.c';
    const plain = await plainChange(fixtureBinary('counter_loop'), ['200', '100'], [{ spec: at(file, 'bug'), condition: 'iteration == 100' }], 'check()', 0, ['iteration']);
    for (const record of [true, false]) {
      const { session } = await open(fixtureBinary('counter_loop'), ['200', '100'], undefined, record);
      expect((await session.run()).state).toEqual({ kind: 'exited', code: 0 });
      const outcome = await session.reverseWatch('check()');
      expect(outcome.found).toBe(true);
      expect([outcome.valueBefore, outcome.valueAfter]).toEqual([plain.before, plain.after]);
      expect(outcome.location).toEqual(plain.location);
      expect(await session.evaluate('iteration')).toBe(plain.prints.iteration);
      expect((await session.next()).location).toEqual(plain.afterNext);
      expect(await session.evaluate('check()')).toBe('0');
    }
  });

  it('abort: from the SIGABRT, the transaction that made the balance negative, and the one that last changed it', async () => {
    const file = 'abort.c';
    const program = fixtureBinary('abort');
    const negative = await plainChange(program, [], [{ spec: at(file, 'apply'), condition: 'amount == -70' }], 'balance < 0', 0, ['transactions', 'amount']);
    const last = await plainChange(program, [], [{ spec: at(file, 'apply'), condition: 'amount == 15' }], 'balance', 0, ['transactions', 'amount']);
    expect(negative.prints).toEqual({ transactions: '4', amount: '-70' });
    expect(last.prints).toEqual({ transactions: '6', amount: '15' });

    const first = await bisectJson(['--watch', 'balance < 0', '--print', 'transactions', '--print', 'amount', '--', program]);
    expect(first.run.code, first.run.stderr).toBe(0);
    expect(first.json).toMatchObject({ found: true, valueBefore: negative.before, valueAfter: negative.after, location: negative.location, prints: negative.prints });
    expect(first.json.backtrace.map((frame) => frame.function)).toEqual(['apply', 'main']);
    expect(occurrences(first.run.stderr, '7 transactions')).toBe(1);
    expect(occurrences(first.run.stderr, 'audit: balance -10')).toBe(1);

    // The text form.
    const text = await bisect(['--watch', 'balance', '--print', 'transactions', '--', program]);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`balance changed from ${last.before} to ${last.after}`);
    expect([last.before, last.after]).toEqual(['-25', '-10']);
    expect(lines[1]).toBe(`at ${last.location.file}:${last.location.line} in apply (depth 2), before the statement ran`);
    expect(lines[2]).toBe(`  #0 apply at ${last.location.file}:${last.location.line}`);
    expect(lines[3]).toBe(`  #1 main at ${fixtureSource(file)}:${markerLine(file, 'call')}`);
    expect(lines[4]).toBe('transactions = 6');
    expect(lines[5]).toMatch(/^\d+\.\d\d s, \d+ checkpoints, \d+ restores, \d+ probes$/);
    expect(lines).toHaveLength(6);
  });

  it('crash: from the SIGSEGV, a parameter of the crashing frame goes back to the call that made that frame', async () => {
    const file = 'crash.c';
    const { session, programOutput } = await open(fixtureBinary('crash'), []);
    const crash = await session.run();
    expect(crash.state.kind).toBe('crashed');
    expect(crash.location).toEqual(where(file, 'crash', 'value_length', 4));
    const outcome = await session.reverseWatch('e != 0');
    expect(outcome.found).toBe(true);
    // Before the call the crashing frame did not exist: only globals, and `e` is none.
    expect([outcome.valueBefore, outcome.valueAfter]).toEqual(['<unavailable>', '0']);
    expect(outcome.location).toEqual({ ...where(file, 'find', 'setting_length', 3), line: markerLine(file, 'find') + 1 });
    expect(await session.evaluate('found')).toBe('0x0');
    expect(await session.evaluate('key')).toMatch(/"timeout"$/);
    const step = await session.step();
    expect(step.location).toEqual(where(file, 'crash', 'value_length', 4));
    expect(await session.evaluate('e != 0')).toBe('0');
    expect(occurrences(programOutput(), 'settings: 2 entries')).toBe(1);
  });

  it('not found: an expression that never changed leaves the crashed program where it was', async () => {
    const { session, programOutput } = await open(fixtureBinary('abort'), []);
    const crash = await session.run();
    const frames = await session.backtrace();
    const outcome = await session.reverseWatch('transactions >= 0');
    expect(outcome.found).toBe(false);
    expect(outcome.valueAfter).toBe('1');
    expect(outcome.valueBefore).toBeUndefined();
    expect(outcome.output).toBe('transactions >= 0 = 1 over the whole recorded history.\n');
    expect(outcome.location).toEqual(crash.location);
    expect(outcome.state).toEqual(crash.state);
    expect(await session.location()).toEqual(crash.location);
    expect(await session.backtrace()).toEqual(frames);
    expect(await session.evaluate('balance')).toBe('-10');
    // Still at the end: running on is refused as before.
    await fredError(() => session.continue());
    expect(occurrences(programOutput(), '7 transactions')).toBe(1);

    const run = await bisect(['--watch', 'transactions >= 0', '--', fixtureBinary('abort')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('not found: transactions >= 0 = 1 over the whole recorded history\n');
  });

  it('not found: --break at a location the program never reaches exits 1', async () => {
    const neverReached = `abort.c:${markerLine('abort.c', 'audit') + 1}`;
    const { run, json } = await bisectJson(['--break', neverReached, '--watch', 'balance', '--', fixtureBinary('abort')]);
    expect(run.code).toBe(1);
    expect(json).toMatchObject({ found: false, expression: 'balance', location: null, backtrace: [], prints: {} });
    const text = await bisect(['--break', neverReached, '--watch', 'balance', '--', fixtureBinary('abort')]);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe('not found: the program never reached the location\n');
  });

  it('errors: a syntax error and a line break are refused, the session stays put and usable, nothing runs twice', async () => {
    const { session, programOutput } = await open(fixtureBinary('abort'), []);
    const crash = await session.run();
    const syntax = await fredError(() => session.reverseWatch('balance +'));
    expect(syntax.code).toBe('bad-expression');
    expect(syntax.message).toMatch(/^A syntax error in expression/); // gdb's own words
    expect(await session.location()).toEqual(crash.location);
    const unknown = await fredError(() => session.reverseWatch('no_such_balance < 0'));
    expect(unknown.code).toBe('bad-expression');
    expect(unknown.message).toBe('No symbol "no_such_balance" in current context.');
    expect(await session.location()).toEqual(crash.location);
    expect((await fredError(() => session.reverseWatch('balance\n< 0'))).code).toBe('usage');
    expect(await session.location()).toEqual(crash.location);
    expect(session.state).toEqual(crash.state);
    expect(await session.evaluate('balance')).toBe('-10');
    // The session still answers.
    const outcome = await session.reverseWatch('balance < 0');
    expect(outcome.location).toEqual(where('abort.c', 'apply', 'apply', 2));
    expect(await session.evaluate('transactions')).toBe('4');
    expect(occurrences(programOutput(), '7 transactions')).toBe(1);
    expect(occurrences(programOutput(), 'audit: balance -10')).toBe(1);

    for (const watch of ['balance +', 'balance\n< 0', '']) {
      const run = await bisect(['--watch', watch, '--', fixtureBinary('abort')]);
      expect(run.code, `--watch ${JSON.stringify(watch)}`).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n').filter((line) => line.startsWith('fred:'))).toHaveLength(1);
      expect(occurrences(run.stderr, '7 transactions')).toBeLessThanOrEqual(1);
    }
  });

  it('side effects: an expression with a different value at each evaluation (transactions++) is refused', async () => {
    const { session } = await open(fixtureBinary('abort'), []);
    const crash = await session.run();
    const error = await fredError(() => session.reverseWatch('transactions++'));
    expect(error.code).toBe('bad-expression');
    expect(error.message).toMatch(/side effects/);
    expect(await session.location()).toEqual(crash.location);

    const run = await bisect(['--watch', 'transactions++', '--', fixtureBinary('abort')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^fred: .*side effects/m);
  });
});

// ==== Python programs under pdb ===========================================================

describe('reverse-watch on Python programs (pdb)', () => {
  const inventory = fixtureSource('inventory.py');
  const printLine = markerLine('inventory.py', 'print');
  const prints = ['order_number', 'name', 'quantity'];
  const printArgs = prints.flatMap((print) => ['--print', print]);

  it('inventory: fred bisect --json finds the helper five frames deep that made a stock negative, as a traced forward run does', async () => {
    const { change } = pythonChange(inventory, INVENTORY_ARGS, 'min(stock.values()) >= 0', printLine, prints);
    expect(change).toMatchObject({ line: markerLine('inventory.py', 'take'), function: 'take', depth: 5, before: 'True', after: 'False' });
    expect(change.prints).toEqual({ order_number: INVENTORY_ARGS[1], name: "' Pears'", quantity: '6' });

    const { run, json } = await bisectJson(['--break', at('inventory.py', 'print'), '--watch', 'min(stock.values()) >= 0', ...printArgs, '--', inventory, ...INVENTORY_ARGS]);
    expect(run.code, run.stderr).toBe(0);
    expect(json.found).toBe(true);
    expect(json.expression).toBe('min(stock.values()) >= 0');
    expect([json.valueBefore, json.valueAfter]).toEqual([change.before, change.after]);
    expect(json.location).toEqual({ file: inventory, line: change.line, function: change.function, depth: change.depth });
    expect(json.prints).toEqual(change.prints);
    expect(json.backtrace.map((frame) => [frame.function, frame.line])).toEqual([
      ['take', markerLine('inventory.py', 'take')],
      ['fulfil', markerLine('inventory.py', 'fulfil-take')],
      ['handle', markerLine('inventory.py', 'handle-fulfil')],
      ['main', markerLine('inventory.py', 'handle')],
      ['<module>', markerLine('inventory.py', 'main')],
    ]);
    expect(json.stats.probes).toBeGreaterThan(0);
  });

  it('linked_list: stopped after the loop, `list_len(head) < 17` lands on the append line with i == 17 (FReD\'s demo)', async () => {
    const file = 'linked_list.py';
    const { change } = pythonChange(fixtureSource(file), [], 'list_len(head) < 17', markerLine(file, 'print'), ['i']);
    expect(change).toMatchObject({ line: markerLine(file, 'append'), function: '<module>', depth: 1, before: 'False', after: 'True', prints: { i: '17' } });

    const { session } = await open(fixtureSource(file), []);
    await session.setBreakpoint(at(file, 'print'));
    expect((await session.continue()).location).toEqual(where(file, 'print', '<module>', 1));
    const outcome = await session.reverseWatch('list_len(head) < 17');
    expect(outcome.found).toBe(true);
    expect([outcome.valueBefore, outcome.valueAfter]).toEqual(['False', 'True']);
    expect(outcome.location).toEqual(where(file, 'append', '<module>', 1));
    expect(await session.evaluate('i')).toBe('17');
    expect(await session.evaluate('list_len(head)')).toBe('17');
    await session.next();
    expect(await session.evaluate('list_len(head) < 17')).toBe('True');
    expect(await session.evaluate('list_len(head)')).toBe('1');
  });

  it('inventory from its exit: without --break, held at the end; the same answer with 1 ms checkpoints and with none', async () => {
    const args = ['5000', '3000'];
    const { change } = pythonChange(inventory, args, 'min(stock.values()) >= 0', 0, prints);
    expect(change).toMatchObject({ line: markerLine('inventory.py', 'take'), function: 'take', depth: 5, before: 'True', after: 'False' });
    for (const interval of ['1', '0']) {
      const { run, json } = await bisectJson(['--checkpoint-interval', interval, '--watch', 'min(stock.values()) >= 0', ...printArgs, '--', inventory, ...args]);
      expect(run.code, run.stderr).toBe(0);
      expect(occurrences(run.stderr, 'orders 5000 items 7')).toBe(1);
      expect(json.location).toEqual({ file: inventory, line: change.line, function: change.function, depth: change.depth });
      expect([json.valueBefore, json.valueAfter]).toEqual([change.before, change.after]);
      expect(json.prints).toEqual(change.prints);
    }
  });

  it('crash: from an uncaught exception, a parameter of the raising frame goes back to the call that made it, not into the unwinding', async () => {
    const crash = fixtureSource('crash.py');
    const { session, programOutput } = await open(crash, []);
    const stop = await session.continue();
    expect(stop.state).toEqual({ kind: 'crashed', reason: 'ZeroDivisionError: division by zero' });
    expect(stop.location).toEqual(where('crash.py', 'divide', 'average', 4));
    const outcome = await session.reverseWatch('len(values) == 0');
    expect(outcome.found).toBe(true);
    expect([outcome.valueBefore, outcome.valueAfter]).toEqual(['<unavailable>', 'True']);
    expect(outcome.location).toEqual(where('crash.py', 'report', 'report', 3));
    expect(await session.evaluate('name')).toBe("'empty'");
    // reverse-step from the crash goes to the line that raised, not to a frame of the unwinding.
    await session.continue();
    expect((await session.reverseStep()).location).toEqual(where('crash.py', 'divide', 'average', 4));
    expect(occurrences(programOutput(), 'small 2.0')).toBe(1);
  });

  it('not found, errors and side effects: exit 1, exit 2, and the program runs once', async () => {
    // The recorded history starts before the module's first line: `__name__` is set already
    // (a global such as ITEMS would change, from unavailable to its value, when defined).
    const notFound = await bisectJson(['--break', at('inventory.py', 'print'), '--watch', '__name__ == "__main__"', '--', inventory, ...INVENTORY_ARGS]);
    expect(notFound.run.code).toBe(1);
    expect(notFound.json).toMatchObject({ found: false, valueAfter: 'True', location: null, backtrace: [], prints: {} });
    const defined = await bisectJson(['--break', at('inventory.py', 'print'), '--watch', 'len(ITEMS) == 6', '--', inventory, ...INVENTORY_ARGS]);
    expect(defined.run.code).toBe(0);
    expect(defined.json).toMatchObject({ valueBefore: '<unavailable>', valueAfter: 'True', location: { line: markerLine('inventory.py', 'items'), function: '<module>', depth: 1 } });

    const crash = fixtureSource('crash.py');
    for (const watch of ['len(values) ==', 'len(values)\n== 0', 'undefined_name']) {
      const run = await bisect(['--watch', watch, '--', crash]);
      expect(run.code, `--watch ${JSON.stringify(watch)}: ${run.stderr}`).toBe(2);
      expect(run.stdout).toBe('');
      expect(occurrences(run.stderr, 'large 15.0')).toBeLessThanOrEqual(1);
    }

    // `clear()` returns None every time, but empties the stock wherever it is evaluated.
    const clear = await bisect(['--break', at('inventory.py', 'print'), '--watch', 'stock.clear()', '--', inventory, ...INVENTORY_ARGS]);
    expect(clear.code, clear.stdout).toBe(2);
    expect(clear.stderr).toMatch(/^fred: .*side effects/m);

    const { session, programOutput } = await open(crash, []);
    const stop = await session.continue();
    expect((await fredError(() => session.reverseWatch('len(values) =='))).code).toBe('bad-expression');
    expect(await session.location()).toEqual(stop.location);
    expect(await session.evaluate('values')).toBe('[]');
    expect(occurrences(programOutput(), 'small 2.0')).toBe(1);
  });
});
