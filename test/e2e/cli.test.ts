// End-to-end tests of the `fred` command line (bin/fred.js on the compiled dist/): batch mode with
// and without --json, exit codes, usage errors, and the interactive REPL on a pseudo-terminal.

import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { USAGE } from '../../src/cli/arguments.js';
import { fredBin, repoRoot } from '../helpers/build.js';
import { FredTerminal, prepareCli, runFred, ScratchDirectory, type FredRun } from '../helpers/cli.js';
import { fixtureBinary, fixtureSource, markerLine } from '../helpers/fixtures.js';

const LINKED_LIST = 'linked_list.c';
let scratch: ScratchDirectory;
let commandFiles = 0;
const terminals: FredTerminal[] = [];

let fredTmp: string;

beforeAll(() => {
  prepareCli();
  scratch = new ScratchDirectory();
  // Every fred here gets this TMPDIR, so leftover fred-gdb-* directories are ours to see.
  fredTmp = join(scratch.path, 'tmp');
  mkdirSync(fredTmp);
});

afterEach(async () => {
  for (const terminal of terminals.splice(0)) {
    // SIGTERM first so that fred cleans up even after a failed test; SIGKILL if it hangs.
    terminal.kill('SIGTERM');
    await terminal.waitForExit(5000);
  }
});

afterAll(() => {
  const leftovers = readdirSync(fredTmp).filter((name) => name.startsWith('fred-gdb-'));
  scratch.remove();
  expect(leftovers, 'fred-gdb-* directories left behind').toEqual([]);
});

/** `runFred` with this file's private TMPDIR. */
function runFredHere(args: string[]): Promise<FredRun> {
  return runFred(args, { env: { TMPDIR: fredTmp } });
}

/** Writes a command file and returns its path. */
function commands(text: string): string {
  return scratch.file(`commands-${++commandFiles}.txt`, text);
}

interface JsonRecord {
  command: string;
  ok: boolean;
  error?: string;
  location: { file: string; line: number; function: string; depth: number } | null;
  output: string;
}

/** Parses --json stdout, checking the exact shape of every record on the way. */
function records(run: FredRun): JsonRecord[] {
  expect(run.stdout.endsWith('\n'), 'stdout ends with a newline').toBe(true);
  return run.stdout.slice(0, -1).split('\n').map((line) => {
    const record = JSON.parse(line) as JsonRecord;
    const keys = Object.keys(record).sort();
    expect(keys, line).toEqual(record.ok ? ['command', 'location', 'ok', 'output'] : ['command', 'error', 'location', 'ok', 'output']);
    expect(typeof record.command).toBe('string');
    expect(typeof record.output).toBe('string');
    if (!record.ok) {
      expect(typeof record.error).toBe('string');
      expect(record.error, 'error is one line').not.toMatch(/\n/);
      expect(record.error!.length).toBeGreaterThan(0);
    }
    if (record.location !== null) {
      expect(Object.keys(record.location).sort()).toEqual(['depth', 'file', 'function', 'line']);
      expect(typeof record.location.file).toBe('string');
      expect(Number.isInteger(record.location.line)).toBe(true);
      expect(Number.isInteger(record.location.depth)).toBe(true);
      expect(typeof record.location.function).toBe('string');
    }
    return record;
  });
}

/** stderr of a usage error: exactly one `fred: ...` line, then the usage text. */
function expectUsageError(run: FredRun, message: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^fred: /);
  expect(lines[0]).toMatch(message);
  expect(lines.slice(1).join('\n')).toBe(USAGE);
}

function where(line: string, functionName: string, depth: number, file = LINKED_LIST) {
  return { file: fixtureSource(file), line: markerLine(file, line), function: functionName, depth };
}

