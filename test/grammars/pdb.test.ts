// The pdb dialogue grammar against real python3 3.11 `-m pdb` and fred_pdb sessions captured in
// test/grammars/captured/*.pdb, plus synthetic lines for what those sessions do not show.
// UPDATE_GOLDEN=1 recaptures the sessions with the local python3, through a raw-mode pty as fred
// runs pdb (no echo: each reply follows the previous prompt on the same line).

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePdbLine, parsePdbOutput, type PdbLine } from '../../grammars/pdb/api.js';
import { DebuggerProcess } from '../../src/pty/debugger-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '../..');
const capturedDir = path.join(here, 'captured');
const fixtures = path.join(root, 'fixtures/py');
const fredPdb = path.join(root, 'src/personalities/pdb/fred_pdb.py');
const updateGolden = process.env.UPDATE_GOLDEN === '1';

/** A program whose own name, and a return value, look like parts of a pdb stack entry. */
const trickyDir = path.join(os.tmpdir(), 'fred capture (2)');
const trickyProgram = path.join(trickyDir, 'we(i)rd (7)name.py');
const trickySource = `import sys


def tricky(text):
    return "(3)f()-> " + text  # @tricky-return


label = tricky("*** not an error")
print(label)
values = [lambda: 1]
print(values[0]())
sys.exit(3)
`;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

interface CapturedSession {
  fred: boolean;
  program: string;
  commands: string[];
}

const sessions: Record<string, CapturedSession> = {
  'plain-linked-list': {
    fred: false,
    program: path.join(fixtures, 'linked_list.py'),
    commands: [
      'step', 'next', 'break 41, i == 5', 'break list_len', 'continue', 'p i, list_len(head)', 'where', 'break',
      'step', 'step', 'return', 'clear 2', 'p undefined_name', 'next;;next', 'nosuchcommand', 'tbreak 42',
      'continue', 'continue', 'continue', 'quit',
    ],
  },
  'plain-crash': {
    fred: false,
    program: path.join(fixtures, 'crash.py'),
    commands: ['continue', 'where', 'p values', 'up', 'p name', 'step', 'next', 'restart', 'continue', 'continue', 'quit'],
  },
  'plain-recursion': {
    fred: false,
    program: path.join(fixtures, 'recursion.py'),
    commands: ['break 13', 'continue', 'where', 'return', 'p __return__', 'up', 'p n', 'down', 'step', 'return', 'continue', 'continue', 'quit'],
  },
  'plain-tricky-names': {
    fred: false,
    program: trickyProgram,
    commands: [
      'break tricky', 'continue', 'return', 'p label', 'next', 'next', 'next', 'next', 'step', 'step', 'step',
      'continue', 'commands 1', 'silent', 'end', 'p "(Pdb) "', 'quit',
    ],
  },
  'fred-linked-list': {
    fred: true,
    program: path.join(fixtures, 'linked_list.py'),
    commands: [
      `fred_eval ${b64('list_len(head) == i + 1')}`,
      `fred_break ${b64('{"spec": "41", "condition": "i == 17"}')}`,
      'fred_breakpoints',
      'fred_builtin continue',
      `fred_eval ${b64('list_len(head) == i + 1')}`,
      `fred_eval ${b64('1;; p 2')}`,
      'alias next continue',
      'fred_builtin next',
      'fred_backtrace',
      'step',
      'fred_backtrace',
      '!import sys; _ = sys.stdout.write("no newline")',
      `fred_eval ${b64('"é\\n(Pdb) "')}`,
      `fred_eval ${b64('1\n2')}`,
      'fred_run',
      'clear 1',
      'continue',
      'fred_state',
      'quit',
    ],
  },
  'fred-crash': {
    fred: true,
    program: path.join(fixtures, 'crash.py'),
    commands: ['continue', 'fred_backtrace', `fred_eval ${b64('values')}`, 'up', 'fred_state', 'fred_run', 'step', 'quit'],
  },
};

