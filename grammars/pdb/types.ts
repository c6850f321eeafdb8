// What one line of pdb's dialogue parses into.

/** The line's meaning, without any prompt that precedes it on the same line. */
export type PdbLineContent =
  /** Nothing but prompt(s): pdb is waiting for a command. */
  | { kind: 'prompt' }
  /** `> FILE(LINE)FUNCTION()` (current frame) or `  FILE(LINE)FUNCTION()` (another frame in `where`). */
  | { kind: 'frame'; current: boolean; file: string; line: number; function: string; returnValue?: string }
  /** `-> source text` after a frame line. */
  | { kind: 'source'; source: string }
  /** `*** message`. */
  | { kind: 'error'; message: string }
  /** `@fred JSON`: a reply of fred_pdb, for its TypeScript side to decode. */
  | { kind: 'fred'; json: string }
  | { kind: 'call' }                     // --Call--
  | { kind: 'return' }                   // --Return--
  | { kind: 'program-finished' }         // The program finished and will be restarted
  | { kind: 'program-exited'; status: string } // The program exited via sys.exit(). Exit status: 3
  | { kind: 'uncaught-exception' }       // Uncaught exception. Entering post mortem debugging
  | { kind: 'post-mortem-hint' }         // Running 'cont' or 'step' will restart the program
  | { kind: 'post-mortem-finished'; program: string }
  | { kind: 'restarting'; program: string } // Restarting PROGRAM with arguments:
  | { kind: 'interrupted' }              // Program interrupted. (Use 'cont' to resume).
  | { kind: 'breakpoint-set'; id: number; file: string; line: number }
  | { kind: 'breakpoint-deleted'; id: number; file: string; line: number }
  /** Anything else: printed values, `list` and `help` text, tracebacks. */
  | { kind: 'text' };

export type PdbLine = PdbLineContent & {
  /** The prompt(s) the line starts with ("" if none): without echo, a reply follows the prompt directly. */
  prompt: string;
  /** The line after its prompt, as pdb wrote it. */
  text: string;
};
