// The one interface every debugger personality (gdb, pdb, ...) implements. Everything above
// personalities/ (session, reverse algorithms, UI, CLI) talks to a debugger only through this.

import { FredError } from '../errors.js';
import type { ReplayPowers } from './replay.js';

/** Where the program is stopped. `depth` counts frames of the program's own stack (1 = outermost). */
export interface Location {
  file: string;      // absolute path of the source file
  line: number;
  function: string;  // `<module>` for Python top-level code
  depth: number;
}

export type ProgramState =
  | { kind: 'not-started' }
  | { kind: 'stopped' }
  | { kind: 'exited'; code: number }
  /** Stopped at (gdb: still alive at) a fatal signal or uncaught exception. */
  | { kind: 'crashed'; reason: string };

export interface Frame {
  level: number;     // 0 = innermost
  function: string;
  file: string;
  line: number;
  /** The debugger's selected frame (`up`, `down` and `frame` move the selection). */
  selected?: boolean;
}

export interface Breakpoint {
  id: number;
  /** What the user asked for: `file.c:12`, `main`, `prog.py:7`. */
  spec: string;
  file?: string;
  line?: number;
  function?: string;
  condition?: string;
  enabled: boolean;
  hits: number;
}

/** Result of any command: the debugger's own text plus where execution ended up. */
export interface CommandOutcome {
  /** The debugger's text for this command, as a user of plain gdb/pdb would see it. */
  output: string;
  state: ProgramState;
  location: Location | null;
  /** True when the command let the program run (step, next, continue, run, ...). */
  resumed?: boolean;
  /** True when the program stopped because `interrupt()` was called. */
  interrupted?: boolean;
  /** True when the program stopped quietly at its beginning, as `replay.holdAtStart()` asked. */
  heldAtStart?: boolean;
}

export type DebuggerKind = 'gdb' | 'pdb';

export interface LaunchOptions {
  program: string;
  args: string[];
  /** File to use as the program's standard input (else the program terminal). */
  stdinFile?: string;
  /** Pseudo-terminal device the program's stdout/stderr (and stdin, unless stdinFile) use. */
  programTty: string;
  /** Working directory for the debugger and program. */
  cwd?: string;
  env?: Record<string, string>;
  /** Environment for the program only, not the debugger (the record-replay shim's LD_PRELOAD). */
  programEnv?: Record<string, string>;
}

export interface Debugger {
  readonly kind: DebuggerKind;
  /** Checkpoints, marks and replay; absent where a personality cannot go backwards. */
  readonly replay?: ReplayPowers;
  /** Spawn the debugger and load the program (gdb: not started; pdb: stopped at the first line). */
  launch(options: LaunchOptions): Promise<CommandOutcome>;
  /** Start (or restart) the program from the beginning; runs to a breakpoint, exit or crash. */
  run(): Promise<CommandOutcome>;
  step(): Promise<CommandOutcome>;
  next(): Promise<CommandOutcome>;
  /** gdb `finish`, pdb `return`. */
  finish(): Promise<CommandOutcome>;
  continue(): Promise<CommandOutcome>;
  setBreakpoint(spec: string, condition?: string): Promise<Breakpoint>;
  listBreakpoints(): Promise<Breakpoint[]>;
  deleteBreakpoint(id: number): Promise<void>;
  /** Value of an expression in the selected frame, as the debugger prints it. */
  evaluate(expression: string): Promise<string>;
  backtrace(): Promise<Frame[]>;
  location(): Promise<Location | null>;
  state(): ProgramState;
  /** Any native command, passed through as exactly one debugger command. */
  execute(command: string): Promise<CommandOutcome>;
  /** Stops the running program as Ctrl-C would in plain gdb or pdb. */
  interrupt(): void;
  /**
   * Stops the running program for an automatic checkpoint, where the personality has a gentler
   * way than Ctrl-C's (one that never makes the program's system calls fail); else interrupt().
   */
  interruptForCheckpoint?(): void;
  /**
   * The program's own resident memory in bytes (not the files it maps: what a fork checkpoint can
   * make it copy), where the personality can tell (gdb: its live process; pdb: the fork taken at
   * the last checkpoint, a copy of it then).
   */
  programResidentBytes?(): number | undefined;
  /**
   * What one kept automatic checkpoint occupies in memory, measured (pdb: the kept forks' average
   * proportional set size), where the personality can tell; else CheckpointPolicy assumes the
   * program's resident memory, the most a fork can come to pin.
   */
  checkpointBytes?(): number | undefined;
  /** Ends the debugger and the program; idempotent; leaves no process behind. */
  dispose(): Promise<void>;
}

/** A user-supplied command or expression must be exactly one line: never two debugger commands. */
export function assertSingleLine(text: string, what: string): void {
  if (/[\r\n\0]/.test(text)) {
    throw new FredError('usage', `${what} must be a single line`);
  }
}
