// The pdb personality end to end: real python3 running fred_pdb.py on the fixtures in
// fixtures/py/, checked against plain `python3 -m pdb` driven through the same kind of pty.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parsePdbOutput } from '../../grammars/pdb/api.js';
import type { CommandOutcome, Location } from '../../src/debugger/types.js';
import { FredError } from '../../src/errors.js';
import { PdbPersonality } from '../../src/personalities/pdb/pdb-personality.js';
import { DebuggerProcess } from '../../src/pty/debugger-process.js';
import { ProgramTerminal } from '../../src/pty/program-terminal.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/py');
const fixture = (name: string) => path.join(fixtures, name);

/** The line of a fixture carrying the comment `# @marker`. */
function markerLine(name: string, marker: string): number {
  const lines = readFileSync(fixture(name), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.endsWith(`# @${marker}`));
  if (index < 0) throw new Error(`no # @${marker} in ${name}`);
  return index + 1;
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'fred-pdb-e2e-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Started {
  pdb: PdbPersonality;
  terminal: ProgramTerminal;
  launched: CommandOutcome;
  /** Everything the program wrote to its terminal so far. */
  programOutput: () => string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function start(program: string, options: { args?: string[]; stdinFile?: string } = {}): Promise<Started> {
  const terminal = new ProgramTerminal();
  let output = '';
  terminal.onOutput((text) => (output += text));
  const pdb = new PdbPersonality();
  cleanups.push(async () => {
    await pdb.dispose();
    terminal.dispose();
  });
  const launched = await pdb.launch({
    program,
    args: options.args ?? [],
    stdinFile: options.stdinFile,
    programTty: terminal.path,
    cwd: scratch,
  });
  await terminal.ready;
  return { pdb, terminal, launched, programOutput: () => output };
}

/** Waits until the program terminal has shown `text` (its output arrives asynchronously). */
async function waitForOutput(started: Started, text: string): Promise<void> {
  for (let tries = 0; tries < 100 && !started.programOutput().includes(text); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(started.programOutput()).toContain(text);
}

async function expectFredError(promise: Promise<unknown>, code: string): Promise<FredError> {
  const error = await promise.then(() => undefined, (thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(FredError);
  expect((error as FredError).code).toBe(code);
  return error as FredError;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Plain `python3 -m pdb`, as a user would run it (program output shares its pty). */
class PlainPdb {
  private readonly process: DebuggerProcess;
  private buffer = '';
  private waiter: (() => void) | undefined;

  constructor(program: string) {
    this.process = new DebuggerProcess({ file: 'python3', args: ['-m', 'pdb', program], cwd: scratch });
    this.process.onData((text) => {
      this.buffer += text;
      if (this.buffer.endsWith('(Pdb) ')) this.waiter?.();
    });
  }

  async reply(command?: string): Promise<string> {
    const done = new Promise<void>((resolve) => (this.waiter = resolve));
    if (command !== undefined) this.process.write(`${command}\n`);
    else if (this.buffer.endsWith('(Pdb) ')) this.waiter?.();
    await done;
    const text = this.buffer;
    this.buffer = '';
    return text;
  }

  /** Where pdb's reply says it stopped: its last "> file(line)function()" line. */
  static where(reply: string): Omit<Location, 'depth'> | undefined {
    const frames = parsePdbOutput(reply).value.flatMap((line) => (line.kind === 'frame' && line.current ? [line] : []));
    const last = frames[frames.length - 1];
    return last && { file: last.file, line: last.line, function: last.function };
  }

  static finished(reply: string): boolean {
    return parsePdbOutput(reply).value.some((line) => line.kind === 'program-finished' || line.kind === 'program-exited');
  }

  dispose(): Promise<void> {
    return this.process.kill();
  }
}

type Move = 'step' | 'next' | 'finish' | 'continue';
const pdbCommand: Record<Move, string> = { step: 'step', next: 'next', finish: 'return', continue: 'continue' };

/** Runs the same moves under fred and plain pdb and compares where each stops. */
async function compareWithPlainPdb(program: string, breakpoints: [spec: string, condition?: string][], moves: Move[]): Promise<number> {
  const plain = new PlainPdb(program);
  cleanups.push(() => plain.dispose());
  const fred = await start(program);
  expect(fred.launched.location).toMatchObject(PlainPdb.where(await plain.reply())!);
  for (const [spec, condition] of breakpoints) {
    await fred.pdb.setBreakpoint(spec, condition);
    await plain.reply(condition === undefined ? `break ${spec}` : `break ${spec}, ${condition}`);
  }
  let finishedRuns = 0;
  for (const [index, move] of moves.entries()) {
    const outcome = await fred.pdb[move]();
    const plainReply = await plain.reply(pdbCommand[move]);
    const context = `move ${index} (${move})`;
    if (outcome.state.kind === 'exited') {
      expect(PlainPdb.finished(plainReply), context).toBe(true);
      expect(outcome.location, context).toBeNull();
      finishedRuns++;
    } else {
      expect(outcome.state.kind, context).toBe('stopped');
      const plainLocation = PlainPdb.where(plainReply);
      expect(outcome.location, context).toMatchObject(plainLocation!);
      // The outcome's text is pdb's own: it names the same place.
      expect(PlainPdb.where(outcome.output), context).toEqual(plainLocation);
    }
  }
  return finishedRuns;
}

describe('pdb personality', () => {
  it('launches stopped at the first line, with pdb text as output', async () => {
    const { pdb, launched } = await start(fixture('linked_list.py'));
    expect(launched.state).toEqual({ kind: 'stopped' });
    expect(launched.location).toEqual({ file: fixture('linked_list.py'), line: 10, function: '<module>', depth: 1 });
    expect(launched.output).toBe(`> ${fixture('linked_list.py')}(10)<module>()\n-> class Node:`);
    expect(pdb.state()).toEqual({ kind: 'stopped' });
    expect(await pdb.location()).toEqual(launched.location);
  });

  it('stops where plain pdb stops after step, next, finish and continue', async () => {
    const known = markerLine('recursion.py', 'known');
    const moves: Move[] = [
      'step', 'next', 'next', 'step', 'step', 'next', 'step', 'step', 'finish', 'next', 'step', 'continue',
      'finish', 'finish', 'next', 'step', 'finish', 'finish', 'continue', 'continue', 'step', 'next', 'continue',
    ];
    const finishedRuns = await compareWithPlainPdb(fixture('recursion.py'), [[String(known)]], moves);
    expect(finishedRuns).toBeGreaterThan(0);
  });

  it('stops where plain pdb stops at a conditional breakpoint and across the end of the program', async () => {
    const append = markerLine('linked_list.py', 'append');
    const moves: Move[] = ['continue', 'step', 'step', 'finish', 'next', 'next', 'continue', 'next', 'next', 'next', 'next', 'step'];
    const finishedRuns = await compareWithPlainPdb(fixture('linked_list.py'), [[String(append), 'i == 18']], moves);
    expect(finishedRuns).toBe(1);
  });

  it('counts depth and backtrace over the program frames only', async () => {
    const { pdb } = await start(fixture('recursion.py'));
    await pdb.setBreakpoint(String(markerLine('recursion.py', 'known')), 'n == 3');
    const outcome = await pdb.continue();
    expect(outcome.location).toEqual({ file: fixture('recursion.py'), line: markerLine('recursion.py', 'known'), function: 'factorial', depth: 6 });
    const frames = await pdb.backtrace();
    expect(frames.map((frame) => [frame.level, frame.function])).toEqual([
      [0, 'factorial'], [1, 'factorial'], [2, 'factorial'], [3, 'factorial'], [4, 'main'], [5, '<module>'],
    ]);
    expect(frames[1]!.line).toBe(markerLine('recursion.py', 'recurse'));
    expect(frames[4]!.line).toBe(markerLine('recursion.py', 'call'));
    expect(frames[5]!.line).toBe(markerLine('recursion.py', 'main'));
    expect(await pdb.evaluate('n')).toBe('3');
    // `up` selects the caller: location follows pdb's selected frame.
    const up = await pdb.execute('up');
    expect(up.location).toMatchObject({ function: 'factorial', depth: 5, line: markerLine('recursion.py', 'recurse') });
    expect(await pdb.evaluate('n')).toBe('4');
    const returned = await pdb.finish();
    expect(returned.output).toContain('--Return--');
    expect(returned.location).toMatchObject({ function: 'factorial', depth: 5 });
  });

  it('sets, lists, hits and deletes breakpoints with conditions', async () => {
    const { pdb } = await start(fixture('linked_list.py'));
    const append = markerLine('linked_list.py', 'append');
    const first = await pdb.setBreakpoint(String(append), 'i == 17');
    expect(first).toMatchObject({ id: 1, spec: String(append), file: fixture('linked_list.py'), line: append, condition: 'i == 17', enabled: true, hits: 0 });
    const second = await pdb.setBreakpoint('list_len');
    expect(second).toMatchObject({ id: 2, spec: 'list_len', function: 'list_len', line: markerLine('linked_list.py', 'len-loop') - 2 });

    const hit = await pdb.continue();
    expect(hit.location).toMatchObject({ line: append, function: '<module>' });
    expect(await pdb.evaluate('i')).toBe('17');
    expect(await pdb.evaluate('list_len(head)')).toBe('17');
    expect(await pdb.evaluate('list_len(head) < 17')).toBe('False');
    await pdb.next();
    expect(await pdb.evaluate('list_len(head) < 17')).toBe('True');

    const listed = await pdb.listBreakpoints();
    expect(listed.map((breakpoint) => [breakpoint.id, breakpoint.hits])).toEqual([[1, 18], [2, 0]]);
    await pdb.deleteBreakpoint(1);
    expect((await pdb.listBreakpoints()).map((breakpoint) => breakpoint.id)).toEqual([2]);
    expect((await expectFredError(pdb.deleteBreakpoint(1), 'debugger')).message).toMatch(/already deleted/);
    await expectFredError(pdb.deleteBreakpoint(7), 'debugger');
    await expectFredError(pdb.setBreakpoint('no_such_function'), 'debugger');
    await expectFredError(pdb.setBreakpoint(String(append), 'i ==== 1'), 'debugger');
    await expectFredError(pdb.setBreakpoint(`${append}\ncontinue`), 'usage');
    await expectFredError(pdb.setBreakpoint(`${append}, i == 1`), 'usage');
    // The second breakpoint still works: the next call of list_len stops in it.
    const inListLen = await pdb.continue();
    expect(inListLen.location).toMatchObject({ function: 'list_len', depth: 2 });
  });

  it('stops at a breakpoint set at a stop further down the same frame', async () => {
    const { pdb } = await start(fixture('linked_list.py'));
    await pdb.setBreakpoint(String(markerLine('linked_list.py', 'append')), 'i == 2');
    await pdb.continue();
    await pdb.deleteBreakpoint(1);
    await pdb.setBreakpoint(String(markerLine('linked_list.py', 'print')));
    const stopped = await pdb.continue();
    expect(stopped.location).toMatchObject({ line: markerLine('linked_list.py', 'print'), depth: 1 });
    expect(await pdb.evaluate('i')).toBe('19');
  });

  it('evaluates expressions as one payload, never as pdb commands', async () => {
    const { pdb } = await start(fixture('linked_list.py'));
    await pdb.setBreakpoint(String(markerLine('linked_list.py', 'append')), 'i == 3');
    await pdb.continue();
    expect(await pdb.evaluate('"a;;b" + \';; p 1\'')).toBe("'a;;b;; p 1'");
    expect((await expectFredError(pdb.evaluate('i;; p 2'), 'bad-expression')).message).toBe('SyntaxError: invalid syntax');
    await expectFredError(pdb.evaluate('i\np 2'), 'usage');
    expect((await expectFredError(pdb.evaluate('no_such_name'), 'bad-expression')).message).toBe("NameError: name 'no_such_name' is not defined");
    expect((await expectFredError(pdb.evaluate('1/0'), 'bad-expression')).message).toBe('ZeroDivisionError: division by zero');
    // A user alias cannot hijack fred's own commands.
    await pdb.execute('alias next continue');
    await pdb.execute('alias fred_eval continue');
    const stepped = await pdb.next();
    expect(stepped.location).toMatchObject({ line: markerLine('linked_list.py', 'append') - 1 });
    expect(await pdb.evaluate('i')).toBe('3');
    expect(await pdb.evaluate('"é ✓"')).toBe("'é ✓'");
  });

  it('says which commands let the program run', async () => {
    const { pdb } = await start(fixture('recursion.py'));
    const resumed = async (command: string) => (await pdb.execute(command)).resumed;
    expect(await resumed('jump 8')).toBe(true);
    expect(await resumed('p 1')).toBeUndefined();
    expect((await pdb.step()).resumed).toBe(true);
    expect(await resumed('where')).toBeUndefined();
    expect(await resumed('next')).toBe(true);
    expect(await resumed(`break ${markerLine('recursion.py', 'known')}`)).toBeUndefined();
    expect(await resumed('until')).toBe(true);
    expect(await resumed('c')).toBe(true);
    expect(await resumed('return')).toBe(true);
    expect(await resumed('jump 1000')).toBeUndefined();
    expect(await resumed('restart')).toBe(true);
    expect((await pdb.run()).resumed).toBe(true);
    expect((await pdb.finish()).resumed).toBe(true);
    expect((await pdb.continue()).resumed).toBe(true);
  });

  it('passes native commands through and rejects multi-line ones', async () => {
    const { pdb } = await start(fixture('linked_list.py'));
    const error = await pdb.execute('p head');
    expect(error.output).toBe("*** NameError: name 'head' is not defined");
    expect(error.state).toEqual({ kind: 'stopped' });
    const both = await pdb.execute('p 1;; p 2');
    expect(both.output).toBe('1\n2');
    await expectFredError(pdb.execute('p 1\np 2'), 'usage');
    const where = await pdb.execute('where');
    expect(where.output).toContain(`> ${fixture('linked_list.py')}(10)<module>()`);
    const noNewline = await pdb.execute('!import sys; _ = sys.stdout.write("no newline")');
    expect(noNewline.output).toBe('no newline');
    expect((await pdb.step()).location).toMatchObject({ function: 'Node' });
  });

  it('sends program output to the program terminal, never into the output', async () => {
    const started = await start(fixture('recursion.py'));
    const outcome = await started.pdb.continue();
    await waitForOutput(started, 'done');
    expect(started.programOutput()).toBe('start\n6! = 360\ndone\n');
    expect(outcome.output).not.toContain('360');
    expect(outcome.output.split('\n')[0]).toBe('The program finished and will be restarted');
    await started.pdb.step();
    await started.pdb.evaluate('__import__("sys").stderr.write("to stderr\\n")');
    await waitForOutput(started, 'to stderr\n');
  });

  it('reports an uncaught exception as crashed, and restarts from post mortem', async () => {
    const { pdb } = await start(fixture('crash.py'));
    const crashed = await pdb.continue();
    const reason = 'ZeroDivisionError: division by zero';
    expect(crashed.state).toEqual({ kind: 'crashed', reason });
    expect(crashed.location).toEqual({ file: fixture('crash.py'), line: markerLine('crash.py', 'divide'), function: 'average', depth: 4 });
    expect(crashed.output).toContain('Uncaught exception. Entering post mortem debugging');
    expect(crashed.output).toContain(reason);
    expect((await pdb.backtrace()).map((frame) => frame.function)).toEqual(['average', 'report', 'main', '<module>']);
    expect(await pdb.evaluate('values')).toBe('[]');
    expect(pdb.state()).toEqual({ kind: 'crashed', reason });

    const again = await pdb.run();
    expect(again.output.split('\n')[0]).toBe(`Restarting ${fixture('crash.py')} with arguments:`);
    expect(again.state).toEqual({ kind: 'crashed', reason });

    const restarted = await pdb.continue();
    expect(restarted.output.split('\n')[0]).toBe(`Post mortem debugger finished. The ${fixture('crash.py')} will be restarted`);
    expect(restarted.state).toEqual({ kind: 'stopped' });
    expect(restarted.location).toMatchObject({ line: 7, depth: 1 });
  });

  it('reads --stdin from a file on every run and reports the exit status', async () => {
    const input = path.join(scratch, 'numbers.txt');
    writeFileSync(input, '12\n 7\n\n123\nabc\n');
    const started = await start(fixture('read_stdin.py'), { stdinFile: input });
    const { pdb } = started;
    const exited = await pdb.continue();
    expect(exited.state).toEqual({ kind: 'exited', code: 1 });
    expect(exited.location).toBeNull();
    expect(exited.output.split('\n')[0]).toBe('The program exited via sys.exit(). Exit status: 1');
    await waitForOutput(started, 'total: 31\n');
    expect(await pdb.location()).toBeNull();
    expect(await pdb.backtrace()).toEqual([]);
    // fred holds the program at its last event (as at _exit under gdb): its state can be read.
    expect(await pdb.evaluate('total')).toBe('31');

    // run() restarts with the whole file again and stops at a breakpoint.
    await pdb.setBreakpoint(String(markerLine('read_stdin.py', 'add')), 'value != int(line)');
    const stopped = await pdb.run();
    expect(stopped.state).toEqual({ kind: 'stopped' });
    expect(await pdb.evaluate('line')).toBe("'123\\n'");
    expect(await pdb.evaluate('value')).toBe('12');
    const second = await pdb.continue();
    expect(second.state).toEqual({ kind: 'exited', code: 1 });
    await waitForOutput(started, 'total: 31\ntotal: 31\n');
  });

  it('restarts a live program without stopping in, or being caught by, its handlers', async () => {
    const program = path.join(scratch, 'handlers.py');
    writeFileSync(program, [
      'def work():',
      '    try:',
      '        total = 0',
      '        return total',
      '    except Exception:',
      '        print("swallowed")',
      '    finally:',
      '        print("cleanup")',
      '',
      'work()',
      'print("after")',
      '',
    ].join('\n'));
    const started = await start(program);
    const { pdb } = started;
    await pdb.setBreakpoint('3');
    expect((await pdb.continue()).location).toMatchObject({ line: 3, function: 'work', depth: 2 });
    const restarted = await pdb.run();
    expect(restarted.output.split('\n')[0]).toBe(`Restarting ${program} with arguments:`);
    expect(restarted.location).toMatchObject({ line: 3, function: 'work', depth: 2 });
    expect((await pdb.listBreakpoints())[0]!.hits).toBe(2);
    await waitForOutput(started, 'cleanup\n');
    expect(started.programOutput()).toBe('cleanup\n');
  });

  it('runs to a breakpoint on the very first line', async () => {
    const { pdb } = await start(fixture('clock_random.py'));
    await pdb.setBreakpoint('6');
    const outcome = await pdb.run();
    expect(outcome.location).toMatchObject({ line: 6, function: '<module>' });
    expect((await pdb.listBreakpoints())[0]!.hits).toBe(1);
  });

  it('passes program arguments and reports a normal end as exit status 0', async () => {
    const started = await start(fixture('clock_random.py'), { args: ['--one', 'two words'] });
    const { pdb } = started;
    expect(await pdb.evaluate('__import__("sys").argv[1:]')).toBe("['--one', 'two words']");
    const pid = Number(await pdb.evaluate('__import__("os").getpid()'));
    const outcome = await pdb.continue();
    expect(outcome.state).toEqual({ kind: 'exited', code: 0 });
    await waitForOutput(started, `pid ${pid} rolled`);
  });

  it('interrupts a running program like Ctrl-C', async () => {
    const program = path.join(scratch, 'forever.py');
    writeFileSync(program, 'import time\nwhile True:\n    time.sleep(0.01)\n');
    const { pdb } = await start(program);
    const running = pdb.continue();
    await new Promise((resolve) => setTimeout(resolve, 300));
    pdb.interrupt();
    const outcome = await running;
    expect(outcome.output).toContain("Program interrupted. (Use 'cont' to resume).");
    expect(outcome.state).toEqual({ kind: 'stopped' });
    expect(outcome.interrupted).toBe(true);
    expect((await pdb.step()).interrupted).toBeUndefined();
    expect(outcome.location).toMatchObject({ file: program });
  });

  it('fails to launch a missing or broken program with one clear line', async () => {
    await expectFredError(start(path.join(scratch, 'missing.py')), 'program');
    const broken = path.join(scratch, 'broken.py');
    writeFileSync(broken, 'def f(:\n    pass\n');
    expect((await expectFredError(start(broken), 'program')).message).toBe('SyntaxError: invalid syntax');
  });

  it('treats quit as the end of the session and dispose as idempotent, leaving no process', async () => {
    const { pdb } = await start(fixture('linked_list.py'));
    const pid = Number(await pdb.evaluate('__import__("os").getpid()'));
    expect(processExists(pid)).toBe(true);
    const quit = await pdb.execute('quit');
    expect(quit.state.kind).toBe('exited');
    await expectFredError(pdb.step(), 'not-running');
    await pdb.dispose();
    expect(processExists(pid)).toBe(false);

    const second = await start(fixture('linked_list.py'));
    const secondPid = Number(await second.pdb.evaluate('__import__("os").getpid()'));
    await second.pdb.dispose();
    await second.pdb.dispose();
    expect(processExists(secondPid)).toBe(false);
    await expectFredError(second.pdb.next(), 'not-running');
  });
});
