// Exact positions inside a stretch that has no other progress measure (a loop that allocates
// nothing, under gdb): the executions of one instruction, counted from the stretch's start by
// the personality (WatchPowers.countHits). A counted moment is "just before the k-th execution",
// and replays fast only from the moment its count started at, so that moment is checkpointed.

import type { HitCount } from '../debugger/replay.js';
import type { Moment } from '../timeline/moment.js';
import type { ReverseContext } from './context.js';

export interface CountedStretch {
  from: Moment;
  until: Moment;
  count: HitCount;
}

/**
 * Counts [from, until] (one native run; the program is left at `until`; see
 * WatchPowers.countHits). Null when the personality cannot count or the count did not reach
 * `until`.
 */
export async function countStretch(context: ReverseContext, from: Moment, until: Moment): Promise<CountedStretch | null> {
  const { timeline, replay } = context;
  if (!replay.watch?.countHits || !until.mark) return null;
  await timeline.seek(from);
  await timeline.checkpointHere(from);
  // Counted already as `continue` ran (and `until` inside the loop would be found by a run only
  // by stopping at every iteration).
  const known = countedAlongChain(from, until);
  if (known) return { from, until, count: known };
  const count = await replay.watch.countHits(until.mark);
  if (!count) {
    timeline.forgetPosition();
    return null;
  }
  timeline.standAt(until);
  return { from, until, count };
}

/**
 * The executions counted from `from` to `until` when every moment after `from` on `until`'s
 * chain was counted at one site, each from the one before (continue's segments, see
 * ReplayPowers.segmentCounter); null otherwise.
 */
export function countedAlongChain(from: Moment, until: Moment): HitCount | null {
  let hits = 0;
  let site: string | undefined;
  for (let moment: Moment | null = until; moment !== from; moment = moment!.previous) {
    const hit = moment?.mark?.hit;
    if (!hit || (site !== undefined && hit.site !== site)) return null;
    site = hit.site;
    hits += hit.k;
  }
  return site === undefined ? null : { site, hits };
}

/** The moment just before the k-th counted execution (1 <= k <= hits); null if not reached. */
export async function countedMoment(context: ReverseContext, stretch: CountedStretch, k: number): Promise<Moment | null> {
  const { timeline, replay } = context;
  await timeline.seek(stretch.from);
  const started = performance.now();
  const mark = await replay.watch!.runToHit!(stretch.count, k);
  if (!mark) {
    timeline.forgetPosition();
    return null;
  }
  const fresh = !timeline.knows(mark);
  const moment = timeline.momentFor(mark, stretch.from, 'other', stretch.from.outputBytes, performance.now() - started);
  // A line-table row's start, not necessarily a statement's: replayed from, never stopped at.
  if (fresh) moment.interruption = true;
  timeline.standAt(moment);
  return moment;
}

/**
 * A counted moment one execution earlier than `moment` (a counted moment itself, see
 * Mark.hit), checkpointed: where a scan that found nothing after `moment` goes on from, instead
 * of the moment its count started at (millions of lines back). Null for other moments.
 */
export async function earlierCounted(context: ReverseContext, moment: Moment): Promise<Moment | null> {
  const hit = moment.mark?.hit;
  if (!hit || hit.k < 2 || !moment.previous || !context.replay.watch?.runToHit) return null;
  const earlier = await countedMoment(context, { from: moment.previous, until: moment, count: { site: hit.site, hits: hit.k } }, hit.k - 1);
  if (earlier) await context.timeline.checkpointHere(earlier);
  return earlier;
}
