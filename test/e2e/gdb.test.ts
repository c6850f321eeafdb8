// End-to-end tests of the gdb personality through the Session library API: real gdb, real
// fixtures, every Debugger method. Line numbers come from the fixtures' `/* @name */` markers.

import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FredError } from '../../src/errors.js';
import { Session } from '../../src/session/session.js';
import { discardEarlyDebugger, startDebuggerEarly } from '../../src/session/early-start.js';
import type { CommandOutcome } from '../../src/debugger/types.js';
import { fixtureBinary, fixtureSource, markerLine } from '../helpers/fixtures.js';
import { descendants, describeProcesses, survivorsAfter, waitFor, type ProcessInfo } from '../helpers/processes.js';
import { sessionSandbox } from '../helpers/session-sandbox.js';

const LINKED_LIST = 'linked_list.c';
const RECURSION = 'recursion.c';
const CRASH = 'crash.c';

const sandbox = sessionSandbox('fred-gdb-');

interface Opened {
  session: Session;
  /** Everything the program has written to its terminal so far. */
  programOutput(): string;
}

async function open(program: string, options: { args?: string[]; stdinFile?: string } = {}): Promise<Opened> {
  const session = await Session.start({
    program: program.includes('/') ? program : fixtureBinary(program),
    args: options.args ?? [],
    debugger: 'gdb',
    stdinFile: options.stdinFile,
  });
  sandbox.sessions.push(session);
  let output = '';
  session.onProgramOutput((text) => { output += text; });
  return { session, programOutput: () => output };
}

/** The FredError a promise rejects with (fails the test if it resolves or throws something else). */
async function fredError(promise: Promise<unknown>): Promise<FredError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FredError);
    return error as FredError;
  }
  throw new Error('expected a FredError, but the call succeeded');
}

/** Calls `action` and also returns the FredError it throws synchronously or asynchronously. */
async function fredErrorOf(action: () => Promise<unknown>): Promise<FredError> {
  let promise: Promise<unknown>;
  try {
    promise = action();
  } catch (error) {
    promise = Promise.reject(error);
  }
  return fredError(promise);
}

function waitForOutput(opened: Opened, text: string, timeoutMs = 5000): Promise<string> {
  return waitFor(() => opened.programOutput().includes(text) && opened.programOutput(), timeoutMs, `program output ${JSON.stringify(text)}`);
}

/** gdb's C string (`0x7ffd... "a \"b\""`) decoded to the characters it shows. */
function cString(value: string): string {
  const match = /"((?:[^"\\]|\\.)*)"/.exec(value);
  if (!match) throw new Error(`not a C string value: ${value}`);
  return match[1]!.replace(/\\([0-7]{1,3}|.)/g, (_, escape: string) => {
    if (/^[0-7]+$/.test(escape)) return String.fromCharCode(Number.parseInt(escape, 8));
    return ({ n: '\n', t: '\t', r: '\r', e: '\x1b' } as Record<string, string>)[escape] ?? escape;
  });
}

