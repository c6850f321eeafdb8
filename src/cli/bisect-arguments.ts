// `fred bisect`'s command line (kept apart from bisect.ts, which loads the whole session: main.ts
// checks the arguments and starts the debugger before loading it).

import { FredError } from '../errors.js';
import type { DebuggerKind } from '../debugger/types.js';

export interface BisectOptions {
  watch: string;
  breakAt?: string;
  prints: string[];
  stdinFile?: string;
  json: boolean;
  debugger?: DebuggerKind;
  checkpointIntervalMs?: number;
  /** --backend (or FRED_BACKEND): where checkpoints live. */
  backend?: 'fork' | 'dmtcp';
  program: string;
  args: string[];
}

export const BISECT_USAGE = 'usage: fred bisect --watch EXPR [--break LOC] [--print EXPR2]... [--stdin FILE] [--json] [--debugger gdb|pdb] [--backend fork|dmtcp] -- PROGRAM [ARGS...]';

export function parseBisectArguments(argv: string[]): BisectOptions {
  const options: Partial<BisectOptions> & { prints: string[]; json: boolean } = { prints: [], json: false };
  let index = 0;
  for (; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--') {
      index++;
      break;
    }
    if (!argument.startsWith('--')) break;
    const equals = argument.indexOf('=');
    const flag = equals > 0 ? argument.slice(0, equals) : argument;
    const takeValue = (): string => {
      const value = equals > 0 ? argument.slice(equals + 1) : argv[++index];
      if (value === undefined) throw new FredError('usage', `${flag} needs a value`);
      return value;
    };
    switch (flag) {
      case '--watch': options.watch = takeValue(); break;
      case '--break': options.breakAt = takeValue(); break;
      case '--print': options.prints.push(takeValue()); break;
      case '--stdin': options.stdinFile = takeValue(); break;
      case '--json': options.json = true; break;
      case '--backend': {
        const value = takeValue();
        if (value !== 'fork' && value !== 'dmtcp') throw new FredError('usage', `--backend must be fork or dmtcp, not ${value}`);
        options.backend = value;
        break;
      }
      case '--debugger': {
        const value = takeValue();
        if (value !== 'gdb' && value !== 'pdb') throw new FredError('usage', `--debugger must be gdb or pdb, not ${value}`);
        options.debugger = value;
        break;
      }
      case '--checkpoint-interval': {
        const value = takeValue();
        if (!/^\d+$/.test(value)) throw new FredError('usage', '--checkpoint-interval takes milliseconds');
        options.checkpointIntervalMs = Number(value);
        break;
      }
      default: throw new FredError('usage', `unknown option ${flag}`);
    }
  }
  const rest = argv.slice(index);
  if (options.watch === undefined || options.watch.trim() === '') throw new FredError('usage', 'bisect needs --watch EXPR');
  if (rest.length === 0) throw new FredError('usage', 'no program given');
  for (const text of [options.watch, options.breakAt, ...options.prints]) {
    if (text !== undefined && /[\r\n]/.test(text)) throw new FredError('usage', 'expressions and locations must be a single line');
  }
  return { ...options, watch: options.watch, program: rest[0]!, args: rest.slice(1) } as BisectOptions;
}
