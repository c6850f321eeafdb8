// End-to-end tests of reverse execution with gdb, through the Session library API and the CLI.
// The oracle is plain gdb (test/helpers/plain-gdb.ts): forward commands under fred must stop
// exactly where plain gdb stops, and reverse commands must retrace those stops backwards.
// Line numbers come from the fixtures' `/* @name */` markers.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FredError } from '../../src/errors.js';
import { Session } from '../../src/session/session.js';
import type { CommandOutcome, Location } from '../../src/debugger/types.js';
import { prepareCli, runFred } from '../helpers/cli.js';
import { fixtureBinary, fixtureSource, markerLine, markerLineIn } from '../helpers/fixtures.js';
import { plainWalk, type PlainWalk } from '../helpers/plain-gdb.js';
import { descendants, describeProcesses, survivorsAfter, waitFor, type ProcessInfo } from '../helpers/processes.js';
import { sessionSandbox } from '../helpers/session-sandbox.js';
import { expectCancelledAfter } from '../helpers/walk.js';
import { compileProgram, programSource } from '../native/native-build.js';

interface Fixture {
  binary: string;
  source: string;
  args: string[];
}

const LINKED_LIST: Fixture = { binary: 'linked_list', source: 'linked_list.c', args: [] };
const RECURSION: Fixture = { binary: 'recursion', source: 'recursion.c', args: [] };
// 2000 iterations, the bug at iteration 1000: long enough to need checkpoints, quick to replay.
const COUNTER_LOOP: Fixture = { binary: 'counter_loop', source: 'counter_loop.c', args: ['2000', '1000'] };
const CRASH: Fixture = { binary: 'crash', source: 'crash.c', args: [] };
const BST: Fixture = { binary: 'bst', source: 'bst.c', args: ['200000', '-1'] };

const sandbox = sessionSandbox('fred-gdb-');

interface Opened {
  session: Session;
  /** Everything fred has shown of the program's output so far. */
  programOutput(): string;
}

/**
 * A gdb session on `fixture`; a 1 ms checkpoint interval makes fred checkpoint at nearly every
 * stop. `record`: whether the record-replay shim is preloaded (fred's default).
 */
async function open(fixture: Fixture, checkpointIntervalMs = 1, record = true): Promise<Opened> {
  const session = await Session.start({
    program: fixtureBinary(fixture.binary), args: fixture.args, debugger: 'gdb', checkpointIntervalMs, record,
  });
  sandbox.sessions.push(session);
  let output = '';
  session.onProgramOutput((text) => { output += text; });
  return { session, programOutput: () => output };
}

/** `file.c:LINE` of a marker. */
function at(fixture: Fixture, marker: string): string {
  return `${fixture.source}:${markerLine(fixture.source, marker)}`;
}

function where(fixture: Fixture, marker: string, functionName: string, depth: number): Location {
  return { file: fixtureSource(fixture.source), line: markerLine(fixture.source, marker), function: functionName, depth };
}

type Move = 'step' | 'next' | 'reverseStep' | 'reverseNext';

/** The locations after each of `count` moves. */
async function walk(session: Session, move: Move, count: number): Promise<(Location | null)[]> {
  const locations: (Location | null)[] = [];
  for (let index = 0; index < count; index++) {
    const outcome: CommandOutcome = await session[move]();
    locations.push(outcome.location);
  }
  return locations;
}

/** Plain gdb stepping (or nexting) a fixed number of times from a breakpoint. */
function plainMoves(fixture: Fixture, spec: string, move: 'step' | 'next', count: number): Promise<PlainWalk> {
  return plainWalk(fixtureBinary(fixture.binary), fixture.args, { spec }, move, (_, __, moves) => moves >= count);
}

/** The FredError a call rejects (or throws) with; fails the test if it succeeds. */
async function fredError(action: () => Promise<unknown>): Promise<FredError> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(FredError);
    expect((error as FredError).message, 'one-line message').not.toContain('\n');
    expect((error as FredError).message.length).toBeGreaterThan(0);
    return error as FredError;
  }
  throw new Error('expected a FredError, but the call succeeded');
}

/** The program's stopping points during a forward walk, reversed: what going back must visit. */
function backwards(locations: (Location | null)[]): (Location | null)[] {
  return locations.slice(0, -1).reverse();
}

describe.each([
  { fixture: LINKED_LIST, start: 'main', steps: 70, nexts: 40 },
  { fixture: RECURSION, start: 'main', steps: 60, nexts: 2 },
  { fixture: COUNTER_LOOP, start: 'main', steps: 60, nexts: 60 },
])('$fixture.binary: reverse commands mirror forward ones', ({ fixture, start, steps, nexts }) => {
  it(`reverse-step retraces ${steps} steps across automatic checkpoints, and stepping again repeats them`, async () => {
    const plain = await plainMoves(fixture, start, 'step', steps);
    const { session } = await open(fixture);
    await session.setBreakpoint(start);
    const first = await session.run();
    const forward = [first.location, ...await walk(session, 'step', steps)];
    expect(forward).toEqual(plain.locations);
    // Several checkpoints lie between here and the start: going back crosses them.
    expect(session.checkpoints().length).toBeGreaterThan(2);

    expect(await walk(session, 'reverseStep', steps)).toEqual(backwards(forward));
    expect(await session.location()).toEqual(forward[0]);
    expect(await walk(session, 'step', steps)).toEqual(forward.slice(1));
  });

  it(`reverse-next retraces ${nexts} nexts in one frame, and nexting again repeats them`, async () => {
    const plain = await plainMoves(fixture, start, 'next', nexts);
    const { session } = await open(fixture);
    await session.setBreakpoint(start);
    const first = await session.run();
    const forward = [first.location, ...await walk(session, 'next', nexts)];
    expect(forward).toEqual(plain.locations);
    expect(forward.every((location) => location?.depth === 1)).toBe(true);

    expect(await walk(session, 'reverseNext', nexts)).toEqual(backwards(forward));
    expect(await walk(session, 'next', nexts)).toEqual(forward.slice(1));
  });
});

