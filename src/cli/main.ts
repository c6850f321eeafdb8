// `fred` entry point: parses the command line, starts a session, hands it to the REPL or batch
// runner, and guarantees cleanup on every way out (normal exit, error, SIGINT, SIGTERM).
// Only what checks the command line is loaded up front: once it is good, gdb starts
// (session/early-start.ts) while node loads the session and the rest of fred.

import { readFileSync } from 'node:fs';
import { FredError, oneLine } from '../errors.js';
import type { Session } from '../session/session.js';
import { discardEarlyDebugger, startDebuggerEarly } from '../session/early-start.js';
import { packageFile } from '../system/package-root.js';
import { backendFromEnvironment, parseArguments, sessionOptionsFrom, USAGE } from './arguments.js';
import { BISECT_USAGE, parseBisectArguments } from './bisect-arguments.js';

export async function main(argv: string[]): Promise<void> {
  let session: Session | undefined;
  // The first reason to exit decides the status: a signal's cleanup must not be overtaken by
  // the command it cut short finishing with its own (a batch's failed `run`).
  let exiting: Promise<never> | undefined;
  const cleanupAndExit = (status: number): Promise<never> => {
    exiting ??= (async () => {
      // Exiting anyway; but a session that could not be saved (--save-session) is news.
      try { await session?.close(); } catch (error) { process.stderr.write(`fred: ${oneLine(error)}\n`); }
      await discardEarlyDebugger();
      process.exit(status);
    })();
    return exiting;
  };
  // The REPL reads Ctrl-C from its raw-mode terminal itself (it interrupts the program), so a
  // SIGINT signal comes from outside (kill, a piped REPL's shell) and ends fred as SIGTERM does.
  const signalNumbers = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
    process.on(signal, () => void cleanupAndExit(128 + signalNumbers[signal]));
  }
  if (argv[0] === 'tui') {
    // The TUI cannot resume a saved session (line-mode fred does): refuse rather than ignore it.
    if (resumeIn(argv.slice(1))) {
      process.stderr.write('fred: fred tui does not take --resume yet (line-mode fred does)\n');
      return cleanupAndExit(2);
    }
    // Loaded only for `fred tui`: blessed costs every other command 20 ms of start-up.
    const { runTuiCommand } = await import('./tui.js');
    return cleanupAndExit(await runTuiCommand(argv.slice(1), (started) => { session = started; }));
  }
  if (argv[0] === 'bisect') {
    try {
      const options = parseBisectArguments(argv.slice(1));
      process.on('SIGINT', () => void cleanupAndExit(130));
      startDebuggerEarly({ ...options, backend: options.backend ?? backendFromEnvironment() });
      const { runBisect } = await import('./bisect.js');
      return cleanupAndExit(await runBisect(options, (started) => { session = started; }));
    } catch (error) {
      process.stderr.write(`fred: ${oneLine(error)}\n`);
      if (error instanceof FredError && error.code === 'usage') process.stderr.write(`${BISECT_USAGE}\n`);
      return cleanupAndExit(2);
    }
  }
  try {
    const options = parseArguments(argv);
    if (options.help) {
      process.stdout.write(`${USAGE}\n`);
      return cleanupAndExit(0);
    }
    if (options.version) {
      const manifest = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string };
      process.stdout.write(`fred ${manifest.version}\n`);
      return cleanupAndExit(0);
    }
    if (options.resume === undefined && options.program !== undefined) startDebuggerEarly(sessionOptionsFrom(options));
    const { readCommandFile, runBatch } = await import('./batch.js');
    const commands = options.batch ? readCommandFile(options.commandsFile!) : undefined;
    const { Session } = await import('../session/session.js');
    session = options.resume !== undefined
      ? await Session.resume(options.resume, { saveSession: options.saveSession, checkpointIntervalMs: options.checkpointIntervalMs })
      : await Session.start(sessionOptionsFrom(options));
    const status = commands
      ? await runBatch(session, commands, { commandsFile: options.commandsFile!, json: options.json, programOutput: options.programOutput })
      : await (await import('./repl.js')).runRepl(session);
    return cleanupAndExit(status);
  } catch (error) {
    process.stderr.write(`fred: ${oneLine(error)}\n`);
    const usageLike = error instanceof FredError && (error.code === 'usage' || error.code === 'program');
    if (usageLike) process.stderr.write(`${USAGE}\n`);
    return cleanupAndExit(usageLike ? 2 : 1);
  }
}

/** Whether a command line asks to resume a saved session (bad command lines are the caller's to report). */
function resumeIn(argv: string[]): boolean {
  try {
    return parseArguments(argv).resume !== undefined;
  } catch {
    return false;
  }
}
