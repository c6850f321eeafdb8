// `fred bisect`: run a program to a location (or to its end), then reverse-watch an expression
// and report where it last changed — as text or one JSON object. Exit status: 0 found,
// 1 not found (never changed, or the program never reached the location), 2 usage or debugger
// errors.

import { backendFromEnvironment } from './arguments.js';
import type { BisectOptions } from './bisect-arguments.js';
import { oneLine } from '../errors.js';
import type { Frame } from '../debugger/types.js';
import { Session } from '../session/session.js';
import { settleProgramOutput } from './program-output.js';

interface BisectReport {
  found: boolean;
  expression: string;
  valueBefore: string;
  valueAfter: string;
  location: { file: string; line: number; function: string; depth: number } | null;
  backtrace: { function: string; file: string; line: number }[];
  prints: Record<string, string>;
  stats: { seconds: number; checkpoints: number; restores: number; probes: number };
}

/** Returns the exit status. */
export async function runBisect(options: BisectOptions, onSession: (session: Session) => void): Promise<number> {
  const started = Date.now();
  const session = await Session.start({
    program: options.program,
    args: options.args,
    debugger: options.debugger,
    stdinFile: options.stdinFile,
    checkpointIntervalMs: options.checkpointIntervalMs,
    backend: options.backend ?? backendFromEnvironment(),
  });
  onSession(session);
  session.onProgramOutput((text) => process.stderr.write(text));
  try {
    const reached = await runToTheSymptom(session, options.breakAt);
    if (!reached) {
      return report(options, notFound(options, 'the program never reached the location', started));
    }
    const outcome = await session.reverseWatch(options.watch);
    const location = outcome.found ? outcome.location : null;
    const prints: Record<string, string> = {};
    if (outcome.found) {
      for (const expression of options.prints) {
        prints[expression] = await session.evaluate(expression).catch((error: unknown) => `<error: ${oneLine(error)}>`);
      }
    }
    const frames: Frame[] = outcome.found ? await session.backtrace().catch(() => []) : [];
    await settleProgramOutput(session);
    return report(options, {
      found: outcome.found,
      expression: options.watch,
      valueBefore: outcome.valueBefore ?? '',
      valueAfter: outcome.valueAfter,
      location,
      backtrace: frames.map((frame) => ({ function: frame.function, file: frame.file, line: frame.line })),
      prints,
      stats: { ...outcome.stats, seconds: (Date.now() - started) / 1000 },
    });
  } finally {
    await session.close();
  }
}

/**
 * To the location (a breakpoint there, then run/continue), or without one to the last moment
 * before the program exits or crashes. False when the program ended without reaching it.
 */
async function runToTheSymptom(session: Session, breakAt: string | undefined): Promise<boolean> {
  if (breakAt !== undefined) await session.setBreakpoint(breakAt);
  const outcome = session.kind === 'gdb' ? await session.run() : await session.continue();
  if (breakAt === undefined) return outcome.state.kind === 'exited' || outcome.state.kind === 'crashed' || outcome.state.kind === 'stopped';
  return outcome.state.kind === 'stopped' && outcome.location !== null;
}

function notFound(options: BisectOptions, reason: string, started: number): BisectReport & { reason: string } {
  return {
    found: false, expression: options.watch, valueBefore: '', valueAfter: '', location: null, backtrace: [], prints: {},
    stats: { seconds: (Date.now() - started) / 1000, checkpoints: 0, restores: 0, probes: 0 }, reason,
  };
}

function report(options: BisectOptions, result: BisectReport & { reason?: string }): number {
  if (options.json) {
    const { reason: _reason, ...json } = result;
    void _reason;
    process.stdout.write(`${JSON.stringify(json)}\n`);
  } else if (result.found && result.location) {
    const lines = [
      `${result.expression} changed from ${result.valueBefore} to ${result.valueAfter}`,
      `at ${result.location.file}:${result.location.line} in ${result.location.function} (depth ${result.location.depth}), before the statement ran`,
      ...result.backtrace.map((frame, level) => `  #${level} ${frame.function} at ${frame.file}:${frame.line}`),
      ...Object.entries(result.prints).map(([expression, value]) => `${expression} = ${value}`),
      `${result.stats.seconds.toFixed(2)} s, ${result.stats.checkpoints} checkpoints, ${result.stats.restores} restores, ${result.stats.probes} probes`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } else {
    process.stdout.write(result.reason ? `not found: ${result.reason}\n` : `not found: ${result.expression} = ${result.valueAfter} over the whole recorded history\n`);
  }
  return result.found ? 0 : 1;
}
