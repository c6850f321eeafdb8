// The record log the program's shim (native/build/Release/libfred-record.so) writes, read and
// steered through fred's addon (./addon.ts): no debugger round trip, even while the
// program runs. Counts are numbers of events; event N is the (N+1)th recorded call.

import { FredError } from '../errors.js';
import { loadAddon } from './addon.js';

export type EventKind =
  | 'time' | 'gettimeofday' | 'clock_gettime' | 'timespec_get' | 'clock'
  | 'getrandom' | 'getentropy' | 'arc4random' | 'getpid' | 'getppid'
  | 'read' | 'recvfrom' | 'recvmsg' | 'write' | 'unknown';

/** A replay made another call than the log held at that position; the log was cut there. */
export interface Divergence {
  /** How many divergences this log has seen. */
  count: number;
  /** Position (0-based) of the latest one: the program had made `event` events before it. */
  event: number;
  expected: EventKind;
  actual: EventKind;
}

export interface RecordLogState {
  /** Events in the log. */
  length: number;
  /** Event count of the process that made the latest event (stale right after a restore). */
  liveCount: number;
  livePid: number;
  /** Count at which the program will enter fred_event_reached(), if any. */
  stopAt: number | null;
  /** Count at which it last did. */
  stopReached: number | null;
  divergence: Divergence | null;
  recorded: number;
  replayed: number;
  /** Output the program wrote again in replays and the shim kept from the terminal. */
  swallowedBytes: number;
  /** Recording stopped because the log could not grow. */
  full: boolean;
  /** Runs of the program that recorded into this log. */
  starts: number;
}

export interface LoggedEvent {
  kind: EventKind;
  result: number;
  error: number;
  payloadSize: number;
}

interface RawHeader {
  length: number;
  liveCount: number;
  livePid: number;
  stopAt: number | null;
  stopReached: number | null;
  divergences: number;
  divergenceEvent: number;
  divergenceExpected: EventKind;
  divergenceActual: EventKind;
  recorded: number;
  replayed: number;
  swallowedBytes: number;
  full: boolean;
  starts: number;
}

export interface AddonLog {
  header(): RawHeader;
  swallowedTextUnits(): number;
  setStopAt(count: number | null): void;
  requestTruncate(): void;
  events(limit?: number): LoggedEvent[];
  close(): void;
}

export class RecordLog {
  private closed = false;

  private constructor(private readonly handle: AddonLog, readonly path: string) {}

  /** Opens the log at `path`, creating an empty one if there is none. */
  static create(path: string): RecordLog {
    const { RecordLog: Handle } = loadAddon();
    return new RecordLog(new Handle(path, true), path);
  }

  /** Opens an existing log. */
  static open(path: string): RecordLog {
    const { RecordLog: Handle } = loadAddon();
    return new RecordLog(new Handle(path, false), path);
  }

  state(): RecordLogState {
    const header = this.live().header();
    return {
      length: header.length,
      liveCount: header.liveCount,
      livePid: header.livePid,
      stopAt: header.stopAt,
      stopReached: header.stopReached,
      divergence: header.divergences > 0
        ? { count: header.divergences, event: header.divergenceEvent, expected: header.divergenceExpected, actual: header.divergenceActual }
        : null,
      recorded: header.recorded,
      replayed: header.replayed,
      swallowedBytes: header.swallowedBytes,
      full: header.full,
      starts: header.starts,
    };
  }

  get length(): number {
    return this.live().header().length;
  }

  /**
   * The output the shim swallowed in replays so far, in UTF-16 code units (the length a
   * JavaScript string of it would have): where the program's output position really is.
   */
  swallowedTextUnits(): number {
    return this.closed ? 0 : this.handle.swallowedTextUnits();
  }

  get divergence(): Divergence | null {
    return this.state().divergence;
  }

  /**
   * Makes the program enter fred_event_reached() (a breakpoint target) when its event count
   * becomes `count`, in a replay or a recording; null: never.
   */
  stopAt(count: number | null): void {
    if (count !== null && (!Number.isSafeInteger(count) || count < 0)) throw new FredError('usage', 'an event count is a whole number');
    this.live().setStopAt(count);
  }

  /**
   * A new branch of history: the next event the program makes first cuts the log at the
   * program's own count, so everything after it is recorded afresh.
   */
  requestTruncate(): void {
    this.live().requestTruncate();
  }

  /** The first `limit` events (all by default). Read it while the program is stopped. */
  events(limit?: number): LoggedEvent[] {
    return this.live().events(limit);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.close();
  }

  private live(): AddonLog {
    if (this.closed) throw new FredError('internal', 'the record log is closed');
    return this.handle;
  }
}
