// Typed failures: every error fred reports carries a one-line message for the user and a code
// the CLI maps to an exit status. No stack traces for user mistakes.

export type FredErrorCode =
  | 'usage'            // bad command line or bad fred command syntax
  | 'unknown-command'  // no such fred or debugger command
  | 'bad-expression'   // the debugger could not evaluate an expression
  | 'debugger'         // the debugger rejected a command
  | 'not-running'      // the command needs a live program
  | 'program'          // missing / non-executable program, unreadable stdin file
  | 'unsupported'      // valid request this backend cannot do
  | 'interrupted'      // the user stopped a command (Ctrl-C) before it finished
  | 'internal';        // a bug or an unexpected debugger death

export class FredError extends Error {
  constructor(readonly code: FredErrorCode, message: string) {
    super(message);
    this.name = 'FredError';
  }
}

/** One line, whatever went wrong: user-facing text for any thrown value. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
