// Tokens of one fred command line. Every character lexes to some token, so the lexer never fails:
// unbalanced quotes and odd characters are the parser's and the word splitter's business.

import { createToken, Lexer, skipValidations } from '../chevrotain.js';

/** The characters that separate words, as a regular-expression class body: gdb's ASCII blanks. */
export const blankCharacters = ' \\t\\f\\v';

/** Any piece of a word: adjacent pieces with no blank between them form one word, as in a shell. */
export const WordPiece = createToken({ name: 'WordPiece', pattern: Lexer.NA });

/** Where a command name that is not a plain name can begin (e.g. `-exec-run`, `*foo`, `"x"`). */
export const OtherNameStart = createToken({ name: 'OtherNameStart', pattern: Lexer.NA });

/** Never valid: a command is one line, so embedded line breaks (and NUL, which ends C strings) are refused. */
export const LineBreak = createToken({ name: 'LineBreak', pattern: /[\r\n\0]/, label: 'line break' });

export const Blank = createToken({ name: 'Blank', pattern: new RegExp(`[${blankCharacters}]+`) });

export const DoubleQuoted = createToken({
  name: 'DoubleQuoted',
  pattern: /"(?:[^"\\\r\n\0]|\\[^\r\n\0])*"/,
  categories: [WordPiece, OtherNameStart],
});

export const SingleQuoted = createToken({
  name: 'SingleQuoted',
  pattern: /'[^'\r\n\0]*'/,
  categories: [WordPiece, OtherNameStart],
});

// Tried only after the complete forms fail: an opening quote with no partner takes the rest of
// the line, so the line still parses and only the word split reports the imbalance.
export const UnterminatedQuote = createToken({
  name: 'UnterminatedQuote',
  pattern: /["'][^\r\n\0]*/,
  categories: [WordPiece, OtherNameStart],
});

/** Starts a comment only as the first thing on a line; elsewhere it is text (C `#`, Python strings). */
export const Hash = createToken({ name: 'Hash', pattern: /#/, categories: [WordPiece] });

/** The pdb statement command (`!x = 5`); elsewhere it is text (`a != b`). */
export const Bang = createToken({ name: 'Bang', pattern: /!/, categories: [WordPiece] });

export const Name = createToken({ name: 'Name', pattern: /[A-Za-z][A-Za-z0-9_-]*/, categories: [WordPiece] });

/** Everything else up to a blank, quote or special character: `/x`, `.c:12`, `->next`, `$pc`, `é`. */
export const Text = createToken({
  name: 'Text',
  pattern: new RegExp(`[^${blankCharacters}\\r\\n\\0"'#!]+`),
  categories: [WordPiece, OtherNameStart],
});

// Order matters: chevrotain takes the first pattern that matches, so complete quotes come before
// the unterminated form and Name before the catch-all Text.
export const commandTokens = [
  WordPiece,
  OtherNameStart,
  LineBreak,
  Blank,
  DoubleQuoted,
  SingleQuoted,
  UnterminatedQuote,
  Hash,
  Bang,
  Name,
  Text,
];

// Text's catch-all complement class rules out chevrotain's first-character optimization; one line
// is short enough that the plain lexer is fast anyway.
export const commandLexer = new Lexer(commandTokens, { skipValidations });