describe('reverse-step and reverse-next from a stop reached by continue', () => {
  // Each case: plain gdb steps from an earlier stop up to the moment where fred's conditional
  // breakpoint stops; fred, having continued there, must step back through the same stops.
  const cases = [
    {
      name: 'linked_list: from `last->next = n` in the append of 5, back into the append of 4',
      fixture: LINKED_LIST,
      plainStart: { spec: at(LINKED_LIST, 'append'), condition: 'i == 4' },
      fredBreak: { spec: at(LINKED_LIST, 'link'), condition: 'value == 5' },
      arrived: (location: Location, value: () => Promise<string>) =>
        location.line === markerLine('linked_list.c', 'link') ? value() : Promise.resolve(''),
      check: 'value',
      expected: '5',
    },
    {
      name: 'recursion: from the base case seven calls deep, back to main',
      fixture: RECURSION,
      plainStart: { spec: 'main' },
      fredBreak: { spec: at(RECURSION, 'base') },
      arrived: (location: Location, value: () => Promise<string>) =>
        location.line === markerLine('recursion.c', 'base') ? value() : Promise.resolve(''),
      check: 'n',
      expected: '2',
    },
    {
      name: 'counter_loop: from the bug line of iteration 1000, back into iteration 997',
      fixture: COUNTER_LOOP,
      plainStart: { spec: at(COUNTER_LOOP, 'bug'), condition: 'iteration == 997' },
      fredBreak: { spec: at(COUNTER_LOOP, 'bug'), condition: 'iteration == 1000' },
      arrived: (location: Location, value: () => Promise<string>) =>
        location.line === markerLine('counter_loop.c', 'bug') ? value() : Promise.resolve(''),
      check: 'iteration',
      expected: '1000',
    },
  ];

  it.each(cases)('$name', async ({ fixture, plainStart, fredBreak, arrived, check, expected }) => {
    const plain = await plainWalk(fixtureBinary(fixture.binary), fixture.args, plainStart, 'step',
      async (location, gdb) => (await arrived(location, () => gdb.evaluate(check))) === expected);
    const stops = plain.locations;
    expect(stops.length).toBeGreaterThan(10);

    const { session } = await open(fixture);
    await session.setBreakpoint(fredBreak.spec, fredBreak.condition);
    const hit = await session.run();
    expect(hit.location).toEqual(stops[stops.length - 1]);
    expect(await session.evaluate(check)).toBe(expected);

    expect(await walk(session, 'reverseStep', stops.length - 1)).toEqual(backwards(stops));
    // Forward again from the earlier stop, the same stops come back, up to the breakpoint.
    expect(await walk(session, 'step', stops.length - 1)).toEqual(stops.slice(1));
    expect(await session.evaluate(check)).toBe(expected);
  });

  it('linked_list: reverse-next after continue visits the loop lines of earlier iterations', async () => {
    // Plain gdb: from the call of append(4), next through main up to the call of append(6).
    const plain = await plainWalk(fixtureBinary('linked_list'), [], { spec: at(LINKED_LIST, 'append'), condition: 'i == 4' }, 'next',
      async (location, gdb) => location.line === markerLine('linked_list.c', 'append') && await gdb.evaluate('i') === '6');
    const stops = plain.locations;
    expect(stops).toHaveLength(5);

    const { session } = await open(LINKED_LIST);
    // Stopped inside append(6), then back out into main with finish: mid-line, after the call.
    await session.setBreakpoint(at(LINKED_LIST, 'link'), 'value == 6');
    await session.run();
    const finished = await session.finish();
    expect(finished.location).toEqual(where(LINKED_LIST, 'append', 'main', 1));
    // reverse-next from the middle of a line goes to its start: before the call of append(6).
    expect((await session.reverseNext()).location).toEqual(stops[4]);
    expect(await session.evaluate('i')).toBe('6');
    expect(await walk(session, 'reverseNext', 4)).toEqual(backwards(stops));
    expect(await session.evaluate('i')).toBe('4');
  });
});

describe('calls seen backwards', () => {
  it('linked_list: after next over append(2), reverse-step enters it at its last line; reverse-next treats it as one step', async () => {
    // Plain gdb steps through append(2), from its call line to main's next line.
    const plain = await plainWalk(fixtureBinary('linked_list'), [], { spec: at(LINKED_LIST, 'append'), condition: 'i == 2' }, 'step',
      (location) => location.depth === 1);
    const stops = plain.locations as Location[];
    const [call, entry] = stops;
    const back = stops[stops.length - 1]!;
    expect(call).toEqual(where(LINKED_LIST, 'append', 'main', 1));
    expect(entry).toEqual(where(LINKED_LIST, 'in_append', 'append', 2));
    expect(back).toEqual(where(LINKED_LIST, 'loop', 'main', 1));

    const { session } = await open(LINKED_LIST);
    await session.setBreakpoint(at(LINKED_LIST, 'append'), 'i == 2');
    expect((await session.run()).location).toEqual(call);
    expect((await session.next()).location).toEqual(back);
    // One step back from after the call: the callee's last line, then on back through it.
    expect(await walk(session, 'reverseStep', 3)).toEqual(backwards(stops).slice(0, 3));
    // reverse-step N goes N stops back at once.
    expect((await session.reverseStep(4)).location).toEqual(backwards(stops)[6]);

    // Undo the four reverse commands; from after the call, reverse-next goes back over the
    // whole call to the call line.
    expect((await session.undo(4)).location).toEqual(back);
    expect((await session.reverseNext()).location).toEqual(call);
    expect(await session.evaluate('i')).toBe('2');
    // From a function's first line, reverse-next goes to the caller's call line.
    expect((await session.step()).location).toEqual(entry);
    expect((await session.reverseNext()).location).toEqual(call);
    // reverse-next N: two more lines of main back, the loop line and the call of append(1).
    expect((await session.reverseNext(2)).location).toEqual(call);
    expect(await session.evaluate('i')).toBe('1');
  });
});

