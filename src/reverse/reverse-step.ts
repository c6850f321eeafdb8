// reverse-step: to the previous line executed, entering callees backwards, as gdb's own
// reverse-step does (after a call returned, it lands on the callee's last line).

import type { Moment } from '../timeline/moment.js';
import { depth, inProgramSource, noHistory, scanMoments, type ReverseContext, type ScannedMoment } from './context.js';

export async function reverseStepTarget(context: ReverseContext, current: Moment): Promise<Moment> {
  const previous = current.previous;
  if (!previous) throw noHistory();
  if (current.arrival === 'step') return previous;
  const atExit = current.ended === true || current.mark === null;
  let entries = await scanMoments(context, previous, current, atExit ? 1 : depth(current));
  let scanStart = previous;
  for (;;) {
    const last = lastRelevant(entries, atExit);
    if (!last) return scanStart;
    if (last.kind === 'stop') return last.moment;
    // The step before `current` left a deeper frame that was run through: its last line is the answer.
    scanStart = last.moment;
    entries = await scanMoments(context, last.moment, current, depth(last.moment));
  }
}

/** At the program's exit, the C library's own exit path is not a line the user wants to land on. */
function lastRelevant(entries: ScannedMoment[], atExit: boolean): ScannedMoment | undefined {
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index]!;
    if (!atExit || (entry.moment.mark && inProgramSource(entry.moment.mark.location))) return entry;
  }
  return undefined;
}
