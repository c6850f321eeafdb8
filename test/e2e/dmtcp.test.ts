// The DMTCP checkpoint backend (--backend dmtcp) end to end, on real python3 and real DMTCP:
// checkpoint/restart round trips, the reverse-execution oracle, reverse-watch against the fork
// backend, periodic checkpoints, saved and resumed sessions, a multi-threaded program, and that
// nothing DMTCP started survives fred. Skipped, with the reason printed, where DMTCP is missing.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DmtcpCoordinator } from '../../src/checkpoints/dmtcp/dmtcp-coordinator.js';
import { findDmtcp } from '../../src/checkpoints/dmtcp/dmtcp-tools.js';
import { Session, type SessionOptions } from '../../src/session/session.js';
import type { Location } from '../../src/debugger/types.js';
import { fixtureSource, markerLine } from '../helpers/fixtures.js';
import { allProcesses, describeProcesses, descendants, survivorsAfter, type ProcessInfo } from '../helpers/processes.js';
import { dmtcpAvailable, dmtcpProcesses, dmtcpSkipReason } from '../helpers/dmtcp.js';
import { prepareCli, runFred } from '../helpers/cli.js';
import { forward, where } from '../helpers/walk.js';

if (!dmtcpAvailable) console.warn(dmtcpSkipReason);