describe('calls seen backwards, long and short', () => {
  // reverse-step after a next steps the callee in the same pass as the line, up to a bound: a
  // short append, one whose walk outlasts the bound (16 nodes to hop), both calling new_node.
  it.each([5, 16])('linked_list: after next over append(%i), reverse-step retraces plain gdb\'s steps back to the call line', async (value) => {
    const plain = await plainWalk(fixtureBinary('linked_list'), [], { spec: at(LINKED_LIST, 'append'), condition: `i == ${value}` }, 'step',
      (location) => location.depth === 1);
    const stops = plain.locations as Location[];
    expect(stops.filter((location) => location.function === 'append').length).toBeGreaterThan(value === 16 ? 40 : 10);
    expect(stops.some((location) => location.function === 'new_node')).toBe(true);

    const { session } = await open(LINKED_LIST);
    await session.setBreakpoint(at(LINKED_LIST, 'append'), `i == ${value}`);
    expect((await session.run()).location).toEqual(stops[0]);
    expect((await session.next()).location).toEqual(stops[stops.length - 1]);
    expect(await walk(session, 'reverseStep', stops.length - 1)).toEqual(backwards(stops));
    expect(await session.evaluate('i')).toBe(String(value));
  });
});

describe('reverse-finish and finish', () => {
  it.each([
    { fixture: LINKED_LIST, start: 'main', name: 'linked_list: the first append' },
    { fixture: RECURSION, start: 'main', name: 'recursion: fact(8)' },
    { fixture: COUNTER_LOOP, start: at(COUNTER_LOOP, 'after_loop'), name: 'counter_loop: check()' },
  ])('$name: reverse-finish returns to the call line; after finish, reverse-step lands on the callee\'s last line', async ({ fixture, start }) => {
    // Plain gdb: step until a function is entered, then on until it has returned.
    let entered = false;
    const plain = await plainWalk(fixtureBinary(fixture.binary), fixture.args, { spec: start }, 'step', (location) => {
      entered ||= location.depth > 1;
      return entered && location.depth === 1;
    });
    const stops = plain.locations as Location[];
    const entry = stops.findIndex((location) => location.depth === 2);
    expect(entry).toBeGreaterThan(0);
    const callLine = stops[entry - 1]!;
    const calleeLast = stops[stops.length - 2]!;
    expect(calleeLast.depth).toBe(2);
    // A stop in the entered function itself (not in one it calls), a few steps in if possible.
    const laterInside = stops.findIndex((location, index) => index > entry + 1 && location.depth === 2);
    const inside = laterInside > 0 ? laterInside : entry;

    const { session } = await open(fixture);
    await session.setBreakpoint(start);
    await session.run();
    expect(await walk(session, 'step', inside)).toEqual(stops.slice(1, inside + 1));

    expect((await session.reverseFinish()).location).toEqual(callLine);
    // Forward again: step into the function, then finish it.
    expect((await session.step()).location).toEqual(stops[entry]);
    const finished = await session.finish();
    expect(finished.location).toMatchObject({ function: callLine.function, depth: 1, line: callLine.line });
    expect(finished.output).toContain('Run till exit');
    // The call has returned: one step back is the callee's last line...
    expect((await session.reverseStep()).location).toEqual(calleeLast);
    // ...and from there reverse-finish goes back before the call once more.
    expect((await session.reverseFinish()).location).toEqual(callLine);
    // Outermost frame: nothing to finish.
    expect((await fredError(() => session.reverseFinish())).message).toMatch(/outermost frame/);
    expect(await session.location()).toEqual(callLine);
  });

  it('recursion: reverse-finish from the base case climbs out one fact frame at a time', async () => {
    const { session } = await open(RECURSION);
    await session.setBreakpoint(at(RECURSION, 'base'));
    expect((await session.run()).location).toEqual(where(RECURSION, 'base', 'fact', 8));
    for (let depth = 7; depth >= 2; depth--) {
      expect((await session.reverseFinish()).location).toEqual(where(RECURSION, 'recurse', 'fact', depth));
      // The frame at depth d computes fact(10 - d): n counts up as the calls unwind backwards.
      expect(await session.evaluate('n')).toBe(String(10 - depth));
      expect(await session.evaluate('depth')).toBe(String(depth - 1));
    }
    expect((await session.reverseFinish()).location).toEqual(where(RECURSION, 'call', 'main', 1));
    expect(await session.evaluate('depth')).toBe('0');
    // Forward again: continue reaches the base case as before.
    expect((await session.continue()).location).toEqual(where(RECURSION, 'base', 'fact', 8));
  });
});

describe('restart to a user checkpoint', () => {
  it('linked_list: restart N returns to the checkpoint; reverse-step and step from there agree with plain gdb', async () => {
    const plain = await plainMoves(LINKED_LIST, 'main', 'step', 50);
    const { session } = await open(LINKED_LIST);
    await session.setBreakpoint('main');
    const forward = [(await session.run()).location, ...await walk(session, 'step', 20)];
    const valueAtCheckpoint = await session.evaluate('value');
    const number = await session.checkpoint();
    expect(session.checkpoints().find((checkpoint) => checkpoint.kind === 'user')?.id).toBe(number);
    forward.push(...await walk(session, 'step', 30));
    expect(forward).toEqual(plain.locations);

    expect((await session.restartCheckpoint(number)).location).toEqual(forward[20]);
    expect(await session.evaluate('value')).toBe(valueAtCheckpoint);
    expect(await walk(session, 'reverseStep', 20)).toEqual(backwards(forward.slice(0, 21)));
    expect((await session.restartCheckpoint(number)).location).toEqual(forward[20]);
    expect(await walk(session, 'step', 30)).toEqual(forward.slice(21));
  });
});

