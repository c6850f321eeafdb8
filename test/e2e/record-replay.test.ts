// Record-replay end to end: real gdb sessions on the clock/random, stdin and divergence fixtures
// with the shim preloaded (and, for contrast, without it), the same under pdb, and real python3
// under the shim with a fork snapshot of the test's own (the protocol fred_pdb follows).

import { execFileSync, spawn } from 'node:child_process';
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/session/session.js';
import type { ProgramTerminal } from '../../src/pty/program-terminal.js';
import { ensureBuilt, repoRoot } from '../helpers/build.js';
import { prepareCli, runFred } from '../helpers/cli.js';
import { fixtureBinary, fixtureSource, markerLine, markerLineIn } from '../helpers/fixtures.js';
import { descendants, waitFor } from '../helpers/processes.js';
import { compileProgram, ensureRecordShim, programSource, shimFile } from '../native/native-build.js';
import { sessionSandbox } from '../helpers/session-sandbox.js';

const sandbox = sessionSandbox('fred-record-', () => { ensureBuilt(); ensureRecordShim(); });

interface Opened {
  session: Session;
  /** What the user was shown (fred's output gate). */
  shown(): string;
  /** Every byte the program wrote to its terminal, replays included. */
  written(): string;
}

interface OpenOptions {
  args?: string[];
  stdinFile?: string;
  record?: boolean;
  checkpointIntervalMs?: number;
}

/** A gdb session on fixtures/bin/PROGRAM, or a pdb session on fixtures/py/PROGRAM (`*.py`). */
async function open(program: string, options: OpenOptions = {}): Promise<Opened> {
  const python = program.endsWith('.py');
  const session = await Session.start({
    program: program.startsWith('/') ? program : python ? fixtureSource(program) : fixtureBinary(program),
    args: options.args ?? [],
    debugger: python ? 'pdb' : 'gdb',
    stdinFile: options.stdinFile,
    record: options.record,
    checkpointIntervalMs: options.checkpointIntervalMs,
  });
  sandbox.sessions.push(session);
  let shown = '';
  let written = '';
  session.onProgramOutput((text) => { shown += text; });
  // The terminal itself, beneath the output gate: what the program really wrote.
  (session as unknown as { terminal: ProgramTerminal }).terminal.onOutput((text) => { written += text; });
  return { session, shown: () => shown, written: () => written };
}

function at(file: string, marker: string): string {
  return `${file}:${markerLine(file, marker)}`;
}

function count(text: string, pattern: RegExp): number {
  return text.match(new RegExp(pattern.source, 'gm'))?.length ?? 0;
}

async function outputContaining(opened: Opened, pattern: RegExp, times = 1): Promise<string> {
  return waitFor(() => count(opened.written(), pattern) >= times && opened.written(), 10_000, `${pattern} in the program's output`);
}

/** Everything clock_random.c's verdict depends on, evaluated at its @verdict line. */
async function clockRandomFacts(session: Session): Promise<string[]> {
  const facts = [];
  for (const expression of ['mix & 1', 'seed', 'now', 'tv.tv_usec', 'ts.tv_nsec', 'pid', 'rolls[0]']) {
    facts.push(`${expression}=${await session.evaluate(expression)}`);
  }
  return facts;
}

/**
 * clock_random: run to @verdict from a checkpoint at @time, to the end, then back to the
 * checkpoint and forward again. Returns the facts of both passes and the final lines.
 */
async function runClockRandomTwice(record: boolean) {
  const opened = await open('clock_random', { record });
  const { session } = opened;
  await session.setBreakpoint(at('clock_random.c', 'time'));
  await session.setBreakpoint(at('clock_random.c', 'verdict'));
  await session.run();
  const start = await session.checkpoint();
  await session.continue();
  const first = await clockRandomFacts(session);
  expect((await session.continue()).state.kind).toBe('exited');
  const firstVerdict = (await outputContaining(opened, /^verdict \w+$/)).match(/^verdict \w+$/m)![0];
  await session.restartCheckpoint(start);
  expect((await session.location())?.line).toBe(markerLine('clock_random.c', 'time'));
  await session.continue();
  const second = await clockRandomFacts(session);
  expect((await session.continue()).state.kind).toBe('exited');
  return { opened, first, second, firstVerdict };
}

