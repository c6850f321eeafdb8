// The command-line grammar: names, verbatim argument text, word splitting, comments, refusal of
// multi-line input, and command-file splitting.

import { describe, expect, it } from 'vitest';
import { commandFileLines, parseCommandLine, type ParsedCommand } from '../../grammars/command/api.js';

function parsed(line: string): ParsedCommand {
  const result = parseCommandLine(line);
  expect(result.lexErrors).toEqual([]);
  expect(result.parseErrors).toEqual([]);
  expect(result.value).not.toBeNull();
  return result.value!;
}

function errorMessages(line: string): string[] {
  const result = parseCommandLine(line);
  return result.parseErrors.map((error) => error.message);
}

describe('command names', () => {
  it.each([
    ['reverse-step', 'reverse-step'],
    ['fred-reverse-watch x', 'fred-reverse-watch'],
    ['rw total', 'rw'],
    ['info breakpoints', 'info'],
    ['p x', 'p'],
    ['step_2 a', 'step_2'],
    ['c', 'c'],
  ])('%j is named %j', (line, name) => {
    expect(parsed(line).name).toBe(name);
  });

  it('skips leading blanks and tabs', () => {
    expect(parsed(' \t  next 3')).toEqual({ name: 'next', argumentText: '3', words: ['3'] });
  });

  it('lets arguments follow a name directly, as gdb does for p/x and x/4xw', () => {
    expect(parsed('p/x var')).toEqual({ name: 'p', argumentText: '/x var', words: ['/x', 'var'] });
    expect(parsed('x/4xw $sp')).toEqual({ name: 'x', argumentText: '/4xw $sp', words: ['/4xw', '$sp'] });
    expect(parsed('p(x)')).toEqual({ name: 'p', argumentText: '(x)', words: ['(x)'] });
  });

  it('names a line that does not start with a letter by its whole first word', () => {
    expect(parsed('-exec-run')).toEqual({ name: '-exec-run', argumentText: '', words: [] });
    expect(parsed('1-gdb-exit')).toEqual({ name: '1-gdb-exit', argumentText: '', words: [] });
    expect(parsed('*foo bar')).toEqual({ name: '*foo', argumentText: 'bar', words: ['bar'] });
    expect(parsed('-break-insert main')).toEqual({ name: '-break-insert', argumentText: 'main', words: ['main'] });
    expect(parsed('$x!y#z arg')).toMatchObject({ name: '$x!y#z', argumentText: 'arg' });
    expect(parsed('"odd name" x')).toMatchObject({ name: '"odd name"', argumentText: 'x' });
  });

  it('names a unicode-led line by its first word and keeps unicode arguments intact', () => {
    expect(parsed('été 1')).toEqual({ name: 'été', argumentText: '1', words: ['1'] });
    expect(parsed('p "héllo wörld" 🐍')).toEqual({
      name: 'p',
      argumentText: '"héllo wörld" 🐍',
      words: ['héllo wörld', '🐍'],
    });
    expect(parsed('pé')).toEqual({ name: 'p', argumentText: 'é', words: ['é'] });
  });
});

describe('pdb ! statements', () => {
  it('names the statement "!" with the statement as argument text', () => {
    expect(parsed('!x = 5')).toEqual({ name: '!', argumentText: 'x = 5', words: ['x', '=', '5'] });
    expect(parsed('  ! x = 5  ')).toMatchObject({ name: '!', argumentText: 'x = 5' });
    expect(parsed('!!x')).toMatchObject({ name: '!', argumentText: '!x' });
    expect(parsed('!print("#", x)')).toMatchObject({ name: '!', argumentText: 'print("#", x)' });
  });

  it('accepts a bare "!"', () => {
    expect(parsed('!')).toEqual({ name: '!', argumentText: '', words: [] });
  });
});

describe('argument text is the exact source slice', () => {
  it.each([
    ['p list_len(head) < 17', 'list_len(head) < 17'],
    ['p x == "a \\" b"', 'x == "a \\" b"'],
    ['p min(stock.values()) >= 0', 'min(stock.values()) >= 0'],
    ['p *p->next', '*p->next'],
    ["p a[i] != b'x'", "a[i] != b'x'"],
    ['p a  \t  +   b', 'a  \t  +   b'],
    ["p it's", "it's"],
    ['p "unterminated', '"unterminated'],
    ['p x # not a comment', 'x # not a comment'],
    ['p "#" + \'#\'#x', '"#" + \'#\'#x'],
    ['break foo.c:12 if s[0] == \'\\\\\'', 'foo.c:12 if s[0] == \'\\\\\''],
  ])('%j has argument text %j', (line, argumentText) => {
    expect(parsed(line).argumentText).toBe(argumentText);
  });

  it('trims trailing blanks but keeps inner ones', () => {
    expect(parsed('p a +  b \t \f ').argumentText).toBe('a +  b');
    expect(parsed('step   ')).toEqual({ name: 'step', argumentText: '', words: [] });
  });

  it('keeps a non-breaking space, which is not a blank, inside the text', () => {
    expect(parsed('p a\u00a0b')).toEqual({ name: 'p', argumentText: 'a\u00a0b', words: ['a\u00a0b'] });
  });
});

