// The GDB/MI output grammar (gdb manual, "GDB/MI Output Syntax"), for one line without its newline.
// Produces a CST; visitor.ts turns it into MiRecord values.

import { CstParser, skipValidations } from '../chevrotain.js';
import {
  allTokens, Ampersand, At, Caret, Comma, CString, Digits, Equals, LCurly, LSquare, Name, Plus,
  Prompt, RCurly, RSquare, Star, Tilde,
} from './tokens.js';

export class MiParser extends CstParser {
  constructor() {
    super(allTokens, { skipValidations });
    this.performSelfAnalysis();
  }

  public line = this.RULE('line', () => {
    this.OR([
      { ALT: () => this.CONSUME(Prompt) },
      { ALT: () => this.SUBRULE(this.streamRecord) },
      { ALT: () => this.SUBRULE(this.classRecord) },
    ]);
  });

  /** `~"text"`, `@"text"`, `&"text"`: console, target and log output. */
  private streamRecord = this.RULE('streamRecord', () => {
    this.OR([
      { ALT: () => this.CONSUME(Tilde) },
      { ALT: () => this.CONSUME(At) },
      { ALT: () => this.CONSUME(Ampersand) },
    ]);
    this.CONSUME(CString);
  });

  /** `[token]^class,results` (result record) or `[token]*|+|=class,results` (async records). */
  private classRecord = this.RULE('classRecord', () => {
    this.OPTION(() => this.CONSUME(Digits));
    this.OR([
      { ALT: () => this.CONSUME(Caret) },
      { ALT: () => this.CONSUME(Star) },
      { ALT: () => this.CONSUME(Plus) },
      { ALT: () => this.CONSUME(Equals) },
    ]);
    this.CONSUME(Name, { LABEL: 'class' });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE(this.result);
    });
  });

  private result = this.RULE('result', () => {
    this.OR([
      { ALT: () => this.CONSUME(Name) },
      { ALT: () => this.CONSUME(Digits) },
    ]);
    this.CONSUME(Equals);
    this.SUBRULE(this.value);
  });

  private value = this.RULE('value', () => {
    this.OR([
      { ALT: () => this.CONSUME(CString) },
      { ALT: () => this.SUBRULE(this.tuple) },
      { ALT: () => this.SUBRULE(this.list) },
    ]);
  });

  private tuple = this.RULE('tuple', () => {
    this.CONSUME(LCurly);
    this.MANY_SEP({ SEP: Comma, DEF: () => this.SUBRULE(this.result) });
    this.CONSUME(RCurly);
  });

  /** The manual allows a list of values or a list of results; items are accepted either way. */
  private list = this.RULE('list', () => {
    this.CONSUME(LSquare);
    this.MANY_SEP({ SEP: Comma, DEF: () => this.SUBRULE(this.listItem) });
    this.CONSUME(RSquare);
  });

  private listItem = this.RULE('listItem', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.value) },
      { ALT: () => this.SUBRULE(this.result) },
    ]);
  });
}
