// reverse-step: to the previous line executed, entering callees backwards, as gdb's own
// reverse-step does (after a call returned, it lands on the callee's last line).

import type { Moment } from '../timeline/moment.js';
import {
  closerStart, depth, inProgramSource, noHistory, scanMoments, steppable, type ReverseContext, type ScannedMoment,
} from './context.js';
import { earlierCounted } from './counted-stretch.js';

export async function reverseStepTarget(context: ReverseContext, current: Moment): Promise<Moment> {
  const previous = current.previous;
  if (!previous) throw noHistory();
  if (current.arrival === 'step' && !previous.interruption) return previous;
  const atExit = current.ended === true || current.mark === null;
  const level = atExit ? 1 : depth(current);
  let scanStart = await closerStart(context, previous, current);
  let scanLevel = level;
  let entries = await scanMoments(context, scanStart, current, scanLevel);
  for (;;) {
    const last = lastRelevant(entries, atExit);
    if (!last) {
      if (!scanStart.interruption) return scanStart;
      // An automatic checkpoint's moment is where scans start, never where they land: with no
      // line executed after it, the answer lies before it.
      if (!scanStart.previous) throw noHistory();
      scanStart = (await earlierCounted(context, scanStart)) ?? scanStart.previous;
      scanLevel = level;
      entries = await scanMoments(context, scanStart, current, scanLevel);
      continue;
    }
    if (last.kind === 'stop') return last.moment;
    // The step before `current` left a deeper frame that was run through: its last line is the
    // answer. One level deeper: a scan that started deep enters there frames several levels down.
    scanStart = last.moment;
    scanLevel += 1;
    entries = await scanMoments(context, last.moment, current, scanLevel);
  }
}

/**
 * The last entry a forward step could have stopped at: not in the C library (which the scan
 * only meets when it starts inside it, at an automatic checkpoint's moment), and at the
 * program's exit, not on its exit path.
 */
function lastRelevant(entries: ScannedMoment[], atExit: boolean): ScannedMoment | undefined {
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index]!;
    const location = entry.moment.mark?.location;
    if (location && steppable(location) && (!atExit || inProgramSource(location))) return entry;
  }
  return undefined;
}
