// The optional reversible powers a personality offers on top of `Debugger`: exact moments
// (marks), forward replay to a mark, recorded step scans, and checkpoints. The reverse
// algorithms are written once against this; each personality implements it natively (gdb's
// embedded Python, the pdb process itself) so inner loops never cross the pty.

import type { Location } from './types.js';
import type { CheckpointBackend, CheckpointId } from '../checkpoints/types.js';

/**
 * One exact moment of a deterministic execution. `key` is equal for equal moments within one
 * session (gdb: pc, frame and a state fingerprint; pdb: the trace event count).
 */
export interface Mark {
  key: string;
  location: Location;
  /** Personality-specific payload the personality needs to find the moment again. */
  payload: string;
  /** True where a replay cannot find this moment again (gdb: inside the record shim). */
  unreplayable?: boolean;
  /** A counted moment (WatchPowers.runToHit): before the k-th execution counted from the moment it was reached from. */
  hit?: { site: string; k: number };
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

/** The frame an expression is watched in: its depth counted from the outermost frame, and its function. */
export interface WatchedFrame {
  depth: number;
  function: string;
}

/** What an expression's evaluation gives where it cannot be evaluated (no such frame, no such symbol). */
export const UNAVAILABLE = '<unavailable>';

export interface WatchEntry extends ScanEntry {
  /** The watched expression's value at this entry (or UNAVAILABLE). */
  value: string;
}

export interface WatchScanResult {
  /** 'changed': the last entry is the first whose value is the target. */
  status: ScanStatus | 'changed';
  entries: WatchEntry[];
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
   * `expand` (a personality may ignore it: the result is then the plain scan's): frames at
   * `level + 1` are stepped through too, their stops recorded, for at most `expand` stops in
   * all; the frame that would take more is run through and recorded as 'entered' after all.
   */
  scan(level: number, until: Mark | null, limit: number, expand?: number): Promise<ScanResult>;
  /**
   * Continues with the user's breakpoints active (conditions honoured), recording each
   * breakpoint stop, until `until`; a hit exactly at `until` counts when `includeUntil`.
   */
  breakpointHits(until: Mark | null, limit: number, includeUntil: boolean): Promise<BreakpointHitsResult>;
  /**
   * runUntil reaches any mark at the program's own speed (pdb's positions): the program's end
   * needs no checkpoint of its own to be found again cheaply (gdb's replay stops at every pass of
   * the mark's pc on the way).
   */
  readonly replaysAtNativeSpeed?: boolean;
  /** What reverse-watch needs; absent where a personality cannot search for changes yet. */
  readonly watch?: WatchPowers;
  /**
   * Asks the loop running inside the debugger (a scan, a run to a mark) to end at its next stop
   * (status 'limit'), so that a search can be cancelled; `clear` withdraws the request.
   */
  readonly cancellation?: { request(): void; clear(): void };
  /**
   * Counts a loop's iterations while `continue` runs from one automatic checkpoint to the next
   * (see WatchPowers.countHits): `start` where a checkpoint was just taken, `stop` when the
   * program stopped, before anything else looks at it. `stop` gives the mark there, counted from
   * where `start` was (Mark.hit), or null when nothing was counted; `moved` when the program had
   * stopped inside the counting code (an interrupt landed there) and now stands at the same point
   * of its own code: what the debugger said about that stop names the wrong place.
   */
  readonly segmentCounter?: { start(): Promise<void>; stop(): Promise<{ mark: Mark | null; moved: boolean }> };
}

/**
 * What `countHits` counted from the stretch's start to its end: executions of the instructions
 * `site` names (to the personality; gdb: one line start, or several joined, counted together).
 */
export interface HitCount {
  site: string;
  hits: number;
  /** The same run's count of all the line starts of the code running there, any of them. */
  together?: HitCount;
}

export interface WatchPowers {
  /** The expression's value in the watched frame (falling back to globals), or UNAVAILABLE. */
  evaluateIn(expression: string, frame: WatchedFrame): Promise<string>;
  /**
   * Whether UNAVAILABLE is a state of the program like a value: under pdb, names not bound yet.
   * Under gdb it is a failed evaluation (a call through an uninitialized pointer), which says
   * nothing about the expression: the bisection does not start from such a checkpoint.
   */
  readonly unavailableIsAState: boolean;
  /**
   * Whether evaluating the expression there changes the program's data, found out without
   * changing it (e.g. in a throwaway copy). Personalities without it are checked by evaluating
   * twice, which misses side effects that return the same value each time (`list.clear()`).
   */
  changesProgram?(expression: string, frame: WatchedFrame): Promise<boolean>;
  /**
   * Runs forward from the current moment toward `until` and stops about `fraction` of the way
   * (0.5: halfway), returning that moment and the length of the stretch from here to it; null
   * when the stretch is short enough to step through. `spanMs` is the length of the whole
   * stretch, as `timeTo` measured it or a previous midpoint returned, NaN when not measured
   * (personalities that bisect by event count ignore it). `fraction` 1 asks for a moment as
   * close before `until` as the personality can land without overshooting it.
   */
  midpoint(until: Mark, spanMs: number, fraction?: number): Promise<{ mark: Mark; spanMs: number } | null>;
  /**
   * False where `midpoint` would return null without moving (a stretch too short to split): the
   * caller need not go to `from` for it. Absent: it may always split.
   */
  canSplit?(from: Mark, until: Mark, spanMs: number, fraction?: number): boolean;
  /**
   * Whether `midpoint` splits the stretch from `from` to `until` exactly, by counted events
   * (absent: always), rather than by time.
   */
  splitsByEvents?(from: Mark, until: Mark): boolean;
  /**
   * Optional: exact positions inside a stretch that offers no other measure (gdb: a loop that
   * allocates nothing). Runs from the current moment to `until` (left there) counting the
   * executions of the instruction in the code running here that runs most (its busiest loop),
   * and of all its line starts together (`together`: a finer measure, also where no loop runs,
   * a recursion unwinding). Null when there is none to count. With `site` (a HitCount's), only
   * that site's executions are counted.
   */
  countHits?(until: Mark, site?: string): Promise<HitCount | null>;
  /**
   * From the moment `countHits` started at, runs to just before the `k`-th execution it
   * counted (1 <= k <= hits). The mark replays fast only from that same moment.
   */
  runToHit?(count: HitCount, k: number): Promise<Mark | null>;
  /**
   * Runs from the current moment to `until` (left there), returning how long that took; null,
   * without moving, from personalities whose midpoints need no time (they bisect by event count).
   */
  timeTo(until: Mark): Promise<number | null>;
  /**
   * `scan` to `until`, evaluating the expression at each entry, reporting only the last entry
   * whose value was not `value` (none: it was `value` at every entry).
   */
  lastDifferent(level: number, until: Mark, limit: number, frame: WatchedFrame, expression: string, value: string): Promise<{ status: ScanStatus; last?: WatchEntry }>;
  /** `scan`, evaluating the expression at each entry and stopping at the first with value `target`. */
  watchScan(level: number, until: Mark, limit: number, frame: WatchedFrame, expression: string, target: string): Promise<WatchScanResult>;
  /**
   * Optional: the expression's value (as evaluateIn gives it) at each checkpoint's own moment, all
   * at once and without moving the program (pdb: throwaway copies of its fork checkpoints, in
   * parallel); null for a checkpoint that could not say.
   */
  valuesAtCheckpoints?(checkpoints: CheckpointId[], expression: string, frame: WatchedFrame): Promise<(string | null)[]>;
}
