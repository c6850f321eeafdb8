// libfred-record.so on its own: small C programs run under the shim (no debugger), with fork
// snapshots taken the way a debugger takes them, checked through fred's RecordLog.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordLog } from '../../src/native/record-log.js';
import { logParent } from '../../src/native/recording.js';
import { ScratchDirectory } from '../helpers/cli.js';
import { waitFor } from '../helpers/processes.js';
import { compileProgram, ensureRecordShim, shimFile } from './native-build.js';

let scratch: ScratchDirectory;
const programs: Record<string, string> = {};
let logs = 0;

beforeAll(() => {
  ensureRecordShim();
  scratch = new ScratchDirectory();
  for (const name of ['snapshot_replay', 'own_children', 'reach_event', 'read_input']) programs[name] = compileProgram(name, scratch.path);
});

afterAll(() => scratch.remove());

interface Running {
  stdout(): string;
  write(text: string): void;
  end(): void;
  exited: Promise<number | null>;
}

/** Runs a test program, under the shim unless `log` is null. */
function start(name: string, log: RecordLog | null, args: string[] = []): Running {
  const env: Record<string, string> = { ...process.env as Record<string, string> };
  if (log) Object.assign(env, { LD_PRELOAD: shimFile, FRED_RECORD_LOG: log.path });
  const child = spawn(programs[name]!, args, { env, stdio: ['pipe', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
  return {
    stdout: () => stdout,
    write: (text) => child.stdin.write(text),
    end: () => child.stdin.end(),
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
  };
}

function newLog(): RecordLog {
  return RecordLog.create(join(scratch.path, `record-${++logs}.log`));
}

/** snapshot_replay's two "@values" lines, the role word taken out. */
async function snapshotRun(log: RecordLog | null, beforeRelease: () => void = () => undefined) {
  const run = start('snapshot_replay', log);
  run.write('a line from the pipe\n');
  await waitFor(() => run.stdout().includes('@values original'), 10_000, 'the original run');
  beforeRelease();
  run.write('g');
  run.end();
  expect(await run.exited).toBe(0);
  const values = run.stdout().split('\n').filter((line) => line.startsWith('@values '));
  expect(values).toHaveLength(2);
  const [original, copy] = values.map((line) => line.replace(/^@values (original|copy) /, ''));
  return { original: original!, copy: copy!, stdout: run.stdout() };
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('the record-replay shim', () => {
  it('replays every call it intercepts to a fork snapshot: clocks, randomness, ids, input; output once', async () => {
    const log = newLog();
    const { original, copy, stdout } = await snapshotRun(log);
    expect(copy).toBe(original);
    expect(original).toMatch(/line=a line from the pipe datagram=ping$/);
    expect(count(stdout, 'hello from the program\n')).toBe(1);
    const kinds = log.events().map((event) => event.kind);
    expect(kinds).toEqual([
      'time', 'gettimeofday', 'clock_gettime', 'clock_gettime', 'clock_gettime', 'clock_gettime', 'timespec_get', 'clock',
      'getrandom', 'getentropy', 'arc4random', 'arc4random', 'arc4random', 'read', 'read', 'getpid', 'getppid', 'read',
      'recvfrom', 'write',
    ]);
    const state = log.state();
    expect(state.replayed).toBe(kinds.length);
    expect(state.divergence).toBeNull();
    expect(state.swallowedBytes).toBe('hello from the program\n'.length);
    expect(state.starts).toBe(1);
    log.close();
  });

  it('without the shim the snapshot sees another world and prints again', async () => {
    const { original, copy, stdout } = await snapshotRun(null);
    expect(copy).not.toBe(original);
    // The copy is another process, and its clocks and randomness are new.
    for (const fact of ['pid', 'real', 'mono', 'random', 'urandom']) {
      expect(value(copy, fact), fact).not.toBe(value(original, fact));
    }
    // The pipe's line was the original's; the copy reads the end of the input.
    expect(value(copy, 'line')).toBe('');
    expect(count(stdout, 'hello from the program\n')).toBe(2);
  });

  it('a log cut by fred (a new branch) makes the snapshot run live from its own position', async () => {
    const log = newLog();
    let lengthBefore = 0;
    const { original, copy, stdout } = await snapshotRun(log, () => {
      lengthBefore = log.length;
      log.requestTruncate();
    });
    expect(value(copy, 'mono')).not.toBe(value(original, 'mono'));
    expect(count(stdout, 'hello from the program\n')).toBe(2);
    const state = log.state();
    expect(state.replayed).toBe(0);
    expect(state.divergence).toBeNull();
    // The copy's branch replaced the original's: the same kinds of calls, recorded anew.
    expect(state.length).toBe(lengthBefore);
    expect(state.recorded).toBe(2 * lengthBefore);
    log.close();
  });

  it('leaves the program\'s own children unrecorded and out of its environment', async () => {
    const log = newLog();
    const run = start('own_children', log);
    run.end();
    expect(await run.exited).toBe(0);
    const stdout = run.stdout();
    const child = /^@child pid=(\d+)/m.exec(stdout)?.[1];
    const parent = /^@parent pid=(\d+) child=(\d+)/m.exec(stdout);
    // The forked child sees its own pid, not the recorded one, and its clock calls are not events.
    expect(child).toBe(parent?.[2]);
    expect(child).not.toBe(parent?.[1]);
    expect(log.events().filter((event) => event.kind === 'time')).toHaveLength(1);
    expect(log.events().filter((event) => event.kind === 'getpid')).toHaveLength(1);
    // `env`, run through system(), neither loaded the shim nor saw its variables.
    expect(stdout).toMatch(/^PATH=/m);
    expect(stdout).not.toMatch(/LD_PRELOAD|FRED_RECORD/);
    expect(log.state().starts).toBe(1);
    log.close();
  });

  it("records a Python program's clock reads, not CPython's own deadlines (each lock it takes reads the clock)", async () => {
    // Every print takes the stream's lock; Python 3.11 reads the monotonic clock for that. Only
    // the program's own time.monotonic() and time.time() are events.
    const script = join(scratch.path, 'clock_and_prints.py');
    writeFileSync(script, 'import time\nfor i in range(50):\n    print(i)\nprint(time.monotonic() > 0, time.time() > 0)\n');
    const log = newLog();
    const env = { ...process.env as Record<string, string>, LD_PRELOAD: shimFile, FRED_RECORD_LOG: log.path };
    // The interpreter itself: `python3` may be a wrapper script (pyenv) that the shim would record.
    const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
    const run = spawnSync(python, ['-u', script], { env, encoding: 'utf8' });
    expect(run.stdout.trim().split('\n').pop()).toBe('True True');
    const clocks = log.events().filter((event) => event.kind === 'clock_gettime');
    expect(clocks).toHaveLength(2);
    expect(log.events().filter((event) => event.kind === 'write').length).toBeGreaterThanOrEqual(51);
  });

  it('records input past the first 4 MiB of the log intact, where fred puts logs and on a disk', () => {
    // 6 MiB from a pipe: the program grows the log itself (4 MiB steps). In memory (/dev/shm) the
    // shim writes zeros over each new stretch before it is used, and maps the log by reading it.
    const input = Buffer.alloc(6 << 20);
    for (let i = 0; i < input.length; i++) input[i] = 0x20 + ((i * 7 + (i >> 12)) % 95);
    const expected = `@read ${input.length} ${fnv1a(input)}`;
    const directory = mkdtempSync(join(logParent(), 'fred-test-record-'));
    try {
      for (const path of [join(directory, 'record.log'), join(scratch.path, `record-${++logs}.log`)]) {
        const log = RecordLog.create(path);
        const run = spawnSync(programs['read_input']!, ['copy'], {
          env: { ...process.env, LD_PRELOAD: shimFile, FRED_RECORD_LOG: path }, input, encoding: 'utf8',
        });
        expect(run.status, run.stderr).toBe(0);
        expect(run.stdout.trim()).toBe(expected);
        expect(log.state().full).toBe(false);
        expect(statSync(path).size).toBeGreaterThan(input.length);
        expect(Buffer.concat(readPayloads(path)).equals(input), path).toBe(true);
        log.close();
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('records the reads of a descriptor while it is a pipe, never while it is a regular file', () => {
    // What fd 0 and fd 3 refer to changes through calls the shim does not see (freopen's and
    // fclose's internal dup3 and close) or does not watch (dup2, open): whatever the shim
    // remembers of a descriptor, only the pipe's data may be in the log.
    const file = join(scratch.path, 'regular.txt');
    writeFileSync(file, 'FILE-CONTENT one\nFILE-CONTENT two\n');
    const cases = [
      { mode: 'reopen', input: 'from the pipe\nsecond pipe line\n', piped: 'from the pipe\nsecond pipe line\n' },
      { mode: 'dup2', input: '', piped: 'piped data\n' },
    ];
    for (const { mode, input, piped } of cases) {
      const plain = spawnSync(programs['read_input']!, [mode, file], { input, encoding: 'utf8' });
      expect(plain.status, mode).toBe(0);
      const log = newLog();
      const recorded = spawnSync(programs['read_input']!, [mode, file], {
        env: { ...process.env, LD_PRELOAD: shimFile, FRED_RECORD_LOG: log.path }, input, encoding: 'utf8',
      });
      expect(recorded.status, mode).toBe(0);
      expect(recorded.stdout, mode).toBe(plain.stdout);
      expect(recorded.stdout, mode).toMatch(/FILE-CONTENT two/);
      const payloads = readPayloads(log.path);
      expect(Buffer.concat(payloads).toString(), mode).toBe(piped);
      log.close();
    }
  });

  it('enters fred_event_reached exactly when the event count reaches the stop target', async () => {
    const log = newLog();
    log.stopAt(3);
    const run = start('reach_event', log, ['5']);
    run.end();
    expect(await run.exited).toBe(0);
    expect(run.stdout().split('\n').filter((line) => line.startsWith('@'))).toEqual(['@reached 3 at 3', '@done 5']);
    expect(log.state()).toMatchObject({ stopAt: 3, stopReached: 3 });
    // Five clock events and the write of the program's output at exit.
    const firstRun = log.length;
    expect(firstRun).toBe(6);
    log.stopAt(null);
    const again = start('reach_event', log, ['5']);
    again.end();
    expect(await again.exited).toBe(0);
    // A second run appends to the first: its count goes on from there, and nothing stops it.
    expect(again.stdout()).not.toMatch(/@reached/);
    expect(again.stdout()).toMatch(new RegExp(`^@done ${firstRun + 5}$`, 'm'));
    log.close();
  });
});

/** The payloads of the log's read events, in order, read from the file itself (log-format.h). */
function readPayloads(path: string): Buffer[] {
  const file = readFileSync(path);
  const length = Number(file.readBigUInt64LE(32));
  const payloads: Buffer[] = [];
  let offset = 4096;
  for (let event = 0; event < length; event++) {
    const kind = file.readUInt32LE(offset);
    const size = file.readUInt32LE(offset + 4);
    if (kind === 11) payloads.push(file.subarray(offset + 32, offset + 32 + size));
    offset += 32 + Math.ceil(size / 8) * 8;
  }
  return payloads;
}

function fnv1a(bytes: Buffer): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash.toString(16).padStart(16, '0');
}

function value(line: string, name: string): string | undefined {
  return new RegExp(`(?:^| )${name}=(\\S*)`).exec(line)?.[1];
}