// fred's directories (and DMTCP's images in them) go to a TMPDIR of this file's own: the checks on
// image folders and leftovers must not see those of other test files running meanwhile.
let savedTmpdir: string | undefined;
let fileTmpdir: string | undefined;
beforeAll(() => {
  savedTmpdir = process.env['TMPDIR'];
  fileTmpdir = mkdtempSync(join(tmpdir(), 'fred-dmtcp-e2e-'));
  process.env['TMPDIR'] = fileTmpdir;
});
afterAll(() => {
  if (savedTmpdir === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = savedTmpdir;
  if (fileTmpdir) rmSync(fileTmpdir, { recursive: true, force: true });
});

const sessions: Session[] = [];
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function start(file: string, options: Partial<SessionOptions> = {}): Promise<Session> {
  const session = await Session.start({ program: fixtureSource(file), backend: 'dmtcp', ...options });
  sessions.push(session);
  return session;
}

function scratch(): string {
  const folder = mkdtempSync(join(tmpdir(), 'fred-dmtcp-test-'));
  folders.push(folder);
  return folder;
}

function at(file: string, marker: string): string {
  return `${fixtureSource(file)}:${markerLine(file, marker)}`;
}

/** Everything this test process started that is still running (python3, DMTCP's programs). */
function ourProcesses(): ProcessInfo[] {
  return descendants(process.pid).filter((info) => info.name !== 'esbuild');
}

describe.skipIf(!dmtcpAvailable)('the DMTCP backend under pdb', { timeout: 180_000 }, () => {
  it('checkpoint and restart round trip: a restarted image, the program as it was, today\'s breakpoints', async () => {
    const session = await start('linked_list.py', { checkpointIntervalMs: 0 });
    expect(session.personality.replay?.checkpoints.name).toBe('dmtcp');
    let output = '';
    session.onProgramOutput((text) => { output += text; });
    const first = await session.checkpoint();
    const pythonBefore = ourProcesses().filter((info) => info.name.startsWith('python'));
    for (let index = 0; index < 6; index++) await session.next();
    const later = where(await session.location());
    const iLater = await session.evaluate('i');
    // Set after the checkpoint: the image does not have it, the restored session must.
    await session.setBreakpoint(at('linked_list.py', 'print'));
    const back = await session.restartCheckpoint(first);
    expect(where(back.location)).toBe(where(session.launchOutcome.location));
    await expect(session.evaluate('i')).rejects.toThrow(/NameError/);
    // A new process (restarted from the image on disk), not the one that was running.
    const pythonAfter = ourProcesses().filter((info) => info.name.startsWith('python') || info.name.startsWith('mtcp'));
    expect(pythonAfter.map((info) => info.pid)).not.toEqual(pythonBefore.map((info) => info.pid));
    expect((await session.listBreakpoints()).map((breakpoint) => breakpoint.line)).toEqual([markerLine('linked_list.py', 'print')]);
    for (let index = 0; index < 6; index++) await session.next();
    expect(where(await session.location())).toBe(later);
    expect(await session.evaluate('i')).toBe(iLater);
    // The restarted image's dialogue is raw again: a command longer than a terminal line's 4095
    // bytes arrives whole (DMTCP restarts that terminal in canonical mode, which cut it).
    expect(await session.evaluate(`len('${'x'.repeat(6000)}')`)).toBe('6000');
    const end = await session.continue();
    expect(end.location?.line).toBe(markerLine('linked_list.py', 'print'));
    expect(await session.evaluate('list_len(head)')).toBe('3');
    await session.next();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The program's own terminal works after a restart, and output is shown once.
    expect(output.match(/length: 3/g)).toHaveLength(1);
  });

  it('reverse-step oracle: 12 steps through recursion forward, 12 reverse-steps give the same locations reversed', async () => {
    const session = await start('recursion.py', { checkpointIntervalMs: 1 });
    const steps = await forward(session, 'step', 12);
    expect(new Set(steps).size).toBeGreaterThan(5);
    const back = [where(await session.location())];
    for (let index = 0; index < 12; index++) back.push(where((await session.reverseStep()).location));
    expect(back).toEqual([...steps].reverse());
    // Images beyond the start's (how many depends on how long the steps took), and going
    // forward again repeats the run.
    expect(session.checkpoints().length).toBeGreaterThanOrEqual(2);
    expect(await forward(session, 'step', 12)).toEqual(steps);
  });

  it('reverse-watch on linked_list.py gives the fork backend\'s answer', async () => {
    const answers = [];
    for (const backend of ['fork', 'dmtcp'] as const) {
      const session = await start('linked_list.py', { backend });
      await session.setBreakpoint(at('linked_list.py', 'print'));
      await session.continue();
      const outcome = await session.reverseWatch('list_len(head) < 17');
      answers.push({
        found: outcome.found, before: outcome.valueBefore, after: outcome.valueAfter, location: outcome.location,
        i: await session.evaluate('i'), length: await session.evaluate('list_len(head)'),
      });
      await session.close();
    }
    expect(answers[0]).toEqual({
      found: true, before: 'False', after: 'True', location: expect.objectContaining({ line: markerLine('linked_list.py', 'append') }), i: '17', length: '17',
    });
    expect(answers[1]).toEqual(answers[0]);
  });

  it('reverse-continue and reverse-finish land where they do on the fork backend', async () => {
    const answers = [];
    for (const backend of ['fork', 'dmtcp'] as const) {
      const session = await start('recursion.py', { backend, checkpointIntervalMs: 0 });
      await session.setBreakpoint(at('recursion.py', 'multiply'));
      await session.continue();
      await session.continue();
      const hit = { location: where(await session.location()), n: await session.evaluate('n') };
      const back = await session.reverseContinue();
      const continued = { location: where(back.location), n: await session.evaluate('n') };
      const finished = await session.reverseFinish();
      answers.push({ hit, continued, finished: { location: where(finished.location), n: await session.evaluate('n') } });
      await session.close();
    }
    expect(answers[0]!.continued.location).toMatch(new RegExp(`^factorial:${markerLine('recursion.py', 'multiply')}@`));
    expect(Number(answers[0]!.continued.n)).toBe(Number(answers[0]!.hit.n) - 1);
    expect(answers[0]!.finished.location).toMatch(new RegExp(`^factorial:${markerLine('recursion.py', 'recurse')}@`));
    expect(answers[1]).toEqual(answers[0]);
  });

  it('--checkpoint-interval: continue takes periodic images, thinned to 12, discarded ones leave the disk; reverse-watch uses them', async () => {
    // Long enough to take well over 13 images at 100 ms (a `continue` runs most frames
    // untraced: 400k orders took only 13 even when every frame was traced).
    const session = await start('inventory.py', { checkpointIntervalMs: 100, args: ['1500000', '300000'] });
    await session.setBreakpoint(at('inventory.py', 'print'));
    const stop = await session.continue();
    expect(stop.location?.line).toBe(markerLine('inventory.py', 'print'));
    const automatic = session.checkpoints().filter((checkpoint) => checkpoint.kind === 'automatic');
    const ids = session.personality.replay!.checkpoints.list();
    expect(automatic.length).toBeGreaterThan(5);
    // 12 kept by thinning (DMTCP images are large), plus the one at the start, never thinned.
    expect(automatic.length).toBeLessThanOrEqual(13);
    // Ids are never reused: a larger id than there are checkpoints means some were thinned out.
    expect(Math.max(...ids)).toBeGreaterThan(ids.length);
    const images = imageFolders();
    expect(images.length).toBe(ids.length);
    const outcome = await session.reverseWatch('min(stock.values()) >= 0');
    expect(outcome).toMatchObject({ found: true, valueBefore: 'True', valueAfter: 'False' });
    expect(outcome.location).toMatchObject({ function: 'take', line: markerLine('inventory.py', 'take'), depth: 5 });
    expect(await session.evaluate('order_number')).toBe('300000');
    // After restores, fred's interrupts still reach the restarted process: continue checkpoints again.
    const newest = Math.max(...session.personality.replay!.checkpoints.list());
    expect((await session.continue()).location?.line).toBe(markerLine('inventory.py', 'print'));
    expect(Math.max(...session.personality.replay!.checkpoints.list())).toBeGreaterThan(newest);
    // A restart discards the run's checkpoints, and their images with them.
    await session.run();
    expect(imageFolders().length).toBe(session.personality.replay!.checkpoints.list().length);
    expect(imageFolders().length).toBeLessThan(images.length);
  });

  it('save, quit, resume: the same position and history, and reverse-step works', async () => {
    const saved = join(scratch(), 'session');
    const first = await start('recursion.py', { saveSession: saved, checkpointIntervalMs: 0 });
    const path = await forward(first, 'next', 4);
    const entered = await forward(first, 'step', 3);
    const history = first.history().map((entry) => entry.command);
    const position = where(await first.location());
    const names = 'sorted(name for name in dir() if not name.startswith("__"))';
    const namesThen = await first.evaluate(names);
    await first.close();
    sessions.splice(sessions.indexOf(first), 1);
    expect(await survivorsAfter(ourProcesses(), 3000)).toEqual([]);
    expect(statSync(saved).mode & 0o777).toBe(0o700);
    expect(existsSync(join(saved, 'session.json'))).toBe(true);
    expect(readdirSync(join(saved, 'images')).length).toBeGreaterThan(0);

    const resumed = await Session.resume(saved);
    sessions.push(resumed);
    expect(where(await resumed.location())).toBe(position);
    expect(resumed.history().map((entry) => entry.command)).toEqual(history);
    expect(await resumed.evaluate(names)).toBe(namesThen);
    // undo reaches back into the first session's commands; reverse commands go on from there.
    expect(where((await resumed.undo(1)).location)).toBe(entered[2]);
    const back = [entered[2]!];
    for (let index = 0; index < 2; index++) back.push(where((await resumed.reverseStep()).location));
    expect(back).toEqual([entered[2], entered[1], entered[0]]);
    expect(where((await resumed.reverseNext()).location)).toBe(path[path.length - 2]);
    await resumed.close();
    sessions.splice(sessions.indexOf(resumed), 1);
    // Resuming without --save-session leaves the save as it was: it resumes again, at the same place.
    const again = await Session.resume(saved);
    sessions.push(again);
    expect(where(await again.location())).toBe(position);
  });

  it('output shown before a save is not shown again after a resume, however far back one goes', async () => {
    const saved = join(scratch(), 'session');
    const first = await start('recursion.py', { saveSession: saved, checkpointIntervalMs: 0 });
    let before = '';
    first.onProgramOutput((text) => { before += text; });
    await first.setBreakpoint(at('recursion.py', 'done'));
    await first.continue();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await first.close();
    sessions.splice(sessions.indexOf(first), 1);
    expect(before).toContain('start');
    expect(before).toContain('6! =');

    const resumed = await Session.resume(saved);
    sessions.push(resumed);
    let after = '';
    resumed.onProgramOutput((text) => { after += text; });
    // Back to the very start of the recorded history, then forward over every print again.
    await resumed.undo(resumed.history().length);
    await resumed.continue();
    expect(where(await resumed.location())).toBe(`<module>:${markerLine('recursion.py', 'done')}@1`);
    await resumed.continue();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(after).not.toContain('start');
    expect(after).not.toContain('6! =');
    expect(after).toContain('done');
  });

  it('--stdin FILE: a restored program reads on from where its image was (past Python\'s read-ahead)', async () => {
    const input = join(scratch(), 'numbers');
    writeFileSync(input, Array.from({ length: 20_000 }, (_, index) => `${index % 50}\n`).join(''));
    const session = await start('read_stdin.py', { stdinFile: input, checkpointIntervalMs: 0 });
    const add = await session.setBreakpoint(at('read_stdin.py', 'add'));
    await session.continue();
    await session.continue();
    expect(await session.evaluate('total')).toBe('0');
    const checkpoint = await session.checkpoint();
    await session.deleteBreakpoint(add.id);
    await session.setBreakpoint(at('read_stdin.py', 'total'));
    await session.continue();
    expect(await session.evaluate('total')).toBe('490000');
    await session.restartCheckpoint(checkpoint);
    expect(await session.evaluate('total')).toBe('0');
    await session.continue();
    expect(await session.evaluate('total')).toBe('490000');
  });

  it('a multi-threaded program checkpoints and restores with its threads', async () => {
    const folder = scratch();
    const program = join(folder, 'threads.py');
    writeFileSync(program, [
      'import threading',
      'results = []',
      'go = threading.Event()',
      'def worker(k):',
      '    go.wait()',
      '    results.append(k * k)',
      'threads = [threading.Thread(target=worker, args=(k,)) for k in range(3)]',
      'for thread in threads:',
      '    thread.start()',
      'go.set()  # @go',
      'for thread in threads:',
      '    thread.join()',
      'print(sorted(results))  # @print',
      '',
    ].join('\n'));
    const session = await Session.start({ program, backend: 'dmtcp', checkpointIntervalMs: 0 });
    sessions.push(session);
    await session.setBreakpoint(`${program}:10`);
    await session.continue();
    const checkpoint = await session.checkpoint();
    await session.setBreakpoint(`${program}:13`);
    await session.continue();
    expect(await session.evaluate('sorted(results)')).toBe('[0, 1, 4]');
    await session.restartCheckpoint(checkpoint);
    expect(await session.evaluate('results')).toBe('[]');
    expect(await session.evaluate('sum(thread.is_alive() for thread in threads)')).toBe('3');
    const end = await session.continue();
    expect(end.location?.line).toBe(13);
    expect(await session.evaluate('sorted(results)')).toBe('[0, 1, 4]');
  });

  it('a program\'s own child process is checkpointed and restarted with it, and ends with the session', async () => {
    const program = join(scratch(), 'child.py');
    writeFileSync(program, [
      'import subprocess',
      "child = subprocess.Popen(['sleep', '300'])",
      'child.kill()',
      'child.wait()',
      'print(child.returncode)',
      '',
    ].join('\n'));
    const session = await Session.start({ program, backend: 'dmtcp', checkpointIntervalMs: 0 });
    sessions.push(session);
    await session.next();
    await session.next();
    const pid = await session.evaluate('child.pid');
    const checkpoint = await session.checkpoint();
    await session.next();
    await session.next();
    expect(await session.evaluate('child.poll()')).toBe('-9');
    await session.restartCheckpoint(checkpoint);
    // Alive again, under the same (DMTCP-virtual) pid, and killable again.
    expect(await session.evaluate('child.poll()')).toBe('None');
    expect(await session.evaluate('child.pid')).toBe(pid);
    await session.next();
    await session.next();
    expect(await session.evaluate('child.returncode')).toBe('-9');
    await session.restartCheckpoint(checkpoint);
    const sleeping = ourProcesses().filter((info) => info.argv[0] === 'sleep' || info.name.includes('sleep'));
    expect(sleeping.length).toBe(1);
    await session.close();
    sessions.splice(sessions.indexOf(session), 1);
    expect(describeProcesses(await survivorsAfter(sleeping, 3000))).toEqual([]);
  });

  it('the coordinator listens on 127.0.0.1 only', async () => {
    await start('recursion.py');
    const coordinator = ourProcesses().find((info) => info.name.startsWith('dmtcp_coor'));
    expect(coordinator, 'a coordinator of this session').toBeDefined();
    // Its listening socket (an fd of the coordinator) as /proc/net/tcp lists it: local address
    // 0100007F (127.0.0.1), never 00000000 (every interface).
    const inodes = readdirSync(`/proc/${coordinator!.pid}/fd`)
      .map((fd) => { try { return readlinkSync(`/proc/${coordinator!.pid}/fd/${fd}`); } catch { return ''; } })
      .flatMap((target) => /^socket:\[(\d+)\]$/.exec(target)?.[1] ?? []);
    const listening = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A' && inodes.includes(fields[9] ?? ''))
      .map((fields) => fields[1]!.split(':')[0]);
    expect(listening).toEqual(['0100007F']);
  });

  it('nothing is left after close: no coordinator, restarter, python or image', async () => {
    const before = dmtcpProcesses().map((info) => info.pid);
    const session = await start('recursion.py', { checkpointIntervalMs: 1 });
    await forward(session, 'step', 4);
    await session.reverseStep();
    const during = ourProcesses();
    expect(during.some((info) => info.name.startsWith('dmtcp_coor'))).toBe(true);
    const dmtcpFolders = readdirSync(tmpdir()).filter((name) => name.startsWith('fred-dmtcp-') && !name.startsWith('fred-dmtcp-test-'));
    await session.close();
    sessions.splice(sessions.indexOf(session), 1);
    expect(describeProcesses(await survivorsAfter(during, 3000))).toEqual([]);
    // (DMTCP processes of other test files running meanwhile end on their own: give them time.)
    const strays = () => dmtcpProcesses().filter((info) => !before.includes(info.pid));
    for (let tries = 0; tries < 40 && strays().length > 0; tries++) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(strays()).toEqual([]);
    const left = readdirSync(tmpdir()).filter((name) => name.startsWith('fred-dmtcp-') && !name.startsWith('fred-dmtcp-test-'));
    expect(left.filter((name) => dmtcpFolders.includes(name))).toEqual([]);
  });
});

describe.skipIf(!dmtcpAvailable)('fred --backend dmtcp on the command line', { timeout: 180_000 }, () => {
  beforeAll(() => prepareCli());

  it('batch: save, quit, --resume, reverse-step; nothing left running; gdb refused in one line', async () => {
    const folder = scratch();
    const saved = join(folder, 'saved');
    const commands = join(folder, 'commands');
    writeFileSync(commands, 'next\nnext\nstep\n');
    const first = await runFred(['--batch', '--json', '--commands', commands, '--backend', 'dmtcp', '--save-session', saved, '--', fixtureSource('recursion.py')], { timeoutMs: 60_000 });
    expect(first.code, first.stderr).toBe(0);
    const stops = first.stdout.trim().split('\n').map((line) => JSON.parse(line) as { location: Location });
    writeFileSync(commands, 'reverse-step\nhistory\n');
    const second = await runFred(['--batch', '--json', '--commands', commands, '--resume', saved], { timeoutMs: 60_000 });
    expect(second.code, second.stderr).toBe(0);
    const [reverse, history] = second.stdout.trim().split('\n').map((line) => JSON.parse(line) as { location: Location; output: string });
    expect(where(reverse!.location)).toBe(where(stops[1]!.location));
    expect(history!.output).toContain('step');
    expect(dmtcpProcesses().filter((info) => info.argv.some((arg) => arg.includes(folder)))).toEqual([]);

    const gdb = await runFred(['--backend', 'dmtcp', '--', join(process.cwd(), 'fixtures', 'bin', 'linked_list')]);
    expect(gdb.code).toBe(2);
    expect(gdb.stderr.split('\n')[0]).toBe('fred: --backend dmtcp works with pdb only (gdb sessions use --backend fork; see the README\'s DMTCP backend section)');
  });

  it('the computation holds no descriptor fred inherited: a pipe shared with another computation made restores hang', async () => {
    // DMTCP elects one owner per open file by fcntl(F_SETOWN) at each checkpoint; a pipe two
    // computations inherited from one parent let the other's checkpoint take it, and the restarted
    // image then waited forever for the descriptor to be handed over (README, DMTCP backend).
    // fred inherits a FIFO here; neither the launched program nor the restarted one may hold it.
    const folder = scratch();
    const fifo = join(folder, 'inherited-fifo');
    execFileSync('mkfifo', [fifo]);
    const commands = join(folder, 'commands');
    const held = "p [n for n in __import__('os').listdir('/proc/self/fd') if __import__('os').path.exists('/proc/self/fd/' + n) and __import__('os').readlink('/proc/self/fd/' + n).endswith('inherited-fifo')]";
    writeFileSync(commands, `${held}\nnext\ncheckpoint\nnext\nrestart 1\n${held}\n`);
    const run = await runFred(['--batch', '--json', '--commands', commands, '--backend', 'dmtcp', '--', fixtureSource('linked_list.py')], { timeoutMs: 60_000, inheritedFile: fifo });
    expect(run.code, run.stderr).toBe(0);
    const outputs = run.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { output: string }).output.trim());
    expect(outputs).toHaveLength(6);
    expect(outputs[0]).toBe('[]');
    expect(outputs[5]).toBe('[]');
  });
});

