// The command history shared by the REPL and the TUI: ~/.fred_history (or $FRED_HISTORY), one
// command a line, appended as commands are run. History is a convenience: an unreadable or
// unwritable file never breaks a session.

import { appendFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** How many commands are kept in memory (the file itself only grows). */
export const HISTORY_LIMIT = 1000;

export class HistoryFile {
  readonly path = process.env['FRED_HISTORY'] ?? join(homedir(), '.fred_history');

  /** The last HISTORY_LIMIT commands, oldest first. */
  load(): string[] {
    try {
      return readFileSync(this.path, 'utf8').split('\n').filter(Boolean).slice(-HISTORY_LIMIT);
    } catch {
      return [];
    }
  }

  remember(line: string): void {
    try {
      appendFileSync(this.path, `${line}\n`, { mode: 0o600 });
    } catch {
      // An unwritable home must not break the session.
    }
  }
}
