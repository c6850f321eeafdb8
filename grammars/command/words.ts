// How a word's pieces become its text, shell style: quotes removed, and inside double quotes the
// escapes \" \\ \n \t decoded. Other backslashes are kept as written, so Windows-ish paths survive.

import type { IToken } from 'chevrotain';
import { tokenMatcher } from '../chevrotain.js';
import { DoubleQuoted, SingleQuoted, UnterminatedQuote } from './tokens.js';

export interface Word {
  text: string;
  /** Offsets of the word's first and last character in the line. */
  startOffset: number;
  endOffset: number;
  /** Set when the word has an opening quote with no closing partner. */
  error?: string;
}

const doubleQuoteEscapes: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t' };

function decodeDoubleQuoted(body: string): string {
  return body.replace(/\\(.)/gs, (escape, character: string) => doubleQuoteEscapes[character] ?? escape);
}

function pieceText(piece: IToken): string {
  if (tokenMatcher(piece, DoubleQuoted)) return decodeDoubleQuoted(piece.image.slice(1, -1));
  if (tokenMatcher(piece, SingleQuoted)) return piece.image.slice(1, -1);
  if (tokenMatcher(piece, UnterminatedQuote)) {
    // Best effort: the quote runs to the end of the line, as if it had been closed there.
    const body = piece.image.slice(1);
    return piece.image.startsWith('"') ? decodeDoubleQuoted(body) : body;
  }
  return piece.image;
}

function unterminatedQuoteError(pieces: IToken[]): string | undefined {
  const unterminated = pieces.find((piece) => tokenMatcher(piece, UnterminatedQuote));
  if (unterminated === undefined) return undefined;
  const kind = unterminated.image.startsWith('"') ? 'double' : 'single';
  return `unterminated ${kind} quote at column ${unterminated.startOffset + 1}`;
}

/** Joins adjacent pieces (bare text, quoted strings) into one word. `pieces` is never empty. */
export function wordFromPieces(pieces: IToken[]): Word {
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  const word: Word = {
    text: pieces.map(pieceText).join(''),
    startOffset: first.startOffset,
    endOffset: last.startOffset + last.image.length - 1,
  };
  const error = unterminatedQuoteError(pieces);
  if (error !== undefined) word.error = error;
  return word;
}