describe('record-replay under gdb', () => {
  it('replays clock_random exactly: same clock, pid and rolls, the verdict printed once', async () => {
    const { opened, first, second, firstVerdict } = await runClockRandomTwice(true);
    expect(second).toEqual(first);
    const log = opened.session.recording!.log;
    const state = log.state();
    expect(state.divergence).toBeNull();
    // time, gettimeofday, clock_gettime, getpid, and the program's writes to its terminal.
    expect(log.events(4).map((event) => event.kind)).toEqual(['time', 'gettimeofday', 'clock_gettime', 'getpid']);
    expect(state.replayed).toBeGreaterThanOrEqual(5);
    // The replay's output was swallowed in the program: one verdict line on the terminal.
    expect(state.swallowedBytes).toBe(opened.written().length);
    expect(count(opened.written(), /^verdict \w+$/)).toBe(1);
    expect(opened.written().trimEnd().split('\n').at(-1)).toBe(firstVerdict);
    expect(count(opened.shown(), /^verdict \w+$/)).toBe(1);
  });

  it('without the shim (record: false) the replay sees another world', async () => {
    const { opened, first, second } = await runClockRandomTwice(false);
    expect(opened.session.recording).toBeUndefined();
    // The restored checkpoint is another process, and the clock has moved on.
    expect(second).not.toEqual(first);
    const pids = [first, second].map((facts) => facts.find((fact) => fact.startsWith('pid='))!);
    expect(pids[1]).not.toBe(pids[0]);
    // The program printed everything twice; fred's gate showed it once.
    await outputContaining(opened, /^verdict \w+$/, 2);
    expect(count(opened.shown(), /^verdict \w+$/)).toBe(1);
  });

  for (const record of [true, false]) {
    it(`stdin from a pipe ${record ? 'is replayed' : 'is gone in a replay without the shim'}`, async () => {
      const fifo = join(sandbox.scratch.path, `numbers-${record}.fifo`);
      execFileSync('mkfifo', [fifo]);
      // The writer blocks until fred-exec opens the pipe when the program starts.
      const writer = spawn('sh', ['-c', 'printf "1\\n2\\n3\\n" > "$0"', fifo], { stdio: 'ignore' });
      const opened = await open('read_stdin', { stdinFile: fifo, record });
      const { session } = opened;
      await session.setBreakpoint(at('read_stdin.c', 'read'));
      await session.setBreakpoint(at('read_stdin.c', 'after_loop'));
      await session.run();
      const start = await session.checkpoint();
      await session.continue();
      expect([await session.evaluate('count'), await session.evaluate('total')]).toEqual(['3', '6']);
      await session.continue();
      await outputContaining(opened, /^total 6$/);
      await new Promise<void>((resolve) => { if (writer.exitCode !== null) resolve(); else writer.on('exit', () => resolve()); });

      await session.restartCheckpoint(start);
      await session.continue();
      const replayed = [await session.evaluate('count'), await session.evaluate('total')];
      expect((await session.continue()).state.kind).toBe('exited');
      if (record) {
        expect(replayed).toEqual(['3', '6']);
        expect(opened.session.recording!.log.events().some((event) => event.kind === 'read' && event.payloadSize > 0)).toBe(true);
        expect(count(opened.written(), /^total 6$/)).toBe(1);
      } else {
        // The pipe was drained by the first pass: the replay reads end of file at once.
        expect(replayed).toEqual(['0', '0']);
        await outputContaining(opened, /^total 0$/);
      }
    });
  }


  it('a checkpoint taken while the program waited for typed input replays that input, without waiting again', async () => {
    const opened = await open('read_stdin', { checkpointIntervalMs: 0 });
    const { session } = opened;
    await session.setBreakpoint(at('read_stdin.c', 'after_loop'));
    const running = session.run();
    await outputContaining(opened, /^enter numbers, one per line:$/);
    // The program is blocked reading its terminal: stop it there and checkpoint it.
    session.interrupt();
    expect((await running).interrupted).toBe(true);
    const waiting = await session.checkpoint();
    // A line typed while the program is stopped waits for it in the terminal; the rest comes
    // once it waits again. (Both used to lose a line to fred's own end of the terminal.)
    session.sendProgramInput('5\n');
    const resumed = session.continue();
    await waitFor(() => descendants(process.pid).some((info) => info.name === 'read_stdin' && info.state === 'S'), 10_000, 'the program to wait for input again');
    session.sendProgramInput('7\n\x04');
    expect((await resumed).location?.line).toBe(markerLine('read_stdin.c', 'after_loop'));
    expect([await session.evaluate('count'), await session.evaluate('total')]).toEqual(['2', '12']);
    expect((await session.continue()).state.kind).toBe('exited');

    // The restored copy is still inside that read: the log now holds its answer, so it goes on
    // at once (nobody types anything this time).
    await session.restartCheckpoint(waiting);
    expect((await session.continue()).location?.line).toBe(markerLine('read_stdin.c', 'after_loop'));
    expect([await session.evaluate('count'), await session.evaluate('total')]).toEqual(['2', '12']);
    expect(session.recording!.log.divergence).toBeNull();
  });

  it('reports a replay that makes other calls than the recording as a divergence', async () => {
    const modeFile = sandbox.scratch.file('mode', 'clock\n');
    const opened = await open('divergence', { args: [modeFile] });
    const { session } = opened;
    await session.setBreakpoint(at('divergence.c', 'open'));
    await session.run();
    const start = await session.checkpoint();
    const quiet = await session.continue();
    expect(quiet.output).not.toMatch(/recorded history/);
    await outputContaining(opened, /^mode clock sum \d+$/);

    // The mode file is read again in the replay (regular files are not recorded).
    writeFileSync(modeFile, 'random\n');
    await session.restartCheckpoint(start);
    const diverged = await session.continue();
    expect(diverged.state.kind).toBe('exited');
    expect(diverged.output).toMatch(/left its recorded history at event 0: it called getrandom where the recording has clock_gettime/);
    expect(session.recording!.log.divergence).toMatchObject({ count: 1, event: 0, expected: 'clock_gettime', actual: 'getrandom' });
    // From the divergence on the program runs live: its new line reaches the user.
    await outputContaining(opened, /^mode random sum \d+$/);
    await waitFor(() => /^mode random sum \d+$/m.test(opened.shown()), 5000, 'the new branch shown to the user');
    expect(count(opened.shown(), /^mode clock sum \d+$/)).toBe(1);
  });

  it('says so when the record log can no longer grow, and the session goes on', async () => {
    // reads_the_clock records the clock for 300 ms: megabytes of events, so its log grows on the
    // way. With the log's file gone, the shim cannot reopen it to grow it (as on a full disk).
    const binary = compileProgram('reads_the_clock', sandbox.scratch.path);
    const source = programSource('reads_the_clock');
    const line = (marker: string) => markerLineIn(source, marker);
    const { session } = await open(binary, { checkpointIntervalMs: 0 });
    await session.setBreakpoint(`${source}:${line('clock')}`);
    expect((await session.run()).output).not.toMatch(/recording stopped/);
    unlinkSync(session.recording!.log.path);
    await session.native('delete');
    await session.setBreakpoint(`${source}:${line('done')}`);
    const stopped = await session.continue();
    expect(stopped.location?.line).toBe(line('done'));
    expect(session.recording!.log.state().full).toBe(true);
    expect(stopped.output).toMatch(/^warning: recording stopped: the record log could not grow .*$/m);
    expect(await session.evaluate('total')).toBe(String(2 * 1225));
    // Said once.
    expect((await session.next()).output).not.toMatch(/recording stopped/);
  });

  it('stops at event N at the same program state every time', async () => {
    const opened = await open('divergence');
    const { session } = opened;
    await session.setBreakpoint('main');
    await session.run();
    const log = session.recording!.log;
    const base = log.length;
    const start = await session.checkpoint();
    await session.setBreakpoint('fred_event_reached');
    log.stopAt(base + 3);
    const seen = [];
    for (let pass = 0; pass < 3; pass++) {
      if (pass > 0) await session.restartCheckpoint(start);
      const outcome = await session.continue();
      expect(outcome.location?.function ?? (await session.backtrace())[0]?.function).toBe('fred_event_reached');
      expect(log.state().stopReached).toBe(base + 3);
      seen.push({ iteration: await session.evaluate('iteration'), sum: await session.evaluate('main::sum') });
    }
    // Three passes through the loop's clock: the third call is made in pass 2.
    expect(seen.map((state) => state.iteration)).toEqual(['2', '2', '2']);
    // The first pass recorded, the others replayed: the same partial sum each time.
    expect(new Set(seen.map((state) => state.sum)).size).toBe(1);
    log.stopAt(base + 5);
    await session.continue();
    expect(await session.evaluate('iteration')).toBe('4');
  });

  it('preloads the shim into the program only, and gdb calling into the program is no event', async () => {
    const opened = await open('clock_random');
    const { session } = opened;
    await session.setBreakpoint(at('clock_random.c', 'seed'));
    await session.run();
    // The program does not see fred's variables (children it starts would record otherwise).
    expect(await session.evaluate('(long)getenv("FRED_RECORD_LOG")')).toBe('0');
    expect(await session.evaluate('(long)getenv("LD_PRELOAD")')).toBe('0');
    // Nor the eager binding fred asked the dynamic linker for (fast steps over first calls).
    expect(await session.evaluate('(long)getenv("LD_BIND_NOW")')).toBe('0');
    expect(await session.evaluate('(long)getenv("FRED_BIND_NOW")')).toBe('0');
    // Neither gdb nor anything else fred started has the shim in its environment.
    const gdb = descendants(process.pid).filter((info) => info.name === 'gdb');
    expect(gdb.length).toBeGreaterThan(0);
    for (const info of gdb) expect(readEnvironment(info.pid)).not.toMatch(/libfred-record|FRED_RECORD_LOG/);
    // Call the shim's own time() and getpid() from gdb: answered, but not recorded.
    const log = session.recording!.log;
    const before = log.length;
    const pid = await session.evaluate('pid');
    expect(Number(await session.evaluate(shimCall('time', 'long(*)(long)', '0')))).toBeGreaterThan(1_600_000_000);
    expect(await session.evaluate(shimCall('getpid', 'int(*)(void)', ''))).toBe(pid);
    expect(log.length).toBe(before);
    // And a replay after them still matches the recording.
    const start = await session.checkpoint();
    await session.continue();
    await session.restartCheckpoint(start);
    await session.continue();
    expect(log.divergence).toBeNull();
  });
});