describe('program output', () => {
  it('linked_list: output already shown is not shown again when fred goes back and replays', async () => {
    const opened = await open(LINKED_LIST);
    const { session } = opened;
    await session.setBreakpoint(at(LINKED_LIST, 'after_loop'));
    await session.run();
    expect((await session.next()).location).toEqual(where(LINKED_LIST, 'end', 'main', 1));
    await waitFor(() => opened.programOutput().includes('length 10'), 5000, 'length 10');
    expect((await session.continue()).state).toEqual({ kind: 'exited', code: 0 });

    // Back before the printf (through reverse commands), and forward over it again, twice.
    expect((await session.reverseStep()).location?.function).toBe('main');
    expect((await session.reverseContinue()).location).toEqual(where(LINKED_LIST, 'after_loop', 'main', 1));
    expect((await session.next()).location).toEqual(where(LINKED_LIST, 'end', 'main', 1));
    await session.reverseNext();
    expect((await session.continue()).state).toEqual({ kind: 'exited', code: 0 });
    expect((await session.undo(1)).location).toEqual(where(LINKED_LIST, 'after_loop', 'main', 1));
    expect((await session.undo(1)).location).toEqual(where(LINKED_LIST, 'end', 'main', 1));
    expect((await session.continue()).state).toEqual({ kind: 'exited', code: 0 });
    expect(opened.programOutput()).toBe('length 10\n');
  });

  // With and without the record-replay shim (which tells fred what the program skipped writing).
  it.each([true, false])('linked_list: a new run is a new timeline, and its output is shown (record %s)', async (record) => {
    const opened = await open(LINKED_LIST, 1, record);
    const { session } = opened;
    await session.setBreakpoint(at(LINKED_LIST, 'end'));
    await session.run();
    await waitFor(() => opened.programOutput().includes('length 10'), 5000, 'length 10');
    // Go back before the printf, then run the program again from the start.
    expect((await session.reverseNext()).location).toEqual(where(LINKED_LIST, 'after_loop', 'main', 1));
    expect((await session.run()).location).toEqual(where(LINKED_LIST, 'end', 'main', 1));
    await waitFor(() => opened.programOutput() === 'length 10\nlength 10\n', 5000, 'the second run\'s output');
  });
});

describe('the end of the program', () => {
  it('linked_list: from the exit, reverse-step retraces the last steps; reverse-continue finds the last breakpoint hit', async () => {
    const plain = await plainWalk(fixtureBinary('linked_list'), [], { spec: 'main' }, 'step', () => false);
    expect(plain.lastReason).toBe('exited-normally');
    const stops = plain.locations.slice(0, -1);

    const { session } = await open(LINKED_LIST);
    const end = await session.continue();
    expect(end.state).toEqual({ kind: 'exited', code: 0 });
    expect(end.location).toBeNull();
    // The last line of main first, then back through list_len and the printf's line.
    const back = await walk(session, 'reverseStep', 25);
    expect(back[0]).toMatchObject({ function: 'main', depth: 1, file: fixtureSource('linked_list.c') });
    expect(back).toEqual(stops.slice(-25).reverse());

    // Back at the exit, a breakpoint set now: reverse-continue finds its latest hit, then the
    // one before.
    expect((await session.undo(25)).location).toBeNull();
    expect(session.state).toEqual({ kind: 'exited', code: 0 });
    const breakpoint = await session.setBreakpoint(at(LINKED_LIST, 'append'));
    expect((await session.reverseContinue()).location).toEqual(where(LINKED_LIST, 'append', 'main', 1));
    expect(await session.evaluate('i')).toBe('19');
    expect((await session.reverseContinue()).location).toEqual(where(LINKED_LIST, 'append', 'main', 1));
    expect(await session.evaluate('i')).toBe('18');
    // And forward to the end again.
    await session.deleteBreakpoint(breakpoint.id);
    expect((await session.continue()).state).toEqual({ kind: 'exited', code: 0 });
  });

  it('crash: from the SIGSEGV, reverse-step goes to the line before the crash and on back like plain gdb', async () => {
    const plain = await plainWalk(fixtureBinary('crash'), [], { spec: 'main' }, 'step', () => false);
    expect(plain.lastReason).toBe('signal-received');
    const stops = plain.locations as Location[];
    const crashAt = where(CRASH, 'crash', 'value_length', 4);
    expect(stops[stops.length - 1]).toEqual(crashAt);

    const { session } = await open(CRASH);
    const crash = await session.run();
    expect(crash.state.kind).toBe('crashed');
    expect(crash.location).toEqual(crashAt);
    // reverse-continue from the crash: the lookup of the missing setting.
    const breakpoint = await session.setBreakpoint('find_setting');
    expect((await session.reverseContinue()).location?.function).toBe('find_setting');
    expect(await session.evaluate('key')).toMatch(/"timeout"$/);
    await session.deleteBreakpoint(breakpoint.id);
    // Back at the crash by undo: the program has crashed, as it had then.
    const undone = await session.undo(1);
    expect(undone.location).toEqual(crashAt);
    expect(undone.state).toEqual(crash.state);
    expect(session.state).toEqual(crash.state);
    expect((await fredError(() => session.next())).message).toMatch(/crashed/);

    const back = await walk(session, 'reverseStep', 15);
    // The first step back is the start of the crashing line itself, then the call before it.
    expect(back[0]).toEqual(crashAt);
    expect(back[1]).toMatchObject({ function: 'setting_length', depth: 3 });
    expect(back).toEqual(backwards(stops).slice(0, 15));
    expect(session.state).toEqual({ kind: 'stopped' });

    // Forward again, the program crashes at the same place.
    const again = await session.continue();
    expect(again.state.kind).toBe('crashed');
    expect(again.location).toEqual(crashAt);
  });
});