/** Runs one session on a raw-mode pty; a reply is complete when output ends at a prompt and pauses. */
async function capture(session: CapturedSession): Promise<string> {
  const args = session.fred
    ? ['-u', fredPdb, '--program-tty', '/dev/null', '--', session.program]
    : ['-m', 'pdb', session.program];
  // cwd without a .pdbrc, so that plain pdb reads none.
  const pdb = new DebuggerProcess({ file: 'python3', args, cwd: os.tmpdir() });
  let transcript = '';
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  pdb.onData((text) => {
    transcript += text;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if ((transcript.endsWith('(Pdb) ') || transcript.endsWith('(com) ')) && sent < session.commands.length) {
        pdb.write(`${session.commands[sent++]}\n`);
      }
    }, 150);
  });
  const giveUp = setTimeout(() => void pdb.kill(), 30_000);
  await pdb.waitForExit();
  clearTimeout(giveUp);
  clearTimeout(timer);
  if (sent !== session.commands.length) throw new Error(`capture stopped after ${sent} commands`);
  return transcript;
}

function captured(name: string): string {
  return readFileSync(path.join(capturedDir, `${name}.pdb`), 'utf8');
}

function lines(name: string): PdbLine[] {
  const result = parsePdbOutput(captured(name));
  expect(result.lexErrors).toEqual([]);
  expect(result.parseErrors).toEqual([]);
  return result.value;
}

function only<K extends PdbLine['kind']>(all: PdbLine[], kind: K): Extract<PdbLine, { kind: K }>[] {
  return all.filter((line): line is Extract<PdbLine, { kind: K }> => line.kind === kind);
}

function line(text: string): PdbLine {
  const result = parsePdbLine(text);
  expect(result.lexErrors).toEqual([]);
  expect(result.parseErrors).toEqual([]);
  return result.value!;
}

beforeAll(async () => {
  if (!updateGolden) return;
  mkdirSync(trickyDir, { recursive: true });
  writeFileSync(trickyProgram, trickySource);
  try {
    for (const [name, session] of Object.entries(sessions)) {
      writeFileSync(path.join(capturedDir, `${name}.pdb`), await capture(session));
    }
  } finally {
    rmSync(trickyDir, { recursive: true, force: true });
  }
}, 300_000);

