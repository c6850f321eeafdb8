// reverse-finish: back to the line in the caller that called the current function, before the
// call was made.

import { FredError } from '../errors.js';
import { chain, type Moment } from '../timeline/moment.js';
import { depth, scanMoments, type ReverseContext } from './context.js';

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
  const entries = await scanMoments(context, anchor, current, level - 1);
  let index = entries.length - 1;
  // Walk back over the call (and calls made to compute its arguments) to the caller's line.
  while (index >= 0 && entries[index]!.kind === 'entered') index--;
  return index >= 0 ? entries[index]!.moment : anchor;
}