describe('reverse-continue', () => {
  it('linked_list: visits earlier conditional breakpoint hits newest first, then the start of the history', async () => {
    const { session } = await open(LINKED_LIST);
    const appendLine = where(LINKED_LIST, 'append', 'main', 1);
    await session.setBreakpoint(at(LINKED_LIST, 'append'), 'i % 5 == 0');
    const seen: string[] = [];
    expect((await session.run()).location).toEqual(appendLine);
    seen.push(await session.evaluate('i'));
    for (let hit = 0; hit < 3; hit++) {
      expect((await session.continue()).location).toEqual(appendLine);
      seen.push(await session.evaluate('i'));
    }
    expect(seen).toEqual(['0', '5', '10', '15']);

    for (const i of ['10', '5', '0']) {
      expect((await session.reverseContinue()).location).toEqual(appendLine);
      expect(await session.evaluate('i')).toBe(i);
    }
    // No earlier hit: the start of the recorded history (main, where the run was first held).
    const start = where(LINKED_LIST, 'start', 'main', 1);
    expect((await session.reverseContinue()).location).toEqual(start);
    // Already at the start: reverse-continue stays there (or says why it cannot go further).
    try {
      await session.reverseContinue();
    } catch (error) {
      expect(error).toBeInstanceOf(FredError);
    }
    expect(await session.location()).toEqual(start);

    // Forward again, the same hits in the same order.
    for (const i of ['0', '5']) {
      expect((await session.continue()).location).toEqual(appendLine);
      expect(await session.evaluate('i')).toBe(i);
    }
  });

  it('counter_loop: many continues with 1 ms checkpoints leave no stray interrupt behind', async () => {
    // Automatic checkpoints interrupt `continue` every millisecond; an interrupt that crosses a
    // breakpoint stop must not surface later as a spurious stop or a failed call into the program.
    const { session } = await open(COUNTER_LOOP);
    await session.setBreakpoint(at(COUNTER_LOOP, 'bug'), 'iteration % 150 == 0');
    const bug = where(COUNTER_LOOP, 'bug', 'main', 1);
    expect((await session.run()).location).toEqual(bug);
    for (let hit = 1; hit <= 12; hit++) {
      const outcome = await session.continue();
      expect(outcome.location).toEqual(bug);
      expect(outcome.output).not.toContain('SIGINT');
      expect(await session.evaluate('iteration')).toBe(String(hit * 150));
      expect(await session.evaluate('check()')).toBe(hit * 150 <= 1000 ? '1' : '0');
    }
    for (let hit = 11; hit >= 9; hit--) {
      expect((await session.reverseContinue()).location).toEqual(bug);
      expect(await session.evaluate('iteration')).toBe(String(hit * 150));
    }
  });

  it('bst: reverse-step at a breakpoint after 200k insertions lands on the loop\'s last lines, as stepping forward would have', async () => {
    // The lines before the breakpoint were never stops: fred starts its line scan just after the
    // last allocation (the record shim counts them) instead of at the last checkpoint, thousands
    // of insertions back (stepping through those would take minutes).
    const { session } = await open(BST, 100);
    await session.setBreakpoint(at(BST, 'report'));
    expect((await session.run()).location).toEqual(where(BST, 'report', 'main', 1));
    expect((await session.reverseStep()).location).toEqual(where(BST, 'loop', 'main', 1));
    expect((await session.reverseStep()).location).toEqual(where(BST, 'count', 'main', 1));
    expect(await session.evaluate('inserted')).toBe('199999');
    // The last insertion's call returned just before: its last line, in insert().
    const inCallee = (await session.reverseStep()).location;
    expect(inCallee).toMatchObject({ function: 'insert', depth: 2 });
    // Forward again: the same lines.
    expect((await session.step()).location).toEqual(where(BST, 'count', 'main', 1));
    expect((await session.step()).location).toEqual(where(BST, 'loop', 'main', 1));
    expect((await session.step()).location).toEqual(where(BST, 'report', 'main', 1));
  });

  it('bst: reverse-finish from a function reached by continue after 200k insertions, to its call line', async () => {
    const { session } = await open(BST, 100);
    await session.setBreakpoint('is_bst');
    expect((await session.run()).location).toMatchObject({ function: 'is_bst', depth: 2 });
    const report = where(BST, 'report', 'main', 1);
    expect((await session.reverseFinish()).location).toEqual(report);
    expect(await session.evaluate('inserted')).toBe('200000');
    // Before the call: stepping enters it again.
    expect((await session.step()).location).toMatchObject({ function: 'is_bst', depth: 2 });
  });

  it('counter_loop: reverse-step and reverse-next at a breakpoint after 30 million iterations run by continue retrace plain gdb\'s steps', async () => {
    // Nothing allocated to count and millions of lines to step: fred counts the loop's
    // iterations in the program (fred_gdb_hits.py) to start its scans one iteration back.
    // Plain gdb's steps over the last iterations come from the same loop, 4 iterations long.
    const plain = await plainWalk(fixtureBinary('counter_loop'), ['4', '-1'], { spec: at(COUNTER_LOOP, 'bug'), condition: 'iteration == 1' }, 'step', (location) => location.line === markerLine(COUNTER_LOOP.source, 'after_loop'));
    const lastSteps = plain.locations.slice(1).reverse() as Location[];
    expect(lastSteps[0]).toEqual(where(COUNTER_LOOP, 'after_loop', 'main', 1));
    const { session } = await open({ ...COUNTER_LOOP, args: ['30000000', '-1'] }, 100);
    await session.setBreakpoint(at(COUNTER_LOOP, 'after_loop'));
    expect((await session.run()).location).toEqual(lastSteps[0]);
    const back = await walk(session, 'reverseStep', lastSteps.length - 1);
    expect(back).toEqual(lastSteps.slice(1));
    // Back at the plain walk's start: three iterations before the end (iteration 1 of 4).
    expect(await session.evaluate('iteration')).toBe('29999997');
    // Forward again, the same lines; then reverse-next over a whole iteration.
    expect(await walk(session, 'step', lastSteps.length - 1)).toEqual([...lastSteps].reverse().slice(1));
    expect(await session.evaluate('iteration')).toBe('30000000');
    const bug = where(COUNTER_LOOP, 'bug', 'main', 1);
    const nexts = await walk(session, 'reverseNext', 6);
    expect(nexts.filter((location) => location?.line === bug.line)).toHaveLength(2);
    expect(await session.evaluate('iteration')).toBe('29999998');
  });

  it('counter_loop: Ctrl-C during a counted continue stops in the program\'s own code, and reverse-step goes on from there', async () => {
    // `continue` counts the loop between automatic checkpoints with trampolines; an interrupt
    // often lands inside one, and the program must be shown (and go on) from its own line.
    // (Interrupts this close to the 5 ms checkpoints also race them: each must be one stop.)
    const { session } = await open({ ...COUNTER_LOOP, args: ['30000000000', '-1'] }, 5);
    const started = session.run();
    setTimeout(() => session.interrupt(), 100);
    expect((await started).interrupted).toBe(true);
    const loopLines = ['loop', 'bug'].map((marker) => markerLine(COUNTER_LOOP.source, marker));
    for (let round = 0; round < 12; round++) {
      const running = session.continue();
      setTimeout(() => session.interrupt(), 60 + 7 * round);
      const stop = await running;
      expect(stop.output).not.toMatch(/\?\? \(\)/);
      expect(stop.location).toMatchObject({ file: fixtureSource(COUNTER_LOOP.source), function: 'main', depth: 1 });
      expect(stop.location!.line).toBeGreaterThanOrEqual(loopLines[0]!);
      expect(stop.location!.line).toBeLessThanOrEqual(loopLines[1]!);
    }
    const iteration = Number(await session.evaluate('iteration'));
    const back = await session.reverseStep();
    expect(back.location).toMatchObject({ file: fixtureSource(COUNTER_LOOP.source), function: 'main' });
    expect(Number(await session.evaluate('iteration'))).toBeGreaterThanOrEqual(iteration - 1);
    expect((await session.step()).location).toMatchObject({ function: 'main' });
  });

  it('counter_loop: interrupt() cancels a long reverse-step, which leaves the program where it was', async () => {
    // After 30 million iterations run by `continue`, the line before the breakpoint is the loop's
    // last test. Without the record shim fred has no hit counter there (README): found by stepping
    // from a timed landing milliseconds back, millions of lines, far too slow to wait for.
    const { session } = await open({ ...COUNTER_LOOP, args: ['30000000', '-1'] }, 100, false);
    await session.setBreakpoint(at(COUNTER_LOOP, 'after_loop'));
    const after = where(COUNTER_LOOP, 'after_loop', 'main', 1);
    expect((await session.run()).location).toEqual(after);
    const history = session.history();
    await expectCancelledAfter(session, 500, 'reverse-step', session.reverseStep());
    expect(await session.location()).toEqual(after);
    expect(await session.evaluate('iteration')).toBe('30000000');
    expect(session.history()).toEqual(history);
    const next = await session.next();
    expect(next.location).toEqual({ ...after, line: after.line + 1 });
  });
});

