// The reverse-execution oracle under pdb: forward `step`/`next` sequences recorded from a real
// python3, then walked backwards with reverse-step/reverse-next, must come back reversed, and
// stepping forward again must repeat them (determinism).

import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Session } from '../../src/session/session.js';
import { expectCancelledAfter, forward, where } from '../helpers/walk.js';
import { descendants } from '../helpers/processes.js';
import { readFileSync } from 'node:fs';

/** The line of a fixture that ends with `marker`. */
function lineOf(file: string, marker: string): number {
  return readFileSync(join(fixtures, file), 'utf8').split('\n').findIndex((line) => line.trimEnd().endsWith(marker)) + 1;
}

const fixtures = join(process.cwd(), 'fixtures', 'py');
const sessions: Session[] = [];

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
});

async function start(file: string, checkpointIntervalMs = 1): Promise<Session> {
  const session = await Session.start({ program: join(fixtures, file), checkpointIntervalMs });
  sessions.push(session);
  return session;
}

describe('reverse execution under pdb', () => {
  it('evaluates at fork checkpoints in throwaway copies, all at once: what a restore shows there, and the program stays put', async () => {
    const session = await Session.start({ program: join(fixtures, 'inventory.py'), args: ['100000', '-1'], checkpointIntervalMs: 20 });
    sessions.push(session);
    expect((await session.continue()).state).toEqual({ kind: 'exited', code: 0 });
    const here = where(await session.location());
    const replay = session.personality.replay!;
    const ids = session.checkpoints().map((info) => info.moment.checkpoint!).slice(-5);
    expect(ids.length).toBe(5);
    const frame = { depth: 1, function: '<module>' };
    const values = await replay.watch!.valuesAtCheckpoints!([...ids, 99_999], 'order_number', frame);
    expect(where(await session.location())).toBe(here);
    expect(values[5]).toBeNull(); // no such checkpoint
    // The program ran on between checkpoints: the copies saw different moments.
    expect(new Set(values.slice(0, 5)).size).toBeGreaterThan(1);
    for (const [index, id] of ids.entries()) {
      await replay.checkpoints.restore(id);
      expect(await replay.watch!.evaluateIn('order_number', frame)).toBe(values[index]);
    }
  });

  it('interrupt() cancels a reverse-watch whose EXPR never finishes at an old checkpoint: its copy is ended, the session stays usable', async () => {
    const session = await Session.start({ program: join(fixtures, 'inventory.py'), args: ['100000', '-1'], checkpointIntervalMs: 5 });
    sessions.push(session);
    expect((await session.continue()).state).toEqual({ kind: 'exited', code: 0 });
    const here = await session.location();
    // Counted once every snapshot's standby is made (they are forked in the background).
    const pythons = () => descendants(process.pid).filter((info) => info.name.startsWith('python') && info.state !== 'Z');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = pythons().length;
    // True at every late checkpoint, so the walk goes back far; before order 30000 it never ends.
    const expression = "stock['pears'] >= 0 if order_number > 30000 else any(x < 0 for x in iter(int, 1))";
    await expectCancelledAfter(session, 1500, 'reverse-watch', session.reverseWatch(expression));
    expect(await session.location()).toEqual(here);
    expect(await session.evaluate('order_number')).toBe('99999');
    // The copy that was evaluating is gone (no python process more than before the search).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = pythons();
    expect(after.length).toBeLessThanOrEqual(before);
    expect(after.filter((info) => info.state === 'R')).toEqual([]);
  });

  it('reverse-step retraces 20 steps through recursion, and stepping again repeats them', async () => {
    const session = await start('recursion.py');
    const steps = await forward(session, 'step', 20);
    const back = [where(await session.location())];
    for (let index = 0; index < 20; index++) back.push(where((await session.reverseStep()).location));
    expect(back).toEqual([...steps].reverse());
    expect(await forward(session, 'step', 20)).toEqual(steps);
  });

  it.each([3, 15])('after next over append(head, %i), reverse-step retraces the steps through it back to the call line', async (value) => {
    // reverse-step after a next steps the callee in the same pass as the line, up to a bound:
    // append(3) fits it, append(15) walks 14 nodes and outlasts it.
    const breakpoint = `${join(fixtures, 'linked_list.py')}:${lineOf('linked_list.py', '# @append')}`;
    const stepping = await start('linked_list.py');
    await stepping.setBreakpoint(breakpoint, `i == ${value}`);
    const steps = [where((await stepping.continue()).location)];
    do steps.push(where((await stepping.step()).location));
    while (!steps[steps.length - 1]!.endsWith('@1'));
    expect(steps.filter((stop) => stop.startsWith('append:')).length).toBeGreaterThan(value === 15 ? 32 : 5);

    const session = await start('linked_list.py');
    await session.setBreakpoint(breakpoint, `i == ${value}`);
    expect(where((await session.continue()).location)).toBe(steps[0]);
    expect(where((await session.next()).location)).toBe(steps[steps.length - 1]);
    const back: string[] = [];
    for (let index = 0; index < steps.length - 1; index++) back.push(where((await session.reverseStep()).location));
    expect(back).toEqual(steps.slice(0, -1).reverse());
    expect(await session.evaluate('i')).toBe(String(value));
  });

  it('after nexts into a crash, reverse-step retraces the steps back through the unwinding and the calls that raised', async () => {
    const breakpoint = `${join(fixtures, 'crash.py')}:${lineOf('crash.py', '# @main-report')}`;
    const stepping = await start('crash.py');
    await stepping.setBreakpoint(breakpoint);
    const steps = [where((await stepping.continue()).location)];
    for (;;) {
      const outcome = await stepping.step();
      if (outcome.state.kind === 'crashed') break;
      steps.push(where(outcome.location));
    }
    expect(steps.filter((stop) => stop.startsWith('average:')).length).toBeGreaterThan(6);

    const session = await start('crash.py');
    await session.setBreakpoint(breakpoint);
    await session.continue();
    let state = (await session.next()).state;
    while (state.kind === 'stopped') state = (await session.next()).state;
    expect(state.kind).toBe('crashed');
    const back: string[] = [];
    for (let index = 0; index < steps.length - 1; index++) back.push(where((await session.reverseStep()).location));
    expect(back).toEqual(steps.slice(1).reverse());
  });

  it('reverse-step at the end of a long run (200k orders, checkpoints every 100 ms) retraces the last steps', async () => {
    // The stretch from the last automatic checkpoint to the end is thousands of orders: the scan
    // starts a few events before the end, and descends one frame at a time from a deep start.
    const session = await Session.start({ program: join(fixtures, 'inventory.py'), args: ['200000', '-1'], checkpointIntervalMs: 100 });
    sessions.push(session);
    expect((await session.continue()).state).toEqual({ kind: 'exited', code: 0 });
    const back: string[] = [];
    for (let index = 0; index < 6; index++) back.push(where((await session.reverseStep()).location));
    // main's return, its last line, the loop's last test, the last order's handle(), deeper.
    expect(back.slice(0, 3)).toEqual(['main:58@2', 'main:58@2', 'main:56@2']);
    expect(back[3]).toMatch(/^handle:\d+@3$/);
    // Forward again: the same stops, to the end.
    expect(await forward(session, 'step', 5)).toEqual([...back].reverse());
    // The end itself: the main module's --Return--, where fred held the program.
    expect(where((await session.step()).location)).toBe('<module>:61@1');
  });

  it('a small program keeps more than 24 automatic checkpoints (within a memory budget), and going back still lands right', async () => {
    const session = await Session.start({ program: join(fixtures, 'inventory.py'), args: ['200000', '-1'], checkpointIntervalMs: 2 });
    sessions.push(session);
    expect((await session.continue()).state).toEqual({ kind: 'exited', code: 0 });
    const kept = session.checkpoints().length;
    // Far more than 24 were taken (one every 2 ms of a run of a few hundred ms), thinned to what
    // the program's size allows: more than 24 automatic ones, at most 128 (and the start's).
    expect(kept, `${kept} checkpoints kept`).toBeGreaterThan(25);
    expect(kept).toBeLessThanOrEqual(129);
    // What a kept fork really occupies is measured (shared pages counted once), and it is less
    // than the program's resident size, which each fork was once assumed to cost.
    const measured = session.personality.checkpointBytes?.();
    const resident = session.personality.programResidentBytes?.();
    expect(measured).toBeGreaterThan(0);
    expect(resident).toBeGreaterThan(0);
    expect(measured!).toBeLessThan(resident!);
    expect(where((await session.reverseStep()).location)).toBe('main:58@2');
  });

  it('a stop after a long continue gets a checkpoint of its own, the program\'s end none: steps from the stop go back from there', async () => {
    // An interval longer than the run: the continue's stop is the only candidate.
    const session = await Session.start({ program: join(fixtures, 'inventory.py'), args: ['100000', '-1'], checkpointIntervalMs: 60_000 });
    sessions.push(session);
    const replay = session.personality.replay!;
    const newestCheckpoint = () => session.checkpoints().at(-1)!.moment;
    await session.native(`break inventory.py:${lineOf('inventory.py', '# @handle')}, order_number == 90000`);
    expect(where((await session.continue()).location)).toBe(`main:${lineOf('inventory.py', '# @handle')}@2`);
    const atBreakpoint = await replay.mark();
    expect(newestCheckpoint().mark!.key).toBe(atBreakpoint.key);
    await session.next();
    expect(where((await session.reverseStep()).location)).toBe(`handle:${lineOf('inventory.py', '# @handle-fulfil')}@3`);
    expect(await session.evaluate('order_number')).toBe('90000');
    for (const breakpoint of await session.listBreakpoints()) await session.deleteBreakpoint(breakpoint.id);
    expect((await session.continue()).state).toEqual({ kind: 'exited', code: 0 });
    expect(newestCheckpoint().mark!.key).toBe(atBreakpoint.key);
  });

  it('reverse-next at the end of a long run goes back over the whole main() call to the module line that made it', async () => {
    // Every scan from an automatic checkpoint inside main() runs main() out to its return: the
    // C counter watches for that return, so each is a native-speed run, not a traced one.
    const session = await Session.start({ program: join(fixtures, 'inventory.py'), args: ['200000', '-1'], checkpointIntervalMs: 100 });
    sessions.push(session);
    expect((await session.continue()).state).toEqual({ kind: 'exited', code: 0 });
    expect(where((await session.reverseNext()).location)).toBe('<module>:61@1');
    expect(await session.evaluate('order_number')).toBe('0'); // before main() ran
    expect(where((await session.reverseNext()).location)).toMatch(/^<module>:\d+@1$/);
  });

  it('reverse-next retraces nexts in the module frame', async () => {
    const session = await start('linked_list.py');
    const nexts = await forward(session, 'next', 25);
    const back = [where(await session.location())];
    for (let index = 0; index < 25; index++) back.push(where((await session.reverseNext()).location));
    expect(back).toEqual([...nexts].reverse());
  });

  it('reverse-finish from inside a recursive call returns to the line that made the call', async () => {
    const session = await start('recursion.py');
    // Step into factorial(6), recording the call line in main just before the step that entered it.
    let previous = where(await session.location());
    let current = previous;
    for (let index = 0; index < 30 && !current.startsWith('factorial:'); index++) {
      previous = current;
      current = where((await session.step()).location);
    }
    expect(current.startsWith('factorial:')).toBe(true);
    await session.next();
    const back = await session.reverseFinish();
    expect(where(back.location)).toBe(previous);
  });

  it('undo and errors leave the program where it was', async () => {
    const session = await start('linked_list.py');
    await expect(session.reverseStep()).rejects.toThrow(/start of the recorded history/);
    const first = where(await session.location());
    await session.next();
    await session.undo(1);
    expect(where(await session.location())).toBe(first);
    await expect(session.undo(1000)).rejects.toThrow(/to undo/);
    await expect(session.restartCheckpoint(99)).rejects.toThrow(/no checkpoint 99/);
    expect(where(await session.location())).toBe(first);
  });

  it('checkpoints taken during a continue to a breakpoint are where a replay finds them: fred\'s interrupts count as nothing', async () => {
    const session = await Session.start({ program: join(fixtures, 'inventory.py'), args: ['30000', '-1'], checkpointIntervalMs: 5 });
    sessions.push(session);
    // A conditional breakpoint on the loop's hot line: bdb sees that line at every iteration, so
    // fred's interrupts often come while the line is handed to it (they were lost there, and with
    // them every automatic checkpoint of the rest of the continue).
    await session.setBreakpoint(`${join(fixtures, 'inventory.py')}:${lineOf('inventory.py', '# @handle')}`, 'order_number == 25000');
    const hit = await session.native('continue');
    expect(hit.location).toMatchObject({ function: 'main' });
    const replay = session.personality.replay!;
    const end = await replay.mark();
    const ids = session.checkpoints().map((info) => info.moment.checkpoint!).filter((id) => id !== undefined);
    // The start's and the automatic ones, one every 5 ms of a run of a few hundred ms.
    expect(ids.length).toBeGreaterThan(10);
    // From the oldest, a middle one and the newest: the same moment, with the same state.
    for (const id of [ids[0]!, ids[Math.floor(ids.length / 2)]!, ids[ids.length - 1]!]) {
      await replay.checkpoints.restore(id);
      expect(await replay.runUntil(end)).toBe(true);
      expect(await replay.mark()).toEqual(end);
      expect(await session.evaluate('order_number')).toBe('25000');
    }
  });

  it('counts the program\'s thread only: a busy daemon thread leaves the main thread\'s moments where replays find them', async () => {
    // No automatic checkpoints: a fork copies only the calling thread (README: fork backend and
    // threads); the one checkpoint below is taken with the other thread busy, on purpose.
    const session = await Session.start({ program: join(fixtures, 'threads.py'), checkpointIntervalMs: 0 });
    sessions.push(session);
    await session.setBreakpoint(`${join(fixtures, 'threads.py')}:${lineOf('threads.py', '# @print')}`);
    // The thread has started (how many calls starting it took depends on timing: from here on).
    await session.native('continue');
    const replay = session.personality.replay!;
    const start = await replay.checkpoints.take();
    const work = await session.native('step');
    expect(work.location).toMatchObject({ function: 'work' });
    await session.native(`until ${lineOf('threads.py', '# @return')}`);
    expect(await session.evaluate('i')).toBe('199999');
    const here = await replay.mark();
    // The copy a restore makes has no other thread: only the program's own counts can agree.
    await replay.checkpoints.restore(start);
    expect(await replay.runUntil(here)).toBe(true);
    expect(await replay.mark()).toEqual(here);
    expect(await session.evaluate('i')).toBe('199999');
  });

  it('Ctrl-C in a loop without calls (a frame running untraced) stops there, at a moment fred can go back from and return to', async () => {
    const session = await start('spin.py', 20);
    const going = session.continue();
    await new Promise((resolve) => setTimeout(resolve, 600));
    session.interrupt();
    const stopped = await going;
    expect(stopped.state).toEqual({ kind: 'stopped' });
    expect(stopped.location).toMatchObject({ function: 'spin', depth: 2 });
    expect(where(await session.location())).toBe(where(stopped.location));
    const reached = Number(await session.evaluate('i'));
    expect(reached).toBeGreaterThan(1000);
    // The moment is exact: back one line and forward again is the same place and state.
    const here = where(stopped.location);
    expect((await session.reverseStep()).location).toMatchObject({ function: 'spin' });
    expect(where((await session.native('step')).location)).toBe(here);
    expect(await session.evaluate('i')).toBe(String(reached));
    // And the loop goes on from there.
    await session.native('next');
    await session.native('next');
    expect(Number(await session.evaluate('i'))).toBeGreaterThan(reached);
  });

  it('at the exit hold, step, next and continue are refused (as under gdb) and leave the end in place; run starts again', async () => {
    const session = await start('linked_list.py');
    expect((await session.continue()).state).toEqual({ kind: 'exited', code: 0 });
    for (const command of ['step', 'next', 'continue']) {
      await expect(session.native(command)).rejects.toThrow('The program is not being run.');
    }
    // Still the end: its state reads, and going back from it works.
    expect(await session.evaluate('i')).toBe('19');
    expect((await session.reverseStep()).location).toMatchObject({ function: 'list_len' }); // its last line, inside the print's call
    const again = await session.native('run');
    expect(again.state).toEqual({ kind: 'stopped' });
    expect(again.location).toMatchObject({ line: 10, depth: 1 });
  });
});
