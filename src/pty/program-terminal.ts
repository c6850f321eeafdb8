// The debuggee's own pseudo-terminal: its output never mixes with the debugger's conversation.
// Opened with openpty (no process of ours holds it as controlling terminal, so the debuggee
// can take it as its own).
//
// The program's output and the debugger's replies are separate streams, so a stop can be
// reported before the program's last writes have been read. `sync()` closes that gap exactly:
// fred writes a marker into the terminal itself (the slave side, behind everything written
// there so far) and waits for it to come out of the master; the marker never reaches listeners.

import pty from 'node-pty';
import { spawn } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { keepFromChildren } from './close-on-exec.js';

/** node-pty's `open()` terminal lacks its event wiring; these are the streams it does create. */
interface OpenedTerminal {
  ptsName: string;
  /** The master's descriptor. */
  _fd: number;
  _master: Readable & Writable & { destroy(): void };
  _slave: Readable & { destroy(): void };
}

/** An APC sequence: no newline or lowercase letter for the terminal's output processing to change. */
const marker = (id: number): string => `\x1b_FRED${id}\x1b\\`;
const MARKERS = /\x1b_FRED(\d+)\x1b\\/g;
/** The start of a marker whose rest is still to come. */
const MARKER_START = /^\x1b(?:_(?:F(?:R(?:E(?:D\d*\x1b?)?)?)?)?)?$/;
const LONGEST_MARKER = marker(Number.MAX_SAFE_INTEGER).length;

export class ProgramTerminal {
  readonly path: string;
  /** Resolves once the terminal's modes are set (see the constructor). */
  readonly ready: Promise<void>;
  private readonly terminal: OpenedTerminal;
  private readonly listeners = new Set<(text: string) => void>();
  private disposed = false;
  private readonly slaveHold: number;
  /** The slave again, non-blocking: a full terminal must not stop fred (sync falls back). */
  private readonly markerWriter: number;
  private lastMarker = 0;
  private lastMarkerSeen = 0;
  private readonly syncWaiters = new Map<number, () => void>();
  /** Output that may be the start of a marker, kept until the rest comes. */
  private held = '';
  /** A marker once failed to come back in time: this terminal settles the old way from then on. */
  private syncBroken = false;

  constructor(cols = 120, rows = 40) {
    // `open` exists at run time (Unix) but is missing from node-pty's typings.
    const open = (pty as unknown as { open(o: { cols: number; rows: number }): unknown }).open;
    this.terminal = open({ cols, rows }) as OpenedTerminal;
    this.path = this.terminal.ptsName;
    keepFromChildren(this.terminal._fd);
    // node-pty keeps the slave side open as a stream, and a paused stream still reads now and then
    // to fill its buffer: each such read took a line the user typed for the program (seen after
    // a Ctrl-C and a continue). Hold the slave open with a plain descriptor nobody reads (the pty
    // must stay alive until the program opens it), and close node-pty's.
    this.slaveHold = openSync(this.path, constants.O_RDWR | constants.O_NOCTTY);
    this.markerWriter = openSync(this.path, constants.O_WRONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
    this.terminal._slave.destroy();
    this.terminal._master.on('data', (chunk: string | Buffer) => this.receive(this.held + chunk.toString()));
    // EIO when the last writer closes is normal for a pty master.
    this.terminal._master.on('error', () => undefined);
    // No echo: fred's own line editor already shows what the user types to the program. Not
    // waited for here (~3 ms): the debugger starts meanwhile, and the session waits for `ready`
    // before anything is typed; a program comes to change its terminal's modes only later.
    this.ready = new Promise((resolve) => {
      const stty = spawn('stty', ['-echo'], { stdio: [this.slaveHold, 'ignore', 'ignore'] });
      stty.on('exit', () => resolve());
      stty.on('error', () => resolve());
    });
  }

  /** Subscribe to the program's output; returns an unsubscribe function. */
  onOutput(listener: (text: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves true once everything written to the terminal before the call has reached the
   * listeners; false if that could not be known within `timeoutMs` (the caller waits for quiet
   * instead).
   */
  sync(timeoutMs: number): Promise<boolean> {
    if (this.disposed || this.syncBroken) return Promise.resolve(false);
    const id = ++this.lastMarker;
    try {
      writeSync(this.markerWriter, marker(id));
    } catch {
      return Promise.resolve(false); // EAGAIN (a full terminal), EIO (hung up)
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.syncWaiters.delete(id);
        this.syncBroken = true;
        this.release();
        resolve(false);
      }, timeoutMs);
      this.syncWaiters.set(id, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Type text into the program's terminal (its stdin unless --stdin replaced it). */
  write(text: string): void {
    if (!this.disposed) this.terminal._master.write(text);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.listeners.clear();
    for (const wake of this.syncWaiters.values()) wake();
    this.syncWaiters.clear();
    this.terminal._master.destroy();
    closeSync(this.markerWriter);
    closeSync(this.slaveHold);
  }

  private receive(chunk: string): void {
    this.held = '';
    let text = chunk.replace(MARKERS, (_, id: string) => {
      this.lastMarkerSeen = Math.max(this.lastMarkerSeen, Number(id));
      return '';
    });
    if (this.lastMarkerSeen < this.lastMarker) {
      const start = text.lastIndexOf('\x1b');
      if (start >= 0 && text.length - start < LONGEST_MARKER && MARKER_START.test(text.slice(start))) {
        this.held = text.slice(start);
        text = text.slice(0, start);
      }
    }
    this.emit(text);
    for (const [id, wake] of this.syncWaiters) {
      if (id > this.lastMarkerSeen) continue;
      this.syncWaiters.delete(id);
      wake();
    }
  }

  /** A marker that is late: what was held for it is the program's after all. */
  private release(): void {
    const held = this.held;
    this.held = '';
    this.emit(held);
  }

  private emit(text: string): void {
    if (text === '') return;
    // Output processing turns "\n" into "\r\n"; give consumers plain newlines.
    const plain = text.replace(/\r\n/g, '\n');
    for (const listener of this.listeners) listener(plain);
  }
}
