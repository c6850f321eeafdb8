// What every reverse algorithm works with: the timeline and the debugger's replay powers.
// The algorithms know nothing of gdb or pdb.

import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { FredError } from '../errors.js';
import type { ReplayPowers } from '../debugger/replay.js';
import type { Location } from '../debugger/types.js';
import type { Timeline } from '../timeline/timeline.js';
import type { Moment } from '../timeline/moment.js';
import { countedMoment, countStretch, earlierCounted } from './counted-stretch.js';

export interface ReverseContext {
  timeline: Timeline;
  replay: ReplayPowers;
  /** Most stops one scan may record before fred gives up on an exact answer. */
  scanLimit: number;
}

export interface ScannedMoment {
  kind: 'stop' | 'entered';
  moment: Moment;
}

/**
 * Goes to `from`, then steps forward to `until`, recording the stops at depth <= `level` (and
 * in frames one deeper, `expand` stops at most: ReplayPowers.scan) as moments chained from
 * `from`. Leaves the program standing at `until`.
 */
export async function scanMoments(context: ReverseContext, from: Moment, until: Moment, level: number, expand = 0): Promise<ScannedMoment[]> {
  const { timeline, replay } = context;
  await timeline.seek(from);
  const result = await replay.scan(level, until.mark, context.scanLimit, expand);
  if (result.status === 'limit') {
    throw new FredError('unsupported', `more than ${context.scanLimit} steps to search; go back with undo, restart or reverse-continue instead`);
  }
  if (result.status === 'ended' && until.mark !== null) {
    throw new FredError('internal', 'the program ended before reaching the current moment again: the replay diverged');
  }
  timeline.standAt(until);
  const scanned: ScannedMoment[] = [];
  let previous = from;
  let previousEntered = false;
  for (const entry of result.entries) {
    // One `step` reaches an entry from the one before, unless a deeper frame was run through.
    const moment = timeline.momentFor(entry.mark, previous, previousEntered ? 'other' : 'step', from.outputBytes);
    scanned.push({ kind: entry.kind, moment });
    previous = moment;
    previousEntered = entry.kind === 'entered';
  }
  return scanned;
}

/**
 * A moment shortly before `until` to scan from instead of `from`, found without stepping (a
 * scan steps line by line: about 1 ms a line under gdb): just after the last allocation before
 * it when the record shim counts them, or by a timed run for a long stretch (gdb); a few events
 * before it (pdb, whose positions are event counts). Never a place to stop at (gdb's lands
 * mid-line): its `previous` is `from`, where scans go on when nothing before `until` lies after
 * it. `from` itself where nothing closer is found.
 */
export async function closerStart(context: ReverseContext, from: Moment, until: Moment): Promise<Moment> {
  const { timeline, replay } = context;
  // After a step or a next the stretch is one line at the scan's level (calls are run through).
  if (until.arrival !== 'other' || !replay.watch || !from.mark || !until.mark) return from;
  // A counted moment (one execution of a loop found by a count): one execution earlier.
  const counted = await earlierCounted(context, until);
  if (counted) return counted;
  // (null: midpoints by event count, which need no timing run.)
  const span = await stretchSpan(context, from, until);
  let start = from;
  let left = span ?? 0;
  // (A stretch too short to split: no going back to `from` for nothing.)
  const splits = replay.watch.canSplit?.(from.mark, until.mark, span ?? 0, 1) ?? true;
  if (splits) await timeline.seek(from);
  const near = splits ? await replay.watch.midpoint(until.mark, span ?? 0, 1) : null;
  if (near && near.mark.key !== until.mark.key) {
    const fresh = !timeline.knows(near.mark);
    start = timeline.momentFor(near.mark, from, 'other', from.outputBytes, near.spanMs);
    if (fresh) start.interruption = true;
    timeline.standAt(start);
    left -= near.spanMs;
    // Scans of this stretch (each reverse-step from here on) start from it.
    if (start.costSinceCheckpoint >= timeline.checkpointCostMs) await timeline.checkpointHere(start);
  } else if (splits) {
    timeline.forgetPosition();
  }
  // Still a long run to `until` (a loop that allocates nothing, where an interrupt lands ~8 ms
  // before: millions of lines to step): closer still, at the last execution of the code that
  // ran most (counted-stretch.ts).
  // (A timed landing's own time is noise: whatever it says is left, count. After the last
  // allocation, only a run long enough to be more than noise.)
  const exact = replay.watch.splitsByEvents?.(from.mark, until.mark) ?? true;
  if (span === null || span < COUNT_WORTH_MS || (exact && left < 5 * COUNT_WORTH_MS)) return start;
  const stretch = await countStretch(context, start, until);
  // One execution before the last: scans never stop where they start, and the line holding the
  // last execution may be the one before `until` (a loop's increment, before its exit).
  if (!stretch || stretch.count.hits < 2) return start;
  const closer = await countedMoment(context, stretch, stretch.count.hits - 1);
  if (!closer) return start;
  // Everything scanned from here chains through it: replaying those from `start` would stop at
  // their pc in every iteration.
  await timeline.checkpointHere(closer);
  return closer;
}

/**
 * How long the program runs from `from` to `until` (milliseconds), where the personality splits
 * stretches by time; null, without moving, where it splits them by events. The user's command
 * that reached `until` from `from` timed a long stretch already (Moment.forwardMs): timing it
 * again would cost a replay of all of it. A shorter one is timed by a replay (the program is left
 * at `until`): there the debugger's own few milliseconds in the forward figure would be most of
 * it, and a short replay costs little.
 */
export async function stretchSpan(context: ReverseContext, from: Moment, until: Moment): Promise<number | null> {
  const { timeline, replay } = context;
  const forward = until.previous === from ? until.forwardMs : undefined;
  // (splitsByEvents absent: the personality splits every stretch by events, as pdb does.)
  if (forward !== undefined && forward >= FORWARD_TIMED_MS && replay.watch?.splitsByEvents) return forward;
  await timeline.seek(from);
  const span = until.mark ? await replay.watch!.timeTo(until.mark) : null;
  if (span !== null) timeline.standAt(until);
  return span;
}

/** Forward runs at least this long are taken as the stretch's time (see stretchSpan). */
const FORWARD_TIMED_MS = 20;

/**
 * Native runs left to `until` longer than this are counted: a millisecond of the program holds
 * a hundred thousand lines or more, stepped at ~1 ms each; a count costs 10-20 ms.
 */
const COUNT_WORTH_MS = 1;

/**
 * Code a forward `step` stops in: the program's own, with an absolute source path. The C library's
 * sources are recorded relative (./malloc/malloc.c) and fred_gdb.py skips them; code without line
 * information has no file at all.
 */
export function steppable(location: Location): boolean {
  return isAbsolute(location.file);
}

/** Source the user wrote (an existing absolute path), as opposed to C library or runtime internals. */
export function inProgramSource(location: Location): boolean {
  return isAbsolute(location.file) && existsSync(location.file);
}

export function depth(moment: Moment): number {
  return moment.mark?.location.depth ?? 1;
}

export function noHistory(): FredError {
  return new FredError('usage', 'no earlier moment recorded: already at the start of the recorded history');
}
