// `fred tui [options] -- PROGRAM [ARGS...]`: the same options as line-mode fred, then the
// full-screen terminal UI (src/ui/tui/) instead of the REPL. Returns the exit status.

import { FredError, oneLine } from '../errors.js';
import { Session } from '../session/session.js';
import { runTui } from '../ui/tui/app.js';
import { drawingProblem } from '../ui/tui/terminal-capabilities.js';
import { parseArguments, sessionOptionsFrom } from './arguments.js';
import { HistoryFile } from './history-file.js';

export const TUI_USAGE = 'usage: fred tui [--debugger gdb|pdb] [--stdin FILE] [--checkpoint-interval MS] [--no-record] [--backend fork|dmtcp] [--save-session DIR] -- PROGRAM [ARGS...]';


/** `onSession` hands the session to main() so that every way out closes it. */
export async function runTuiCommand(argv: string[], onSession: (session: Session) => void): Promise<number> {
  let options;
  try {
    options = parseArguments(argv);
    if (options.batch) throw new FredError('usage', 'fred tui is interactive: --batch does not apply');
  } catch (error) {
    process.stderr.write(`fred: ${oneLine(error)}\n${TUI_USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${TUI_USAGE}\n`);
    return 0;
  }
  const problem = terminalProblem();
  if (problem) {
    process.stderr.write(`fred: ${problem}; line-mode \`fred\` (without tui) works on any terminal\n`);
    return 2;
  }
  let session: Session;
  try {
    session = await Session.start(sessionOptionsFrom(options));
  } catch (error) {
    process.stderr.write(`fred: ${oneLine(error)}\n`);
    const usageLike = error instanceof FredError && (error.code === 'usage' || error.code === 'program');
    if (usageLike) process.stderr.write(`${TUI_USAGE}\n`);
    return usageLike ? 2 : 1;
  }
  onSession(session);
  const history = new HistoryFile();
  await runTui(session, { history: history.load(), remember: (line) => history.remember(line) });
  return 0;
}

/** Why this terminal cannot show the UI (not a terminal; no cursor addressing, as TERM=dumb), or null. */
function terminalProblem(): string | null {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return 'the terminal UI needs a terminal';
  const problem = drawingProblem(process.env['TERM'] ?? '');
  return problem ? `the terminal UI cannot be drawn: ${problem}` : null;
}
