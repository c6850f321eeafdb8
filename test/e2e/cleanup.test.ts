// Nothing fred starts survives it: after a normal exit, a usage error, an error after gdb started,
// and SIGTERM or SIGINT with the program stopped or running, no gdb, fred-exec or fixture process
// from that fred remains, and its private directory (TMPDIR/fred-gdb-*) is gone. Each fred runs
// with its own TMPDIR so its directory can be told apart from other tests'.

import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/build.js';
import { FredTerminal, prepareCli, runFred, ScratchDirectory } from '../helpers/cli.js';
import { fixtureBinary, fixtureSource, markerLine } from '../helpers/fixtures.js';
import { descendants, describeProcesses, survivorsAfter, waitFor, type ProcessInfo } from '../helpers/processes.js';

let scratch: ScratchDirectory;
let tmpCount = 0;
const terminals: FredTerminal[] = [];
const watchers: (() => void)[] = [];

beforeAll(() => {
  prepareCli();
  scratch = new ScratchDirectory();
});

afterEach(async () => {
  for (const stop of watchers.splice(0)) stop();
  for (const terminal of terminals.splice(0)) {
    // SIGTERM first so that fred cleans up even after a failed test; SIGKILL if it hangs.
    terminal.kill('SIGTERM');
    await terminal.waitForExit(5000);
  }
});

afterAll(() => scratch.remove());

/** A fresh TMPDIR for one fred, and a way to list the fred-gdb-* directories in it. */
function privateTmp(): { env: Record<string, string>; fredDirectories(): string[] } {
  const path = join(scratch.path, `tmp-${++tmpCount}`);
  mkdirSync(path);
  return { env: { TMPDIR: path }, fredDirectories: () => readdirSync(path).filter((name) => name.startsWith('fred-gdb-')) };
}

/**
 * Keeps adding fred's live descendants to `seen` until stopped; returns the stopper. Keyed by pid
 * and start time; the latest sighting wins, since a process's name changes when it execs.
 */
function watchDescendants(pid: () => number | undefined, seen: Map<string, ProcessInfo>): () => void {
  const timer = setInterval(() => {
    const root = pid();
    if (root === undefined) return;
    for (const info of descendants(root)) seen.set(`${info.pid}:${info.startTime}`, info);
  }, 10);
  return () => clearInterval(timer);
}

/**
 * fred's REPL on a terminal, with every process it ever had below it recorded from the start (so
 * a process that was reparented before we looked, e.g. a checkpoint fork, still gets checked).
 */
function repl(args: string[], env?: Record<string, string>): { fred: FredTerminal; everStarted(): ProcessInfo[] } {
  const fred = new FredTerminal(args, { env });
  terminals.push(fred);
  const seen = new Map<string, ProcessInfo>();
  watchers.push(watchDescendants(() => fred.pid, seen));
  return { fred, everStarted: () => [...seen.values()] };
}

async function expectAllGone(started: ProcessInfo[]): Promise<void> {
  const survivors = await survivorsAfter(started, 3000);
  expect(describeProcesses(survivors), 'processes that outlived fred').toEqual([]);
}

function names(processes: ProcessInfo[]): string[] {
  return [...new Set(processes.map((info) => info.name))].sort();
}

