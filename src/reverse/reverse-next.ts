// reverse-next: to the previous line in the current frame, calls treated as one step; from a
// function's first line, to the caller's call line (gdb's reverse-next semantics).

import type { Moment } from '../timeline/moment.js';
import { depth, inProgramSource, noHistory, scanMoments, type ReverseContext } from './context.js';

export async function reverseNextTarget(context: ReverseContext, current: Moment): Promise<Moment> {
  const previous = current.previous;
  if (!previous) throw noHistory();
  const atExit = current.ended === true || current.mark === null;
  const level = atExit ? 1 : depth(current);
  // A single step or next that stayed at this depth made no call in between.
  if ((current.arrival === 'step' || current.arrival === 'next') && depth(previous) === level && !atExit) return previous;
  for (let start: Moment | null = previous; start; start = start.previous) {
    const entries = await scanMoments(context, start, current, level);
    const candidates = [{ kind: 'stop' as const, moment: start }, ...entries];
    for (let index = candidates.length - 1; index >= 0; index--) {
      const candidate = candidates[index]!;
      if (candidate.kind !== 'stop' || depth(candidate.moment) > level) continue;
      if (atExit && !(candidate.moment.mark && inProgramSource(candidate.moment.mark.location))) continue;
      return candidate.moment;
    }
    // Everything since `start` ran deeper than this frame: look further back.
  }
  throw noHistory();
}
