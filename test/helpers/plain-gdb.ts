// Plain gdb, without fred, as the oracle for where execution stops: tests drive it over GDB/MI
// and compare fred's stops with its. It runs the program exactly as a user's gdb would, except
// that the C library's separate debug information is not loaded: fred deliberately never steps
// into the C library's sources, which is how plain gdb behaves on a system without libc6-dbg.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { parseMiLine, quoteMiString, type MiRecord, type MiTuple, type MiValue } from '../../grammars/mi/api.js';
import type { Location } from '../../src/debugger/types.js';

type Resolved = { kind: 'result'; resultClass: string; results: MiTuple };

export interface PlainStop {
  /** `*stopped` reason: end-stepping-range, breakpoint-hit, exited-normally, signal-received... */
  reason: string;
  /** Where the program stands afterwards; null once it has exited. */
  location: Location | null;
}

export class PlainGdb {
  private pending = '';
  private readonly records: MiRecord[] = [];
  private wake: (() => void) | undefined;
  private exited = false;
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      this.pending += text;
      const lines = this.pending.split('\n');
      this.pending = lines.pop()!;
      for (const line of lines) {
        const record = parseMiLine(line).value;
        if (record) this.records.push(record);
      }
      this.wake?.();
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => { this.stderr += text; });
    child.on('exit', () => {
      this.exited = true;
      this.wake?.();
    });
  }

  /** gdb on `program`; its output goes to /dev/null so it never mixes with MI. */
  static async start(program: string, args: string[] = []): Promise<PlainGdb> {
    const child = spawn('gdb', ['-nx', '-q', '--interpreter=mi2', program], { stdio: ['pipe', 'pipe', 'pipe'] });
    const gdb = new PlainGdb(child);
    await gdb.command('-gdb-set debug-file-directory /nonexistent');
    await gdb.command('-gdb-set confirm off');
    // The program runs through the shell (gdb's default), which does the redirections.
    await gdb.command(`-exec-arguments ${args.map(shellWord).join(' ')} </dev/null >/dev/null 2>&1`);
    return gdb;
  }

  /** Sets a breakpoint (`file:line`, function), optionally conditional. */
  async breakAt(spec: string, condition?: string): Promise<void> {
    await this.command(`-break-insert ${condition === undefined ? '' : `-c ${quoteMiString(condition)} `}${spec}`);
  }

  run(): Promise<PlainStop> { return this.move('-exec-run'); }
  step(): Promise<PlainStop> { return this.move('-exec-step'); }
  next(): Promise<PlainStop> { return this.move('-exec-next'); }
  finish(): Promise<PlainStop> { return this.move('-exec-finish'); }
  continue(): Promise<PlainStop> { return this.move('-exec-continue'); }

  /** The innermost frame's location, with fred's depth (frames up to and including main). */
  async location(): Promise<Location | null> {
    const frameReply = await this.command('-stack-info-frame', true);
    if (frameReply.resultClass !== 'done') return null;
    const frame = asTuple(frameReply.results['frame']);
    const depth = Number(text((await this.command('-stack-info-depth')).results, 'depth'));
    return {
      file: text(frame, 'fullname') ?? '',
      line: Number(text(frame, 'line') ?? 0),
      function: text(frame, 'func') ?? '??',
      depth,
    };
  }

  async evaluate(expression: string): Promise<string> {
    return text((await this.command(`-data-evaluate-expression ${quoteMiString(expression)}`)).results, 'value') ?? '';
  }

  /** Ends gdb and the program it runs. */
  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end('-gdb-exit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }

  /** Sends one MI command; resolves with its result record (an error throws unless `allowError`). */
  async command(command: string, allowError = false): Promise<Resolved> {
    this.records.length = 0;
    this.child.stdin.write(`${command}\n`);
    const result = await this.waitFor((record): record is Resolved & MiRecord => record.kind === 'result');
    if (result.resultClass === 'error' && !allowError) {
      throw new Error(`plain gdb: ${command}: ${text(result.results, 'msg') ?? 'error'}`);
    }
    return result;
  }

  private async move(command: string): Promise<PlainStop> {
    const result = await this.command(command);
    if (result.resultClass !== 'running') throw new Error(`plain gdb: ${command} did not run the program`);
    const stopped = await this.waitFor((record): record is Extract<MiRecord, { kind: 'exec' }> =>
      record.kind === 'exec' && record.asyncClass === 'stopped');
    const reason = text(stopped.results, 'reason') ?? '';
    return { reason, location: reason.startsWith('exited') ? null : await this.location() };
  }

  private async waitFor<T extends MiRecord>(wanted: (record: MiRecord) => record is T): Promise<T> {
    for (;;) {
      const index = this.records.findIndex(wanted);
      if (index >= 0) {
        const found = this.records[index] as T;
        this.records.splice(0, index + 1);
        return found;
      }
      if (this.exited) throw new Error(`plain gdb exited unexpectedly: ${this.stderr}`);
      await new Promise<void>((resolve) => { this.wake = resolve; });
      this.wake = undefined;
    }
  }
}

function text(tuple: MiTuple | undefined, name: string): string | undefined {
  const value = tuple?.[name];
  return typeof value === 'string' ? value : undefined;
}

function asTuple(value: MiValue | undefined): MiTuple | undefined {
  return value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function shellWord(word: string): string {
  return /^[\w./=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface PlainWalk {
  /** Where the program stands before any movement (the breakpoint stop), then after each move. */
  locations: (Location | null)[];
  /** The `*stopped` reason of the last move (signal-received for a crash, exited-normally...). */
  lastReason: string;
}

/**
 * Plain gdb's answer for one walk: break at `breakAt` (optionally conditional), run, then repeat
 * `move` until `done` says the walk is complete or the program ended or crashed.
 */
export async function plainWalk(
  program: string,
  args: string[],
  breakAt: { spec: string; condition?: string },
  move: 'step' | 'next',
  done: (location: Location, gdb: PlainGdb, moves: number) => boolean | Promise<boolean>,
): Promise<PlainWalk> {
  const gdb = await PlainGdb.start(program, args);
  try {
    await gdb.breakAt(breakAt.spec, breakAt.condition);
    const first = await gdb.run();
    if (first.reason !== 'breakpoint-hit') throw new Error(`plain gdb did not stop at ${breakAt.spec}: ${first.reason}`);
    const locations: (Location | null)[] = [first.location];
    let lastReason = first.reason;
    for (let moves = 1; ; moves++) {
      const stop = await gdb[move]();
      locations.push(stop.location);
      lastReason = stop.reason;
      if (stop.location === null || stop.reason === 'signal-received') break;
      if (await done(stop.location, gdb, moves)) break;
    }
    return { locations, lastReason };
  } finally {
    await gdb.close();
  }
}