describe.skipIf(!dmtcpAvailable)('fred bisect on the DMTCP backend', { timeout: 180_000 }, () => {
  it('--backend dmtcp, and FRED_BACKEND=dmtcp, give the fork backend\'s answer on inventory.py', async () => {
    prepareCli();
    const args = ['--json', '--watch', 'min(stock.values()) >= 0', '--print', 'order_number', '--', fixtureSource('inventory.py'), '3000', '2000'];
    const answers = [];
    for (const [extra, env] of [[['--backend', 'fork'], {}], [['--backend', 'dmtcp'], {}], [[], { FRED_BACKEND: 'dmtcp' }]] as const) {
      const run = await runFred(['bisect', ...extra, ...args], { timeoutMs: 120_000, env });
      expect(run.code, run.stderr).toBe(0);
      const json = JSON.parse(run.stdout) as { location: Location; prints: Record<string, string>; valueBefore: string; valueAfter: string };
      answers.push({ location: json.location, prints: json.prints, values: [json.valueBefore, json.valueAfter] });
    }
    expect(answers[0]!.prints).toEqual({ order_number: '2000' });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });
});

describe.skipIf(!dmtcpAvailable)('fred --backend dmtcp ended by a signal', { timeout: 180_000 }, () => {
  beforeAll(() => prepareCli());

  for (const [signal, status, commands] of [
    ['SIGTERM', 143, 'continue\n'],
    ['SIGINT', 130, 'next\nnext\nreverse-step\nreverse-step\ncontinue\n'],
  ] as const) {
    it(`${signal} while the program runs (after restores too): no coordinator, restarter or python left, no images`, async () => {
      const folder = scratch();
      const file = join(folder, 'commands');
      writeFileSync(file, commands);
      const before = new Set(sessionProcesses().map((info) => info.pid));
      let timer: NodeJS.Timeout | undefined;
      const run = await runFred(['--batch', '--commands', file, '--backend', 'dmtcp', '--checkpoint-interval', '200', '--', fixtureSource('inventory.py'), '4000000', '3000000'], {
        timeoutMs: 60_000,
        env: { TMPDIR: folder },
        onSpawn: (pid) => { timer = setTimeout(() => process.kill(pid, signal), 4000); },
      });
      clearTimeout(timer);
      expect(run.code, run.stderr).toBe(status);
      const left = await survivorsAfter(sessionProcesses().filter((info) => !before.has(info.pid)), 3000);
      expect(describeProcesses(left)).toEqual([]);
      expect(readdirSync(folder).filter((name) => name.startsWith('fred-'))).toEqual([]);
    });
  }
});