describe('cleanup after fred ends on its own', () => {
  it('after a batch run that ends normally (program held at startup on a --stdin FIFO)', async () => {
    const tmp = privateTmp();
    const fifo = join(scratch.path, `input-${tmpCount}.fifo`);
    execFileSync('mkfifo', [fifo]);
    let fredPid: number | undefined;
    const seen = new Map<string, ProcessInfo>();
    const stop = watchDescendants(() => fredPid, seen);
    const commands = scratch.file(`fifo-${tmpCount}.txt`, `break read_stdin.c:${markerLine('read_stdin.c', 'after_loop')}\nrun\np total\ncontinue\n`);
    const running = runFred(['--batch', '--json', '--stdin', fifo, '--commands', commands, '--', fixtureBinary('read_stdin')], {
      env: tmp.env,
      onSpawn: (pid) => { fredPid = pid; },
    });
    // fred-exec blocks opening the FIFO until we open it for writing: gdb and fred-exec exist now.
    await waitFor(() => [...seen.values()].some((info) => info.name === 'fred-exec'), 10_000, 'fred-exec to start');
    expect(tmp.fredDirectories()).toHaveLength(1);
    const writer = openSync(fifo, 'w');
    writeSync(writer, '5\n6\n');
    closeSync(writer);
    const run = await running;
    stop();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('"$1 = 11\\n"');
    // fred-exec became read_stdin (same process, after exec).
    expect(names([...seen.values()])).toEqual(expect.arrayContaining(['gdb', 'read_stdin']));
    await expectAllGone([...seen.values()]);
    expect(tmp.fredDirectories()).toEqual([]);
  });

  it('after quit in the REPL with the program stopped', async () => {
    const tmp = privateTmp();
    const { fred, everStarted } = repl(['--', fixtureBinary('linked_list')], tmp.env);
    await fred.expect('(fred) ');
    await fred.command('break append');
    await fred.command('run');
    const started = descendants(fred.pid);
    expect(names(started)).toEqual(['gdb', 'linked_list']);
    expect(tmp.fredDirectories()).toHaveLength(1);
    fred.send('quit');
    expect((await fred.waitForExit()).exitCode).toBe(0);
    await expectAllGone([...started, ...everStarted()]);
    expect(tmp.fredDirectories()).toEqual([]);
  });

  it('after a script using the library throws without closing its session: no directory is left', () => {
    const tmp = privateTmp();
    const script = scratch.file('throws.mjs', [
      `import { Session } from ${JSON.stringify(join(repoRoot, 'dist', 'src', 'index.js'))};`,
      `const session = await Session.start({ program: ${JSON.stringify(fixtureBinary('linked_list'))} });`,
      'await session.run();',
      "throw new Error('a script that throws');",
      '',
    ].join('\n'));
    let failed = false;
    try {
      execFileSync(process.execPath, [script], { env: { ...process.env, ...tmp.env }, stdio: 'pipe' });
    } catch (error) {
      failed = String((error as { stderr?: Buffer }).stderr).includes('a script that throws');
    }
    expect(failed).toBe(true);
    // The gdb session's directory and the record log's: both gone with the process.
    expect(readdirSync(tmp.env.TMPDIR!).filter((name) => name.startsWith('fred-'))).toEqual([]);
  });

  it.each(['gdb', 'pdb'] as const)('after a script using the library dies of an uncaught exception (%s): no debugger, program or checkpoint is left', async (kind) => {
    const program = kind === 'gdb' ? fixtureBinary('counter_loop') : fixtureSource('linked_list.py');
    const script = scratch.file(`dies-${kind}.mjs`, [
      `import { Session } from ${JSON.stringify(join(repoRoot, 'dist', 'src', 'index.js'))};`,
      `const session = await Session.start({ program: ${JSON.stringify(program)}, args: ['3000'], checkpointIntervalMs: 1 });`,
      kind === 'gdb' ? 'await session.run();' : 'await session.next(); await session.checkpoint();',
      "process.stdout.write('ready\\n');",
      "process.stdin.once('data', () => { throw new Error('a script that dies'); });",
      '',
    ].join('\n'));
    const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (data: Buffer) => { stdout += String(data); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await waitFor(() => stdout.includes('ready'), 30_000, 'the script to start its session');
    const started = descendants(child.pid!);
    expect(describeProcesses(started).join(' ')).toMatch(kind === 'gdb' ? /gdb.*counter_loop/s : /python3/);
    child.stdin.write('go\n');
    expect(await exited).not.toBe(0);
    expect(describeProcesses(await survivorsAfter(started, 5000))).toEqual([]);
  });

  it('after a usage error: nothing is started and nothing is left', async () => {
    const tmp = privateTmp();
    let fredPid: number | undefined;
    const seen = new Map<string, ProcessInfo>();
    const stop = watchDescendants(() => fredPid, seen);
    const run = await runFred(['--no-such-option', '--', fixtureBinary('linked_list')], { env: tmp.env, onSpawn: (pid) => { fredPid = pid; } });
    stop();
    expect(run.code).toBe(2);
    expect([...seen.values()].filter((info) => info.name === 'gdb')).toEqual([]);
    await expectAllGone([...seen.values()]);
    expect(tmp.fredDirectories()).toEqual([]);
  });

  it('after an error once gdb has started (unwritable --program-output)', async () => {
    const tmp = privateTmp();
    let fredPid: number | undefined;
    const seen = new Map<string, ProcessInfo>();
    const stop = watchDescendants(() => fredPid, seen);
    const commands = scratch.file(`error-${tmpCount}.txt`, 'run\n');
    const run = await runFred(['--batch', '--commands', commands, '--program-output', join(scratch.path, 'no', 'dir', 'out'), '--', fixtureBinary('linked_list')], {
      env: tmp.env,
      onSpawn: (pid) => { fredPid = pid; },
    });
    stop();
    expect(run.code).toBe(2);
    await expectAllGone([...seen.values()]);
    expect(tmp.fredDirectories()).toEqual([]);
  });
});

describe.each(['SIGTERM', 'SIGINT'] as const)('cleanup after %s', (signal) => {
  const status = signal === 'SIGTERM' ? 143 : 130;

  it(`${signal} to the REPL with the program stopped inside linked_list`, async () => {
    const tmp = privateTmp();
    const { fred, everStarted } = repl(['--', fixtureBinary('linked_list')], tmp.env);
    await fred.expect('(fred) ');
    await fred.command(`break linked_list.c:${markerLine('linked_list.c', 'link')}`);
    expect(await fred.command('run')).toContain('@link');
    const started = descendants(fred.pid);
    expect(names(started)).toEqual(['gdb', 'linked_list']);
    expect(tmp.fredDirectories()).toHaveLength(1);

    fred.kill(signal);
    expect((await fred.waitForExit()).exitCode).toBe(status);
    await expectAllGone([...started, ...everStarted()]);
    expect(tmp.fredDirectories()).toEqual([]);
  });

  it(`${signal} to the REPL while the program runs (read_stdin waiting for input)`, async () => {
    const tmp = privateTmp();
    const { fred, everStarted } = repl(['--', fixtureBinary('read_stdin')], tmp.env);
    await fred.expect('(fred) ');
    fred.send('run');
    await fred.expect('enter numbers, one per line:');
    const started = descendants(fred.pid);
    expect(names(started)).toEqual(['gdb', 'read_stdin']);

    fred.kill(signal);
    expect((await fred.waitForExit()).exitCode).toBe(status);
    await expectAllGone([...started, ...everStarted()]);
    expect(tmp.fredDirectories()).toEqual([]);
  });

  it(`${signal} to a batch run whose program is blocked before it starts (--stdin FIFO nobody writes)`, async () => {
    const tmp = privateTmp();
    const fifo = join(scratch.path, `blocked-${tmpCount}.fifo`);
    execFileSync('mkfifo', [fifo]);
    let fredPid: number | undefined;
    const seen = new Map<string, ProcessInfo>();
    const stop = watchDescendants(() => fredPid, seen);
    const commands = scratch.file(`blocked-${tmpCount}.txt`, 'run\n');
    const running = runFred(['--batch', '--stdin', fifo, '--commands', commands, '--', fixtureBinary('read_stdin')], {
      env: tmp.env,
      onSpawn: (pid) => { fredPid = pid; },
    });
    await waitFor(() => [...seen.values()].some((info) => info.name === 'fred-exec'), 10_000, 'fred-exec to start');
    stop();
    process.kill(fredPid!, signal);
    const run = await running;
    expect(run.code).toBe(status);
    await expectAllGone([...seen.values()]);
    expect(tmp.fredDirectories()).toEqual([]);
  });
});

describe('cleanup of a Python session (pdb)', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s to the REPL stopped inside linked_list.py leaves no python3 behind', async (signal) => {
    const { fred, everStarted } = repl(['--', fixtureSource('linked_list.py')]);
    await fred.expect('(fred) ');
    await fred.command(`break linked_list.py:${markerLine('linked_list.py', 'link')}`);
    await fred.command('continue');
    const started = descendants(fred.pid);
    expect(started.some((info) => info.name.startsWith('python3'))).toBe(true);
    fred.kill(signal);
    expect((await fred.waitForExit()).exitCode).toBe(signal === 'SIGTERM' ? 143 : 130);
    await expectAllGone([...started, ...everStarted()]);
  });

  it('quit leaves no python3 behind', async () => {
    const { fred, everStarted } = repl(['--', fixtureSource('read_stdin.py')]);
    await fred.expect('(fred) ');
    const started = descendants(fred.pid);
    expect(started.some((info) => info.name.startsWith('python3'))).toBe(true);
    fred.send('quit');
    expect((await fred.waitForExit()).exitCode).toBe(0);
    await expectAllGone([...started, ...everStarted()]);
  });
});

describe('directories of processes that were killed', () => {
  it('a new private directory removes old ones whose owner process is gone, and only those', async () => {
    const { PrivateDirectory } = await import('../../src/system/private-directory.js');
    const parent = mkdtempSync(join(tmpdir(), 'fred-reap-test-'));
    try {
      // A process that has exited: its pid runs nothing now.
      const dead = spawnSync('true').pid!;
      const old = new Date(Date.now() - 5 * 60_000);
      const make = (name: string, owner: number | null, aged: boolean): string => {
        const path = join(parent, name);
        mkdirSync(path);
        writeFileSync(join(path, 'record.log'), 'x');
        if (owner !== null) writeFileSync(join(path, '.fred-owner'), String(owner));
        if (aged) utimesSync(path, old, old);
        return name;
      };
      make('fred-record-dead', dead, true);
      const kept = [
        make('fred-record-alive', process.pid, true),
        make('fred-record-young', dead, false),
        make('fred-record-unowned', null, true),
        make('other-dead', dead, true),
      ];
      const fresh = new PrivateDirectory('fred-record-', parent);
      const freshName = fresh.path.split('/').pop()!;
      expect(readdirSync(parent).sort()).toEqual([...kept, freshName].sort());
      fresh.dispose();
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