describe('undo, restart and bad input', () => {
  it('linked_list: undo 1 after next, undo 2 after reverse-step and next', async () => {
    const plain = await plainMoves(LINKED_LIST, 'main', 'next', 3);
    const { session } = await open(LINKED_LIST);
    await session.setBreakpoint('main');
    const start = (await session.run()).location;
    expect(start).toEqual(plain.locations[0]);
    const [loop, call] = await walk(session, 'next', 2);
    expect([start, loop, call]).toEqual(plain.locations.slice(0, 3));

    expect((await session.undo(1)).location).toEqual(loop);
    expect(await session.location()).toEqual(loop);

    expect((await session.next()).location).toEqual(call);
    expect((await session.reverseStep()).location).toEqual(loop);
    expect((await session.next()).location).toEqual(call);
    expect((await session.step()).location).toEqual(where(LINKED_LIST, 'in_append', 'append', 2));
    // Undo the step and the next: back where the reverse-step had gone.
    expect((await session.undo(2)).location).toEqual(loop);
    // Undo the reverse-step: back at the call.
    expect((await session.undo(1)).location).toEqual(call);
    expect(session.history().map((entry) => entry.command)).toEqual(['next', 'next']);
  });

  it('linked_list: restart 99, undo 1000 and reverse commands without history are clear errors that change nothing', async () => {
    const { session } = await open(LINKED_LIST);
    // Before the program runs.
    for (const action of [
      () => session.reverseStep(), () => session.reverseNext(), () => session.reverseFinish(),
      () => session.reverseContinue(), () => session.undo(1), () => session.checkpoint(), () => session.restartCheckpoint(1),
    ]) {
      await fredError(action);
      expect(session.state).toEqual({ kind: 'not-started' });
      expect(await session.location()).toBeNull();
    }

    await session.setBreakpoint('main');
    const start = (await session.run()).location;
    // At the start of the recorded history: nowhere to go back to.
    for (const action of [() => session.reverseStep(), () => session.reverseNext(), () => session.reverseFinish(), () => session.undo(1)]) {
      await fredError(action);
      expect(await session.location()).toEqual(start);
    }

    const moved = await walk(session, 'next', 3);
    const here = moved[2];
    const checkpoint = await session.checkpoint();
    expect((await fredError(() => session.restartCheckpoint(99))).message).toMatch(/99/);
    expect(await session.location()).toEqual(here);
    expect((await fredError(() => session.undo(1000))).message).toMatch(/undo/);
    expect(await session.location()).toEqual(here);
    for (const count of [0, -1, 1.5]) {
      await fredError(() => session.reverseStep(count));
      await fredError(() => session.undo(count));
    }
    expect(await session.location()).toEqual(here);
    expect(session.history().map((entry) => entry.command)).toEqual(['next', 'next', 'next']);
    // The session still works: the checkpoint is there to go back to after moving on.
    await session.next();
    expect((await session.restartCheckpoint(checkpoint)).location).toEqual(here);
  });
});