describe('captured pdb sessions', () => {
  it('parse every line, and prompt + text give back the transcript', () => {
    for (const name of Object.keys(sessions)) {
      const text = captured(name);
      const parsed = lines(name);
      expect(parsed.map((parsedLine) => parsedLine.prompt + parsedLine.text).join('\n')).toBe(text.replace(/\n$/, ''));
    }
  });

  it('reads stack entries: current and other frames, <string>, return values', () => {
    const all = lines('plain-linked-list');
    expect(all[0]).toMatchObject({ kind: 'frame', current: true, line: 10, function: '<module>', prompt: '' });
    expect(all[0]!.kind === 'frame' && all[0]!.file.endsWith('/fixtures/py/linked_list.py')).toBe(true);
    expect(all[1]).toMatchObject({ kind: 'source', source: 'class Node:' });
    expect(all[2]).toMatchObject({ kind: 'call', prompt: '(Pdb) ' });

    const frames = only(all, 'frame');
    const others = frames.filter((frame) => !frame.current);
    expect(others.map((frame) => [frame.function, path.basename(frame.file)])).toEqual([
      ['run', 'bdb.py'],
      ['<module>', '<string>'],
    ]);
    const returning = frames.find((frame) => frame.returnValue !== undefined);
    expect(returning).toMatchObject({ function: 'append', line: 28 });
    expect(returning?.returnValue).toMatch(/^<__main__\.Nod\.\.\.x[0-9a-f]+>$/);
    expect(only(all, 'return')).toHaveLength(1);

    const recursion = only(lines('plain-recursion'), 'frame').filter((frame) => frame.returnValue !== undefined);
    expect(recursion.map((frame) => [frame.line, frame.returnValue])).toEqual([[13, '3'], [13, '3'], [15, '12']]);
  });

  it('reads breakpoints set, listed and deleted, and error lines', () => {
    const all = lines('plain-linked-list');
    const set = only(all, 'breakpoint-set');
    expect(set.map((breakpoint) => [breakpoint.id, breakpoint.line])).toEqual([[1, 41], [2, 31], [3, 42]]);
    expect(set.every((breakpoint) => breakpoint.file.endsWith('/fixtures/py/linked_list.py'))).toBe(true);
    // A temporary breakpoint is deleted when hit; `clear 2` deletes the other.
    expect(only(all, 'breakpoint-deleted').map((breakpoint) => breakpoint.id)).toEqual([2, 3]);
    expect(only(all, 'error').map((error) => error.message)).toEqual([
      "NameError: name 'undefined_name' is not defined",
      "NameError: name 'nosuchcommand' is not defined",
    ]);
    // The `break` table is text, not breakpoints being set.
    expect(all.find((parsed) => parsed.text.startsWith('1   breakpoint'))?.kind).toBe('text');
    // Program output shares the pty with plain pdb and follows the prompt.
    expect(all.find((parsed) => parsed.text === 'length: 3')).toMatchObject({ kind: 'text', prompt: '(Pdb) ' });
    expect(only(all, 'program-finished')).toHaveLength(1);
  });

  it('reads an uncaught exception, post mortem and restart', () => {
    const all = lines('plain-crash');
    expect(only(all, 'uncaught-exception')).toHaveLength(2);
    expect(only(all, 'post-mortem-hint')).toHaveLength(2);
    const finished = only(all, 'post-mortem-finished');
    expect(finished).toHaveLength(2);
    expect(finished[0]!.program.endsWith('/fixtures/py/crash.py')).toBe(true);
    const restarting = only(all, 'restarting');
    expect(restarting).toHaveLength(1);
    expect(restarting[0]!.program.endsWith('/fixtures/py/crash.py')).toBe(true);
    // The traceback is text, and its last line is the exception.
    const reason = all.findIndex((parsed) => parsed.kind === 'uncaught-exception') - 1;
    expect(all[reason]).toMatchObject({ kind: 'text', text: 'ZeroDivisionError: division by zero' });
    const postMortemFrames = only(all, 'frame').filter((frame) => frame.function === 'average');
    expect(postMortemFrames.length).toBeGreaterThan(0);
  });

  it('keeps file names and values that look like pdb syntax apart', () => {
    const all = lines('plain-tricky-names');
    const frames = only(all, 'frame');
    const inProgram = frames.filter((frame) => frame.file !== '<string>');
    expect(inProgram.every((frame) => frame.file.endsWith('/fred capture (2)/we(i)rd (7)name.py'))).toBe(true);
    expect(frames.find((frame) => frame.function === 'tricky' && frame.returnValue !== undefined)?.returnValue)
      .toBe("'(3)f()-> *** not an error'");
    expect(frames.find((frame) => frame.file === '<string>')).toMatchObject({ line: 1, function: '<module>', returnValue: 'None' });
    expect(all.find((parsed) => parsed.text === '(3)f()-> *** not an error')?.kind).toBe('text');
    expect(only(all, 'breakpoint-set')[0]!.file).toBe(frames[0]!.file);
    expect(only(all, 'program-exited')).toMatchObject([{ status: '3' }]);
    // `commands 1` prompts with "(com) " for `silent` and `end`; then p prints a string that is a prompt.
    expect(all.find((parsed) => parsed.prompt === '(Pdb) (com) (com) (Pdb) ')).toMatchObject({ kind: 'text', text: "'(Pdb) '" });
    expect(all[all.length - 1]).toMatchObject({ kind: 'prompt', prompt: '(Pdb) ', text: '' });
  });

  it('reads fred_pdb replies: one @fred status line before every prompt', () => {
    for (const name of ['fred-linked-list', 'fred-crash']) {
      const all = lines(name);
      all.forEach((parsed, index) => {
        if (index > 0 && parsed.prompt !== '') {
          const previous = all[index - 1]!;
          expect(previous.kind).toBe('fred');
          expect(previous.kind === 'fred' && JSON.parse(previous.json)).toHaveProperty('status');
        }
      });
    }
    const replies = only(lines('fred-linked-list'), 'fred').map((fred) => JSON.parse(fred.json) as Record<string, unknown>);
    const values = replies.filter((reply) => !('status' in reply));
    expect(values).toEqual([
      { error: "NameError: name 'list_len' is not defined" },
      { breakpoints: [expect.objectContaining({ id: 1, spec: '41', line: 41, condition: 'i == 17', hits: 0 })] },
      { value: 'False' },
      { error: 'SyntaxError: invalid syntax' },
      { frames: [expect.objectContaining({ line: 40, function: '<module>', level: 0 })] },
      { frames: [expect.objectContaining({ line: 41, function: '<module>', level: 0 })] },
      { value: "'é\\n(Pdb) '" },
      { error: 'bad fred_eval payload: ValueError: payload must be a single line' },
    ]);
    const statuses = replies.flatMap((reply) => ('status' in reply ? [reply['status']] : []));
    expect(statuses[statuses.length - 1]).toEqual({ state: 'exited', code: 0, location: null });
  });

  it('reads fred_pdb in post mortem: crashed state and program-only frames', () => {
    const replies = only(lines('fred-crash'), 'fred').map((fred) => JSON.parse(fred.json) as Record<string, unknown>);
    expect(replies[1]).toEqual({
      status: {
        state: 'crashed',
        reason: 'ZeroDivisionError: division by zero',
        location: expect.objectContaining({ line: 8, function: 'average', depth: 4 }),
        // `continue` let the program run (CommandOutcome.resumed).
        resumed: true,
      },
    });
    const frames = replies.find((reply) => 'frames' in reply)?.['frames'] as { function: string }[];
    expect(frames.map((frame) => frame.function)).toEqual(['average', 'report', 'main', '<module>']);
  });
});

