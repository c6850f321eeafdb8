// The GDB/MI conversation: numbered commands, each reply matched to its token (never to "the
// next prompt"), stream records collected per command, async records delivered as events.

import { DebuggerProcess, LineSplitter } from '../../pty/debugger-process.js';
import { parseMiLine, type MiRecord, type MiTuple } from '../../../grammars/mi/api.js';
import { FredError } from '../../errors.js';
import { debugLog, debugLogging } from '../../system/debug-log.js';

export type AsyncRecord = Extract<MiRecord, { kind: 'exec' | 'status' | 'notify' }>;

export interface MiReply {
  token: number;
  resultClass: string;
  results: MiTuple;
}

interface Pending {
  resolve(reply: MiReply): void;
  reject(error: Error): void;
  /** 'running': `^running` arrived; the entry stays to catch a late `^error` for the same token. */
  phase: 'reply' | 'running';
  onLateFailure?: (message: string) => void;
}

export class MiConnection {
  private nextToken = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly splitter = new LineSplitter();
  private readonly asyncListeners = new Set<(record: AsyncRecord) => void>();
  private streamText = '';
  private closedError: Error | undefined;

  constructor(private readonly process: DebuggerProcess) {
    process.onData((data) => {
      for (const line of this.splitter.push(data)) this.handleLine(line);
    });
    process.onExit(() => {
      this.closedError = new FredError('internal', 'gdb exited unexpectedly');
      for (const entry of this.pending.values()) {
        // A command that resumed the program waits for its stop: tell it none will come.
        if (entry.phase === 'running') entry.onLateFailure?.(this.closedError.message);
        else entry.reject(this.closedError);
      }
      this.pending.clear();
    });
  }

  onAsync(listener: (record: AsyncRecord) => void): () => void {
    this.asyncListeners.add(listener);
    return () => this.asyncListeners.delete(listener);
  }

  /** Stream text gathered since the last call; exec commands read it after their stop. */
  takeStreamText(): string {
    const text = this.streamText;
    this.streamText = '';
    return text;
  }

  /**
   * Sends one MI command (without token; arguments already quoted) and resolves with its result
   * record; `^error` rejects with gdb's message. For commands that resume the program, pass
   * `onLateFailure`: gdb may answer `^running` and later `^error` (e.g. a breakpoint that cannot
   * be inserted) instead of stopping.
   */
  send(command: string, onLateFailure?: (message: string) => void): Promise<MiReply> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (/[\r\n]/.test(command)) return Promise.reject(new FredError('internal', 'MI command with a line break'));
    const token = this.nextToken++;
    return new Promise<MiReply>((resolve, reject) => {
      this.pending.set(token, { resolve, reject, phase: 'reply', onLateFailure });
      debugLog(`gdb > ${token}${command}`);
      this.process.write(`${token}${command}\n`);
    });
  }

  /** Stop listening for a late failure of a command whose execution has ended. */
  release(token: number): void {
    this.pending.delete(token);
  }

  private handleLine(line: string): void {
    if (line.trim() === '') return;
    const { value } = parseMiLine(line);
    if (!value) {
      // gdb writes some warnings (and the forked child's complaints) outside MI syntax.
      this.streamText += `${line}\n`;
      return;
    }
    switch (value.kind) {
      case 'prompt':
        return;
      case 'console':
      case 'target':
      case 'log':
        this.streamText += value.text;
        return;
      case 'result':
        this.handleResult(value);
        return;
      default:
        for (const listener of this.asyncListeners) listener(value);
    }
  }

  private handleResult(record: Extract<MiRecord, { kind: 'result' }>): void {
    const token = record.token;
    if (token === undefined) return;
    const entry = this.pending.get(token);
    if (!entry) return;
    const reply: MiReply = { token, resultClass: record.resultClass, results: record.results };
    // With its results (the start of them, `misses` first): a failure's log must show what fred
    // was told.
    if (debugLogging) debugLog(`gdb < ${token}^${record.resultClass} ${JSON.stringify(missesFirst(record.results)).slice(0, 400)}`);
    if (entry.phase === 'running') {
      this.pending.delete(token);
      if (record.resultClass === 'error') entry.onLateFailure?.(messageOf(record.results));
      return;
    }
    if (record.resultClass === 'running' && entry.onLateFailure) {
      entry.phase = 'running';
      entry.resolve(reply);
      return;
    }
    this.pending.delete(token);
    if (record.resultClass === 'error') entry.reject(new FredError('debugger', messageOf(record.results)));
    else entry.resolve(reply);
  }
}

export function messageOf(results: MiTuple): string {
  const message = results['msg'];
  return typeof message === 'string' ? message.trim() : 'gdb reported an error';
}

/** A result's `misses` (why a replay did not find its moment) before the long lists it comes with. */
function missesFirst(results: MiTuple): MiTuple {
  if (!('misses' in results)) return results;
  const { misses, ...rest } = results;
  return { misses, ...rest };
}