describe('processes', () => {
  it('after close, no gdb, program or checkpoint fork remains', async () => {
    const seen = new Map<string, ProcessInfo>();
    const watch = setInterval(() => {
      for (const info of descendants(process.pid)) seen.set(`${info.pid}:${info.startTime}`, info);
    }, 10);
    try {
      const { session } = await open(LINKED_LIST);
      await session.setBreakpoint(at(LINKED_LIST, 'link'), 'value == 8');
      await session.run();
      await walk(session, 'step', 15);
      const number = await session.checkpoint();
      await walk(session, 'reverseStep', 20);
      await session.reverseContinue();
      await session.restartCheckpoint(number);
      await session.continue();
      expect(session.checkpoints().length).toBeGreaterThan(2);
      const during = descendants(process.pid);
      for (const info of during) seen.set(`${info.pid}:${info.startTime}`, info);
      // gdb, the program and its checkpoint forks.
      expect(during.filter((info) => info.name === 'linked_list').length).toBeGreaterThan(2);
      await session.close();
    } finally {
      clearInterval(watch);
    }
    const ours = [...seen.values()].filter((info) => info.name === 'gdb' || info.name === 'linked_list' || info.name === 'fred-exec');
    expect(ours.length).toBeGreaterThan(3);
    expect(describeProcesses(await survivorsAfter(ours))).toEqual([]);
  });
});

describe('fred --batch --json: time-travel commands by name and alias', () => {
  beforeAll(() => prepareCli());

  it('bst with a million nodes: the default checkpoint interval stretches with the program\'s memory; one the user sets does not', async () => {
    const script = [
      'checkpoint-interval',
      `break ${at(BST, 'report')}`,
      'run',
      'checkpoint-interval',
      'checkpoint-interval 100',
      'checkpoint-interval',
      'checkpoint-interval x',
    ];
    const commands = sandbox.scratch.file('interval.txt', `${script.join('\n')}\n`);
    const run = await runFred(['--batch', '--json', '--commands', commands, '--', fixtureBinary('bst'), '1000000', '-1']);
    const records = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { command: string; ok: boolean; error?: string; output: string });
    expect(records.map((record) => record.ok)).toEqual([true, true, true, true, true, true, false]);
    expect(records[0]!.output).toBe('Automatic checkpoints every 100 ms of execution.\n');
    // A million nodes are some 50 MiB at the end: 8 ms per MiB.
    const stretched = /^Automatic checkpoints every 100 ms of execution \(now every (\d+) ms: the program has (\d+) MiB of its own memory resident, .*\)\.\n$/.exec(records[3]!.output);
    expect(stretched, records[3]!.output).not.toBeNull();
    expect(Number(stretched![2])).toBeGreaterThan(12); // (read at the last automatic checkpoint, before the end)
    expect(Math.abs(Number(stretched![1]) - 8 * Number(stretched![2]))).toBeLessThanOrEqual(8);
    expect(records[5]!.output).toBe('Automatic checkpoints every 100 ms of execution.\n');
    expect(records[6]!.error).toBe('usage: checkpoint-interval [MS]');
  });

  it('linked_list: rs, rn, rf, rc, undo, ckpt, restart N, info checkpoints and history', async () => {
    // What plain gdb's steps say the stops before `last->next = n` in append(3) are.
    const plain = await plainWalk(fixtureBinary('linked_list'), [], { spec: at(LINKED_LIST, 'append'), condition: 'i == 3' }, 'step',
      async (location, gdb) => location.line === markerLine('linked_list.c', 'link') && await gdb.evaluate('value') === '3');
    const stops = plain.locations as Location[];
    const link = stops[stops.length - 1]!;
    const script = [
      'checkpoint-interval 1',
      `break ${at(LINKED_LIST, 'link')} if value == 3`,
      'run',
      'ckpt',
      'rs',
      'reverse-step',
      'rn',
      'p hops',
      'rf',
      'p i',
      'info checkpoints',
      'restart 1',
      'rc',
      'undo',
      'reverse-continue',
      'history',
      'restart 99',
      'undo 1000',
      'rs 0',
      'continue',
    ];
    const commands = sandbox.scratch.file('time-travel.txt', `${script.join('\n')}\n`);
    const tmp = join(sandbox.scratch.path, 'tmp');
    const run = await runFred(['--batch', '--json', '--commands', commands, '--', fixtureBinary('linked_list')], { env: { TMPDIR: tmp } });
    const records = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as {
      command: string; ok: boolean; error?: string; location: Location | null; output: string;
    });
    expect(records.map((record) => record.command)).toEqual(script);
    const byCommand = (index: number) => records[index]!;
    const okay = records.map((record) => record.ok);
    expect(okay).toEqual(script.map((command) => !['restart 99', 'undo 1000', 'rs 0'].includes(command)));
    expect(run.code).toBe(1);

    expect(byCommand(2).location).toEqual(link);
    expect(byCommand(3).output).toBe('checkpoint 1\n');
    expect(byCommand(4).location).toEqual(stops[stops.length - 2]);
    expect(byCommand(5).location).toEqual(stops[stops.length - 3]);
    expect(byCommand(6).location).toEqual(stops[stops.length - 4]);
    expect(byCommand(8).location).toEqual(where(LINKED_LIST, 'append', 'main', 1));
    expect(byCommand(9).output).toBe('$2 = 3\n');
    expect(byCommand(10).output).toMatch(/^\s+1\s+linked_list\.c:\d+ append$/m);
    expect(byCommand(10).output).toMatch(/^\s*auto\s+linked_list\.c:\d+ main$/m);
    expect(byCommand(11).location).toEqual(link);
    // No earlier hit of `value == 3`: the start of the recorded history.
    expect(byCommand(12).location).toEqual(where(LINKED_LIST, 'start', 'main', 1));
    expect(byCommand(13).location).toEqual(link);
    expect(byCommand(14).location).toEqual(where(LINKED_LIST, 'start', 'main', 1));
    const history = byCommand(15).output.trimEnd().split('\n').map((line) => line.trim().split(/\s{2,}/)[1]);
    expect(history).toEqual(['reverse-step', 'reverse-step', 'reverse-next', 'reverse-finish', 'restart 1', 'reverse-continue']);
    expect(byCommand(16).error).toMatch(/99/);
    expect(byCommand(17).error).toMatch(/undo/);
    expect(byCommand(18).error).toMatch(/reverse-step/);
    for (const index of [16, 17, 18]) expect(byCommand(index).location).toEqual(where(LINKED_LIST, 'start', 'main', 1));
    // Forward from the start, the breakpoint stops at the same place again.
    expect(byCommand(19).location).toEqual(link);
    expect(run.stderr).toBe('');
  });
});

