// reverse-continue: back to the most recent earlier breakpoint hit (conditions honoured), or to
// the start of the recorded history. Searches one checkpoint interval at a time, newest first.

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
    timeline.standAt(segmentEnd);
    const last = result.hits[result.hits.length - 1];
    if (last) return timeline.momentFor(last, anchor, 'other', anchor.outputBytes);
    segmentEnd = anchor;
    includeEnd = true;
  }
  return root;
}
