// The optional reversible powers a personality offers on top of `Debugger`: exact moments
// (marks), forward replay to a mark, recorded step scans, and checkpoints. The reverse
// algorithms are written once against this; each personality implements it natively (gdb's
// embedded Python, the pdb process itself) so inner loops never cross the pty.

import type { Location } from './types.js';
import type { CheckpointBackend } from '../checkpoints/types.js';

/**
 * One exact moment of a deterministic execution. `key` is equal for equal moments within one
 * session (gdb: pc, frame and a state fingerprint; pdb: the trace event count).
 */
export interface Mark {
  key: string;
  location: Location;
  /** Personality-specific payload the personality needs to find the moment again. */
  payload: string;
}

export interface ScanEntry {
  /** 'stop': where a forward `step` stops; 'entered': first stop in a frame deeper than the scan level. */
  kind: 'stop' | 'entered';
  mark: Mark;
}

export type ScanStatus = 'reached' | 'ended' | 'limit';

export interface ScanResult {
  status: ScanStatus;
  entries: ScanEntry[];
}

export interface BreakpointHitsResult {
  status: ScanStatus;
  hits: Mark[];
}

export interface ReplayPowers {
  readonly checkpoints: CheckpointBackend;
  /** The current moment. */
  mark(): Promise<Mark>;
  /**
   * Makes the next (re)start of the program stop quietly at its beginning (outcome
   * `heldAtStart`) so the run can be recorded from there. Personalities whose programs always
   * start stopped do nothing.
   */
  holdAtStart(): Promise<void>;
  /**
   * Runs forward at native speed, ignoring user breakpoints, to `target` (null: the end of the
   * program); false if the program ended (or crashed) before reaching it.
   */
  runUntil(target: Mark | null): Promise<boolean>;
  /**
   * Steps forward from the current moment, recording every stop at depth <= `level` (deeper
   * frames are recorded once, as 'entered', and run through natively), until `until`.
   */
  scan(level: number, until: Mark | null, limit: number): Promise<ScanResult>;
  /**
   * Continues with the user's breakpoints active (conditions honoured), recording each
   * breakpoint stop, until `until`; a hit exactly at `until` counts when `includeUntil`.
   */
  breakpointHits(until: Mark | null, limit: number, includeUntil: boolean): Promise<BreakpointHitsResult>;
}