describe.skipIf(!dmtcpAvailable)('the DMTCP coordinator', { timeout: 60_000 }, () => {
  it('started again in the same folder (a retried launch), answers on its own port', async () => {
    const folder = scratch();
    const first = await DmtcpCoordinator.start(findDmtcp(), folder);
    expect(await first.peers()).toBe(0);
    await first.dispose();
    const second = await DmtcpCoordinator.start(findDmtcp(), folder);
    try {
      expect(await second.peers()).toBe(0);
    } finally {
      await second.dispose();
    }
  });
});

describe.skipIf(!dmtcpAvailable)('finding DMTCP', { timeout: 60_000 }, () => {
  it('FRED_DMTCP_ROOT is enough when DMTCP is not on PATH', async () => {
    prepareCli();
    const launch = findDmtcp().launch;
    const bin = dirname(launch);
    const path = (process.env['PATH'] ?? '').split(':').filter((folder) => folder !== bin).join(':');
    const folder = scratch();
    const commands = join(folder, 'commands');
    writeFileSync(commands, 'next\ncheckpoint\nnext\nrestart 1\n');
    const run = await runFred(['--batch', '--json', '--commands', commands, '--backend', 'dmtcp', '--', fixtureSource('recursion.py')], {
      timeoutMs: 60_000, env: { PATH: path, FRED_DMTCP_ROOT: dirname(bin) },
    });
    expect(run.code, run.stderr).toBe(0);
    const replies = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { ok: boolean; location: Location });
    expect(replies.map((reply) => reply.ok)).toEqual([true, true, true, true]);
    expect(where(replies[3]!.location)).toBe(where(replies[0]!.location));
  });
});

