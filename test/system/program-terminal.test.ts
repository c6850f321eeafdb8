// The program's terminal: sync() tells exactly when everything written so far has been read,
// and its marker never shows in what listeners get.

import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ProgramTerminal } from '../../src/pty/program-terminal.js';

let terminal: ProgramTerminal | undefined;
afterEach(() => terminal?.dispose());

function open(): { terminal: ProgramTerminal; received: () => string } {
  terminal = new ProgramTerminal();
  let text = '';
  terminal.onOutput((chunk) => { text += chunk; });
  return { terminal, received: () => text };
}

/** Runs python3 with the terminal as its stdout, as a debuggee would write to it. */
function writeWith(path: string, code: string): void {
  const result = spawnSync('python3', ['-c', `import os, sys\nfd = os.open(${JSON.stringify(path)}, os.O_WRONLY | os.O_NOCTTY)\n${code}`]);
  expect(result.status, result.stderr.toString()).toBe(0);
}

describe('ProgramTerminal.sync', () => {
  it('resolves only after what the program wrote before it has been received', async () => {
    const { terminal, received } = open();
    for (let round = 0; round < 8; round++) {
      writeWith(terminal.path, `os.write(fd, b'line %d\\n' % ${round} * 200 + b'no newline ${round}')`);
      expect(await terminal.sync(2000)).toBe(true);
      expect(received().endsWith(`no newline ${round}`)).toBe(true);
    }
    expect(received()).not.toContain('\x1b');
    expect(received().split('\n').length).toBe(8 * 200 + 1);
  });

  it('gives back output that looked like the start of a marker', async () => {
    const { terminal, received } = open();
    writeWith(terminal.path, `os.write(fd, b'ends in escape \\x1b')`);
    expect(await terminal.sync(2000)).toBe(true);
    expect(received()).toBe('ends in escape \x1b');
    writeWith(terminal.path, `os.write(fd, b'[31mred\\x1b_FRE')`);
    expect(await terminal.sync(2000)).toBe(true);
    expect(received()).toBe('ends in escape \x1b[31mred\x1b_FRE');
  });

  it('keeps every byte of a program writing while fred syncs', async () => {
    const { terminal, received } = open();
    const writer = spawn('python3', ['-c', `import os\nfd = os.open(${JSON.stringify(terminal.path)}, os.O_WRONLY | os.O_NOCTTY)\nfor i in range(3000): os.write(fd, b'%06d\\x1b[0m;' % i)`]);
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    let syncs = 0;
    while (writer.exitCode === null) {
      if (await terminal.sync(2000)) syncs++;
    }
    await exited;
    expect(await terminal.sync(2000)).toBe(true);
    const expected = Array.from({ length: 3000 }, (_, i) => `${String(i).padStart(6, '0')}\x1b[0m;`).join('');
    expect(received()).toBe(expected);
    expect(syncs).toBeGreaterThan(0);
  });

  it('says false while the terminal holds output back (Ctrl-S), and nothing of it leaks after', async () => {
    const { terminal, received } = open();
    // TCOOFF: the terminal stops sending output, as after Ctrl-S; writes to it wait.
    const stopper = spawn('python3', ['-c', `import os, termios, sys\nfd = os.open(${JSON.stringify(terminal.path)}, os.O_RDWR | os.O_NOCTTY)\nos.write(fd, b'before')\ntermios.tcflow(fd, termios.TCOOFF)\nprint('stopped', flush=True)\nsys.stdin.readline()\ntermios.tcflow(fd, termios.TCOON)\nos.write(fd, b' after')`]);
    await new Promise<void>((resolve) => stopper.stdout.on('data', (data: Buffer) => { if (data.toString().includes('stopped')) resolve(); }));
    expect(await terminal.sync(100)).toBe(false);
    stopper.stdin.end('\n');
    await new Promise((resolve) => stopper.on('exit', resolve));
    for (let waited = 0; !received().endsWith('after') && waited < 2000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    await terminal.sync(1000);
    expect(received()).toBe('before after');
  });
});
