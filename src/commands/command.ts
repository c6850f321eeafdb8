// The shape of one fred command. Every fred command is declared once, in table.ts; the REPL,
// batch mode, the TUI and the README's command list all read that table.

import type { Location, ProgramState } from '../debugger/types.js';
import type { Session } from '../session/session.js';
import type { ParsedCommand } from '../../grammars/command/api.js';

export interface CommandContext {
  session: Session;
  /** Runs one more command line (for `source`). */
  runLine(line: string): Promise<CommandResult>;
}

export interface CommandReply {
  output: string;
  /** Set by `quit`: the front end should end the session. */
  quit?: boolean;
}

export interface CommandSpec {
  /** Canonical name; two words for subcommands such as `info checkpoints`. */
  name: string;
  aliases: string[];
  group: 'running' | 'breakpoints' | 'data' | 'session' | 'time travel';
  usage: string;
  help: string;
  run(context: CommandContext, command: ParsedCommand): Promise<CommandReply>;
}

/** What every front end gets back for one command line. */
export interface CommandResult {
  command: string;
  ok: boolean;
  error?: string;
  output: string;
  location: Location | null;
  state: ProgramState;
  quit?: boolean;
}
