// The debuggee's own pseudo-terminal: its output never mixes with the debugger's conversation.
// Opened with openpty (no process of ours holds it as controlling terminal, so the debuggee
// can take it as its own).

import pty from 'node-pty';
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

/** node-pty's `open()` terminal lacks its event wiring; these are the streams it does create. */
interface OpenedTerminal {
  ptsName: string;
  _master: Readable & Writable & { destroy(): void };
  _slave: Readable & { destroy(): void };
}

export class ProgramTerminal {
  readonly path: string;
  private readonly terminal: OpenedTerminal;
  private readonly listeners = new Set<(text: string) => void>();
  private disposed = false;
  private readonly slaveHold: number;

  constructor(cols = 120, rows = 40) {
    // `open` exists at run time (Unix) but is missing from node-pty's typings.
    const open = (pty as unknown as { open(o: { cols: number; rows: number }): unknown }).open;
    this.terminal = open({ cols, rows }) as OpenedTerminal;
    this.path = this.terminal.ptsName;
    // node-pty keeps the slave side open as a stream, and a paused stream still reads now and then
    // to fill its buffer: each such read took a line the user typed for the program (seen after
    // a Ctrl-C and a continue). Hold the slave open with a plain descriptor nobody reads (the pty
    // must stay alive until the program opens it), and close node-pty's.
    this.slaveHold = openSync(this.path, constants.O_RDWR | constants.O_NOCTTY);
    this.terminal._slave.destroy();
    this.terminal._master.on('data', (chunk: string | Buffer) => {
      // Output processing turns "\n" into "\r\n"; give consumers plain newlines.
      const text = chunk.toString().replace(/\r\n/g, '\n');
      for (const listener of this.listeners) listener(text);
    });
    // EIO when the last writer closes is normal for a pty master.
    this.terminal._master.on('error', () => undefined);
    // No echo: fred's own line editor already shows what the user types to the program.
    spawnSync('stty', ['-echo'], { stdio: [this.slaveHold, 'ignore', 'ignore'] });
  }

  /** Subscribe to the program's output; returns an unsubscribe function. */
  onOutput(listener: (text: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Type text into the program's terminal (its stdin unless --stdin replaced it). */
  write(text: string): void {
    if (!this.disposed) this.terminal._master.write(text);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.listeners.clear();
    this.terminal._master.destroy();
    closeSync(this.slaveHold);
  }
}