describe('fred --batch --json', () => {
  const appendLine = markerLine(LINKED_LIST, 'append');
  const afterLoop = markerLine(LINKED_LIST, 'after_loop');
  const script = `# Walk into the first append, then run to the end.
break main

run
   # an indented comment
next
next
step
finish
p no_such_variable
p list_len(head)
tbreak ${LINKED_LIST}:${afterLoop}
continue
p i
p list_len(head)
continue
bt
`;
  const commandLines = script.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));

  it('prints exactly one JSON record per command, with correct locations', async () => {
    const programOutput = scratch.file('linked-list-output.txt');
    const run = await runFredHere(['--batch', '--commands', commands(script), '--json', '--program-output', programOutput, '--', fixtureBinary('linked_list')]);
    const results = records(run);
    expect(results.map((record) => record.command)).toEqual(commandLines);

    const [breakMain, start, loop, call, step, finish, bad, length, tbreak, afterLoopStop, i, finalLength, exit, bt] = results;
    expect(breakMain).toMatchObject({ ok: true, location: null });
    expect(breakMain!.output).toMatch(/^Breakpoint 1 at .*line \d+/);
    expect(start).toMatchObject({ ok: true, location: where('start', 'main', 1) });
    expect(start!.output).toContain('Breakpoint 1, main');
    expect(loop).toMatchObject({ ok: true, location: where('loop', 'main', 1) });
    expect(call).toMatchObject({ ok: true, location: where('append', 'main', 1) });
    expect(step).toMatchObject({ ok: true, location: where('in_append', 'append', 2) });
    expect(finish).toMatchObject({ ok: true, location: { ...where('append', 'main', 1), line: appendLine } });
    expect(finish!.output).toContain('Run till exit');
    expect(bad).toMatchObject({ ok: false, location: where('append', 'main', 1), output: '' });
    expect(bad!.error).toMatch(/No symbol "no_such_variable"/);
    expect(length).toMatchObject({ ok: true, output: '$2 = 0\n' });
    expect(tbreak).toMatchObject({ ok: true, location: where('append', 'main', 1) });
    expect(afterLoopStop).toMatchObject({ ok: true, location: where('after_loop', 'main', 1) });
    expect(i).toMatchObject({ ok: true, output: '$3 = 20\n' });
    expect(finalLength).toMatchObject({ ok: true, output: '$4 = 10\n' });
    expect(exit).toMatchObject({ ok: true, location: null });
    expect(exit!.output).toMatch(/exited normally/);
    expect(bt).toMatchObject({ ok: false, error: 'No stack.', location: null });

    // A command failed, later ones still ran: exit status 1.
    expect(run.code).toBe(1);
    // Program output went to the file, never into the JSON stream or onto stderr.
    expect(readFileSync(programOutput, 'utf8')).toBe('length 10\n');
    expect(run.stdout).not.toContain('length 10');
    expect(run.stderr).toBe('');
  });

  it('sends program output to stderr without --program-output, and exits 0 when every command succeeds', async () => {
    const run = await runFredHere(['--batch', '--json', '--commands', commands('break main\nrun\ncontinue\n'), '--', fixtureBinary('linked_list')]);
    expect(run.code).toBe(0);
    expect(records(run).map((record) => record.ok)).toEqual([true, true, true]);
    expect(run.stdout).not.toContain('length');
    expect(run.stderr).toBe('length 10\n');
  });

  it('exits 0 when commands only show the program exiting with a code or crashing', async () => {
    const exited = await runFredHere(['--batch', '--json', '--commands', commands('run\n'), '--', fixtureBinary('exit_code')]);
    expect(exited.code).toBe(0);
    const [run] = records(exited);
    expect(run).toMatchObject({ ok: true, location: null });
    expect(run!.output).toMatch(/exited with code 03/);
    expect(exited.stderr).toBe('checking 5 values\n3 failed\n');

    const crashed = await runFredHere(['--batch', '--json', '--commands', commands('run\nbt\np e\n'), '--', fixtureBinary('crash')]);
    expect(crashed.code).toBe(0);
    const [crash, bt, e] = records(crashed);
    expect(crash).toMatchObject({ ok: true, location: where('crash', 'value_length', 4, 'crash.c') });
    expect(crash!.output).toContain('SIGSEGV');
    expect(bt!.output).toMatch(/#0 .*value_length[\s\S]*#3 .*main/);
    expect(e).toMatchObject({ ok: true, output: '$1 = (const struct setting *) 0x0\n' });
  });

  it('reports unknown commands, bad expressions and MI-looking commands as one failed record each', async () => {
    const script = 'no-such-command\n-exec-run\n1-gdb-exit\np 1 +\np 1\rp 2\nbreak main\nrun\np 6 * 7\n';
    const run = await runFredHere(['--batch', '--json', '--commands', commands(script), '--', fixtureBinary('linked_list')]);
    expect(run.code).toBe(1);
    const results = records(run);
    expect(results.map((record) => [record.command, record.ok])).toEqual([
      ['no-such-command', false],
      ['-exec-run', false],
      ['1-gdb-exit', false],
      ['p 1 +', false],
      ['p 1\rp 2', false],
      ['break main', true],
      ['run', true],
      ['p 6 * 7', true],
    ]);
    expect(results[0]!.error).toBe('Undefined command: "no-such-command".  Try "help".');
    expect(results[1]!.error).toBe('Undefined command: "-exec-run".  Try "help".');
    expect(results[2]!.error).toBe('Undefined command: "1-gdb-exit".  Try "help".');
    expect(results[3]!.error).toMatch(/syntax error/i);
    expect(results[4]!.error).toMatch(/single line/);
    // Nothing ran the program early or ended gdb: the run stops at the fresh breakpoint in main.
    expect(results.slice(0, 6).every((record) => record.location === null)).toBe(true);
    expect(results[6]!.location).toEqual(where('start', 'main', 1));
    expect(results[7]!.output).toBe('$1 = 42\n');
  });

  it('gives the program its arguments verbatim, even ones that look like fred options', async () => {
    const args = ['--json', 'two words', '$(echo hi)', '"quoted"'];
    const script = 'break main\nrun\np argc\np argv[1]\np argv[2]\np argv[3]\np argv[4]\n';
    const run = await runFredHere(['--batch', '--json', '--commands', commands(script), '--', fixtureBinary('counter_loop'), ...args]);
    expect(run.code).toBe(0);
    const outputs = records(run).slice(2).map((record) => record.output);
    expect(outputs[0]).toBe('$1 = 5\n');
    expect(outputs[1]).toMatch(/^\$2 = 0x[0-9a-f]+ "--json"\n$/);
    expect(outputs[2]).toMatch(/^\$3 = 0x[0-9a-f]+ "two words"\n$/);
    expect(outputs[3]).toMatch(/^\$4 = 0x[0-9a-f]+ "\$\(echo hi\)"\n$/);
    expect(outputs[4]).toMatch(/^\$5 = 0x[0-9a-f]+ "\\"quoted\\""\n$/);
  });

  it('feeds --stdin to the program', async () => {
    const input = scratch.file('numbers.txt', '1\n2\n3\n');
    const output = scratch.file('read-stdin-output.txt');
    const script = `break read_stdin.c:${markerLine('read_stdin.c', 'after_loop')}\nrun\np total\ncontinue\n`;
    const run = await runFredHere(['--batch', '--json', '--stdin', input, '--program-output', output, '--commands', commands(script), '--', fixtureBinary('read_stdin')]);
    expect(run.code).toBe(0);
    const results = records(run);
    expect(results[1]!.location).toEqual(where('after_loop', 'main', 1, 'read_stdin.c'));
    expect(results[2]!.output).toBe('$1 = 6\n');
    expect(readFileSync(output, 'utf8')).toBe('enter numbers, one per line:\ncount 3\ntotal 6\n');
  });

  it('stops at quit and runs nothing after it', async () => {
    const run = await runFredHere(['--batch', '--json', '--commands', commands('p 1\nquit\np 2\n'), '--', fixtureBinary('linked_list')]);
    expect(run.code).toBe(0);
    expect(records(run).map((record) => record.command)).toEqual(['p 1', 'quit']);
  });
});