describe('gdb personality: launch', () => {
  it('loads the program without starting it', async () => {
    const { session } = await open('linked_list');
    expect(session.kind).toBe('gdb');
    expect(session.launchOutcome).toEqual({ output: '', state: { kind: 'not-started' }, location: null });
    expect(session.state).toEqual({ kind: 'not-started' });
    expect(await session.location()).toBeNull();
    expect((await fredError(session.backtrace())).code).toBe('not-running');
  });

  it('refuses a missing program and a non-executable one with one-line program errors', async () => {
    const missing = await fredError(Session.start({ program: join(sandbox.scratch.path, 'no-such-program'), debugger: 'gdb' }));
    expect(missing.code).toBe('program');
    expect(missing.message).toMatch(/no such file/);
    expect(missing.message).not.toContain('\n');
    const notExecutable = await fredError(Session.start({ program: fixtureSource(LINKED_LIST), debugger: 'gdb' }));
    expect(notExecutable.code).toBe('program');
    expect(notExecutable.message).toMatch(/not executable/);
  });

  it('uses the gdb started early for it (the CLI starts gdb while node loads the rest), and ends one started for other options', async () => {
    const gdbs = (): number[] => descendants(process.pid).filter((info) => info.name === 'gdb' && info.state !== 'Z').map((info) => info.pid);
    const before = new Set(gdbs());
    startDebuggerEarly({ program: fixtureBinary('linked_list') });
    const early = await waitFor(() => gdbs().find((pid) => !before.has(pid)), 10_000, 'the early gdb');
    const { session } = await open('linked_list');
    expect(gdbs().filter((pid) => !before.has(pid))).toEqual([early]);
    await session.setBreakpoint('main');
    expect((await session.continue()).location?.function).toBe('main');

    // Started for fred's own directory, asked for another: the early one ends, a new one serves.
    const second = new Set(gdbs());
    startDebuggerEarly({ program: fixtureBinary('linked_list') });
    const unwanted = await waitFor(() => gdbs().find((pid) => !second.has(pid)), 10_000, 'the second early gdb');
    const elsewhere = await Session.start({ program: fixtureBinary('linked_list'), debugger: 'gdb', cwd: sandbox.scratch.path });
    sandbox.sessions.push(elsewhere);
    await waitFor(() => !gdbs().includes(unwanted), 10_000, 'the unwanted early gdb to end');
    expect(gdbs().filter((pid) => !second.has(pid))).toHaveLength(1);
    await elsewhere.setBreakpoint('main');
    expect((await elsewhere.continue()).location?.function).toBe('main');
  });

  it('leaves nothing of an early gdb no session took', async () => {
    const gdbs = (): number[] => descendants(process.pid).filter((info) => info.name === 'gdb' && info.state !== 'Z').map((info) => info.pid);
    const before = new Set(gdbs());
    startDebuggerEarly({ program: fixtureBinary('linked_list') });
    const early = await waitFor(() => gdbs().find((pid) => !before.has(pid)), 10_000, 'the early gdb');
    await discardEarlyDebugger();
    expect(gdbs()).not.toContain(early);
    // Not a gdb program, or not there: nothing starts.
    startDebuggerEarly({ program: join(sandbox.scratch.path, 'no-such-program') });
    startDebuggerEarly({ program: fixtureBinary('linked_list'), backend: 'dmtcp' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gdbs().filter((pid) => !before.has(pid))).toEqual([]);
  });

  it('refuses a --stdin file that does not exist', async () => {
    const error = await fredError(Session.start({ program: fixtureBinary('read_stdin'), debugger: 'gdb', stdinFile: join(sandbox.scratch.path, 'nothing-here') }));
    expect(error.code).toBe('program');
    expect(error.message).toContain('nothing-here');
  });
});

describe('gdb personality: breakpoints', () => {
  it('sets breakpoints by function and by file:line, lists and deletes them', async () => {
    const { session } = await open('linked_list');
    const byFunction = await session.setBreakpoint('append');
    expect(byFunction).toMatchObject({
      spec: 'append', function: 'append', line: markerLine(LINKED_LIST, 'in_append'), enabled: true, hits: 0,
    });
    expect(byFunction.file).toBe(fixtureSource(LINKED_LIST));
    const linkLine = markerLine(LINKED_LIST, 'link');
    const byLine = await session.setBreakpoint(`${LINKED_LIST}:${linkLine}`);
    expect(byLine).toMatchObject({ spec: `${LINKED_LIST}:${linkLine}`, function: 'append', line: linkLine });
    expect(byLine.id).toBeGreaterThan(byFunction.id);

    const listed = await session.listBreakpoints();
    expect(listed.map((bp) => [bp.id, bp.line])).toEqual([[byFunction.id, byFunction.line], [byLine.id, linkLine]]);

    await session.deleteBreakpoint(byFunction.id);
    expect((await session.listBreakpoints()).map((bp) => bp.id)).toEqual([byLine.id]);

    // The remaining breakpoint is the one that fires.
    const outcome = await session.run();
    expect(outcome.location).toMatchObject({ function: 'append', line: linkLine, depth: 2 });
    expect((await session.listBreakpoints())[0]?.hits).toBe(1);
  });

  it('reports a breakpoint that cannot be set, and a bad breakpoint number, as errors', async () => {
    const { session } = await open('linked_list');
    expect((await fredError(session.setBreakpoint('no_such_function'))).message).toMatch(/no_such_function/);
    expect((await fredError(session.deleteBreakpoint(42))).code).toBe('debugger');
    expect((await fredErrorOf(() => session.deleteBreakpoint(0))).code).toBe('usage');
    expect(await session.listBreakpoints()).toEqual([]);
  });

  it('stops at a conditional breakpoint only when the condition holds', async () => {
    const opened = await open('linked_list');
    const { session } = opened;
    const appendLine = markerLine(LINKED_LIST, 'append');
    const breakpoint = await session.setBreakpoint(`${LINKED_LIST}:${appendLine}`, 'i == 17');
    expect(breakpoint.condition).toBe('i == 17');
    expect((await session.listBreakpoints())[0]?.condition).toBe('i == 17');

    const first = await session.run();
    expect(first.state).toEqual({ kind: 'stopped' });
    expect(first.location).toMatchObject({ function: 'main', line: appendLine, depth: 1 });
    expect(await session.evaluate('i')).toBe('17');
    // The list is still intact before the buggy append.
    expect(await session.evaluate('list_len(head)')).toBe('17');
    expect((await session.listBreakpoints())[0]?.hits).toBe(1);

    // i == 17 happens once: the next stop is the program's exit.
    const last = await session.continue();
    expect(last.state).toEqual({ kind: 'exited', code: 0 });
    expect(last.location).toBeNull();
    await waitForOutput(opened, 'length 10');
  });

  it('rejects a condition or a location containing a line break without running anything', async () => {
    const { session } = await open('linked_list');
    expect((await fredErrorOf(() => session.setBreakpoint('main\nrun'))).code).toBe('usage');
    expect((await fredErrorOf(() => session.setBreakpoint('main', 'i == 1\nrun'))).code).toBe('usage');
    expect(await session.listBreakpoints()).toEqual([]);
    expect(session.state).toEqual({ kind: 'not-started' });
  });
});

describe('gdb personality: running and stepping', () => {
  it('runs to main, nexts within the frame, steps into a callee and finishes back out', async () => {
    const { session } = await open('linked_list');
    await session.setBreakpoint('main');
    const file = fixtureSource(LINKED_LIST);

    const started = await session.run();
    expect(started.state).toEqual({ kind: 'stopped' });
    expect(started.location).toEqual({ file, line: markerLine(LINKED_LIST, 'start'), function: 'main', depth: 1 });
    expect(started.output).toContain('Breakpoint 1, main');

    const loop = await session.next();
    expect(loop.location).toEqual({ file, line: markerLine(LINKED_LIST, 'loop'), function: 'main', depth: 1 });
    const call = await session.next();
    expect(call.location).toEqual({ file, line: markerLine(LINKED_LIST, 'append'), function: 'main', depth: 1 });

    const entered = await session.step();
    expect(entered.location).toEqual({ file, line: markerLine(LINKED_LIST, 'in_append'), function: 'append', depth: 2 });
    expect(await session.evaluate('value')).toBe('0');

    // next over new_node(): still in append, one line further, same depth.
    const over = await session.next();
    expect(over.location).toMatchObject({ function: 'append', depth: 2 });
    expect(over.location!.line).toBeGreaterThan(markerLine(LINKED_LIST, 'in_append'));

    const back = await session.finish();
    expect(back.location).toMatchObject({ file, function: 'main', depth: 1 });
    expect(back.output).toMatch(/Run till exit from #0 +append/);
    expect(back.output).toContain('Value returned');
    expect(await session.location()).toEqual(back.location);

    const done = await session.continue();
    expect(done.state).toEqual({ kind: 'exited', code: 0 });
    expect(done.location).toBeNull();
    expect(done.output).toMatch(/exited normally/);
  });

  it('continue on a program that has not started runs it', async () => {
    const opened = await open('linked_list');
    const outcome = await opened.session.continue();
    expect(outcome.state).toEqual({ kind: 'exited', code: 0 });
    await waitForOutput(opened, 'length 10');
  });

  it('reports the exit code of a program that exits with a non-zero status', async () => {
    const opened = await open('exit_code');
    const outcome = await opened.session.run();
    expect(outcome.state).toEqual({ kind: 'exited', code: 3 });
    expect(opened.session.state).toEqual({ kind: 'exited', code: 3 });
    expect(outcome.location).toBeNull();
    expect(outcome.output).toMatch(/exited with code 03/);
    await waitForOutput(opened, '3 failed');
    expect(opened.programOutput()).toContain('checking 5 values');
    expect((await fredError(opened.session.backtrace())).code).toBe('not-running');
  });

  it('reports a crash, keeping the location and the stack of the crash', async () => {
    const opened = await open('crash');
    const { session } = opened;
    const outcome = await session.run();
    expect(outcome.state.kind).toBe('crashed');
    expect(outcome.state.kind === 'crashed' && outcome.state.reason).toMatch(/^SIGSEGV/);
    expect(outcome.location).toEqual({
      file: fixtureSource(CRASH), line: markerLine(CRASH, 'crash'), function: 'value_length', depth: 4,
    });
    expect(outcome.output).toContain('SIGSEGV');
    expect((await session.backtrace()).map((frame) => frame.function)).toEqual(['value_length', 'setting_length', 'load_settings', 'main']);
    expect(await session.evaluate('e')).toBe('0x0');
    await waitForOutput(opened, 'settings: 2 entries');
    expect(opened.programOutput()).not.toContain('total length');
  });

  it('stops a running program with interrupt(), as Ctrl-C would', async () => {
    const opened = await open('read_stdin');
    const running = opened.session.run();
    await waitForOutput(opened, 'enter numbers');
    opened.session.interrupt();
    const outcome = await running;
    expect(outcome.state).toEqual({ kind: 'stopped' });
    expect(outcome.output).toContain('SIGINT');
    expect(await opened.session.evaluate('count')).toBe('0');
    // The stack reaches down from main into the C library's read.
    expect((await opened.session.backtrace()).some((frame) => frame.function === 'main')).toBe(true);
  });
});

describe('gdb personality: a multi-threaded program', () => {
  it('runs to its end: the automatic checkpoints gdb refuses are turned off with a notice, and the session goes on', async () => {
    // 1 ms interval: fred interrupts while both threads run, and gdb refuses to fork them.
    const session = await Session.start({ program: fixtureBinary('threads'), debugger: 'gdb', checkpointIntervalMs: 1 });
    sandbox.sessions.push(session);
    let output = '';
    session.onProgramOutput((text) => { output += text; });
    const run = await session.run();
    expect(run.state).toEqual({ kind: 'exited', code: 0 });
    expect(run.output).toContain('fred: gdb cannot checkpoint a multi-threaded program: automatic checkpoints are off\n');
    await waitFor(() => output.includes('sums'), 5000, 'the program\'s output');
    expect(output).toMatch(/^sums (\d+) \1\r?\n$/);
    // The session still answers; at the exit the other thread is gone, and the program is held.
    expect(await session.evaluate('sums[0] == sums[1]')).toBe('1');
    // Off for the rest of the session (until the interval is set again): no second notice.
    const again = await session.run();
    expect(again.state).toEqual({ kind: 'exited', code: 0 });
    expect(again.output).not.toContain('automatic checkpoints are off');
  });
});

describe('gdb personality: evaluate and backtrace', () => {
  it('evaluates variables and function calls in the program', async () => {
    const { session } = await open('linked_list');
    await session.setBreakpoint(`${LINKED_LIST}:${markerLine(LINKED_LIST, 'after_loop')}`);
    await session.run();
    expect(await session.evaluate('i')).toBe('20');
    expect(await session.evaluate('list_len(head)')).toBe('10');
    expect(await session.evaluate('list_len(head) < 17')).toBe('1');
    expect(await session.evaluate('head->value')).toBe('0');
  });

  it('a function call leaves every register as it was, vector registers included', async () => {
    // fred has gdb read the extended register state when a call returns, so that gdb writes back
    // only what the call changed (fred_gdb.py, _CheapCallReturns): the values must all come back.
    const { session } = await open('linked_list');
    await session.setBreakpoint(`${LINKED_LIST}:${markerLine(LINKED_LIST, 'after_loop')}`);
    await session.run();
    const vectorRegisters = (await session.native('info registers vector')).output;
    await session.native('set var $xmm0.v4_int32 = {11, 22, 33, 44}');
    await session.native('set var $xmm7.v4_int32 = {55, 66, 77, 88}');
    if (/^zmm16\b/m.test(vectorRegisters)) await session.native('set var $zmm16.v16_int32 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}');
    const before = (await session.native('info all-registers')).output;
    // memset and strlen run on vector registers (SSE, AVX or AVX-512, as libc chose).
    expect(await session.evaluate('(long)strlen((char *)memset((char *)malloc(100000), 7, 99999))')).not.toBe('0');
    expect((await session.native('info all-registers')).output).toBe(before);
    expect((await session.native('output $xmm0.v4_int32')).output).toBe('{11, 22, 33, 44}');
  });

  it('a fault inside a hit counter\'s copy of the code is put back at the faulting instruction of the program', async () => {
    // fred_gdb_hits.py moves the first instructions of a line into a trampoline; crash.c's
    // line 40 starts with `mov e,%rax; mov 8(%rax),%rax`, the load that faults when e is NULL.
    const { session } = await open('crash');
    await session.setBreakpoint('value_length', 'e == 0');
    expect((await session.run()).location).toMatchObject({ function: 'value_length', line: markerLine(CRASH, 'crash') });
    // (No breakpoint may lie inside a site.)
    await session.native('delete');
    const installed = await session.native('python counters = HitCounters([site_at(gdb.newest_frame().pc(), None)]); print(counters.install(0))');
    expect(installed.output.trim()).toBe('True');
    const crashed = await session.native('continue');
    expect(crashed.output).toContain('SIGSEGV');
    // Stopped in the trampoline, outside the program's code; removing the counters moves it.
    expect((await session.native('python print(counters.remove())')).output.trim()).toBe('True');
    const symbol = (await session.native('info symbol $pc')).output;
    expect(symbol).toMatch(/^value_length \+ \d+ in section \.text/);
    expect((await session.native('x/i $pc')).output).toMatch(/<value_length\+\d+>:\s+mov\s+0x8\(%rax\),%rax/);
    expect((await session.native('output $rax')).output.trim()).toBe('0');
    expect((await session.backtrace()).map((frame) => frame.function)).toEqual(['value_length', 'setting_length', 'load_settings', 'main']);
  });

  it('turns a bad expression into a bad-expression error and stays usable', async () => {
    const { session } = await open('linked_list');
    await session.setBreakpoint('main');
    await session.run();
    for (const expression of ['no_such_variable + 1', '1 +', 'list_len(', ')']) {
      const error = await fredError(session.evaluate(expression));
      expect(error.code, expression).toBe('bad-expression');
      expect(error.message, expression).not.toContain('\n');
    }
    expect((await fredError(session.evaluate('no_such_variable'))).message).toContain('no_such_variable');
    expect(await session.evaluate('6 * 7')).toBe('42');
    expect((await session.next()).location?.line).toBe(markerLine(LINKED_LIST, 'loop'));
  });

  it('rejects an expression containing a line break', async () => {
    const { session } = await open('linked_list');
    await session.setBreakpoint('main');
    await session.run();
    for (const expression of ['1\n2', 'i\rkill', 'i\0']) {
      expect((await fredErrorOf(() => session.evaluate(expression))).code).toBe('usage');
    }
    expect(session.state).toEqual({ kind: 'stopped' });
  });

  it('lists every frame of recursion.c at its deepest point', async () => {
    const { session } = await open('recursion');
    const baseLine = markerLine(RECURSION, 'base');
    await session.setBreakpoint(`${RECURSION}:${baseLine}`);
    const outcome = await session.run();
    expect(outcome.location).toEqual({ file: fixtureSource(RECURSION), line: baseLine, function: 'fact', depth: 8 });

    const frames = await session.backtrace();
    expect(frames).toHaveLength(8);
    expect(frames.map((frame) => frame.function)).toEqual([...Array(7).fill('fact'), 'main']);
    expect(frames.map((frame) => frame.level)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(frames[0]).toMatchObject({ file: fixtureSource(RECURSION), line: baseLine });
    expect(frames.slice(1, 7).every((frame) => frame.line === markerLine(RECURSION, 'recurse'))).toBe(true);
    expect(frames[7]).toMatchObject({ function: 'main', line: markerLine(RECURSION, 'call') });
    expect(await session.evaluate('depth')).toBe('7');
    expect(await session.evaluate('n')).toBe('2');

    // finish pops one frame.
    const up = await session.finish();
    expect(up.location).toMatchObject({ function: 'fact', depth: 7, line: markerLine(RECURSION, 'recurse') });
    expect(await session.evaluate('n')).toBe('3');
  });
});

describe('gdb personality: native commands', () => {
  it('passes native commands through and returns their text', async () => {
    const { session } = await open('linked_list');
    const linkLine = markerLine(LINKED_LIST, 'link');
    const info = await session.native(`info line ${LINKED_LIST}:${linkLine}`);
    expect(info.output).toMatch(new RegExp(`^Line ${linkLine} of "[^"]*linked_list\\.c"`));
    expect(info.state).toEqual({ kind: 'not-started' });
    expect(info.location).toBeNull();

    expect((await session.native('break main')).output).toMatch(/^Breakpoint 1 at .*linked_list\.c, line \d+/);
    const run = await session.native('run');
    expect(run.location).toMatchObject({ function: 'main', depth: 1 });
    expect((await session.native('p 6 * 7')).output).toBe('$1 = 42\n');
    // (At main's first line `head` is not set yet: whatever the stack held.)
    expect((await session.native('next')).location).toMatchObject({ function: 'main', line: markerLine(LINKED_LIST, 'start') + 3 });
    expect((await session.native('p head')).output).toBe('$2 = (struct node *) 0x0\n');
    expect((await fredError(session.native('no-such-command'))).message).toMatch(/Undefined command: "no-such-command"/);
  });

  it('treats a command containing a line break as an error, never as two commands', async () => {
    const { session } = await open('linked_list');
    await session.setBreakpoint('main');
    await session.run();
    const before = await session.location();
    for (const command of ['next\nnext', 'p 1\rkill', 'p 1\r\n-gdb-exit']) {
      expect((await fredErrorOf(() => session.native(command))).code).toBe('usage');
    }
    expect(await session.location()).toEqual(before);
    expect(session.state).toEqual({ kind: 'stopped' });
    expect((await session.native('p 1')).output).toBe('$1 = 1\n');
  });

  it('runs an MI-looking command as one console command: one error, nothing executed', async () => {
    const { session } = await open('linked_list');
    for (const command of ['-exec-run', '1-gdb-exit', '-gdb-exit', '-break-insert main']) {
      const error = await fredError(session.native(command));
      expect(error.code, command).toBe('debugger');
      expect(error.message, command).toMatch(/^Undefined command: ".*"\.\s+Try "help"\.$/);
      expect(session.state, command).toEqual({ kind: 'not-started' });
    }
    // Nothing was executed: no breakpoint, gdb still answering, no stray reply mixed into the next command.
    expect(await session.listBreakpoints()).toEqual([]);
    expect((await session.native('p 2 + 2')).output).toBe('$1 = 4\n');

    // Also with a stopped program: -exec-continue must not resume it.
    await session.setBreakpoint('main');
    const stopped = await session.run();
    expect((await fredError(session.native('-exec-continue'))).code).toBe('debugger');
    expect(await session.location()).toEqual(stopped.location);
    expect(session.state).toEqual({ kind: 'stopped' });
  });
});

describe('gdb personality: the program terminal', () => {
  it('delivers program output on the program terminal, never in command output', async () => {
    const opened = await open('linked_list');
    const outcomes: CommandOutcome[] = [];
    await opened.session.setBreakpoint(`${LINKED_LIST}:${markerLine(LINKED_LIST, 'end')}`);
    outcomes.push(await opened.session.run());
    await waitForOutput(opened, 'length 10\n');
    outcomes.push(await opened.session.continue());
    for (const outcome of outcomes) expect(outcome.output).not.toContain('length');
    expect(opened.programOutput()).toBe('length 10\n');
  });

  it('feeds a stdin file to the program', async () => {
    const input = sandbox.scratch.file('numbers.txt', '1\n2\n3\n');
    const opened = await open('read_stdin', { stdinFile: input });
    await opened.session.setBreakpoint(`read_stdin.c:${markerLine('read_stdin.c', 'after_loop')}`);
    const outcome = await opened.session.run();
    expect(outcome.location?.line).toBe(markerLine('read_stdin.c', 'after_loop'));
    expect(await opened.session.evaluate('count')).toBe('3');
    expect(await opened.session.evaluate('total')).toBe('6');
    expect((await opened.session.continue()).state).toEqual({ kind: 'exited', code: 0 });
    await waitForOutput(opened, 'total 6');
    expect(opened.programOutput()).toContain('count 3');
  });

  it('feeds the stdin file again on a second run, and reproduces the long-line bug', async () => {
    const input = sandbox.scratch.file('long.txt', '12345678\n');
    const opened = await open('read_stdin', { stdinFile: input });
    expect((await opened.session.run()).state).toEqual({ kind: 'exited', code: 0 });
    await waitForOutput(opened, 'total 1234575');
    expect((await opened.session.run()).state).toEqual({ kind: 'exited', code: 0 });
    await waitFor(() => opened.programOutput().split('total 1234575').length === 3, 5000, 'second run output');
    expect(opened.programOutput()).toContain('count 2');
  });

  it('passes arguments with spaces, quotes and shell syntax to the program verbatim', async () => {
    // No fixture prints its argv, so read argv in gdb at main (counter_loop takes arguments).
    const marker = join(sandbox.scratch.path, 'shell-ran');
    const args = ['two words', '"double"', "it's", `$(touch ${marker})`, '`touch ${marker}`', '*', '\\n', '', 'a;b|c&d>e'];
    // The program path itself has a space and shell syntax, through a symlink.
    const directory = join(sandbox.scratch.path, 'dir with space');
    mkdirSync(directory);
    const program = join(directory, 'count $(x)');
    symlinkSync(fixtureBinary('counter_loop'), program);

    const { session } = await open(program, { args });
    await session.setBreakpoint('main');
    await session.run();
    expect(await session.evaluate('argc')).toBe(String(args.length + 1));
    expect(cString(await session.evaluate('argv[0]'))).toBe(program);
    for (const [index, arg] of args.entries()) {
      expect(cString(await session.evaluate(`argv[${index + 1}]`)), `argv[${index + 1}]`).toBe(arg);
    }
    expect(existsSync(marker), 'a shell expanded an argument').toBe(false);
  });
});

describe('gdb personality: dispose', () => {
  it('leaves no gdb, no program and no private directory behind', async () => {
    const before = new Set(descendants(process.pid).map((info) => info.pid));
    const { session } = await open('linked_list');
    await session.setBreakpoint('append');
    await session.run();
    const started = descendants(process.pid).filter((info) => !before.has(info.pid));
    expectGdbAndProgram(started, 'linked_list');
    expect(privateDirectories()).toHaveLength(1);

    await session.close();
    await session.close(); // idempotent
    const survivors = await survivorsAfter(started);
    expect(describeProcesses(survivors)).toEqual([]);
    expect(privateDirectories()).toEqual([]);
  });

  it('ends a program that is running (blocked reading its terminal)', { timeout: 15_000 }, async () => {
    const before = new Set(descendants(process.pid).map((info) => info.pid));
    const opened = await open('read_stdin');
    const running = opened.session.run();
    running.catch(() => undefined);
    await waitForOutput(opened, 'enter numbers');
    const started = descendants(process.pid).filter((info) => !before.has(info.pid));
    expectGdbAndProgram(started, 'read_stdin');

    await opened.session.close();
    expect(describeProcesses(await survivorsAfter(started))).toEqual([]);
    expect(privateDirectories()).toEqual([]);
    // The command that was running does not hang.
    await expect(running).rejects.toBeInstanceOf(FredError);
  });

  it('ends a crashed program that gdb is holding at its fatal signal', async () => {
    const before = new Set(descendants(process.pid).map((info) => info.pid));
    const { session } = await open('crash');
    await session.run();
    const started = descendants(process.pid).filter((info) => !before.has(info.pid));
    expectGdbAndProgram(started, 'crash');
    await session.close();
    expect(describeProcesses(await survivorsAfter(started))).toEqual([]);
  });
});

function expectGdbAndProgram(started: ProcessInfo[], program: string): void {
  const gdb = started.filter((info) => info.name === 'gdb');
  expect(gdb, describeProcesses(started).join(', ')).toHaveLength(1);
  const debuggee = started.filter((info) => info.ppid === gdb[0]!.pid);
  expect(debuggee.map((info) => info.name)).toEqual([program]);
}

/** fred's private directories in the TMPDIR this file gave fred. */
function privateDirectories(): string[] {
  return fredDirectories(process.env['TMPDIR']!);
}

function fredDirectories(directory: string): string[] {
  return readdirSync(directory).filter((name) => name.startsWith('fred-gdb-'));
}
