// The GDB/MI grammar against real gdb 13 output captured in test/grammars/captured/, plus synthetic
// lines for what those sessions do not show. UPDATE_GOLDEN=1 recaptures the sessions with the local
// gdb (compiling captured/mi-sample.c) and regenerates grammars/mi/cst.ts.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCstDts } from '../../grammars/chevrotain.js';
import { describe, expect, it } from 'vitest';
import { parseMiLine, quoteMiString, type MiRecord, type MiTuple, type MiValue } from '../../grammars/mi/api.js';
import { MiParser } from '../../grammars/mi/parser.js';
import { decodeCString } from '../../grammars/mi/values.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const capturedDir = path.join(here, 'captured');
const samplePath = path.join(capturedDir, 'mi-sample.c');
const cstPath = path.join(here, '../../grammars/mi/cst.ts');
const updateGolden = process.env.UPDATE_GOLDEN === '1';

/** The gdb conversations captured from mi-sample.c; PROGRAM stands for the compiled sample. */
const sessions: Record<string, string[]> = {
  'run-to-exit': [
    '1-file-exec-and-symbols PROGRAM',
    '2-break-insert main',
    '3-break-insert innermost',
    '4-exec-run',
    '5-exec-next',
    '6-exec-next',
    '7-data-evaluate-expression greeting',
    '8-exec-continue',
    '9-stack-list-frames',
    '10-break-list',
    '11-data-evaluate-expression no_such_variable',
    'print greeting',
    '12-exec-continue',
    '13-gdb-exit',
  ],
  crash: [
    '1-file-exec-and-symbols PROGRAM',
    '2-exec-arguments crash',
    '3-exec-run',
    '4-stack-list-frames',
    '5-data-evaluate-expression *cell',
    '6-gdb-exit',
  ],
  threads: [
    '1-file-exec-and-symbols PROGRAM',
    '2-exec-arguments threads',
    '3-break-insert innermost',
    '4-exec-run',
    '5-thread-list-ids',
    '6-thread-info',
    '7-stack-list-frames',
    '8-exec-continue',
    '9-gdb-exit',
  ],
};

/** What mi-sample.c prints; gdb's stdout carries it unframed, so these lines must parse as null. */
const programOutput = new Set(['say "hi"\\\tcafé', ' total=46']);