describe('fred --batch without --json', () => {
  it("prints the debugger's text on stdout and one fred: line per failure on stderr", async () => {
    const script = 'break main\nrun\np no_such_variable\np i + 100\ncontinue\n';
    const run = await runFredHere(['--batch', '--commands', commands(script), '--', fixtureBinary('linked_list')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^Breakpoint 1 at .*\nStarting program: [\s\S]*Breakpoint 1, main [\s\S]*\n\$1 = \d+\nContinuing\.\n\[Inferior 1 \(process \d+\) exited normally\]\n$/);
    expect(run.stdout).not.toContain('{');
    expect(run.stdout).not.toContain('length 10');
    const stderrLines = run.stderr.trimEnd().split('\n').sort();
    expect(stderrLines).toEqual(['fred: No symbol "no_such_variable" in current context.', 'length 10']);
  });
});

describe('fred usage errors', () => {
  const linkedList = fixtureBinary('linked_list');
  let okCommands: string;
  beforeAll(() => { okCommands = commands('p 1\n'); });

  it('unknown option', async () => {
    expectUsageError(await runFredHere(['--batch', '--commands', okCommands, '--frobnicate', '--', linkedList]), /unknown option --frobnicate/);
  });

  it('no program', async () => {
    expectUsageError(await runFredHere(['--batch', '--commands', okCommands]), /no program/);
  });

  it('missing program', async () => {
    expectUsageError(await runFredHere(['--batch', '--commands', okCommands, '--', `${scratch.path}/missing-program`]), /missing-program: no such file/);
  });

  it('non-executable program', async () => {
    expectUsageError(await runFredHere(['--batch', '--commands', okCommands, '--', fixtureSource(LINKED_LIST)]), /linked_list\.c: not executable/);
  });

  it('a directory as program', async () => {
    expectUsageError(await runFredHere(['--batch', '--commands', okCommands, '--', scratch.path]), /not a regular file/);
  });

  it('missing --stdin file', async () => {
    expectUsageError(await runFredHere(['--batch', '--commands', okCommands, '--stdin', `${scratch.path}/no-input`, '--', fixtureBinary('read_stdin')]), /--stdin .*no-input/);
  });

  it('missing --commands file', async () => {
    expectUsageError(await runFredHere(['--batch', '--commands', `${scratch.path}/no-commands`, '--', linkedList]), /--commands .*no-commands/);
  });

  it('--batch without --commands, and --json without --batch', async () => {
    expectUsageError(await runFredHere(['--batch', '--', linkedList]), /--batch needs --commands/);
    expectUsageError(await runFredHere(['--json', '--', linkedList]), /need --batch/);
  });

  it('unknown --debugger', async () => {
    expectUsageError(await runFredHere(['--debugger', 'lldb', '--', linkedList]), /--debugger must be gdb or pdb/);
  });

  it('unwritable --program-output', async () => {
    expectUsageError(await runFredHere(['--batch', '--commands', okCommands, '--program-output', `${scratch.path}/no/such/dir/out`, '--', linkedList]), /--program-output/);
  });
});

describe('fred REPL', () => {
  function repl(args: string[]): FredTerminal {
    const terminal = new FredTerminal(args, { env: { FRED_HISTORY: scratch.file('history'), TMPDIR: fredTmp } });
    terminals.push(terminal);
    return terminal;
  }

  it('runs gdb commands at the (fred) prompt and quits with status 0', async () => {
    const fred = repl(['--', fixtureBinary('linked_list')]);
    await fred.expect(/^\(fred\) $/);
    expect(await fred.command('break main')).toMatch(/^Breakpoint 1 at .*linked_list\.c, line \d+\.$/);
    const run = await fred.command('run');
    expect(run).toContain('Breakpoint 1, main');
    expect(run).toContain('@start');
    expect(await fred.command('next')).toMatch(/^\d+\s+for \(i = 0; i < 20; i\+\+\) \/\* @loop \*\/$/);
    expect(await fred.command('next')).toContain('@append');
    expect(await fred.command('p i')).toBe('$1 = 0');

    // An unknown command: exactly one error line, then the prompt again, and nothing changed.
    expect(await fred.command('frobnicate')).toBe('fred: Undefined command: "frobnicate".  Try "help".');
    expect(await fred.command('-exec-continue')).toBe('fred: Undefined command: "-exec-continue".  Try "help".');
    expect(await fred.command('p i')).toBe('$2 = 0');

    const done = await fred.command('continue');
    expect(done).toContain('length 10');
    expect(done).toMatch(/exited normally/);
    fred.send('quit');
    expect((await fred.waitForExit()).exitCode).toBe(0);
  });

  it('sends typed lines to a running program and interrupts it with Ctrl-C', async () => {
    // With the record-replay shim and automatic checkpoints, as a user runs fred.
    const fred = repl(['--', fixtureBinary('read_stdin')]);
    await fred.expect('(fred) ');
    fred.send('run');
    await fred.expect('enter numbers, one per line:');
    fred.send('40');
    fred.send('2');
    // Ctrl-C is read by the REPL (raw terminal) and stops the program as in gdb. The program may
    // not have read both lines yet when it stops: then let it go on and stop it again.
    let count = '';
    for (let attempt = 0; attempt < 20; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      fred.type('\x03');
      await fred.expect(/Program received signal SIGINT[\s\S]*\(fred\) $/);
      count = await fred.command('p count');
      if (/ = 2$/.test(count)) break;
      // fred prints a command's text when it ends: "Continuing." comes with the next stop.
      fred.send('continue');
    }
    expect(count).toMatch(/^\$\d+ = 2$/);
    expect(await fred.command('p total')).toMatch(/^\$\d+ = 42$/);
    fred.send('quit');
    expect((await fred.waitForExit()).exitCode).toBe(0);
  });

  it('stops a run at Ctrl-C typed together with the command, before the program started', async () => {
    // The interrupt reaches fred while `run` is still on its way to main (where fred checkpoints
    // the start): it must stop the program once it runs on, not be lost (a 30-billion-iteration
    // loop would then run for minutes) nor stop it in the dynamic loader.
    const fred = repl(['--', fixtureBinary('counter_loop'), '30000000000']);
    await fred.expect('(fred) ');
    fred.type('run\r\x03');
    await fred.expect(/Program received signal SIGINT[\s\S]*\(fred\) $/);
    const iteration = await fred.command('p iteration');
    expect(iteration).toMatch(/^\$1 = \d+$/);
    expect(Number(iteration.split(' = ')[1])).toBeLessThan(30_000_000_000);
    // The stop is a usable place: the history has the start, and going back works.
    expect(await fred.command('info checkpoints')).toContain('counter_loop.c:38 main');
    expect(await fred.command('next')).not.toMatch(/fred:/);
    expect(await fred.command('undo')).not.toMatch(/fred:/);
    expect(await fred.command('p iteration')).toBe(`$2 = ${iteration.split(' = ')[1]}`);
    fred.send('quit');
    expect((await fred.waitForExit()).exitCode).toBe(0);
  });

  it('pdb: stops a continue at Ctrl-C typed together with the command', async () => {
    // fred sends pdb a command when the one before it is answered: the interrupt is owed until then.
    const fred = repl(['--', fixtureSource('inventory.py'), '100000000', '-1']);
    await fred.expect('(fred) ');
    fred.type('continue\r\x03');
    await fred.expect(/Program interrupted[\s\S]*\(fred\) $/);
    // It may have stopped before the program defined anything: at its next line.
    expect(await fred.command('p 6 * 7')).toBe('42');
    expect(await fred.command('next')).not.toMatch(/fred:/);
    expect(await fred.command('reverse-next')).not.toMatch(/fred:/);
    fred.send('quit');
    expect((await fred.waitForExit()).exitCode).toBe(0);
  });

  it('ignores Ctrl-C at an idle prompt and ends at end of input', async () => {
    const fred = repl(['--', fixtureBinary('linked_list')]);
    await fred.expect('(fred) ');
    fred.type('\x03');
    await fred.expect(/\^C\n\(fred\) $/);
    expect(await fred.command('p 2 + 3')).toBe('$1 = 5');
    fred.type('\x04');
    expect((await fred.waitForExit()).exitCode).toBe(0);
  });

  it('reads commands from a pipe one at a time, queueing them while one runs', async () => {
    // Two nexts: at the `for` line `i` is not set yet (whatever the stack held).
    const input = 'break main\nrun\nnext\nnext\np i\nfrobnicate\np 7 * 6\nquit\np 99\n';
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [fredBin, '--', fixtureBinary('linked_list')], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: fredTmp } });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
      const timer = setTimeout(() => { child.kill('SIGTERM'); reject(new Error(`piped REPL hung: ${stdout}`)); }, 20_000);
      child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout }); });
      child.stdin.end(input);
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Breakpoint 1, main');
    expect(result.stdout).toMatch(/\$1 = 0\n/);
    expect(result.stdout).toContain('fred: Undefined command: "frobnicate".');
    expect(result.stdout).toMatch(/\$2 = 42\n/);
    expect(result.stdout).not.toContain('$3');
  });
});

