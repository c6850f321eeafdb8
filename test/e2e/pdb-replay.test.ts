// pdb's reversible powers end to end: fork checkpoints of the real Python process, exact marks
// (trace event indexes), runUntil, scans, breakpoint hits and the reverse-watch primitives, on
// the fixtures in fixtures/py/ and checked against plain `python3 -m pdb` where pdb has an answer.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parsePdbOutput } from '../../grammars/pdb/api.js';
import type { Mark } from '../../src/debugger/replay.js';
import type { Location } from '../../src/debugger/types.js';
import { FredError } from '../../src/errors.js';
import { PdbPersonality } from '../../src/personalities/pdb/pdb-personality.js';
import { comparePositions, markPosition, type PdbPosition } from '../../src/personalities/pdb/fred-replies.js';
import { PdbReplay, positionBetween } from '../../src/personalities/pdb/pdb-replay.js';
import { DebuggerProcess } from '../../src/pty/debugger-process.js';
import { ProgramTerminal } from '../../src/pty/program-terminal.js';
import { fixtureSource, markerLine } from '../helpers/fixtures.js';
import { describeProcesses, descendants, processInfo, survivorsAfter, waitFor, type ProcessInfo } from '../helpers/processes.js';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'fred-pdb-replay-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

interface Started {
  pdb: PdbPersonality;
  /** Everything the program wrote to its terminal so far. */
  programOutput: () => string;
}

async function start(file: string, stdinFile?: string, env?: Record<string, string>): Promise<Started> {
  const program = path.isAbsolute(file) ? file : fixtureSource(file);
  const terminal = new ProgramTerminal();
  let output = '';
  terminal.onOutput((text) => (output += text));
  const pdb = new PdbPersonality();
  cleanups.push(async () => {
    await pdb.dispose();
    terminal.dispose();
  });
  await pdb.launch({ program, args: [], stdinFile, programTty: terminal.path, cwd: scratch, env });
  await terminal.ready;
  return { pdb, programOutput: () => output };
}

