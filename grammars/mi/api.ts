// Entry point of the GDB/MI grammar: one line of gdb's MI output in, one typed record out.
// The lead splits gdb's stream into lines; a trailing "\r" (pty line endings) is ignored here.

import { MiParser } from './parser.js';
import { miLexer } from './tokens.js';
import type { MiParseResult, MiRecord } from './types.js';
import { createMiVisitor } from './visitor.js';

export type { MiParseResult, MiRecord, MiTuple, MiValue } from './types.js';
export { quoteMiString } from './values.js';

// One parser and visitor for all lines, built at first use (a pdb session never needs them):
// chevrotain's self-analysis is the costly part, and both keep no state between calls (the
// parser's input is replaced on each line).
let built: { parser: MiParser; visitor: ReturnType<typeof createMiVisitor> } | undefined;

/** Parses one line; anything that is not an MI record (e.g. program output) gives null and errors. */
export function parseMiLine(line: string): MiParseResult {
  if (!built) {
    const parser = new MiParser();
    built = { parser, visitor: createMiVisitor(parser) };
  }
  const { parser, visitor } = built;
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const lexed = miLexer.tokenize(text);
  parser.input = lexed.tokens;
  const cst = parser.line();
  const parseErrors = parser.errors; // a copy, so it survives the next line's parse
  if (lexed.errors.length > 0 || parseErrors.length > 0) {
    return { value: null, lexErrors: lexed.errors, parseErrors };
  }
  return { value: visitor.visit(cst) as MiRecord, lexErrors: [], parseErrors: [] };
}
