// reverse-finish: back to the line in the caller that called the current function, before the
// call was made.

import { FredError } from '../errors.js';
import { chain, type Moment } from '../timeline/moment.js';
import { closerStart, depth, scanMoments, type ReverseContext, type ScannedMoment } from './context.js';

export async function reverseFinishTarget(context: ReverseContext, current: Moment): Promise<Moment> {
  if (current.mark === null) throw new FredError('not-running', 'The program is not being run.');
  const level = depth(current);
  if (level <= 1) throw new FredError('usage', '"reverse-finish" not meaningful in the outermost frame.');
  // Any earlier moment with fewer frames predates the current frame's call.
  let anchor: Moment | undefined;
  for (const moment of chain(current)) {
    // Not an automatic checkpoint's moment: going back there would land mid-line.
    if (moment !== current && moment.mark !== null && depth(moment) < level && !moment.interruption) {
      anchor = moment;
      break;
    }
  }
  if (!anchor) throw new FredError('unsupported', 'no recorded moment before this function was called');
  // A start closer to the current moment may lie inside the current call: the scan then meets
  // no line of the caller before it (it runs the call out only past the current moment).
  const closer = await closerStart(context, anchor, current);
  if (closer !== anchor) {
    const line = callerLine(await scanMoments(context, closer, current, level - 1));
    if (line) return line;
  }
  return callerLine(await scanMoments(context, anchor, current, level - 1)) ?? anchor;
}

/** Walking back over the call (and calls made to compute its arguments): the caller's line. */
function callerLine(entries: ScannedMoment[]): Moment | undefined {
  let index = entries.length - 1;
  while (index >= 0 && entries[index]!.kind === 'entered') index--;
  return index >= 0 ? entries[index]!.moment : undefined;
}
