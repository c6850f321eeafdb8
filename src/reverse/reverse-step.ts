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
  // After a step or a next the stretch is one line: the frames it ran through are stepped in the
  // same pass, where the answer lies when the line called something (going back to scan the
  // last of them costs a restore and a replay). Bounded: a loop in a callee is run through.
  const expand = scanStart === previous && current.arrival !== 'other' ? EXPANDED_STOPS : 0;
  let entries = await scanMoments(context, scanStart, current, scanLevel, expand);
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
    // answer. At that frame's level: a scan that started deep enters there frames several levels
    // down, and an expanded frame's callees are one level deeper than the scan's.
    scanStart = last.moment;
    scanLevel = Math.max(scanLevel + 1, depth(last.moment));
    entries = await scanMoments(context, last.moment, current, scanLevel);
  }
}

/** Stops the first scan may make in the frames a one-line stretch ran through. */
const EXPANDED_STOPS = 32;

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
