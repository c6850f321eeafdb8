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
 * WatchPowers.countHits), at `site` only when given. Null when the personality cannot count or
 * the count did not reach `until`.
 */
export async function countStretch(context: ReverseContext, from: Moment, until: Moment, site?: string): Promise<CountedStretch | null> {
  const { timeline, replay } = context;
  if (!replay.watch?.countHits || !until.mark) return null;
  await timeline.seek(from);
  await timeline.checkpointHere(from);
  // Counted already as `continue` ran (and `until` inside the loop would be found by a run only
  // by stopping at every iteration).
  const known = countedAlongChain(from, until);
  if (known && (site === undefined || known.site === site)) return { from, until, count: known };
  const count = await replay.watch.countHits(until.mark, site);
  if (!count) {
    timeline.forgetPosition();
    return null;
  }
  timeline.standAt(until);
  return { from, until, count };
}

/**
 * A stretch that ends inside a loop, at `until`, where a run could stop only by stopping at
 * every iteration: the first automatic checkpoint of a `continue`, whose stretch was not counted
 * as it ran (fred learns where the program loops only there), or one whose count was lost (an
 * interrupt that landed in the record shim). A run to a later moment `beyond` that a run stops
 * at once (the program's end, a breakpoint after the loop) counts the busiest site from `from`,
 * a second one the same site from `until` (unless `continue` counted it from there): the
 * difference is the site's executions in the stretch. One or two native runs, the program left
 * at `beyond`. Null where a count fails.
 */
export async function countUpToLoop(context: ReverseContext, from: Moment, until: Moment, beyond: Moment): Promise<CountedStretch | null> {
  if (beyond === until || until.checkpoint === undefined) return null;
  // Counted as `continue` ran from `until` on (the usual case): one run, at that site only.
  const counted = countedAlongChain(until, beyond);
  const site = counted && !counted.site.includes(',') ? counted.site : undefined;
  const whole = await countStretch(context, from, beyond, site);
  if (!whole || whole.count.site.includes(',')) return null;
  const rest = site !== undefined ? { count: counted! } : await countStretch(context, until, beyond, whole.count.site);
  if (!rest || rest.count.site !== whole.count.site) return null;
  const hits = whole.count.hits - rest.count.hits;
  return hits >= 1 ? { from, until, count: { site: whole.count.site, hits } } : null;
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
