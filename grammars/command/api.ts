// Entry point of the command-line grammar: one line of the REPL, a batch file or the TUI becomes
// a command name, its verbatim argument text (for expressions and pass-through) and its words.

import type { ILexingError, IRecognitionException } from 'chevrotain';
import { commandLineParser } from './parser.js';
import { blankCharacters, commandLexer } from './tokens.js';

export interface ParsedCommand {
  /**
   * "reverse-step", "p", "info" for a line starting with a letter (letters, digits, '-', '_');
   * "!" for a pdb statement line. A line starting with anything else (`-exec-run`, `1-gdb-exit`,
   * `*foo`) is named by its whole first word exactly as written, quotes included.
   */
  name: string;
  /** The rest of the line after the name and following blanks, byte for byte, trailing blanks trimmed. */
  argumentText: string;
  /**
   * The arguments split at blanks (space, tab, form feed, vertical tab). Adjacent pieces join, as in
   * a shell: `a"b c"` is the one word `ab c`. Quotes are removed; inside double quotes \" \\ \n \t
   * are decoded and other backslashes kept; single quotes take everything literally.
   */
  words: string[];
  /**
   * Set when a quote is never closed; `words` then treats it as closed at the end of the line.
   * Only commands that use `words` should report it: expressions use `argumentText`.
   */
  wordsError?: string;
}

export interface CommandParseResult {
  /** null for a blank or comment-only line, and whenever there are errors. */
  value: ParsedCommand | null;
  lexErrors: ILexingError[];
  /** A line break or NUL in the line gives one error: "command must be a single line". */
  parseErrors: IRecognitionException[];
}

export interface CommandFileLine {
  /** 1-based, counting every line of the file. */
  lineNumber: number;
  text: string;
}

export function parseCommandLine(line: string): CommandParseResult {
  const lexed = commandLexer.tokenize(line);
  commandLineParser.input = lexed.tokens;
  const syntax = commandLineParser.commandLine();
  const parseErrors = commandLineParser.errors;
  if (lexed.errors.length > 0 || parseErrors.length > 0 || syntax === null) {
    return { value: null, lexErrors: lexed.errors, parseErrors };
  }
  const { name, words } = syntax;
  const command: ParsedCommand = { name, argumentText: '', words: words.map((word) => word.text) };
  if (words.length > 0) {
    command.argumentText = line.slice(words[0]!.startOffset, words[words.length - 1]!.endOffset + 1);
  }
  const wordsError = words.find((word) => word.error !== undefined)?.error;
  if (wordsError !== undefined) command.wordsError = wordsError;
  return { value: command, lexErrors: lexed.errors, parseErrors };
}

// Same test the grammar applies to one line: nothing but blanks, or a '#' after optional blanks.
const skippedLine = new RegExp(`^[${blankCharacters}]*(?:#|$)`);

/**
 * Splits a command file's text into the lines to run, skipping blank and comment lines.
 * Lines end at "\n" with an optional "\r" before it; a stray "\r" elsewhere stays in the line,
 * where parseCommandLine refuses it rather than silently running two commands.
 */
export function commandFileLines(text: string): CommandFileLine[] {
  const withoutByteOrderMark = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return withoutByteOrderMark.split('\n').flatMap((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    return skippedLine.test(line) ? [] : [{ lineNumber: index + 1, text: line }];
  });
}
