// reverse-next: to the previous line in the current frame, calls treated as one step; from a
// function's first line, to the caller's call line (gdb's reverse-next semantics).

import type { Moment } from '../timeline/moment.js';
import {
  closerStart, depth, inProgramSource, noHistory, scanMoments, steppable, type ReverseContext, type ScannedMoment,
} from './context.js';
import { earlierCounted } from './counted-stretch.js';

export async function reverseNextTarget(context: ReverseContext, current: Moment): Promise<Moment> {
  const previous = current.previous;
  if (!previous) throw noHistory();
  const atExit = current.ended === true || current.mark === null;
  const level = atExit ? 1 : depth(current);
  // A single step or next that stayed at this depth made no call in between.
  if ((current.arrival === 'step' || current.arrival === 'next') && depth(previous) === level && !atExit && !previous.interruption) {
    return previous;
  }
  for (let start: Moment | null = await closerStart(context, previous, current); start; start = await earlierStart(context, start, level)) {
    const entries = await scanMoments(context, start, current, level);
    // An automatic checkpoint's moment is where scans start, never where they land.
    const candidates: ScannedMoment[] = [...(start.interruption ? [] : [{ kind: 'stop' as const, moment: start }]), ...entries];
    for (let index = candidates.length - 1; index >= 0; index--) {
      const candidate: ScannedMoment = candidates[index]!;
      if (candidate.kind !== 'stop' || depth(candidate.moment) > level) continue;
      const location = candidate.moment.mark?.location;
      // Not where a step stops: the C library (met when a scan starts inside it), the exit path.
      if (location && candidate.moment !== start && !steppable(location)) continue;
      if (atExit && !(location && inProgramSource(location))) continue;
      return candidate.moment;
    }
    // Everything since `start` ran deeper than this frame: look further back.
  }
  throw noHistory();
}

/**
 * Where to scan from when nothing since `start` stopped at `level`. A `start` deeper than that
 * lies in a call that lasted until the current moment: scanning from each deeper moment before it
 * would run calls out to the current moment again each time, while one scan from the latest
 * moment at `level` or above covers them all (and finds the same last stop). A counted `start`
 * has a closer one: one execution of its loop earlier.
 */
async function earlierStart(context: ReverseContext, start: Moment, level: number): Promise<Moment | null> {
  if (depth(start) <= level) return (await earlierCounted(context, start)) ?? start.previous;
  let earlier = start.previous;
  while (earlier?.previous && depth(earlier) > level) earlier = earlier.previous;
  return earlier;
}
