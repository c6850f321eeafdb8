// Tokens and lexer for one line of GDB/MI output. MI has no whitespace outside c-strings, so there
// is no whitespace token: a stray space (program output mixed into gdb's stream) is a lex error.

import type { TokenType } from 'chevrotain';
import { createToken, Lexer, skipValidations } from '../chevrotain.js';

/** The "(gdb) " prompt that ends each batch of output; gdb writes the trailing space. */
export const Prompt = createToken({ name: 'Prompt', pattern: /\(gdb\) ?/ });

/** A C string literal, quotes and escapes still in place (decoded by values.ts). */
export const CString = createToken({ name: 'CString', pattern: /"(?:[^"\\]|\\[\s\S])*"/ });

/** Names: result and async classes (`breakpoint-created`) and result names (`thread-groups`, `nr_rows`). */
export const Name = createToken({ name: 'Name', pattern: /[A-Za-z0-9_-]+/ });

/** The command token gdb echoes before `^done`; as a name it falls back to Name (`12ab`). */
export const Digits = createToken({ name: 'Digits', pattern: /[0-9]+/, longer_alt: Name });

export const Caret = createToken({ name: 'Caret', pattern: '^' });       // result record
export const Star = createToken({ name: 'Star', pattern: '*' });         // exec async record
export const Plus = createToken({ name: 'Plus', pattern: '+' });         // status async record
export const Equals = createToken({ name: 'Equals', pattern: '=' });     // notify async record, and name=value
export const Tilde = createToken({ name: 'Tilde', pattern: '~' });       // console stream
export const At = createToken({ name: 'At', pattern: '@' });             // target stream
export const Ampersand = createToken({ name: 'Ampersand', pattern: '&' }); // log stream
export const Comma = createToken({ name: 'Comma', pattern: ',' });
export const LCurly = createToken({ name: 'LCurly', pattern: '{' });
export const RCurly = createToken({ name: 'RCurly', pattern: '}' });
export const LSquare = createToken({ name: 'LSquare', pattern: '[' });
export const RSquare = createToken({ name: 'RSquare', pattern: ']' });

/** In lexing priority order: Digits before Name so that a bare number is a command token. */
export const allTokens: TokenType[] = [
  Prompt, CString, Digits, Name,
  Caret, Star, Plus, Equals, Tilde, At, Ampersand,
  Comma, LCurly, RCurly, LSquare, RSquare,
];

export const miLexer = new Lexer(allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: true, skipValidations });