describe('fred on a Python program (pdb)', () => {
  const appendLine = markerLine('linked_list.py', 'append');
  const script = `break linked_list.py:${appendLine}\ncontinue\np i\ncontinue\np i\n`;

  it('chooses pdb for a .py program and keeps to the same JSON contract', async () => {
    const output = scratch.file('python-output.txt');
    const run = await runFredHere(['--batch', '--json', '--program-output', output, '--commands', commands(script), '--', fixtureSource('linked_list.py')]);
    expect(run.code, run.stderr).toBe(0);
    const results = records(run);
    expect(results.map((record) => record.command)).toEqual(script.trimEnd().split('\n'));
    expect(results.every((record) => record.ok)).toBe(true);
    // pdb starts stopped at the program's first line.
    expect(results[0]!.location).toMatchObject({ file: fixtureSource('linked_list.py'), function: '<module>', depth: 1 });
    const atAppend = { file: fixtureSource('linked_list.py'), line: appendLine, function: '<module>', depth: 1 };
    expect(results[1]!.location).toEqual(atAppend);
    expect(results[2]!.output.trim()).toBe('0');
    expect(results[3]!.location).toEqual(atAppend);
    expect(results[4]!.output.trim()).toBe('1');
    expect(run.stdout).not.toMatch(/length: \d/);
    expect(run.stderr).toBe('');
  });

  it('sends the Python program output to --program-output, and to stderr without it', async () => {
    const script = `break linked_list.py:${markerLine('linked_list.py', 'print')}\ncontinue\nnext\n`;
    const output = scratch.file('python-output-2.txt');
    const withFile = await runFredHere(['--batch', '--json', '--program-output', output, '--commands', commands(script), '--', fixtureSource('linked_list.py')]);
    expect(withFile.code, withFile.stderr).toBe(0);
    expect(readFileSync(output, 'utf8')).toMatch(/^length: \d+\n$/);
    expect(withFile.stdout).not.toMatch(/length: \d/);

    const withoutFile = await runFredHere(['--batch', '--json', '--commands', commands(script), '--', fixtureSource('linked_list.py')]);
    expect(withoutFile.code, withoutFile.stderr).toBe(0);
    expect(withoutFile.stderr).toMatch(/^length: \d+\n$/);
    expect(withoutFile.stdout).not.toMatch(/length: \d/);
  });
});
