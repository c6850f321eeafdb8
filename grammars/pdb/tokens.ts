// Tokens of one line of pdb's dialogue (python3 -m pdb, or fred_pdb which adds `@fred` lines).
// A line starts in mode `lineStart`; a marker recognised there decides how the rest is lexed.

import type { CustomPatternMatcherFunc, IMultiModeLexerDefinition } from 'chevrotain';
import { createToken, Lexer, skipValidations } from '../chevrotain.js';

/** The prompts pdb prints before reading a command: its own, and the one inside `commands N`. */
export const pdbPrompts = ['(Pdb) ', '(com) '] as const;

// --- custom matchers: pdb's lines are recognised by their whole shape, not their first word ----

/** A literal that is the whole rest of the line, so "--Call--" is a marker and "--Call-- x" is text. */
function wholeLine(literal: string): CustomPatternMatcherFunc {
  return (text, offset) =>
    text.startsWith(literal, offset) && offset + literal.length === text.length ? [literal] : null;
}

/** `literal` at `offset`, but only when the whole rest of the line has `shape` (a sticky RegExp). */
function prefixOf(literal: string, shape: RegExp): CustomPatternMatcherFunc {
  return (text, offset) => {
    if (!text.startsWith(literal, offset)) return null;
    shape.lastIndex = offset;
    return shape.test(text) ? [literal] : null;
  };
}

/** The first capture group of a sticky RegExp matched at `offset`, as the token's image. */
function groupOf(pattern: RegExp): CustomPatternMatcherFunc {
  return (text, offset) => {
    pattern.lastIndex = offset;
    const match = pattern.exec(text);
    return match?.[1] ? [match[1]] : null;
  };
}

/** A Python function name as pdb prints it: `<module>`, `<lambda>`, `<listcomp>` or an identifier. */
const functionName = String.raw`<[^>]*>|[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*`;

/**
 * A stack entry after its "> " or "  ": `FILE(LINE)FUNCTION()` and, for a frame that is returning,
 * `->REPR`. FILE is the shortest prefix that lets the rest match, so a return value that looks like
 * a stack entry cannot move the split; a FILE containing "(7)f()->" can, and would be misread.
 */
const frameEntry = new RegExp(String.raw`(.+?)\((\d+)\)(?:${functionName})\(\)(?:->.*)?$`, 'uy');

/** `NUMBER at FILE:LINE`, FILE being everything up to the last colon. */
const breakpointTail = /\d+ at (.+):\d+$/y;

// --- mode lineStart ------------------------------------------------------------------------------

export const Prompt = createToken({ name: 'Prompt', pattern: /\(Pdb\) |\(com\) / });

export const CallMarker = createToken({ name: 'CallMarker', pattern: wholeLine('--Call--'), line_breaks: false });
export const ReturnMarker = createToken({ name: 'ReturnMarker', pattern: wholeLine('--Return--'), line_breaks: false });
export const ProgramFinished = createToken({
  name: 'ProgramFinished',
  pattern: wholeLine('The program finished and will be restarted'),
  line_breaks: false,
});
export const UncaughtException = createToken({
  name: 'UncaughtException',
  pattern: wholeLine('Uncaught exception. Entering post mortem debugging'),
  line_breaks: false,
});
export const PostMortemHint = createToken({
  name: 'PostMortemHint',
  pattern: wholeLine("Running 'cont' or 'step' will restart the program"),
  line_breaks: false,
});
export const Interrupted = createToken({
  name: 'Interrupted',
  pattern: wholeLine("Program interrupted. (Use 'cont' to resume)."),
  line_breaks: false,
});

// Prefixes followed by free text, lexed in mode `rest`.
export const ErrorMarker = createToken({ name: 'ErrorMarker', pattern: '*** ', push_mode: 'rest' });
export const SourceArrow = createToken({ name: 'SourceArrow', pattern: '-> ', push_mode: 'rest' });
export const FredMarker = createToken({ name: 'FredMarker', pattern: '@fred ', push_mode: 'rest' });
export const ExitStatusMarker = createToken({
  name: 'ExitStatusMarker',
  pattern: 'The program exited via sys.exit(). Exit status: ',
  push_mode: 'rest',
});
export const RestartingMarker = createToken({
  name: 'RestartingMarker',
  pattern: prefixOf('Restarting ', /Restarting .* with arguments:$/y),
  line_breaks: false,
  push_mode: 'rest',
});
export const PostMortemFinishedMarker = createToken({
  name: 'PostMortemFinishedMarker',
  pattern: prefixOf('Post mortem debugger finished. The ', /Post mortem debugger finished\. The .* will be restarted$/y),
  line_breaks: false,
  push_mode: 'rest',
});

