// fred's command line: options before `--` (or before the program), then PROGRAM [ARGS...].
// Everything after the program name belongs to the program, untouched.

import { FredError } from '../errors.js';
import type { DebuggerKind } from '../debugger/types.js';
import type { SessionOptions } from '../session/session.js';

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
  /** --backend: where checkpoints live (fork: in memory; dmtcp: DMTCP images, pdb only). */
  backend?: 'fork' | 'dmtcp';
  /** --save-session DIR (dmtcp backend): keep the session's images and history in DIR. */
  saveSession?: string;
  /** --resume DIR: reopen a saved session instead of starting a program. */
  resume?: string;
  help: boolean;
  version: boolean;
  program?: string;
  args: string[];
}

const VALUE_OPTIONS = new Set(['--debugger', '--stdin', '--commands', '--program-output', '--checkpoint-interval', '--backend', '--save-session', '--resume']);

export const USAGE = `usage: fred [--debugger gdb|pdb] [--stdin FILE] [--checkpoint-interval MS] [--no-record] [--backend fork|dmtcp] [--save-session DIR] -- PROGRAM [ARGS...]
       fred --resume DIR [--save-session DIR] [--checkpoint-interval MS]
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
  if (options.resume !== undefined) {
    // The saved session names its program; its backend is DMTCP's.
    if (options.program !== undefined) throw new FredError('usage', '--resume takes no program: the saved session names it');
    if (options.backend === 'fork') throw new FredError('usage', '--resume needs the dmtcp backend');
    if (options.debugger === 'gdb' || options.stdinFile !== undefined || options.record === false) {
      throw new FredError('usage', '--resume takes only --save-session, --checkpoint-interval and batch options');
    }
  } else if (options.program === undefined) throw new FredError('usage', 'no program given');
  if (options.saveSession !== undefined && options.backend !== 'dmtcp' && options.resume === undefined) {
    throw new FredError('usage', '--save-session needs --backend dmtcp');
  }
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
    case '--backend':
      if (value !== 'fork' && value !== 'dmtcp') throw new FredError('usage', `--backend must be fork or dmtcp, not ${value}`);
      options.backend = value;
      return;
    case '--save-session':
      options.saveSession = value;
      return;
    case '--resume':
      options.resume = value;
      return;
    case '--checkpoint-interval': {
      const ms = Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(ms)) throw new FredError('usage', '--checkpoint-interval takes milliseconds (0 = off)');
      options.checkpointIntervalMs = ms;
      return;
    }
  }
}

/**
 * FRED_BACKEND (fork or dmtcp): the backend when no --backend is given, for `fred`, `fred tui`
 * and `fred bisect` alike (a config switch: set it once in your shell profile).
 */
export function backendFromEnvironment(environment: NodeJS.ProcessEnv = process.env): 'fork' | 'dmtcp' | undefined {
  const value = environment['FRED_BACKEND'];
  if (value === undefined || value === '') return undefined;
  if (value !== 'fork' && value !== 'dmtcp') throw new FredError('usage', `FRED_BACKEND must be fork or dmtcp, not ${value}`);
  return value;
}

/** What `fred` and `fred tui` start a session with, from their command line. */
export function sessionOptionsFrom(options: CliOptions): SessionOptions {
  return {
    program: options.program!,
    args: options.args,
    debugger: options.debugger,
    stdinFile: options.stdinFile,
    checkpointIntervalMs: options.checkpointIntervalMs,
    record: options.record,
    backend: options.backend ?? backendFromEnvironment(),
    saveSession: options.saveSession,
  };
}
