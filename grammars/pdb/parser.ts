// The grammar of one line of pdb's dialogue: optional prompts, then one kind of line. Values are
// built by embedded actions; one parser instance is reused for every line.

import type { IToken } from 'chevrotain';
import { EmbeddedActionsParser, skipValidations } from '../chevrotain.js';
import {
  allTokens, At, BreakpointFile, BreakpointMarker, CallMarker, CallParentheses, Colon, CurrentFrameMarker,
  DeletedBreakpointMarker, ErrorMarker, ExitStatusMarker, FramePath, FrameLine, FredMarker, FunctionName,
  Integer, Interrupted, OtherFrameMarker, PostMortemFinishedMarker, PostMortemHint, ProgramFinished, Prompt,
  RestartingMarker, RestOfLine, ReturnArrow, ReturnMarker, SourceArrow, Text, UncaughtException,
} from './tokens.js';
import type { PdbLineContent } from './types.js';

export interface PdbLineSyntax {
  prompt: string;
  content: PdbLineContent;
}

/** Text pdb wraps around a program name: "Restarting X with arguments:", "... The X will be restarted". */
function withoutSuffix(text: string, suffix: string): string {
  return text.endsWith(suffix) ? text.slice(0, -suffix.length) : text;
}

class PdbLineParser extends EmbeddedActionsParser {
  constructor() {
    super(allTokens, { skipValidations });
    this.performSelfAnalysis();
  }

  line = this.RULE('line', (): PdbLineSyntax => {
    let prompt = '';
    this.MANY(() => {
      const token = this.CONSUME(Prompt);
      this.ACTION(() => (prompt += token.image));
    });
    const content = this.OPTION(() => this.SUBRULE(this.content));
    // A line with neither prompt nor content is an empty line of output.
    return this.ACTION(() => ({ prompt, content: content ?? { kind: prompt ? 'prompt' : 'text' } }));
  });

  private content = this.RULE('content', (): PdbLineContent =>
    this.OR<PdbLineContent>([
      { ALT: () => this.SUBRULE(this.frame) },
      { ALT: () => this.SUBRULE(this.breakpoint) },
      { ALT: () => (this.CONSUME(SourceArrow), { kind: 'source', source: this.SUBRULE(this.restOfLine) }) },
      { ALT: () => (this.CONSUME(ErrorMarker), { kind: 'error', message: this.SUBRULE2(this.restOfLine) }) },
      { ALT: () => (this.CONSUME(FredMarker), { kind: 'fred', json: this.SUBRULE3(this.restOfLine) }) },
      { ALT: () => (this.CONSUME(ExitStatusMarker), { kind: 'program-exited', status: this.SUBRULE4(this.restOfLine) }) },
      {
        ALT: () => {
          this.CONSUME(RestartingMarker);
          const rest = this.SUBRULE5(this.restOfLine);
          return this.ACTION((): PdbLineContent => ({ kind: 'restarting', program: withoutSuffix(rest, ' with arguments:') }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(PostMortemFinishedMarker);
          const rest = this.SUBRULE6(this.restOfLine);
          return this.ACTION((): PdbLineContent => ({ kind: 'post-mortem-finished', program: withoutSuffix(rest, ' will be restarted') }));
        },
      },
      { ALT: () => (this.CONSUME(CallMarker), { kind: 'call' }) },
      { ALT: () => (this.CONSUME(ReturnMarker), { kind: 'return' }) },
      { ALT: () => (this.CONSUME(ProgramFinished), { kind: 'program-finished' }) },
      { ALT: () => (this.CONSUME(UncaughtException), { kind: 'uncaught-exception' }) },
      { ALT: () => (this.CONSUME(PostMortemHint), { kind: 'post-mortem-hint' }) },
      { ALT: () => (this.CONSUME(Interrupted), { kind: 'interrupted' }) },
      { ALT: () => (this.CONSUME(Text), { kind: 'text' }) },
    ]),
  );

  /** The free text after a marker, possibly none. */
  private restOfLine = this.RULE('restOfLine', (): string => this.OPTION(() => this.CONSUME(RestOfLine).image) ?? '');

  private frame = this.RULE('frame', (): PdbLineContent => {
    const current = this.OR([
      { ALT: () => (this.CONSUME(CurrentFrameMarker), true) },
      { ALT: () => (this.CONSUME(OtherFrameMarker), false) },
    ]);
    const file = this.CONSUME(FramePath).image;
    const line = this.CONSUME(FrameLine).image;
    const name = this.CONSUME(FunctionName).image;
    this.CONSUME(CallParentheses);
    let returnValue: string | undefined;
    this.OPTION(() => {
      this.CONSUME(ReturnArrow);
      returnValue = this.OPTION2(() => this.CONSUME(RestOfLine).image) ?? '';
    });
    return this.ACTION(() => {
      const frame: PdbLineContent = { kind: 'frame', current, file, line: Number(line.slice(1, -1)), function: name };
      if (returnValue !== undefined) frame.returnValue = returnValue;
      return frame;
    });
  });

  private breakpoint = this.RULE('breakpoint', (): PdbLineContent => {
    const kind = this.OR([
      { ALT: () => (this.CONSUME(BreakpointMarker), 'breakpoint-set' as const) },
      { ALT: () => (this.CONSUME(DeletedBreakpointMarker), 'breakpoint-deleted' as const) },
    ]);
    const id: IToken = this.CONSUME(Integer);
    this.CONSUME(At);
    const file = this.CONSUME(BreakpointFile).image;
    this.CONSUME(Colon);
    const line: IToken = this.CONSUME2(Integer);
    return this.ACTION(() => ({ kind, id: Number(id.image), file, line: Number(line.image) }));
  });
}

let parser: PdbLineParser | undefined;

/** The one parser for all lines, built at first use: chevrotain's self-analysis costs a gdb session start-up for nothing. */
export function pdbLineParser(): PdbLineParser {
  parser ??= new PdbLineParser();
  return parser;
}