function runGdb(commands: string[], cwd?: string): string {
  const run = spawnSync('gdb', ['--interpreter=mi3', '-nx', '-q'], {
    cwd,
    input: commands.map((command) => command + '\n').join(''),
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (run.error) throw run.error;
  return run.stdout;
}

function recapture(): void {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'fred-mi-'));
  try {
    const program = path.join(workDir, 'mi-sample');
    // Compiled from its own folder, as a Makefile would, so gdb reports file="mi-sample.c".
    const build = spawnSync('gcc', ['-g', '-O0', '-pthread', '-o', program, 'mi-sample.c'], { cwd: capturedDir, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`gcc failed: ${build.stderr}`);
    for (const [name, commands] of Object.entries(sessions)) {
      const output = runGdb(commands.map((command) => command.replace('PROGRAM', program)), workDir);
      writeFileSync(path.join(capturedDir, `${name}.mi`), output);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function capturedLines(name: string): string[] {
  const lines = readFileSync(path.join(capturedDir, `${name}.mi`), 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function capturedRecords(name: string): MiRecord[] {
  return capturedLines(name)
    .filter((line) => !programOutput.has(line))
    .map((line) => parseMiLine(line).value!);
}

function parse(line: string): MiRecord {
  const result = parseMiLine(line);
  expect(result.lexErrors).toEqual([]);
  expect(result.parseErrors).toEqual([]);
  expect(result.value).not.toBeNull();
  return result.value!;
}

function tupleOf(value: MiValue | undefined): MiTuple {
  expect(value).toBeTypeOf('object');
  expect(Array.isArray(value)).toBe(false);
  return value as MiTuple;
}

function listOf(value: MiValue | undefined): MiValue[] {
  expect(Array.isArray(value)).toBe(true);
  return value as MiValue[];
}

function resultsOf(record: MiRecord | undefined): MiTuple {
  expect(record).toBeDefined();
  expect(record).toHaveProperty('results');
  return (record as { results: MiTuple }).results;
}

/** The first result record answering the command with this token. */
function answer(records: MiRecord[], token: number): Extract<MiRecord, { kind: 'result' }> {
  const record = records.find((candidate) => candidate.kind === 'result' && candidate.token === token);
  expect(record, `answer to command ${token}`).toBeDefined();
  return record as Extract<MiRecord, { kind: 'result' }>;
}

function asyncRecords(records: MiRecord[], kind: string, asyncClass: string): MiTuple[] {
  return records
    .filter((record) => record.kind === kind && 'asyncClass' in record && record.asyncClass === asyncClass)
    .map(resultsOf);
}

function consoleTexts(records: MiRecord[]): string[] {
  return records.flatMap((record) => (record.kind === 'console' ? [record.text] : []));
}

const sampleSource = readFileSync(samplePath, 'utf8');

/** The 1-based line of mi-sample.c holding `text`, so assertions follow edits to the sample. */
function sampleLine(text: string): string {
  const index = sampleSource.split('\n').findIndex((line) => line.includes(text));
  expect(index, text).toBeGreaterThanOrEqual(0);
  return String(index + 1);
}

/** `greeting` as the C compiler sees it: the sample's string literal, decoded. */
const greeting = decodeCString(/greeting = ("(?:[^"\\]|\\.)*");/.exec(sampleSource)![1]);

// Before any describe body reads the captures.
if (updateGolden) recapture();

describe('captured gdb sessions', () => {
  for (const name of Object.keys(sessions)) {
    it(`parses every line of ${name}.mi except the program's own output`, () => {
      const lines = capturedLines(name);
      expect(lines.length).toBeGreaterThan(20);
      for (const line of lines) {
        const result = parseMiLine(line);
        if (programOutput.has(line)) {
          expect(result.value, line).toBeNull();
          expect(result.lexErrors.length + result.parseErrors.length, line).toBeGreaterThan(0);
        } else {
          expect(result.lexErrors, line).toEqual([]);
          expect(result.parseErrors, line).toEqual([]);
          expect(result.value, line).not.toBeNull();
        }
      }
    });
  }

  it('contains the program output lines it means to test as non-MI', () => {
    const lines = capturedLines('run-to-exit');
    for (const line of programOutput) expect(lines).toContain(line);
  });

  describe('run-to-exit', () => {
    const records = capturedRecords('run-to-exit');

    it('starts with the thread group and prompts', () => {
      expect(records[0]).toEqual({ kind: 'notify', asyncClass: 'thread-group-added', results: { id: 'i1' } });
      expect(records[1]).toEqual({ kind: 'prompt' });
      expect(answer(records, 1)).toEqual({ kind: 'result', token: 1, resultClass: 'done', results: {} });
      const [started] = asyncRecords(records, 'notify', 'thread-group-started');
      expect(started.id).toBe('i1');
      expect(started.pid).toMatch(/^[1-9][0-9]*$/);
    });

    it('reads a breakpoint-insert answer', () => {
      const bkpt = tupleOf(answer(records, 2).results.bkpt);
      expect(bkpt).toMatchObject({
        number: '1', type: 'breakpoint', disp: 'keep', enabled: 'y', func: 'main', file: 'mi-sample.c',
        line: sampleLine('int value = 40;'), 'thread-groups': ['i1'], times: '0', 'original-location': 'main',
      });
      expect(bkpt.addr).toMatch(/^0x[0-9a-f]+$/);
      expect(bkpt.fullname).toMatch(/\/mi-sample\.c$/);
    });

    it('reads *stopped at a breakpoint with its frame', () => {
      const stops = asyncRecords(records, 'exec', 'stopped');
      expect(stops.map((stop) => stop.reason)).toEqual([
        'breakpoint-hit', 'end-stepping-range', 'end-stepping-range', 'breakpoint-hit', 'exited',
      ]);
      const [atMain, , , atInnermost] = stops;
      expect(atMain).toMatchObject({ disp: 'keep', bkptno: '1', 'thread-id': '1', 'stopped-threads': 'all' });
      const frame = tupleOf(atMain.frame);
      expect(frame).toMatchObject({ func: 'main', file: 'mi-sample.c', line: sampleLine('int value = 40;') });
      const args = listOf(frame.args).map(tupleOf);
      expect(args.map((arg) => arg.name)).toEqual(['argc', 'argv']);
      expect(args[0].value).toBe('1');
      expect(args[1].value).toMatch(/^0x[0-9a-f]+$/);
      expect(tupleOf(atInnermost.frame)).toMatchObject({
        func: 'innermost', line: sampleLine('return *cell + n;'),
        args: [{ name: 'n', value: '4' }, { name: 'cell', value: expect.stringMatching(/^0x[0-9a-f]+$/) }],
      });
    });

    it('decodes an evaluated string with quotes, backslash, tab, newline and "é"', () => {
      const value = answer(records, 7).results.value;
      // gdb prints the C string with C escapes of its own; MI escapes that again, and sends é as \303\251.
      expect(value).toMatch(/^0x[0-9a-f]+ "say \\"hi\\"\\\\\\tcafé\\n"$/);
      const printed = /^0x[0-9a-f]+ (".*")$/.exec(value as string)![1];
      expect(decodeCString(printed)).toBe(greeting);
      expect(greeting).toBe('say "hi"\\\tcafé\n');
    });

    it('turns stack=[frame={...},...] into an array of frame tuples', () => {
      const stack = listOf(answer(records, 9).results.stack).map(tupleOf);
      expect(stack.map((frame) => frame.func)).toEqual(['innermost', 'middle', 'outer', 'main']);
      expect(stack.map((frame) => frame.level)).toEqual(['0', '1', '2', '3']);
      expect(stack[1].line).toBe(sampleLine('return innermost(n * 2, cell) + 1;'));
      for (const frame of stack) expect(frame).toMatchObject({ file: 'mi-sample.c', arch: 'i386:x86-64' });
    });

    it('reads the breakpoint table', () => {
      const table = tupleOf(answer(records, 10).results.BreakpointTable);
      expect(table.nr_rows).toBe('2');
      expect(table.nr_cols).toBe('6');
      const header = listOf(table.hdr).map(tupleOf);
      expect(header.map((column) => column.col_name)).toEqual(['number', 'type', 'disp', 'enabled', 'addr', 'what']);
      expect(header[0]).toEqual({ width: '7', alignment: '-1', col_name: 'number', colhdr: 'Num' });
      const body = listOf(table.body).map(tupleOf);
      expect(body.map((bkpt) => [bkpt.number, bkpt.func, bkpt.times])).toEqual([['1', 'main', '1'], ['2', 'innermost', '1']]);
      expect(body[1].line).toBe(sampleLine('return *cell + n;'));
    });

    it('reads ^error with its token and decoded message', () => {
      expect(answer(records, 11)).toEqual({
        kind: 'result', token: 11, resultClass: 'error',
        results: { msg: 'No symbol "no_such_variable" in current context.' },
      });
    });

    it('reads a CLI command: log echo, console text, ^done without a token', () => {
      const echo = records.findIndex((record) => record.kind === 'log' && record.text === 'print greeting\n');
      expect(echo).toBeGreaterThan(0);
      const printed = records[echo + 1];
      expect(printed.kind).toBe('console');
      expect((printed as { text: string }).text).toMatch(/^\$1 = 0x[0-9a-f]+ "say \\"hi\\"\\\\\\tcafé\\n"\n$/);
      expect(records[echo + 2]).toEqual({ kind: 'result', resultClass: 'done', results: {} });
      expect(records[echo + 2]).not.toHaveProperty('token');
    });

    it('reads the exit with code 3 and the final ^exit', () => {
      expect(records).toContainEqual({ kind: 'exec', asyncClass: 'stopped', results: { reason: 'exited', 'exit-code': '03' } });
      expect(asyncRecords(records, 'notify', 'thread-group-exited')).toEqual([{ id: 'i1', 'exit-code': '03' }]);
      expect(consoleTexts(records)).toContainEqual(expect.stringMatching(/^\[Inferior 1 \(process \d+\) exited with code 03\]\n$/));
      expect(answer(records, 13).resultClass).toBe('exit');
    });

    it('decodes console text with \\t, \\n and quotes', () => {
      const texts = consoleTexts(records);
      expect(texts).toContain(`${sampleLine('return *cell + n;')}\t  return *cell + n;\n`);
      expect(texts).toContainEqual(expect.stringMatching(/^Using host libthread_db library ".*libthread_db\.so\.1"\.\n$/));
    });
  });

  describe('crash', () => {
    const records = capturedRecords('crash');

    it('reads *stopped by SIGSEGV in the innermost frame', () => {
      const [stop] = asyncRecords(records, 'exec', 'stopped');
      expect(stop).toMatchObject({
        reason: 'signal-received', 'signal-name': 'SIGSEGV', 'signal-meaning': 'Segmentation fault', 'thread-id': '1',
      });
      expect(tupleOf(stop.frame)).toMatchObject({
        func: 'innermost', file: 'mi-sample.c', line: sampleLine('return *cell + n;'),
        args: [{ name: 'n', value: '4' }, { name: 'cell', value: '0x0' }],
      });
      expect(consoleTexts(records).join('')).toContain('\nProgram received signal SIGSEGV, Segmentation fault.\n');
    });

    it('lists a stack at least three calls deep below main', () => {
      const stack = listOf(answer(records, 4).results.stack).map(tupleOf);
      expect(stack.map((frame) => frame.func)).toEqual(['innermost', 'middle', 'outer', 'main']);
    });

    it('reads the memory error', () => {
      expect(answer(records, 5)).toEqual({
        kind: 'result', token: 5, resultClass: 'error', results: { msg: 'Cannot access memory at address 0x0' },
      });
    });
  });

  describe('threads', () => {
    const records = capturedRecords('threads');

    it('collects a name gdb repeats in one tuple into an array', () => {
      expect(answer(records, 5).results).toEqual({
        'thread-ids': { 'thread-id': ['1', '2'] }, 'current-thread-id': '2', 'number-of-threads': '2',
      });
    });

    it('reads the thread list and a stop in the second thread', () => {
      const threads = listOf(answer(records, 6).results.threads).map(tupleOf);
      expect(threads.map((thread) => [thread.id, thread.state])).toEqual([['1', 'stopped'], ['2', 'stopped']]);
      expect(tupleOf(threads[1].frame).func).toBe('innermost');
      expect(asyncRecords(records, 'exec', 'running')).toContainEqual({ 'thread-id': '2' });
      expect(asyncRecords(records, 'exec', 'stopped')[0]).toMatchObject({ reason: 'breakpoint-hit', 'thread-id': '2' });
      const stack = listOf(answer(records, 7).results.stack).map(tupleOf);
      expect(stack.slice(0, 4).map((frame) => frame.func)).toEqual(['innermost', 'middle', 'outer', 'worker']);
    });
  });
});

describe('parseMiLine', () => {
  it('reads each record kind', () => {
    expect(parse('(gdb) ')).toEqual({ kind: 'prompt' });
    expect(parse('(gdb)')).toEqual({ kind: 'prompt' });
    expect(parse('^connected')).toEqual({ kind: 'result', resultClass: 'connected', results: {} });
    expect(parse('42*stopped,reason="end-stepping-range"')).toEqual({
      kind: 'exec', token: 42, asyncClass: 'stopped', results: { reason: 'end-stepping-range' },
    });
    expect(parse('+download,section=".text",section-size="1000"')).toEqual({
      kind: 'status', asyncClass: 'download', results: { section: '.text', 'section-size': '1000' },
    });
    expect(parse('7=breakpoint-deleted,id="3"')).toEqual({
      kind: 'notify', token: 7, asyncClass: 'breakpoint-deleted', results: { id: '3' },
    });
    expect(parse('~"console\\n"')).toEqual({ kind: 'console', text: 'console\n' });
    expect(parse('@"target\\n"')).toEqual({ kind: 'target', text: 'target\n' });
    expect(parse('&"log\\n"')).toEqual({ kind: 'log', text: 'log\n' });
    expect(parse('0^done')).toEqual({ kind: 'result', token: 0, resultClass: 'done', results: {} });
  });

  it('ignores a trailing carriage return', () => {
    expect(parse('(gdb) \r')).toEqual({ kind: 'prompt' });
    expect(parse('3^done,value="1"\r')).toEqual({ kind: 'result', token: 3, resultClass: 'done', results: { value: '1' } });
    expect(parse('~"a\\r"\r')).toEqual({ kind: 'console', text: 'a\r' });
  });

  it('reads empty, nested and mixed values', () => {
    expect(parse('^done,a={},b=[],c=[[],["x"],{}],d={e={f=["g",{h="i"}]}}').kind).toBe('result');
    expect(resultsOf(parse('^done,a={},b=[],c=[[],["x"],{}],d={e={f=["g",{h="i"}]}}'))).toEqual({
      a: {}, b: [], c: [[], ['x'], {}], d: { e: { f: ['g', { h: 'i' }] } },
    });
    expect(resultsOf(parse('^done,list=[a="1",b={},c=[]]'))).toEqual({ list: ['1', {}, []] });
    expect(resultsOf(parse('^done,s=""'))).toEqual({ s: '' });
  });

  it('accepts names with letters, digits, - and _', () => {
    expect(resultsOf(parse('^done,nr_rows="1",thread-group-id="i1",x86_64-reg2="a",9="nine",_="u"'))).toEqual({
      nr_rows: '1', 'thread-group-id': 'i1', 'x86_64-reg2': 'a', 9: 'nine', _: 'u',
    });
    expect(parse('12^done,12ab="x"')).toEqual({ kind: 'result', token: 12, resultClass: 'done', results: { '12ab': 'x' } });
  });

  it('collects repeated names, including at the top level and when the values are lists', () => {
    expect(resultsOf(parse('^done,t={x="1",y="a",x="2",x="3"}'))).toEqual({ t: { x: ['1', '2', '3'], y: 'a' } });
    expect(resultsOf(parse('=foo,a="1",a="2"'))).toEqual({ a: ['1', '2'] });
    expect(resultsOf(parse('^done,l=["a"],l=["b"],l=["c"]'))).toEqual({ l: [['a'], ['b'], ['c']] });
  });

  it('keeps names that are Object.prototype members as plain fields', () => {
    const results = resultsOf(parse('^done,__proto__="p",constructor="c",toString={}'));
    expect(Object.keys(results)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getPrototypeOf(results)).toBe(Object.prototype);
    expect(results.__proto__).toBe('p');
    expect(resultsOf(parse('^done,constructor="1",constructor="2"')).constructor).toEqual(['1', '2']);
  });

  it('decodes every C escape, and octal and hex escapes as UTF-8 bytes', () => {
    expect(parse(String.raw`~"\n\t\"\\\r\e\a\b\f\v\'\?"`)).toEqual({ kind: 'console', text: '\n\t"\\\r\x1b\x07\b\f\v\'?' });
    expect(parse(String.raw`~"caf\303\251 \342\202\254 \360\237\230\200"`)).toEqual({ kind: 'console', text: 'café € 😀' });
    expect(parse(String.raw`~"\x41\x4a\x4B\xc3\xa9|\xz"`)).toEqual({ kind: 'console', text: 'AJKé|xz' });
    expect(parse(String.raw`~"\101\60\0end\1010"`)).toEqual({ kind: 'console', text: 'A0\0endA0' });
    expect(parse(String.raw`~"x\303y"`)).toEqual({ kind: 'console', text: 'x\uFFFDy' });
    expect(parse(String.raw`~"\q"`)).toEqual({ kind: 'console', text: 'q' });
    expect(parse('~"raw é and 😀"')).toEqual({ kind: 'console', text: 'raw é and 😀' });
  });

  it('returns null with errors, never throwing, for lines that are not MI records', () => {
    const notMi = [
      '', ' ', 'hello world', ' total=46', 'say "hi"', '^done,', '^done,a=', '^done,a', '^done junk', '^done,a="1"x',
      '~"unterminated', '~"a"b', '~abc', '(gdb) x', '(gdb)  ', '12', '^', '{}', '-exec-run', '12~"x"', '^done,a={b}',
      '^done,a=["x",]', '^done,a={,}', '=', '*stopped,reason="x" ', '\r', '"just a string"', '^done,a="\\"',
    ];
    for (const line of notMi) {
      const result = parseMiLine(line);
      expect(result.value, JSON.stringify(line)).toBeNull();
      expect(result.lexErrors.length + result.parseErrors.length, JSON.stringify(line)).toBeGreaterThan(0);
    }
  });

  it('never throws on any prefix or mangling of real lines, and errors go with null', () => {
    const lines = Object.keys(sessions).flatMap(capturedLines).slice(0, 80);
    for (const line of lines) {
      for (let end = 0; end <= line.length; end += 3) {
        for (const variant of [line.slice(0, end), line.slice(end), line.slice(0, end) + ',' + line.slice(end)]) {
          const result = parseMiLine(variant);
          const failed = result.lexErrors.length + result.parseErrors.length > 0;
          expect(result.value === null, JSON.stringify(variant)).toBe(failed);
        }
      }
    }
  });

  it('keeps the errors of one line after parsing the next with the same parser', () => {
    const bad = parseMiLine('^done,');
    parse('^done');
    expect(bad.parseErrors.length).toBeGreaterThan(0);
  });

  it('parses thousands of lines per second', () => {
    const lines = Object.keys(sessions).flatMap(capturedLines);
    const started = performance.now();
    let parsed = 0;
    while (parsed < 20_000) {
      for (const line of lines) parseMiLine(line);
      parsed += lines.length;
    }
    const perSecond = parsed / ((performance.now() - started) / 1000);
    expect(perSecond).toBeGreaterThan(5_000);
  });
});

describe('quoteMiString', () => {
  const tricky = [
    '', 'plain', 'say "hi"', 'back\\slash', 'ends with \\', '\\"', '"', 'line\nbreak', 'cr\r\nlf', 'tab\there',
    '\0nul', '\x01\x07\x1b\x1f\x7f', 'café', '€ and 😀', '\u0085\u00a0\u2028', 'all: "\\\n\r\t\x00é😀"', '\\303\\251',
  ];

  it('round-trips through parseMiLine', () => {
    for (const text of tricky) {
      expect(parse('~' + quoteMiString(text)), JSON.stringify(text)).toEqual({ kind: 'console', text });
      expect(parse(`5^done,value=${quoteMiString(text)}`)).toEqual({
        kind: 'result', token: 5, resultClass: 'done', results: { value: text },
      });
    }
  });

  it('produces one line of printable ASCII', () => {
    for (const text of tricky) expect(quoteMiString(text)).toMatch(/^"[\x20-\x7e]*"$/);
    expect(quoteMiString('a"b\\c\nd\re\tf\x01g\x7fé')).toBe(String.raw`"a\"b\\c\nd\re\tf\001g\177\303\251"`);
  });

  it('sends a lone surrogate, which has no UTF-8 form, as U+FFFD', () => {
    expect(parse('~' + quoteMiString('a\ud800b'))).toEqual({ kind: 'console', text: 'a\uFFFDb' });
  });

  it('makes a string with newlines one command for a real gdb', () => {
    const output = runGdb([
      `1-data-evaluate-expression ${quoteMiString('1 +\n 2')}`,
      `2-data-evaluate-expression ${quoteMiString('sizeof("é\t\\"")')}`,
      `3-data-evaluate-expression ${quoteMiString('"a\nb"')}`,
      // Control: the same expression unquoted is cut in two at the newline.
      '4-data-evaluate-expression 1 +\n 2',
      '5-gdb-exit',
    ]);
    const answers = output.split('\n').map((line) => parseMiLine(line).value).filter((record) => record?.kind === 'result');
    expect(answers.slice(0, 3)).toEqual([
      { kind: 'result', token: 1, resultClass: 'done', results: { value: '3' } },
      // é is two bytes, then tab, quote and the terminating NUL.
      { kind: 'result', token: 2, resultClass: 'done', results: { value: '5' } },
      { kind: 'result', token: 3, resultClass: 'error', results: { msg: 'Newline characters may not appear in string constants.' } },
    ]);
    expect(answers.slice(3).map((record) => 'token' in record! && record.token)).toEqual([4, 2, 5]);
  });
});

describe('grammars/mi/cst.ts', () => {
  it('matches the CST types generated from the parser', () => {
    const header = readFileSync(cstPath, 'utf8').split('\n\n')[0] + '\n\n';
    const expected = header + generateCstDts(new MiParser().getGAstProductions());
    if (updateGolden) writeFileSync(cstPath, expected);
    expect(readFileSync(cstPath, 'utf8'), 'cst.ts is stale: rerun this test with UPDATE_GOLDEN=1').toBe(expected);
  });
});