describe('fred --backend dmtcp without DMTCP, and bad combinations', () => {
  it('--save-session without the dmtcp backend, --resume with a program or of a folder without a session, the TUI', async () => {
    prepareCli();
    const folder = scratch();
    const cases: [string[], string][] = [
      [['--save-session', folder, '--', fixtureSource('recursion.py')], 'fred: --save-session needs --backend dmtcp'],
      [['--resume', folder, '--', fixtureSource('recursion.py')], 'fred: --resume takes no program: the saved session names it'],
      [['--backend', 'lxc', '--', fixtureSource('recursion.py')], 'fred: --backend must be fork or dmtcp, not lxc'],
      [['--resume', folder], `fred: --resume: ${folder} holds no saved fred session (no readable session.json)`],
      [['tui', '--resume', folder], 'fred: fred tui does not take --resume yet (line-mode fred does)'],
      [['bisect', '--backend', 'lxc', '--watch', 'x', '--', fixtureSource('recursion.py')], 'fred: --backend must be fork or dmtcp, not lxc'],
    ];
    for (const [args, message] of cases) {
      const run = await runFred(args);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr.split('\n')[0]).toBe(message);
    }
    // FRED_BACKEND is the config switch for all three commands; a bad value is a usage error.
    for (const args of [['--', fixtureSource('recursion.py')], ['bisect', '--watch', 'x', '--', fixtureSource('recursion.py')]]) {
      const run = await runFred(args, { env: { FRED_BACKEND: 'lxc' } });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr.split('\n')[0]).toBe('fred: FRED_BACKEND must be fork or dmtcp, not lxc');
    }
  });

  it('says in one line where it looked', async () => {
    prepareCli();
    const run = await runFred(['--backend', 'dmtcp', '--', fixtureSource('recursion.py')], { env: { PATH: '/usr/bin:/bin', FRED_DMTCP_ROOT: '' } });
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe('fred: dmtcp_launch not found on PATH (set FRED_DMTCP_ROOT)');
  });
});

/** DMTCP's programs and fred_pdb under DMTCP (a restarted one is named after its image). */
function sessionProcesses(): ProcessInfo[] {
  return [...dmtcpProcesses(), ...allProcesses().filter((info) => info.state !== 'Z'
    && (info.name.startsWith('DMTCP:') || info.argv.some((arg) => arg.endsWith('fred_pdb_launch.py'))))];
}

function imageFolders(): string[] {
  const found: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('fred-dmtcp-') || name.startsWith('fred-dmtcp-test-')) continue;
    const images = join(tmpdir(), name, 'images');
    if (existsSync(images)) found.push(...readdirSync(images).map((entry) => join(images, entry)));
  }
  return found;
}
