// Entry point of the pdb dialogue grammar: a line (or a whole reply, line by line) of what
// python3 -m pdb or fred_pdb prints, in; typed lines out.

import type { ILexingError, IRecognitionException } from 'chevrotain';
import { pdbLineParser } from './parser.js';
import { pdbLexer } from './tokens.js';
import type { PdbLine } from './types.js';

export type { PdbLine, PdbLineContent } from './types.js';
export { pdbPrompts } from './tokens.js';

export interface PdbLineParseResult {
  /** null only when there are errors (every line is at least `text`, so that should not happen). */
  value: PdbLine | null;
  lexErrors: ILexingError[];
  parseErrors: IRecognitionException[];
}

export interface PdbOutputParseResult {
  value: PdbLine[];
  lexErrors: ILexingError[];
  parseErrors: IRecognitionException[];
}

/** Parses one line without its terminator; a trailing "\r" (a pty's line ending) is ignored. */
export function parsePdbLine(line: string): PdbLineParseResult {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const lexed = pdbLexer.tokenize(text);
  const parser = pdbLineParser();
  parser.input = lexed.tokens;
  const syntax = parser.line();
  const parseErrors = parser.errors;
  if (lexed.errors.length > 0 || parseErrors.length > 0) {
    return { value: null, lexErrors: lexed.errors, parseErrors };
  }
  const value = { ...syntax.content, prompt: syntax.prompt, text: text.slice(syntax.prompt.length) };
  return { value, lexErrors: [], parseErrors: [] };
}

/**
 * Parses text made of lines separated by "\n"; the last line may be incomplete (a prompt).
 * Text that ends with "\n" has no empty last line. Lines with errors are left out of `value`.
 */
export function parsePdbOutput(text: string): PdbOutputParseResult {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const result: PdbOutputParseResult = { value: [], lexErrors: [], parseErrors: [] };
  for (const line of lines) {
    const parsed = parsePdbLine(line);
    if (parsed.value) result.value.push(parsed.value);
    result.lexErrors.push(...parsed.lexErrors);
    result.parseErrors.push(...parsed.parseErrors);
  }
  return result;
}
