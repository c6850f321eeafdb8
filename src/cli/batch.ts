// `fred --batch`: runs a command file, one command per line, then exits. With --json, stdout
// carries exactly one JSON object per command; program output never enters that stream.

import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { FredError } from '../errors.js';
import { commandFileLines } from '../../grammars/command/api.js';
import { CommandInterpreter } from '../commands/interpreter.js';
import type { CommandResult } from '../commands/command.js';
import type { Session } from '../session/session.js';
import { settleProgramOutput } from './program-output.js';

export interface BatchOptions {
  commandsFile: string;
  json: boolean;
  programOutput?: string;
}

/** Reads the command file up front so a bad path is a usage error before anything starts. */
export function readCommandFile(path: string): { lineNumber: number; text: string }[] {
  try {
    return commandFileLines(readFileSync(path, 'utf8'));
  } catch {
    throw new FredError('usage', `--commands ${path}: cannot read the file`);
  }
}

/** Returns the exit status: 0 when every command ran, 1 when any failed. */
export async function runBatch(session: Session, lines: { text: string }[], options: BatchOptions): Promise<number> {
  let sink: WriteStream | undefined;
  if (options.programOutput !== undefined) {
    sink = createWriteStream(options.programOutput, { mode: 0o600 });
    await new Promise<void>((resolve, reject) => sink!.once('open', () => resolve()).once('error', reject)).catch(() => {
      throw new FredError('usage', `--program-output ${options.programOutput}: cannot write the file`);
    });
  }
  const target = sink ?? process.stderr;
  const unsubscribe = session.onProgramOutput((text) => target.write(text));
  const interpreter = new CommandInterpreter(session);
  let failed = false;
  try {
    for (const line of lines) {
      const result = await interpreter.execute(line.text);
      if (!result.ok) failed = true;
      report(result, options.json);
      if (result.quit) break;
    }
    await settleProgramOutput(session);
  } finally {
    unsubscribe();
    if (sink) await new Promise((resolve) => sink!.end(resolve));
  }
  return failed ? 1 : 0;
}

function report(result: CommandResult, json: boolean): void {
  if (json) {
    const record: Record<string, unknown> = { command: result.command, ok: result.ok };
    if (result.error !== undefined) record['error'] = result.error;
    record['location'] = result.location;
    record['output'] = result.output;
    process.stdout.write(`${JSON.stringify(record)}\n`);
    return;
  }
  if (result.output) process.stdout.write(result.output.endsWith('\n') ? result.output : `${result.output}\n`);
  if (result.error !== undefined) process.stderr.write(`fred: ${result.error}\n`);
}