// Stack entries, lexed in mode `frame`: "> " marks pdb's current frame, "  " the others in `where`.
export const CurrentFrameMarker = createToken({
  name: 'CurrentFrameMarker',
  pattern: (text, offset) => {
    if (!text.startsWith('> ', offset)) return null;
    frameEntry.lastIndex = offset + 2;
    return frameEntry.test(text) ? ['> '] : null;
  },
  line_breaks: false,
  push_mode: 'frame',
});
export const OtherFrameMarker = createToken({
  name: 'OtherFrameMarker',
  pattern: (text, offset) => {
    if (!text.startsWith('  ', offset)) return null;
    frameEntry.lastIndex = offset + 2;
    return frameEntry.test(text) ? ['  '] : null;
  },
  line_breaks: false,
  push_mode: 'frame',
});

// `Breakpoint 1 at FILE:12` (break, tbreak) and `Deleted breakpoint 1 at FILE:12` (clear), modes
// `breakpoint` then `breakpointLocation`.
export const BreakpointMarker = createToken({
  name: 'BreakpointMarker',
  pattern: prefixOf('Breakpoint ', new RegExp(`Breakpoint ${breakpointTail.source}`, 'y')),
  line_breaks: false,
  push_mode: 'breakpoint',
});
export const DeletedBreakpointMarker = createToken({
  name: 'DeletedBreakpointMarker',
  pattern: prefixOf('Deleted breakpoint ', new RegExp(`Deleted breakpoint ${breakpointTail.source}`, 'y')),
  line_breaks: false,
  push_mode: 'breakpoint',
});

/** Anything else: program text in `where`, `list` output, values printed by `p`, tracebacks. */
// (Lines never hold a "\n"; chevrotain 11 mis-optimises [\s\S] as a mode's only pattern.)
export const Text = createToken({ name: 'Text', pattern: /[^\n]+/ });

// --- modes frame and frameTail ----------------------------------------------------------------------------------

export const FramePath = createToken({
  name: 'FramePath',
  pattern: groupOf(frameEntry),
  line_breaks: false,
  push_mode: 'frameTail',
});
export const FrameLine = createToken({ name: 'FrameLine', pattern: /\(\d+\)/ });
export const FunctionName = createToken({
  name: 'FunctionName',
  pattern: groupOf(new RegExp(`(${functionName})(?=\\(\\))`, 'uy')),
  line_breaks: false,
});
export const CallParentheses = createToken({ name: 'CallParentheses', pattern: '()' });
export const ReturnArrow = createToken({ name: 'ReturnArrow', pattern: '->', push_mode: 'rest' });

// --- mode breakpoint -----------------------------------------------------------------------------

export const Integer = createToken({ name: 'Integer', pattern: /\d+/ });
export const At = createToken({ name: 'At', pattern: ' at ', push_mode: 'breakpointLocation' });
export const BreakpointFile = createToken({ name: 'BreakpointFile', pattern: groupOf(/(.+):\d+$/y), line_breaks: false });
export const Colon = createToken({ name: 'Colon', pattern: ':' });

// --- mode rest -----------------------------------------------------------------------------------

export const RestOfLine = createToken({ name: 'RestOfLine', pattern: /[^\n]+/ });

// In each mode chevrotain takes the first pattern that matches: fixed messages and markers before
// the catch-all Text.
export const pdbLexerDefinition: IMultiModeLexerDefinition = {
  modes: {
    lineStart: [
      Prompt, CallMarker, ReturnMarker, ProgramFinished, UncaughtException, PostMortemHint, Interrupted,
      ErrorMarker, SourceArrow, FredMarker, ExitStatusMarker, RestartingMarker, PostMortemFinishedMarker,
      CurrentFrameMarker, OtherFrameMarker, BreakpointMarker, DeletedBreakpointMarker, Text,
    ],
    // The path has a mode of its own: a return value may contain another `(LINE)NAME()->`.
    frame: [FramePath],
    frameTail: [FrameLine, FunctionName, CallParentheses, ReturnArrow],
    breakpoint: [Integer, At],
    // The file is tried first: a relative path may start with digits.
    breakpointLocation: [BreakpointFile, Colon, Integer],
    rest: [RestOfLine],
  },
  defaultMode: 'lineStart',
};

export const allTokens = [
  Prompt, CallMarker, ReturnMarker, ProgramFinished, UncaughtException, PostMortemHint, Interrupted,
  ErrorMarker, SourceArrow, FredMarker, ExitStatusMarker, RestartingMarker, PostMortemFinishedMarker,
  CurrentFrameMarker, OtherFrameMarker, BreakpointMarker, DeletedBreakpointMarker, Text,
  FramePath, FrameLine, FunctionName, CallParentheses, ReturnArrow,
  Integer, At, BreakpointFile, Colon, RestOfLine,
];

export const pdbLexer = new Lexer(pdbLexerDefinition, { positionTracking: 'onlyOffset', skipValidations });
