// Runs one fred command line against a session: fred's own commands from the table, anything
// else as one native debugger command. Never throws for user mistakes: failures become results.

import { oneLine, FredError } from '../errors.js';
import { parseCommandLine } from '../../grammars/command/api.js';
import type { Session } from '../session/session.js';
import type { CommandContext, CommandResult } from './command.js';
import { findCommand } from './table.js';

export class CommandInterpreter {
  private readonly context: CommandContext;

  constructor(readonly session: Session) {
    this.context = { session, runLine: (line) => this.execute(line) };
  }

  async execute(line: string): Promise<CommandResult> {
    const command = line.trim();
    let output = '';
    try {
      const parsed = parseCommandLine(line);
      if (parsed.parseErrors.length > 0 || parsed.lexErrors.length > 0) {
        const first = (parsed.parseErrors[0] ?? parsed.lexErrors[0]) as { message?: string } | undefined;
        throw new FredError('usage', first?.message ?? 'cannot parse the command');
      }
      if (parsed.value === null) return await this.result(command, true, '');
      const spec = findCommand(parsed.value.name, parsed.value.words[0]);
      if (spec) {
        const reply = await spec.run(this.context, parsed.value);
        return { ...(await this.result(command, true, reply.output)), ...(reply.quit ? { quit: true } : {}) };
      }
      const outcome = await this.session.native(command);
      output = outcome.output;
      return { command, ok: true, output, location: outcome.location, state: outcome.state };
    } catch (error) {
      return { ...(await this.result(command, false, output)), error: oneLine(error) };
    }
  }

  private async result(command: string, ok: boolean, output: string): Promise<CommandResult> {
    let location = null;
    try {
      location = await this.session.location();
    } catch {
      // The debugger may be gone after a failure; report no location rather than a second error.
    }
    return { command, ok, output, location, state: this.session.state };
  }
}
