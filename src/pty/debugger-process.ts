// A debugger (gdb, python3 -m pdb) running on a pseudo-terminal in raw mode, read as lines.
// Raw mode: no echo of what we send, no 4 KiB canonical line limit, no "\r\n" translation.

import pty from 'node-pty';
import { keepFromChildren } from './close-on-exec.js';

export interface DebuggerProcessOptions {
  file: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
}

export class DebuggerProcess {
  private readonly terminal: pty.IPty;
  private readonly dataListeners = new Set<(text: string) => void>();
  private exitListeners = new Set<(code: number, signal?: number) => void>();
  /**
   * Output that arrived before anyone listened: a debugger started early (session/early-start.ts)
   * talks while node still loads the code that will read it.
   */
  private unread: string[] | undefined = [];
  private exitStatus: { code: number; signal?: number } | undefined;
  private exited = false;
  private exitPromise: Promise<void>;
  /**
   * If fred's own process ends without closing this (a library user's script died of an
   * uncaught exception): SIGTERM, on which gdb and fred_pdb's supervisor end their programs.
   */
  private readonly terminateOnExit = () => {
    try { process.kill(this.terminal.pid, 'SIGTERM'); } catch { /* already gone */ }
  };

  constructor(options: DebuggerProcessOptions) {
    // A fixed sh snippet sets the terminal mode, then execs the debugger with argv untouched:
    // nothing here is user text interpreted by the shell ("$@" is passed as data).
    this.terminal = pty.spawn('/bin/sh', ['-c', 'stty raw -echo 2>/dev/null; exec "$0" "$@"', options.file, ...options.args], {
      name: 'dumb',
      cols: 1000,
      rows: 50,
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, ...options.env, TERM: 'dumb' } as Record<string, string>,
    });
    keepFromChildren((this.terminal as unknown as { _fd: number })._fd);
    this.terminal.onData((text) => {
      if (this.unread) this.unread.push(text);
      else for (const listener of this.dataListeners) listener(text);
    });
    process.once('exit', this.terminateOnExit);
    this.exitPromise = new Promise((resolve) => {
      this.terminal.onExit(({ exitCode, signal }) => {
        this.exited = true;
        this.exitStatus = { code: exitCode, signal };
        process.off('exit', this.terminateOnExit);
        for (const listener of this.exitListeners) listener(exitCode, signal);
        resolve();
      });
    });
  }

  get pid(): number {
    return this.terminal.pid;
  }

  get hasExited(): boolean {
    return this.exited;
  }

  /** The first listener also receives what arrived before it. */
  onData(listener: (text: string) => void): () => void {
    this.dataListeners.add(listener);
    const unread = this.unread;
    this.unread = undefined;
    if (unread && unread.length > 0) listener(unread.join(''));
    return () => this.dataListeners.delete(listener);
  }

  /** Called at once (soon) when the process has already ended. */
  onExit(listener: (code: number, signal?: number) => void): () => void {
    this.exitListeners.add(listener);
    const status = this.exitStatus;
    if (status) queueMicrotask(() => { if (this.exitListeners.has(listener)) listener(status.code, status.signal); });
    return () => this.exitListeners.delete(listener);
  }

  write(text: string): void {
    if (!this.exited) this.terminal.write(text);
  }

  /** Ask politely (SIGTERM, then SIGKILL after `graceMs`) and wait for the exit. */
  async kill(graceMs = 1000): Promise<void> {
    if (this.exited) return;
    try { this.terminal.kill('SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try { this.terminal.kill('SIGKILL'); } catch { /* already gone */ }
    }, graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  waitForExit(): Promise<void> {
    return this.exitPromise;
  }
}

/** Splits a stream of text into complete lines (without terminators), keeping the partial tail. */
export class LineSplitter {
  private pending = '';

  push(text: string): string[] {
    this.pending += text;
    const parts = this.pending.split(/\r?\n/);
    this.pending = parts.pop() ?? '';
    return parts;
  }

  /** The incomplete last line, e.g. a prompt without a newline. */
  get partial(): string {
    return this.pending;
  }

  takePartial(): string {
    const text = this.pending;
    this.pending = '';
    return text;
  }
}