/** A gdb expression calling the shim's own definition of `name` (gdb would pick libc's). */
function shimCall(name: string, type: string, argument: string): string {
  const offsets = new Map(execFileSync('nm', ['-D', '--defined-only', shimFile], { encoding: 'utf8' })
    .split('\n').map((line) => line.trim().split(/\s+/)).filter((fields) => fields.length === 3).map(([address, , symbol]) => [symbol!, parseInt(address!, 16)]));
  const distance = offsets.get(name)! - offsets.get('fred_event_reached')!;
  return `((${type})((char*)&fred_event_reached + ${distance}))(${argument})`;
}

function readEnvironment(pid: number): string {
  try {
    return execFileSync('cat', [`/proc/${pid}/environ`], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

describe('record-replay under pdb (fred_pdb resumes the shim only while the program runs)', () => {
  const clockFacts = async (session: Session): Promise<string[]> =>
    Promise.all(['started', 'pid', 'roll', 'elapsed'].map((name) => session.evaluate(name)));

  for (const record of [true, false]) {
    it(`clock_random.py: back to a checkpoint and forward again ${record ? 'sees the same clock and roll, printed once' : 'sees another clock without the shim'}`, async () => {
      const opened = await open('clock_random.py', { record });
      const { session } = opened;
      await session.setBreakpoint(`${fixtureSource('clock_random.py')}:${markerLine('clock_random.py', 'seed')}`);
      await session.setBreakpoint(`${fixtureSource('clock_random.py')}:${markerLine('clock_random.py', 'print')}`);
      await session.continue();
      const start = await session.checkpoint();
      await session.continue();
      const first = await clockFacts(session);
      expect((await session.continue()).state.kind).toBe('exited');
      const verdict = (await outputContaining(opened, /^pid \d+ rolled/)).trimEnd().split('\n').at(-1);
      await session.restartCheckpoint(start);
      await session.continue();
      const second = await clockFacts(session);
      expect((await session.continue()).state.kind).toBe('exited');
      if (record) {
        expect(second).toEqual(first);
        const state = opened.session.recording!.log.state();
        expect(state.divergence).toBeNull();
        expect(state.replayed).toBeGreaterThan(0);
        // Only the program's calls were recorded: pdb's own never reach the log.
        expect(opened.session.recording!.log.events().map((event) => event.kind)).toContain('clock_gettime');
        expect(count(opened.written(), /^pid \d+ rolled/)).toBe(1);
        expect(opened.written().trimEnd().split('\n').at(-1)).toBe(verdict);
      } else {
        // `elapsed` is measured after the checkpoint: the clock moved on.
        expect(second[3]).not.toBe(first[3]);
        await outputContaining(opened, /^pid \d+ rolled/, 2);
      }
      expect(count(opened.shown(), /^pid \d+ rolled/)).toBe(1);
    });
  }

  it('automatic checkpoints every millisecond leave the same log as none: fred\'s interrupts are not seen by the program', async () => {
    // inventory.py ends with a print of a dozen writes; a signal landing in one used to make
    // Python retry it with other locks (clock reads), or to run it unrecorded, or, at the end,
    // to restart the program.
    const logged = [];
    for (const interval of [0, 1]) {
      const { session } = await open('inventory.py', { args: ['5000', '3000'], checkpointIntervalMs: interval });
      expect((await session.continue()).state).toEqual({ kind: 'exited', code: 0 });
      if (interval > 0) expect(session.checkpoints().filter((checkpoint) => checkpoint.kind === 'automatic').length).toBeGreaterThan(2);
      logged.push(session.recording!.log.events().map((event) => `${event.kind}:${event.result}`));
    }
    expect(logged[1]).toEqual(logged[0]);
    expect(logged[0]!.filter((event) => event.startsWith('write:'))).toHaveLength(12);
  });

  it('read_stdin.py with --stdin from a pipe: the replay reads the recorded input', async () => {
    const fifo = join(sandbox.scratch.path, 'numbers-pdb.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', 'printf "1\\n2\\n3\\n" > "$0"', fifo], { stdio: 'ignore' });
    const opened = await open('read_stdin.py', { stdinFile: fifo });
    const { session } = opened;
    const start = await session.checkpoint();
    await session.setBreakpoint(`${fixtureSource('read_stdin.py')}:${markerLine('read_stdin.py', 'total')}`);
    await session.continue();
    expect(await session.evaluate('total')).toBe('6');
    await session.continue();
    await outputContaining(opened, /^total: 6$/);
    await new Promise<void>((resolve) => { if (writer.exitCode !== null) resolve(); else writer.on('exit', () => resolve()); });
    await session.restartCheckpoint(start);
    await session.continue();
    expect(await session.evaluate('total')).toBe('6');
    expect(opened.session.recording!.log.events().some((event) => event.kind === 'read' && event.payloadSize > 0)).toBe(true);
    expect(count(opened.written(), /^total: 6$/)).toBe(1);
  });
});

describe('record-replay under python3 (a fork snapshot of the test\'s own)', () => {
  const driver = join(repoRoot, 'test', 'native', 'fork_snapshot_driver.py');

  function runDriver(program: string, record: boolean, input: string): Promise<{ stdout: string; code: number | null }> {
    const log = join(sandbox.scratch.path, `python-${Math.random().toString(36).slice(2)}.log`);
    const env: Record<string, string> = { ...process.env as Record<string, string> };
    if (record) Object.assign(env, { LD_PRELOAD: shimFile, FRED_RECORD_LOG: log, FRED_RECORD_PAUSED: '1' });
    return new Promise((resolve, reject) => {
      const child = spawn('python3', [driver, program], { env, stdio: ['pipe', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
      child.on('error', reject);
      child.on('close', (code) => resolve({ stdout, code }));
      child.stdin.end(input);
    });
  }

  /** The driver's `@snapshot` summary lines: what the program's globals held after each run. */
  function summaries(stdout: string): string[] {
    return stdout.split('\n').filter((line) => line.startsWith('@snapshot '));
  }

  it('clock_random.py: the restored copy sees the same time, pid and roll, and prints nothing again', async () => {
    const { stdout, code } = await runDriver(fixtureSource('clock_random.py'), true, '');
    expect(code).toBe(0);
    const [original, copy] = summaries(stdout);
    expect(copy).toBe(original!.replace('original', 'copy'));
    expect(count(stdout, /^pid \d+ rolled \d+: (lucky|unlucky) after [\d.]+s$/)).toBe(1);
  });

  it('clock_random.py without the shim: the copy lives in another world and prints again', async () => {
    const { stdout, code } = await runDriver(fixtureSource('clock_random.py'), false, '');
    expect(code).toBe(0);
    const [original, copy] = summaries(stdout);
    expect(copy).not.toBe(original!.replace('original', 'copy'));
    expect(count(stdout, /^pid \d+ rolled \d+/)).toBe(2);
  });

  it('read_stdin.py from a pipe: the copy reads the recorded input', async () => {
    const recorded = await runDriver(fixtureSource('read_stdin.py'), true, '1\n123\nx\n4\n');
    const [original, copy] = summaries(recorded.stdout);
    expect(original).toMatch(/total=17/);
    expect(copy).toBe(original!.replace('original', 'copy'));
    expect(count(recorded.stdout, /^total: 17$/)).toBe(1);
    const plain = await runDriver(fixtureSource('read_stdin.py'), false, '1\n123\nx\n4\n');
    expect(summaries(plain.stdout)[1]).toMatch(/total=0\b/);
  });
});

describe('the fred command line', () => {
  it('preloads the shim by default, and --no-record runs the program without it', async () => {
    prepareCli();
    const script = sandbox.scratch.file('probe.txt', 'break main\nrun\nprint (long)fred_record_count()\n');
    const probe = async (flags: string[]) => {
      const run = await runFred(['--batch', '--json', ...flags, '--commands', script, '--', fixtureBinary('clock_random')], { env: { TMPDIR: sandbox.temporary } });
      const records = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { ok: boolean; output: string; error?: string });
      return records.at(-1)!;
    };
    // At main the program has made no event yet: the shim's own count says 0.
    expect(await probe([])).toMatchObject({ ok: true, output: expect.stringMatching(/^\$1 = 0\s*$/) });
    expect(await probe(['--no-record'])).toMatchObject({ ok: false, error: expect.stringMatching(/No symbol "fred_record_count"/) });
  });
});