describe('words', () => {
  it('splits at blanks and tabs', () => {
    expect(parsed('break  main\t if\tx').words).toEqual(['main', 'if', 'x']);
  });

  it('takes quoted strings as one word without their quotes', () => {
    expect(parsed('source "my commands.txt" \'other file\'').words).toEqual(['my commands.txt', 'other file']);
  });

  it('decodes \\" \\\\ \\n \\t inside double quotes and keeps other backslashes', () => {
    expect(parsed('echo "a\\"b" "c\\\\d" "e\\nf" "g\\th" "i\\xj"').words).toEqual([
      'a"b',
      'c\\d',
      'e\nf',
      'g\th',
      'i\\xj',
    ]);
  });

  it('takes single-quoted text literally', () => {
    expect(parsed("echo 'a\\nb \"c\"'").words).toEqual(['a\\nb "c"']);
  });

  it('joins adjacent pieces into one word, as a shell does', () => {
    expect(parsed('run --name="a b"c \'d\'"e"').words).toEqual(['--name=a bc', 'de']);
  });

  it('keeps empty quoted strings as empty words', () => {
    expect(parsed('run "" \'\'').words).toEqual(['', '']);
  });

  it('reports an unterminated quote only in wordsError, still parsing the line', () => {
    const command = parsed('p "abc def');
    expect(command.argumentText).toBe('"abc def');
    expect(command.words).toEqual(['abc def']);
    expect(command.wordsError).toBe('unterminated double quote at column 3');
    expect(parsed("p it's x").wordsError).toBe('unterminated single quote at column 5');
  });

  it('treats an escaped closing quote as not closing', () => {
    const command = parsed('p "a\\"');
    expect(command.wordsError).toMatch(/unterminated double quote/);
    expect(command.words).toEqual(['a"']);
  });

  it('sets no wordsError when the quotes balance', () => {
    expect(parsed('p "a" \'b\'')).not.toHaveProperty('wordsError');
  });
});

describe('blank and comment lines', () => {
  it.each(['', ' ', '\t \t', '# a comment', '   # indented', '#', "# it's unbalanced \"", '\t#!x'])(
    '%j has no command and no errors',
    (line) => {
      expect(parseCommandLine(line)).toEqual({ value: null, lexErrors: [], parseErrors: [] });
    },
  );
});

describe('multi-line input is refused, never split', () => {
  it.each(['p x\nquit', 'p x\rquit', 'p x\r\n', '\n', 'p "a\nb"', '# comment\nquit', 'p a\0b', '\0'])(
    '%j is a parse error',
    (line) => {
      const result = parseCommandLine(line);
      expect(result.value).toBeNull();
      expect(result.parseErrors.map((error) => error.message)).toEqual(['command must be a single line']);
    },
  );

  it('points the error at the line break', () => {
    const [error] = parseCommandLine('next\nstep').parseErrors;
    expect(error?.token.startOffset).toBe(4);
  });
});

describe('robustness', () => {
  it.each(['"', "'", '\\', '"\'"\'', '!"', '*', '- - -', '\u0001\u0002', '\ud800', '""""""'])('%j never throws', (line) => {
    expect(() => parseCommandLine(line)).not.toThrow();
    expect(parseCommandLine(line).parseErrors).toEqual([]);
    expect(parseCommandLine(line).value).not.toBeNull();
  });

  it('parses a 100 KB line of many words', () => {
    const expression = Array.from({ length: 25_000 }, (_, index) => `a${index % 10}`).join(' + ');
    expect(expression.length).toBeGreaterThan(100_000);
    const command = parsed(`p ${expression}`);
    expect(command.argumentText).toBe(expression);
    expect(command.words).toHaveLength(49_999);
  });

  it('parses a 100 KB single word and a 100 KB unterminated quote', () => {
    const long = 'x'.repeat(100_000);
    expect(parsed(`echo ${long}`).words).toEqual([long]);
    expect(parsed(`echo "${long}`)).toMatchObject({ words: [long], argumentText: `"${long}` });
  });

  it('gives independent results on reuse of the one parser', () => {
    expect(errorMessages('a\nb')).toHaveLength(1);
    expect(parsed('next')).toEqual({ name: 'next', argumentText: '', words: [] });
  });
});

describe('commandFileLines', () => {
  const file = [
    '# set up',
    'break main',
    '',
    '   ',
    '  # indented comment',
    'run < input.txt',
    "p s == '#' # trailing is kept",
    '\t',
    'continue',
  ];

  const expected = [
    { lineNumber: 2, text: 'break main' },
    { lineNumber: 6, text: 'run < input.txt' },
    { lineNumber: 7, text: "p s == '#' # trailing is kept" },
    { lineNumber: 9, text: 'continue' },
  ];

  it('keeps command lines with their 1-based numbers', () => {
    expect(commandFileLines(file.join('\n') + '\n')).toEqual(expected);
  });

  it('handles CRLF line endings', () => {
    const lines = commandFileLines(file.join('\r\n') + '\r\n');
    expect(lines).toEqual(expected);
    expect(lines.every((line) => !line.text.includes('\r'))).toBe(true);
  });

  it('handles a last line without a newline and a byte-order mark', () => {
    expect(commandFileLines('\uFEFFstep\nnext')).toEqual([
      { lineNumber: 1, text: 'step' },
      { lineNumber: 2, text: 'next' },
    ]);
  });

  it('leaves a stray carriage return in its line for the parser to refuse', () => {
    const lines = commandFileLines('p x\rquit\n');
    expect(lines).toEqual([{ lineNumber: 1, text: 'p x\rquit' }]);
    expect(errorMessages(lines[0]!.text)).toEqual(['command must be a single line']);
  });

  it('returns nothing for an empty file', () => {
    expect(commandFileLines('')).toEqual([]);
    expect(commandFileLines('\r\n\n# only comments\r\n')).toEqual([]);
  });

  it('yields lines that all parse to commands', () => {
    for (const line of commandFileLines(file.join('\r\n'))) expect(parsed(line.text).name).not.toBe('');
  });
});