/**
 * A session of gdb on test/native/programs/NAME.c, compiled for the test; `line(marker)` is the
 * line ending with `/* @marker *\/`.
 */
async function onTestProgram(
  name: string,
  checkpointIntervalMs: number,
  body: (session: Session, source: string, line: (marker: string) => number) => Promise<void>,
  record = true,
): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), `fred-${name}-`));
  try {
    const binary = compileProgram(name, folder);
    const source = programSource(name);
    const line = (marker: string) => markerLineIn(source, marker);
    const session = await Session.start({ program: binary, debugger: 'gdb', checkpointIntervalMs, record });
    sandbox.sessions.push(session);
    await body(session, source, line);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('replays find the recorded moments', { timeout: 60_000 }, () => {
  for (const record of [true, false]) {
    it(`replays from the start checkpoint of a program that first allocates after main began find their moments (${record ? 'recorded' : '--no-record'})`, () =>
      onTestProgram('allocates_late', 0, async (session, source, line) => {
        await session.native(`break ${source}:${line('done')}`);
        expect((await session.native('run')).location).toMatchObject({ line: line('done'), function: 'main' });
        // No automatic checkpoints: both replay from the start, before the first malloc.
        expect((await session.reverseStep()).location).toMatchObject({ line: line('done') - 2, function: 'main' });
        expect((await session.reverseStep()).location).toMatchObject({ line: line('free') + 1, function: 'use', depth: 2 });
        expect(await session.evaluate('i')).toBe('49');
        expect(await session.evaluate('total')).toBe(String((49 * 50) / 2));
      }, record));
  }

  it('a continue whose automatic checkpoints fell inside the record shim (no moment) counts nothing from there: reverse-step lands right', () =>
    onTestProgram('reads_the_clock', 20, async (session, source, line) => {
      await session.native(`break ${source}:${line('done')}`);
      expect((await session.native('run')).location).toMatchObject({ line: line('done'), function: 'main' });
      // The second loop's header, after its last use(49), then that call's last line.
      expect((await session.reverseStep()).location).toMatchObject({ line: line('after') - 1, function: 'main' });
      expect(await session.evaluate('total')).toBe(String(49 * 50));
      expect((await session.reverseStep()).location).toMatchObject({ function: 'use', depth: 2 });
      expect(await session.evaluate('i')).toBe('49');
    }));
});

describe('the program runs as it would without fred', { timeout: 60_000 }, () => {
  it('automatic checkpoints that interrupt gdb stepping over a breakpoint leave the program\'s registers alone', () =>
    onTestProgram('live_register', 1, async (session) => {
      let output = '';
      session.onProgramOutput((text) => { output += text; });
      // Never true: gdb steps over the breakpoint in each of 300 iterations, and fred's SIGINTs
      // (every millisecond) mostly arrive while gdb evaluates the condition, so they land as it
      // resumes the program: during the step-over.
      await session.native('break *fred_site if one == 0');
      expect((await session.run()).state.kind).toBe('exited');
      expect(session.checkpoints().length).toBeGreaterThan(3);
      expect(output).toContain('total 1800 expected 1800');
    }));
});

describe('scans from code gdb knows no function of', { timeout: 60_000 }, () => {
  it('a reverse-step whose scan starts at a checkpoint taken there steps out of it, instruction by instruction', () =>
    onTestProgram('unknown_code', 0, async (session, source, line) => {
      await session.native(`break ${source}:${line('call')}`);
      await session.native('run');
      const address = /0x[0-9a-f]+/.exec(await session.evaluate('page'))![0];
      await session.native(`break *${address}`);
      await session.native('continue');
      expect(await session.evaluate('$pc == page')).toBe('1');
      // gdb itself cannot step here ("Cannot find bounds of current function").
      await expect(session.native('step')).rejects.toThrow(/Cannot find bounds/);
      await session.checkpoint();
      await session.native(`break ${source}:${line('print')}`);
      expect((await session.native('continue')).location).toMatchObject({ line: line('print'), function: 'main' });
      // No stop was recorded on the way: the scan for the line before starts at the checkpoint
      // in the page.
      expect((await session.reverseStep()).location).toMatchObject({ line: line('second'), function: 'main' });
      expect(await session.evaluate('counter')).toBe('1');
      expect((await session.reverseStep()).location).toMatchObject({ line: line('after'), function: 'main' });
      expect(await session.evaluate('counter')).toBe('0');
    }));
});