/** Waits until the program terminal has shown `text` `times` times (output arrives asynchronously). */
async function waitForOutput(started: Started, text: string, times = 1): Promise<void> {
  const count = () => started.programOutput().split(text).length - 1;
  for (let tries = 0; tries < 100 && count() < times; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(count()).toBe(times);
}

/**
 * The supervisor and its descendants once there have been `expected` of them, the same ones, for
 * 100 ms (standbys are forked in the background, through a short-lived intermediate), or as they
 * are after 3 s.
 */
async function settledProcesses(supervisor: number, expected: number): Promise<ProcessInfo[]> {
  const all = (): ProcessInfo[] => [processInfo(supervisor)!, ...descendants(supervisor)];
  const pids = (): string => all().map((info) => info.pid).sort().join(' ');
  let seen = '';
  let since = Date.now();
  await waitFor(() => {
    const now = pids();
    if (now !== seen) [seen, since] = [now, Date.now()];
    return now.split(' ').length === expected && Date.now() - since >= 100;
  }, 3000, `${expected} processes`).catch(() => undefined);
  return all();
}

async function location(pdb: PdbPersonality): Promise<Location> {
  const where = await pdb.location();
  expect(where).not.toBeNull();
  return where!;
}

/** The pid of the python3 process that runs the program now. */
async function workerPid(pdb: PdbPersonality): Promise<number> {
  return Number(await pdb.evaluate('__import__("os").getpid()'));
}

/** The line of `def NAME(` in a fixture. */
function definitionLine(file: string, name: string): number {
  return readFileSync(fixtureSource(file), 'utf8').split('\n').findIndex((line) => line.startsWith(`def ${name}(`)) + 1;
}

/** The position (E, k) a pdb mark names. */
function indexOf(mark: Mark): PdbPosition {
  return markPosition(mark);
}

/** `count` steps, with the mark of each stop. */
async function stepMarks(pdb: PdbPersonality, count: number): Promise<Mark[]> {
  const marks: Mark[] = [];
  for (let index = 0; index < count; index++) {
    const outcome = await pdb.step();
    expect(outcome.state.kind).toBe('stopped');
    const mark = await pdb.replay.mark();
    expect(mark.location).toEqual(outcome.location);
    marks.push(mark);
  }
  return marks;
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
    cleanups.push(() => this.process.kill());
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
}

describe('pdb checkpoints', () => {
  it('restores a checkpoint, again and again, with the program as it was', async () => {
    const { pdb } = await start('linked_list.py');
    const append = markerLine('linked_list.py', 'append');
    await pdb.setBreakpoint(String(append), 'i == 5');
    await pdb.continue();
    const before = { where: await location(pdb), i: await pdb.evaluate('i'), length: await pdb.evaluate('list_len(head)') };
    expect(before).toMatchObject({ where: { line: append, depth: 1 }, i: '5', length: '5' });
    const firstWorker = processInfo(await workerPid(pdb))!;
    const id = await pdb.replay.checkpoints.take();
    expect(pdb.replay.checkpoints.list()).toEqual([id]);

    for (let round = 0; round < 2; round++) {
      for (let index = 0; index < 5; index++) await pdb.next();
      expect(await pdb.evaluate('i')).toBe('7');
      await pdb.replay.checkpoints.restore(id);
      expect(await location(pdb)).toEqual(before.where);
      expect(await pdb.evaluate('i')).toBe(before.i);
      expect(await pdb.evaluate('list_len(head)')).toBe(before.length);
      expect(pdb.state()).toEqual({ kind: 'stopped' });
    }
    // Each restore is a fresh copy of the snapshot; the process it replaced is gone.
    expect(await workerPid(pdb)).not.toBe(firstWorker.pid);
    expect(await survivorsAfter([firstWorker])).toEqual([]);
    expect(pdb.replay.checkpoints.list()).toEqual([id]);
  });

  it('keeps the breakpoints set after the checkpoint, and hides the replay from the next output', async () => {
    const { pdb } = await start('linked_list.py');
    const id = await pdb.replay.checkpoints.take();
    await pdb.next();
    const breakpoint = await pdb.setBreakpoint(String(markerLine('linked_list.py', 'append')), 'i == 3');
    await pdb.replay.checkpoints.restore(id);
    expect((await location(pdb)).line).toBe(10);
    expect(await pdb.listBreakpoints()).toEqual([breakpoint]);
    const hit = await pdb.continue();
    expect(hit.location?.line).toBe(markerLine('linked_list.py', 'append'));
    expect(await pdb.evaluate('i')).toBe('3');
    // A failed restore leaves the live process alone.
    await expect(pdb.replay.checkpoints.restore(99)).rejects.toThrow(/no checkpoint 99/);
    expect((await pdb.execute('p i')).output).toBe('3');
  });

  it('produces the program output again after a restore', async () => {
    const started = await start('recursion.py');
    const { pdb } = started;
    const id = await pdb.replay.checkpoints.take();
    expect((await pdb.continue()).state).toEqual({ kind: 'exited', code: 0 });
    await waitForOutput(started, '6! = 360\n');
    await pdb.replay.checkpoints.restore(id);
    expect(pdb.state()).toEqual({ kind: 'stopped' });
    expect((await pdb.continue()).state).toEqual({ kind: 'exited', code: 0 });
    await waitForOutput(started, '6! = 360\n', 2);
    expect(started.programOutput()).toBe('start\n6! = 360\ndone\n'.repeat(2));
  });

  it('rewinds a --stdin file, so the restored program reads the same lines again', async () => {
    const input = path.join(scratch, 'numbers.txt');
    writeFileSync(input, '12\n 7\n\n123\nabc\n');
    const started = await start('read_stdin.py', input);
    const { pdb } = started;
    // Before the first read: only the file offset says where reading stands.
    const beforeReading = await pdb.replay.checkpoints.take();
    await pdb.setBreakpoint(String(markerLine('read_stdin.py', 'add')), 'line == "123\\n"');
    await pdb.continue();
    expect(await pdb.evaluate('total')).toBe('19');
    // In the middle: Python's read-ahead buffer is part of the snapshot.
    const midway = await pdb.replay.checkpoints.take();
    expect((await pdb.continue()).state).toEqual({ kind: 'exited', code: 1 });
    await waitForOutput(started, 'total: 31\n');

    await pdb.replay.checkpoints.restore(midway);
    expect(await pdb.evaluate('line')).toBe("'123\\n'");
    expect((await pdb.continue()).state).toEqual({ kind: 'exited', code: 1 });
    await waitForOutput(started, 'total: 31\n', 2);

    await pdb.replay.checkpoints.restore(beforeReading);
    expect((await pdb.continue()).location?.line).toBe(markerLine('read_stdin.py', 'add'));
    expect(await pdb.evaluate('total')).toBe('19');
    expect((await pdb.continue()).state).toEqual({ kind: 'exited', code: 1 });
    await waitForOutput(started, 'total: 31\n', 3);
  });

  it('replays the random module as it drew before', async () => {
    const program = path.join(scratch, 'draws.py');
    writeFileSync(program, 'import random\n\nvalues = [random.random() for _ in range(3)]\nprint(values)\n');
    const started = await start(program);
    const { pdb } = started;
    await pdb.next();
    const id = await pdb.replay.checkpoints.take();
    await pdb.continue();
    await waitForOutput(started, ']\n');
    await pdb.replay.checkpoints.restore(id);
    await pdb.continue();
    await waitForOutput(started, ']\n', 2);
    const [first, second] = started.programOutput().trim().split('\n');
    expect(second).toBe(first);
  });

  it('takes a checkpoint where Ctrl-C stopped a continue, and goes on from there', async () => {
    const program = path.join(scratch, 'counting.py');
    writeFileSync(program, 'import time\ncount = 0\nwhile count < 40:\n    count += 1\n    time.sleep(0.01)\nprint("counted", count)\n');
    const started = await start(program);
    const { pdb } = started;
    const running = pdb.continue();
    await new Promise((resolve) => setTimeout(resolve, 150));
    pdb.interrupt();
    const stopped = await running;
    expect(stopped).toMatchObject({ state: { kind: 'stopped' }, resumed: true, interrupted: true });
    const count = await pdb.evaluate('count');
    const mark = await pdb.replay.mark();
    const id = await pdb.replay.checkpoints.take();
    const finished = await pdb.continue();
    expect(finished.interrupted).toBeUndefined();
    expect(finished.state).toEqual({ kind: 'exited', code: 0 });
    await pdb.replay.checkpoints.restore(id);
    expect(await pdb.replay.mark()).toEqual(mark);
    expect(await pdb.evaluate('count')).toBe(count);
    await pdb.continue();
    await waitForOutput(started, 'counted 40\n', 2);
  });

  it('discards checkpoints, and leaves no process after dispose', async () => {
    const { pdb } = await start('linked_list.py');
    const supervisor = Number(await pdb.evaluate('__import__("os").getppid()'));
    const ids = [await pdb.replay.checkpoints.take()];
    await pdb.next();
    ids.push(await pdb.replay.checkpoints.take());
    await pdb.next();
    ids.push(await pdb.replay.checkpoints.take());
    await pdb.replay.checkpoints.restore(ids[0]!);
    ids.push(await pdb.replay.checkpoints.take());
    await pdb.replay.checkpoints.discard(ids[1]!);
    expect(pdb.replay.checkpoints.list()).toEqual([ids[0], ids[2], ids[3]]);
    await expect(pdb.replay.checkpoints.restore(ids[1]!)).rejects.toThrow(FredError);
    await pdb.replay.checkpoints.restore(ids[2]!);
    expect((await location(pdb)).line).toBe(definitionLine('linked_list.py', 'list_len'));

    const worker = await workerPid(pdb);
    // The supervisor, the live worker and two processes per checkpoint kept: its snapshot and
    // the standby the snapshot forks (after each restore, too) ahead of the next restore.
    const all = await settledProcesses(supervisor, 2 + 2 * 3);
    expect(all.map((info) => info.pid)).toContain(worker);
    expect(all).toHaveLength(8);
    await pdb.dispose();
    expect(describeProcesses(await survivorsAfter(all))).toEqual([]);
  });

  it('restores into the standby a snapshot forked ahead of time, and forks one on demand when the standby is gone', async () => {
    const { pdb } = await start('linked_list.py');
    const supervisor = Number(await pdb.evaluate('__import__("os").getppid()'));
    const id = await pdb.replay.checkpoints.take();
    const snapshot = pdb.replay.lastSnapshotPid!;
    const checkpointed = await location(pdb);
    const frame = { depth: checkpointed.depth, function: checkpointed.function };
    const standby = async (): Promise<number> => {
      const worker = await workerPid(pdb);
      const others = (await settledProcesses(supervisor, 4)).map((info) => info.pid).filter((pid) => pid !== supervisor && pid !== worker && pid !== snapshot);
      expect(others).toHaveLength(1);
      return others[0]!;
    };
    let ready = await standby();
    await pdb.next();
    await pdb.replay.checkpoints.restore(id);
    expect(await workerPid(pdb)).toBe(ready);
    expect(await location(pdb)).toEqual(checkpointed);

    // The snapshot made a new standby; without it restores and evaluations still work.
    ready = await standby();
    process.kill(ready, 'SIGKILL');
    await waitFor(() => !descendants(supervisor).some((info) => info.pid === ready), 3000, 'the standby to end');
    await pdb.next();
    expect(await pdb.replay.watch!.valuesAtCheckpoints!([id], '__import__("os").getpid() > 0', frame)).toEqual(['True']);
    ready = await standby();
    process.kill(ready, 'SIGKILL');
    await waitFor(() => !descendants(supervisor).some((info) => info.pid === ready), 3000, 'the standby to end');
    await pdb.replay.checkpoints.restore(id);
    expect(await workerPid(pdb)).not.toBe(ready);
    expect(await location(pdb)).toEqual(checkpointed);
  });

  it('ends every checkpoint when the program quits', async () => {
    const { pdb } = await start('recursion.py');
    const supervisor = Number(await pdb.evaluate('__import__("os").getppid()'));
    await pdb.replay.checkpoints.take();
    await pdb.step();
    await pdb.replay.checkpoints.take();
    const all = await settledProcesses(supervisor, 2 + 2 * 2);
    expect(all).toHaveLength(6);
    expect((await pdb.execute('quit')).state.kind).toBe('exited');
    expect(describeProcesses(await survivorsAfter(all))).toEqual([]);
  });
});

describe('pdb marks and runUntil', () => {
  it("sends each stop's mark with its status line, the same as fred_mark answers (also after `up`)", async () => {
    const { pdb } = await start('linked_list.py');
    // A replay that always asks fred_mark, beside the one that takes the status line's mark.
    const asking = new PdbReplay({ request: (command: string) => pdb['fredAnswer'](command) });
    for (let index = 0; index < 12; index++) {
      expect(await pdb.replay.mark()).toEqual(await asking.mark());
      await (index % 3 === 2 ? pdb.next() : pdb.step());
    }
    const here = await asking.mark();
    expect(here.location.depth).toBeGreaterThan(1);
    await pdb.execute('up');
    expect(await pdb.replay.mark()).toEqual(here);
  });

  it('names the same moments the same way on every replay', async () => {
    const { pdb } = await start('recursion.py');
    const id = await pdb.replay.checkpoints.take();
    const origin = await pdb.replay.mark();
    const first = await stepMarks(pdb, 25);
    await pdb.replay.checkpoints.restore(id);
    expect(await pdb.replay.mark()).toEqual(origin);
    const second = await stepMarks(pdb, 25);
    expect(second).toEqual(first);
    const indexes = [origin, ...first].map(indexOf);
    expect(indexes.every((index, position) => position === 0 || comparePositions(index, indexes[position - 1]!) > 0)).toBe(true);

    // The same moments are reached by running, at native speed, from the checkpoint.
    for (const target of [first[20]!, first[9]!]) {
      await pdb.replay.checkpoints.restore(id);
      expect(await pdb.replay.runUntil(target)).toBe(true);
      expect(await pdb.location()).toEqual(target.location);
      expect(await pdb.replay.mark()).toEqual(target);
    }
    expect(await pdb.evaluate('n')).toBe('6');
    // Stepping on from there continues the recorded sequence.
    expect(await stepMarks(pdb, 3)).toEqual(first.slice(10, 13));
    // A moment already passed cannot be reached; the end of the program can.
    expect(await pdb.replay.runUntil(first[0]!)).toBe(false);
    expect(await pdb.replay.runUntil(null)).toBe(true);
    expect(pdb.state()).toEqual({ kind: 'exited', code: 0 });
    // Held at its last event, the end is a moment like the others: replayed to, it is the same.
    const end = await pdb.replay.mark();
    expect(comparePositions(indexOf(end), indexOf(first[12]!))).toBeGreaterThan(0);
    await pdb.replay.checkpoints.restore(id);
    expect(await pdb.replay.runUntil(end)).toBe(true);
    expect(pdb.state()).toEqual({ kind: 'exited', code: 0 });
    expect(await pdb.replay.mark()).toEqual(end);
    // `continue` from there does what it does in plain pdb after the end: the program restarts
    // and runs again, to the same end.
    expect((await pdb.continue()).state).toEqual({ kind: 'exited', code: 0 });
    expect(await pdb.replay.mark()).toEqual(end);
  });

  it('counts the same events whether pdb steps, continues or runs to a breakpoint', async () => {
    const { pdb } = await start('linked_list.py');
    const id = await pdb.replay.checkpoints.take();
    const append = markerLine('linked_list.py', 'append');
    await pdb.setBreakpoint(String(append), 'i == 12');
    await pdb.continue();
    const atBreakpoint = await pdb.replay.mark();
    await pdb.deleteBreakpoint(1);
    await pdb.replay.checkpoints.restore(id);
    // Stepping the long way, through every call, arrives at the same index.
    for (let steps = 0; steps < 5000 && (await pdb.replay.mark()).key !== atBreakpoint.key; steps++) await pdb.next();
    expect(await pdb.replay.mark()).toEqual(atBreakpoint);
    expect(await pdb.evaluate('i')).toBe('12');
  });

  it('counts the same events in C, running free, as the Python counter does', async () => {
    // Generators, exceptions raised and caught, recursion, comprehensions and a module of the
    // program's own: every kind of trace event. The program also says whether it sees a Python
    // trace function while it runs free (the C counter installs none it could see).
    writeFileSync(path.join(scratch, 'helper_module.py'), 'def twice(x):\n    y = x * 2\n    return [v * 2 for v in (x, y // 2)]\n');
    const program = path.join(scratch, 'events.py');
    writeFileSync(program, [
      'import sys',
      'import helper_module',
      'def numbers(n):',
      '    for i in range(n):',
      '        yield i',
      'def risky(i):',
      '    if i % 3 == 0:',
      '        raise ValueError(i)',
      '    return i',
      'def depth(n):',
      '    return 0 if n == 0 else 1 + depth(n - 1)',
      'total = 0',
      'for i in numbers(300):',
      '    try:',
      '        total += risky(i) + depth(i % 7) + sum(helper_module.twice(i))',
      '    except ValueError:',
      '        total -= 1',
      'print("python tracer seen:", sys.gettrace() is not None, "total:", total)',
      '',
    ].join('\n'));
    const runs = [];
    for (const env of [{}, { FRED_PDB_PYTHON_COUNTER: '1' }]) {
      const started = await start(program, undefined, env);
      const { pdb } = started;
      const id = await pdb.replay.checkpoints.take();
      const steps = await stepMarks(pdb, 40);
      expect(await pdb.replay.runUntil(null)).toBe(true);
      const end = await pdb.replay.mark();
      await waitForOutput(started, 'total:');
      // Running free to a moment that stepping found lands exactly there.
      await pdb.replay.checkpoints.restore(id);
      expect(await pdb.replay.runUntil(steps[39]!)).toBe(true);
      expect(await pdb.replay.mark()).toEqual(steps[39]);
      // `continue` to a conditional breakpoint in the other module: the C counter hands over only
      // the lines that may break, and bdb's condition decides, at the same event.
      await pdb.setBreakpoint(`${path.join(scratch, 'helper_module.py')}:2`, 'x == 250');
      const hit = await pdb.continue();
      expect(hit.location, hit.output).toMatchObject({ function: 'twice', line: 2 });
      expect(await pdb.evaluate('x')).toBe('250');
      const hitIndex = indexOf(await pdb.replay.mark());
      runs.push({ end: indexOf(end), steps: steps.map(indexOf), hit: hitIndex, output: started.programOutput() });
    }
    const [inC, inPython] = runs;
    expect(inC!.hit).toEqual(inPython!.hit);
    expect(inC!.output).toContain('python tracer seen: False total: ');
    expect(inPython!.output).toContain('python tracer seen: True total: ');
    expect(inC!.end).toEqual(inPython!.end);
    expect(inC!.steps).toEqual(inPython!.steps);
  });

  it('gives up a run when interrupted, at a normal stop', async () => {
    const program = path.join(scratch, 'forever.py');
    writeFileSync(program, 'import time\nwhile True:\n    time.sleep(0.01)\n');
    const { pdb } = await start(program);
    const running = pdb.replay.runUntil(null);
    await new Promise((resolve) => setTimeout(resolve, 200));
    pdb.interrupt();
    expect(await running).toBe(false);
    expect(pdb.state()).toEqual({ kind: 'stopped' });
    const mark = await pdb.replay.mark();
    expect(mark.location.file).toBe(program);
    expect((await pdb.execute('p 2 + 2')).output).toBe('4');
  });

  it('marks a crash, and runs to it again', async () => {
    const { pdb } = await start('crash.py');
    const id = await pdb.replay.checkpoints.take();
    const crashed = await pdb.continue();
    expect(crashed.state.kind).toBe('crashed');
    const crash = await pdb.replay.mark();
    expect(crash.key).toMatch(/^pdb:\d+\.\d+:crashed$/);
    expect(crash.location).toEqual(crashed.location);
    await pdb.replay.checkpoints.restore(id);
    expect(await pdb.replay.runUntil(crash)).toBe(true);
    expect(pdb.state()).toEqual(crashed.state);
    expect(await pdb.replay.mark()).toEqual(crash);
    await pdb.replay.checkpoints.restore(id);
    expect(await pdb.replay.runUntil(null)).toBe(false);
    expect(pdb.state().kind).toBe('crashed');
  });
});

describe('pdb scans', () => {
  it('records an entered call once and the stops at the scan level', async () => {
    const { pdb } = await start('linked_list.py');
    const append = markerLine('linked_list.py', 'append');
    await pdb.setBreakpoint(String(append), 'i == 3');
    await pdb.continue();
    const before = await pdb.replay.mark();
    const id = await pdb.replay.checkpoints.take();
    await pdb.next();
    await pdb.next();
    const until = await pdb.replay.mark();
    expect(until.location).toMatchObject({ line: append, depth: 1 });
    await pdb.replay.checkpoints.restore(id);

    const result = await pdb.replay.scan(before.location.depth, until, 100);
    expect(result.status).toBe('reached');
    expect(result.entries.map((entry) => [entry.kind, entry.mark.location.function, entry.mark.location.line, entry.mark.location.depth])).toEqual([
      ['entered', 'append', definitionLine('linked_list.py', 'append'), 2],
      ['stop', '<module>', append - 1, 1],
    ]);
    // Left exactly at `until`, as a normal stop, and nothing of the scan leaks into later output.
    expect(await pdb.replay.mark()).toEqual(until);
    expect(await pdb.location()).toEqual(until.location);
    expect((await pdb.execute('p i')).output).toBe('4');
    expect((await pdb.step()).output).toMatch(/^--Call--\n> .*\(\d+\)append\(\)\n/);
  });

  it('continues to breakpoints where plain pdb does, tracing only the functions that hold one, also after they change', async () => {
    const program = fixtureSource('inventory.py');
    const fulfilTake = markerLine('inventory.py', 'fulfil-take');
    const script: string[] = ['break normalize', 'continue', 'continue', 'continue', `break ${fulfilTake}`, 'continue', 'continue', 'clear 1', 'continue', 'continue'];
    const plain = new PlainPdb(program);
    await plain.reply();
    const plainStops: unknown[] = [];
    for (const command of script) {
      const reply = await plain.reply(command);
      if (command === 'continue') plainStops.push({ ...PlainPdb.where(reply), name: (await plain.reply('p name')).split('\n')[0] });
    }

    const { pdb } = await start('inventory.py');
    const fredStops: unknown[] = [];
    for (const command of script) {
      const outcome = await pdb.execute(command);
      if (command === 'continue') {
        const { file, line, function: name } = outcome.location!;
        fredStops.push({ file, line, function: name, name: await pdb.evaluate('name') });
      }
    }
    expect(fredStops).toEqual(plainStops);
    expect(fredStops.slice(-2)).toEqual([expect.objectContaining({ line: fulfilTake }), expect.objectContaining({ line: fulfilTake })]);
  });

  it('stops where repeated steps stop, in plain pdb and in fred', async () => {
    const program = fixtureSource('linked_list.py');
    const plain = new PlainPdb(program);
    const plainStops = [PlainPdb.where(await plain.reply())];
    for (let index = 0; index < 80; index++) plainStops.push(PlainPdb.where(await plain.reply('step')));

    const { pdb } = await start('linked_list.py');
    const id = await pdb.replay.checkpoints.take();
    const stepped = await stepMarks(pdb, 80);
    await pdb.replay.checkpoints.restore(id);
    const scanned = await pdb.replay.scan(1000, stepped[79]!, 1000);
    expect(scanned.status).toBe('reached');
    expect(scanned.entries.every((entry) => entry.kind === 'stop')).toBe(true);
    expect(scanned.entries.map((entry) => entry.mark)).toEqual(stepped.slice(0, 79));
    const where = ({ file, line, function: name }: Location) => ({ file, line, function: name });
    expect(scanned.entries.map((entry) => where(entry.mark.location))).toEqual(plainStops.slice(1, 80));
    expect(await pdb.replay.mark()).toEqual(stepped[79]);
  });

  it('stops at the limit, and at the end of the program', async () => {
    const { pdb } = await start('recursion.py');
    const id = await pdb.replay.checkpoints.take();
    const limited = await pdb.replay.scan(1000, null, 3);
    expect(limited.status).toBe('limit');
    expect(limited.entries).toHaveLength(3);
    expect(await pdb.replay.mark()).toEqual(limited.entries[2]!.mark);
    // Entered at depth 3 and finished there: the limit leaves the program in the caller's frame.
    await pdb.replay.checkpoints.restore(id);
    const entered = await pdb.replay.scan(2, null, 8);
    expect(entered.entries.map((entry) => entry.kind)).toEqual(['stop', 'stop', 'stop', 'stop', 'stop', 'stop', 'stop', 'entered']);
    expect(entered.status).toBe('limit');
    expect(await pdb.location()).toMatchObject({ function: 'factorial', depth: 3 });
    expect((await pdb.step()).location).toMatchObject({ function: 'main', depth: 2 });

    await pdb.replay.checkpoints.restore(id);
    const whole = await pdb.replay.scan(1, null, 1000);
    expect(whole.status).toBe('ended');
    expect(whole.entries.filter((entry) => entry.kind === 'entered').map((entry) => entry.mark.location.function)).toEqual(['main']);
    expect(pdb.state()).toEqual({ kind: 'exited', code: 0 });
  });
});

describe('pdb breakpoint hits', () => {
  it('records exactly the hits where the condition holds, up to a mark', async () => {
    const { pdb } = await start('linked_list.py');
    const id = await pdb.replay.checkpoints.take();
    const append = markerLine('linked_list.py', 'append');
    const printLine = markerLine('linked_list.py', 'print');
    await pdb.setBreakpoint(String(append), 'i % 5 == 1');
    await pdb.setBreakpoint(String(printLine));
    for (let index = 0; index < 4; index++) expect((await pdb.continue()).location?.line).toBe(append);
    expect((await pdb.continue()).location?.line).toBe(printLine);
    const until = await pdb.replay.mark();

    await pdb.replay.checkpoints.restore(id);
    const hits = await pdb.replay.breakpointHits(until, 100, false);
    expect(hits.status).toBe('reached');
    expect(hits.hits.map((mark) => mark.location.line)).toEqual([append, append, append, append]);
    expect(await pdb.replay.mark()).toEqual(until);
    const values: string[] = [];
    for (const hit of hits.hits) {
      await pdb.replay.checkpoints.restore(id);
      expect(await pdb.replay.runUntil(hit)).toBe(true);
      values.push(await pdb.evaluate('i'));
    }
    expect(values).toEqual(['1', '6', '11', '16']);

    await pdb.replay.checkpoints.restore(id);
    const including = await pdb.replay.breakpointHits(until, 100, true);
    expect(including.hits).toEqual([...hits.hits, until]);

    await pdb.replay.checkpoints.restore(id);
    const limited = await pdb.replay.breakpointHits(until, 2, false);
    expect(limited).toEqual({ status: 'limit', hits: hits.hits.slice(0, 2) });
    expect(await pdb.replay.mark()).toEqual(hits.hits[1]);
    expect((await pdb.execute('p i')).output).toBe('6');

    const toTheEnd = await pdb.replay.breakpointHits(null, 100, false);
    expect(toTheEnd).toEqual({ status: 'ended', hits: [...hits.hits.slice(2), until] });
    expect(pdb.state()).toEqual({ kind: 'exited', code: 0 });
  });
});

describe('pdb watch powers', () => {
  it('evaluates in the watched frame, bisects by event index and scans for a value', async () => {
    const { pdb } = await start('linked_list.py');
    const watch = pdb.replay.watch!;
    const append = markerLine('linked_list.py', 'append');
    const module = { depth: 1, function: '<module>' };
    const id = await pdb.replay.checkpoints.take();
    await pdb.setBreakpoint(String(append), 'i == 16');
    await pdb.continue();
    await pdb.deleteBreakpoint(1);
    const before = await pdb.replay.mark();
    const beforeCheckpoint = await pdb.replay.checkpoints.take();
    await pdb.next();
    await pdb.next();
    const after = await pdb.replay.mark();
    expect(after.location.line).toBe(append);
    expect(await watch.evaluateIn('list_len(head)', module)).toBe('17');

    await pdb.replay.checkpoints.restore(beforeCheckpoint);
    await pdb.step();
    await pdb.step();
    // In append: its own locals, the module's globals when the frame is not there.
    expect(await watch.evaluateIn('value', { depth: 2, function: 'append' })).toBe('16');
    expect(await watch.evaluateIn('value', { depth: 2, function: 'list_len' })).toBe('<unavailable>');
    expect(await watch.evaluateIn('i', { depth: 2, function: 'list_len' })).toBe('16');
    expect(await watch.evaluateIn('list_len(head)', module)).toBe('16');
    // The frame the program stopped in counts, not the one `up` selected.
    await pdb.execute('up');
    expect(await watch.evaluateIn('value', { depth: 2, function: 'append' })).toBe('16');

    await pdb.replay.checkpoints.restore(beforeCheckpoint);
    const changed = await watch.watchScan(1, after, 1000, module, 'list_len(head)', '17');
    expect(changed.status).toBe('changed');
    expect(changed.entries.map((entry) => [entry.kind, entry.mark.location.line, entry.value])).toEqual([
      ['entered', definitionLine('linked_list.py', 'append'), '16'],
      ['stop', append - 1, '17'],
    ]);
    expect(await pdb.replay.mark()).toEqual(changed.entries[1]!.mark);

    // The last entry before `after` where the value was not 17: only that one is reported.
    await pdb.replay.checkpoints.restore(beforeCheckpoint);
    const different = await watch.lastDifferent(1, after, 1000, module, 'list_len(head)', '17');
    expect(different).toEqual({ status: 'reached', last: changed.entries[0] });
    expect(await pdb.replay.mark()).toEqual(after);
    await pdb.replay.checkpoints.restore(beforeCheckpoint);
    expect(await watch.lastDifferent(1, after, 1000, module, 'i >= 0', 'True')).toEqual({ status: 'reached' });

    // Halfway by position (frame boundaries here), exactly; a short stretch is left to scans.
    await pdb.replay.checkpoints.restore(id);
    const first = indexOf(await pdb.replay.mark());
    const middle = await watch.midpoint(before, 0);
    expect(middle).not.toBeNull();
    const halfway = positionBetween(first, indexOf(before), 0.5)!;
    expect(halfway).toEqual([first[0] + Math.floor((indexOf(before)[0] - first[0]) / 2), 0]);
    // The first event at or past it: every boundary of linked_list.py's has an event of its own.
    expect(indexOf(middle!.mark)[0]).toBe(halfway[0]);
    expect(middle!.spanMs).toBeGreaterThan(0);
    expect(await pdb.replay.mark()).toEqual(middle!.mark);
    // Bisecting by event index needs no timing: timeTo does not run.
    expect(await watch.timeTo(before)).toBeNull();
    expect(await pdb.replay.mark()).toEqual(middle!.mark);
    await pdb.replay.runUntil(before);
    await pdb.replay.checkpoints.restore(beforeCheckpoint);
    expect(await watch.midpoint(after, 0)).toBeNull();
    expect(await pdb.replay.mark()).toEqual(before);
  });
});

