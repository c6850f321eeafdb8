// A moment is one exact point of the program's (deterministic) execution that fred knows about:
// a user stop, a checkpoint, or a stop found by a scan. Moments link to an earlier moment they
// were reached from, so every chain of `previous` links runs strictly backwards in time.

import type { Mark } from '../debugger/replay.js';
import type { ProgramState } from '../debugger/types.js';
import type { CheckpointId } from '../checkpoints/types.js';

/** How a moment was reached from its `previous`: what reversing it needs to know. */
export type Arrival = 'start' | 'step' | 'next' | 'other';

export interface Moment {
  /** null when the program ended without a moment to stand on (fred could not hold it). */
  mark: Mark | null;
  /** The program's end: it exited (held just before, where possible) or crashed. */
  ended?: boolean;
  /** How it ended (exited with a code, or crashed), as the debugger said when it happened. */
  endState?: ProgramState;
  previous: Moment | null;
  arrival: Arrival;
  checkpoint?: CheckpointId;
  /**
   * Where an automatic checkpoint's interrupt happened to land (mid-line, perhaps inside the C
   * library): a place to replay from, never one a command stops at.
   */
  interruption?: boolean;
  /** Checkpoints the user asked for are never thinned out. */
  userCheckpoint?: number;
  /** Program output bytes written before this moment (for showing output once). */
  outputBytes: number;
  /** Milliseconds of forward execution since the nearest earlier checkpoint on the chain. */
  costSinceCheckpoint: number;
  /**
   * Milliseconds the user's command that first reached this moment ran from `previous` (the
   * debugger's own work included: never less than a replay of that stretch). Absent for moments
   * found by replays.
   */
  forwardMs?: number;
  /** Order of creation, for thinning and display. */
  serial: number;
}

export function depthOf(moment: Moment): number {
  return moment.mark?.location.depth ?? 0;
}

/** This moment, then each earlier one it was reached from. */
export function* chain(moment: Moment): Generator<Moment> {
  for (let current: Moment | null = moment; current; current = current.previous) yield current;
}
