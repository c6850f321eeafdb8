// fred's command line: options before `--` (or before the program), then PROGRAM [ARGS...].
// Everything after the program name belongs to the program, untouched.

import { FredError } from '../errors.js';
import type { DebuggerKind } from '../debugger/types.js';

export interface CliOptions {
  debugger?: DebuggerKind;
  stdinFile?: string;
  batch: boolean;
  commandsFile?: string;
  json: boolean;
  programOutput?: string;
  checkpointIntervalMs?: number;
  /** false: --no-record, the program runs without the record-replay shim. */
  record?: boolean;
  help: boolean;
  version: boolean;
  program?: string;
  args: string[];
}

const VALUE_OPTIONS = new Set(['--debugger', '--stdin', '--commands', '--program-output', '--checkpoint-interval']);

export const USAGE = `usage: fred [--debugger gdb|pdb] [--stdin FILE] [--checkpoint-interval MS] [--no-record] -- PROGRAM [ARGS...]
       fred --batch --commands FILE [--json] [--program-output FILE] [options above] -- PROGRAM [ARGS...]`;

export function parseArguments(argv: string[]): CliOptions {
  const options: CliOptions = { batch: false, json: false, help: false, version: false, args: [] };
  let index = 0;
  while (index < argv.length) {
    const argument = argv[index]!;
    if (argument === '--') {
      index++;
      break;
    }
    if (!argument.startsWith('-') || argument === '-') break;
    const [flag, inlineValue] = splitFlag(argument);
    if (VALUE_OPTIONS.has(flag)) {
      const value = inlineValue ?? argv[++index];
      if (value === undefined) throw new FredError('usage', `${flag} needs a value`);
      applyValue(options, flag, value);
    } else if (inlineValue !== undefined) {
      throw new FredError('usage', `${flag} takes no value`);
    } else if (flag === '--batch') options.batch = true;
    else if (flag === '--json') options.json = true;
    else if (flag === '--no-record') options.record = false;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else if (flag === '--version') options.version = true;
    else throw new FredError('usage', `unknown option ${flag}`);
    index++;
  }
  const rest = argv.slice(index);
  if (rest.length > 0) {
    options.program = rest[0];
    options.args = rest.slice(1);
  }
  if (options.help || options.version) return options;
  if (options.program === undefined) throw new FredError('usage', 'no program given');
  if (options.batch && options.commandsFile === undefined) throw new FredError('usage', '--batch needs --commands FILE');
  if (!options.batch && (options.commandsFile !== undefined || options.json || options.programOutput !== undefined)) {
    throw new FredError('usage', '--commands, --json and --program-output need --batch');
  }
  return options;
}

function splitFlag(argument: string): [string, string | undefined] {
  const equals = argument.indexOf('=');
  return equals > 0 ? [argument.slice(0, equals), argument.slice(equals + 1)] : [argument, undefined];
}

function applyValue(options: CliOptions, flag: string, value: string): void {
  switch (flag) {
    case '--debugger':
      if (value !== 'gdb' && value !== 'pdb') throw new FredError('usage', `--debugger must be gdb or pdb, not ${value}`);
      options.debugger = value;
      return;
    case '--stdin':
      options.stdinFile = value;
      return;
    case '--commands':
      options.commandsFile = value;
      return;
    case '--program-output':
      options.programOutput = value;
      return;
    case '--checkpoint-interval': {
      const ms = Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(ms)) throw new FredError('usage', '--checkpoint-interval takes milliseconds (0 = off)');
      options.checkpointIntervalMs = ms;
      return;
    }
  }
}
