// The grammar of one command line: an optional leading blank, then a comment, a command
// (a name followed by words), or nothing. One parser instance is reused for every line.

import type { IParserErrorMessageProvider, IToken } from 'chevrotain';
import { defaultParserErrorProvider, EMPTY_ALT, EmbeddedActionsParser, skipValidations, tokenMatcher } from '../chevrotain.js';
import { Bang, Blank, commandTokens, Hash, LineBreak, Name, OtherNameStart, WordPiece } from './tokens.js';
import { type Word, wordFromPieces } from './words.js';

export const singleLineMessage = 'command must be a single line';

/** A command as the grammar sees it; the api turns the argument span into text. */
export interface CommandSyntax {
  name: string;
  /** The argument words in order; the first starts the argument text and the last ends it. */
  words: Word[];
}

// Every token but a line break fits somewhere in the grammar, so a line break is the only way a
// parse can fail: say so plainly instead of chevrotain's "expecting EOF but found".
function isLineBreak(token: IToken | undefined): boolean {
  return token !== undefined && tokenMatcher(token, LineBreak);
}

const singleLineErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: (options) =>
    isLineBreak(options.actual) ? singleLineMessage : defaultParserErrorProvider.buildMismatchTokenMessage(options),
  buildNotAllInputParsedMessage: (options) =>
    isLineBreak(options.firstRedundant)
      ? singleLineMessage
      : defaultParserErrorProvider.buildNotAllInputParsedMessage(options),
  buildNoViableAltMessage: (options) =>
    isLineBreak(options.actual[0]) ? singleLineMessage : defaultParserErrorProvider.buildNoViableAltMessage(options),
  buildEarlyExitMessage: (options) =>
    isLineBreak(options.actual[0]) ? singleLineMessage : defaultParserErrorProvider.buildEarlyExitMessage(options),
};

class CommandLineParser extends EmbeddedActionsParser {
  constructor() {
    super(commandTokens, { errorMessageProvider: singleLineErrorMessages, skipValidations });
    this.performSelfAnalysis();
  }

  /** null for a blank or comment-only line. */
  commandLine = this.RULE('commandLine', (): CommandSyntax | null => {
    this.OPTION(() => this.CONSUME(Blank));
    return this.OR<CommandSyntax | null>([
      {
        ALT: () => {
          this.SUBRULE(this.comment);
          return null;
        },
      },
      { ALT: () => this.SUBRULE(this.command) },
      { ALT: EMPTY_ALT(null) },
    ]);
  });

  // A '#' only starts a comment as the line's first non-blank character; after that it is text.
  private comment = this.RULE('comment', () => {
    this.CONSUME(Hash);
    this.MANY(() => this.OR([{ ALT: () => this.CONSUME(WordPiece) }, { ALT: () => this.CONSUME(Blank) }]));
  });

  // A plain name may be followed directly by its arguments, as gdb allows: `p/x var`, `x/4xw $sp`.
  private command = this.RULE('command', (): CommandSyntax => {
    const name = this.OR([
      { ALT: () => this.CONSUME(Name).image },
      { ALT: () => this.CONSUME(Bang).image },
      { ALT: () => this.SUBRULE(this.otherName) },
    ]);
    this.OPTION(() => this.CONSUME(Blank));
    const words: Word[] = [];
    this.MANY(() => {
      const word = this.SUBRULE(this.word);
      this.ACTION(() => words.push(word));
      this.OPTION2(() => this.CONSUME2(Blank));
    });
    return { name, words };
  });

  // A line that starts with neither a name nor '!' (`-exec-run`, `1-gdb-exit`, `*foo`) still names
  // a command: its whole first word, verbatim, for the caller to reject or pass through.
  private otherName = this.RULE('otherName', (): string => {
    const pieces = [this.CONSUME(OtherNameStart)];
    this.MANY(() => {
      const piece = this.CONSUME(WordPiece);
      this.ACTION(() => pieces.push(piece));
    });
    return this.ACTION(() => pieces.map((piece) => piece.image).join(''));
  });

  private word = this.RULE('word', (): Word => {
    const pieces: IToken[] = [];
    this.AT_LEAST_ONE(() => {
      const piece = this.CONSUME(WordPiece);
      this.ACTION(() => pieces.push(piece));
    });
    return this.ACTION(() => wordFromPieces(pieces));
  });
}

export const commandLineParser = new CommandLineParser();
