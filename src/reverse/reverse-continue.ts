// reverse-continue: back to the most recent earlier breakpoint hit (conditions honoured), or to
// the start of the recorded history. Searches one checkpoint interval at a time, newest first.

import { FredError } from '../errors.js';
import { chain, type Moment } from '../timeline/moment.js';
import type { ReverseContext } from './context.js';

export async function reverseContinueTarget(context: ReverseContext, current: Moment): Promise<Moment> {
  const { timeline, replay } = context;
  let segmentEnd = current;
  let includeEnd = false;
  let root = current;
  for (const anchor of chain(current)) {
    root = anchor;
    if (anchor === current || (anchor.checkpoint === undefined && anchor.previous !== null)) continue;
    await timeline.seek(anchor);
    const result = await replay.breakpointHits(segmentEnd.mark, context.scanLimit, includeEnd);
    // A segment whose end was never found again would offer hits from beyond it: say so instead.
    if (result.status === 'limit') {
      throw new FredError('unsupported', `more than ${context.scanLimit} breakpoint hits in one stretch; go back with undo or restart instead`);
    }
    if (result.status === 'ended' && segmentEnd.mark !== null && !segmentEnd.ended) {
      throw new FredError('internal', 'the program ended before reaching the current moment again: the replay diverged');
    }
    timeline.standAt(segmentEnd);
    const last = result.hits[result.hits.length - 1];
    if (last) return timeline.momentFor(last, anchor, 'other', anchor.outputBytes);
    segmentEnd = anchor;
    includeEnd = true;
  }
  return root;
}
