// fred's library API: drive gdb or pdb sessions (and, as they land, reverse execution) from
// TypeScript. The `fred` CLI is built on exactly these.

export { Session, type SessionOptions } from './session/session.js';
export { CommandInterpreter } from './commands/interpreter.js';
export type { CommandResult } from './commands/command.js';
export { commandTable } from './commands/table.js';
export { FredError, type FredErrorCode } from './errors.js';
export type {
  Breakpoint, CommandOutcome, Debugger, DebuggerKind, Frame, Location, ProgramState,
} from './debugger/types.js';
