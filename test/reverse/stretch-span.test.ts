// stretchSpan: a long stretch the user's own command ran through is not replayed just to time
// it; a short one, or one reached otherwise, is timed by a replay. (The real gdb searches that
// use it are tested end to end in test/e2e/reverse-gdb.test.ts and reverse-watch.test.ts.)

import { describe, expect, it } from 'vitest';
import type { Mark, WatchPowers } from '../../src/debugger/replay.js';
import { stretchSpan, type ReverseContext } from '../../src/reverse/context.js';
import type { Moment } from '../../src/timeline/moment.js';
import type { Timeline } from '../../src/timeline/timeline.js';

function moment(name: string, previous: Moment | null, forwardMs?: number): Moment {
  const mark: Mark = { key: name, payload: name, location: { file: '/p.c', line: 1, function: 'main', depth: 1 } };
  return { mark, previous, arrival: 'other', outputBytes: 0, costSinceCheckpoint: 0, serial: 0, ...(forwardMs === undefined ? {} : { forwardMs }) };
}

/** A context that logs what the search asks of the timeline and the debugger. */
function context(timesStretches: boolean, replayMs: number | null): { context: ReverseContext; calls: string[] } {
  const calls: string[] = [];
  const timeline = {
    seek: async (to: Moment) => { calls.push(`seek ${to.mark!.key}`); },
    standAt: (at: Moment) => { calls.push(`standAt ${at.mark!.key}`); },
  } as unknown as Timeline;
  const watch = {
    timeTo: async (until: Mark) => { calls.push(`timeTo ${until.key}`); return replayMs; },
    ...(timesStretches ? { splitsByEvents: () => false } : {}),
  } as unknown as WatchPowers;
  return { context: { timeline, replay: { watch } as unknown as ReverseContext['replay'], scanLimit: 100 }, calls };
}

describe('stretchSpan', () => {
  const from = moment('from', null);

  it('takes a long forward run\'s time, without replaying or moving', async () => {
    const { context: search, calls } = context(true, 7);
    expect(await stretchSpan(search, from, moment('until', from, 150))).toBe(150);
    expect(calls).toEqual([]);
  });

  it('times a short forward run by a replay, and the program stands at its end', async () => {
    const { context: search, calls } = context(true, 3);
    expect(await stretchSpan(search, from, moment('until', from, 5))).toBe(3);
    expect(calls).toEqual(['seek from', 'timeTo until', 'standAt until']);
  });

  it('times a stretch the forward run did not go through from its start', async () => {
    const { context: search, calls } = context(true, 40);
    const middle = moment('middle', from);
    expect(await stretchSpan(search, from, moment('until', middle, 150))).toBe(40);
    expect(calls).toEqual(['seek from', 'timeTo until', 'standAt until']);
  });

  it('gives no time where the personality splits stretches by events (pdb), and does not move', async () => {
    const { context: search, calls } = context(false, null);
    expect(await stretchSpan(search, from, moment('until', from, 150))).toBeNull();
    expect(calls).toEqual(['seek from', 'timeTo until']);
  });
});
