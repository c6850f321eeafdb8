// A debugging session: the composition root that owns one debugger personality, the program's
// terminal and (later) the timeline. This is fred's library API; the CLI is built on it.

import { FredError } from '../errors.js';
import type {
  Breakpoint, CommandOutcome, Debugger, DebuggerKind, Frame, Location, ProgramState,
} from '../debugger/types.js';
import { ProgramTerminal } from '../pty/program-terminal.js';
import { checkStdinFile } from '../system/program-file.js';
import { createDebugger, debuggerKindFor } from './debugger-factory.js';

export interface SessionOptions {
  program: string;
  args?: string[];
  /** Default: pdb for `.py` programs, gdb otherwise. */
  debugger?: DebuggerKind;
  /** File to use as the program's standard input. */
  stdinFile?: string;
  cwd?: string;
  env?: Record<string, string>;
}

type OutputListener = (text: string) => void;

export class Session {
  readonly kind: DebuggerKind;
  private closed = false;

  private constructor(
    readonly personality: Debugger,
    private readonly terminal: ProgramTerminal,
    /** What launching printed (pdb's first stop; nothing for gdb). */
    readonly launchOutcome: CommandOutcome,
  ) {
    this.kind = personality.kind;
  }

  /** Starts the debugger on the program; gdb: not yet running; pdb: stopped at its first line. */
  static async start(options: SessionOptions): Promise<Session> {
    const kind = options.debugger ?? debuggerKindFor(options.program);
    const stdinFile = options.stdinFile === undefined ? undefined : checkStdinFile(options.stdinFile);
    const debuggerInstance = await createDebugger(kind);
    const terminal = new ProgramTerminal();
    try {
      const outcome = await debuggerInstance.launch({
        program: options.program,
        args: options.args ?? [],
        stdinFile,
        programTty: terminal.path,
        cwd: options.cwd,
        env: options.env,
      });
      return new Session(debuggerInstance, terminal, outcome);
    } catch (error) {
      await debuggerInstance.dispose();
      terminal.dispose();
      throw error;
    }
  }

  /** The program's own output (stdout and stderr), as it is written. */
  onProgramOutput(listener: OutputListener): () => void {
    return this.terminal.onOutput(listener);
  }

  /** Type into the program's terminal (its stdin unless `stdinFile` was given). */
  sendProgramInput(text: string): void {
    this.terminal.write(text);
  }

  get state(): ProgramState {
    return this.personality.state();
  }

  location(): Promise<Location | null> {
    return this.personality.location();
  }

  run(): Promise<CommandOutcome> { return this.personality.run(); }
  step(): Promise<CommandOutcome> { return this.personality.step(); }
  next(): Promise<CommandOutcome> { return this.personality.next(); }
  finish(): Promise<CommandOutcome> { return this.personality.finish(); }
  continue(): Promise<CommandOutcome> { return this.personality.continue(); }
  setBreakpoint(spec: string, condition?: string): Promise<Breakpoint> { return this.personality.setBreakpoint(spec, condition); }
  listBreakpoints(): Promise<Breakpoint[]> { return this.personality.listBreakpoints(); }
  deleteBreakpoint(id: number): Promise<void> { return this.personality.deleteBreakpoint(id); }
  evaluate(expression: string): Promise<string> { return this.personality.evaluate(expression); }
  backtrace(): Promise<Frame[]> { return this.personality.backtrace(); }
  /** One native command of the underlying debugger. */
  native(command: string): Promise<CommandOutcome> { return this.personality.execute(command); }

  /** Stops a running program, as Ctrl-C in plain gdb or pdb would. */
  interrupt(): void {
    this.personality.interrupt();
  }

  /** Ends the debugger and the program; nothing it started survives. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.personality.dispose();
    } finally {
      this.terminal.dispose();
    }
  }

  assertOpen(): void {
    if (this.closed) throw new FredError('internal', 'the session is closed');
  }
}