describe('synthetic lines', () => {
  it('needs the whole line for fixed messages', () => {
    expect(line('--Call--').kind).toBe('call');
    expect(line('--Call-- and more').kind).toBe('text');
    expect(line('The program finished and will be restarted!').kind).toBe('text');
  });

  it('takes a breakpoint file up to the last colon', () => {
    expect(line('Breakpoint 12 at /tmp/a:b/c.py:7')).toMatchObject({ kind: 'breakpoint-set', id: 12, file: '/tmp/a:b/c.py', line: 7 });
    expect(line('Breakpoint 12 at 3.py:7')).toMatchObject({ kind: 'breakpoint-set', file: '3.py', line: 7 });
    expect(line('Breakpoint 12 at /tmp/c.py').kind).toBe('text');
  });

  it('reads identifiers beyond ASCII and comprehension frames', () => {
    expect(line('> /tmp/x.py(3)größe()')).toMatchObject({ kind: 'frame', function: 'größe', line: 3 });
    expect(line('  /tmp/x.py(4)<listcomp>()')).toMatchObject({ kind: 'frame', current: false, function: '<listcomp>' });
    expect(line('> not a frame').kind).toBe('text');
    expect(line('  8  ->\tclass Node:').kind).toBe('text');
  });

  it('keeps an empty error, source line and @fred line apart from text', () => {
    expect(line('*** ')).toMatchObject({ kind: 'error', message: '' });
    expect(line('***no space')).toMatchObject({ kind: 'text' });
    expect(line('@fred {"value": "1"}')).toMatchObject({ kind: 'fred', json: '{"value": "1"}' });
    expect(line('')).toMatchObject({ kind: 'text', text: '', prompt: '' });
  });
});
