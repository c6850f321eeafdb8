// reverse-watch's search logic on a model debugger: odd histories (values that leave and come
// back, changes inside calls, changes made by the calling statement) without a real program.

import { describe, expect, it } from 'vitest';
import { Timeline } from '../../src/timeline/timeline.js';
import { CheckpointPolicy } from '../../src/timeline/checkpoint-policy.js';
import { reverseWatch } from '../../src/reverse/reverse-watch.js';
import { CountingModelDebugger, ModelDebugger, type ModelStop } from './model-debugger.js';

function main(line: number, value: string): ModelStop {
  return { function: 'main', line, depth: 1, value };
}

function callee(line: number, value: string): ModelStop {
  return { function: 'helper', line, depth: 2, value };
}

/** Runs reverse-watch from the last stop; checkpoints at the given stop indexes (0 always). */
async function watchFromEnd(stops: ModelStop[], checkpointsAt: number[] = [], evaluationMs = 0, model = new ModelDebugger(stops)) {
  model.evaluationMs = evaluationMs;
  const timeline = new Timeline(model, new CheckpointPolicy(0));
  let previous = timeline.momentFor(model.markAt(0), null, 'start', 0);
  timeline.standAt(previous);
  await timeline.checkpointHere(previous);
  for (const index of checkpointsAt) {
    model.position = index;
    const moment = timeline.momentFor(model.markAt(index), previous, 'other', 0);
    timeline.standAt(moment);
    await timeline.checkpointHere(moment);
    previous = moment;
  }
  model.position = stops.length - 1;
  const current = timeline.momentFor(model.markAt(stops.length - 1), previous, 'other', 0);
  timeline.standAt(current);
  const result = await reverseWatch({ timeline, replay: model, scanLimit: 10_000 }, current, 'expr', { probes: 0, evaluation: { ms: 0, count: 0 } });
  return { result, model, index: result.found ? Number(result.target.mark!.payload) : -1 };
}

describe('reverse-watch search', () => {
  it('finds the statement before a single change', async () => {
    const stops = Array.from({ length: 100 }, (_, index) => main(index, index < 60 ? 'a' : 'b'));
    const { result, index } = await watchFromEnd(stops);
    expect(result).toMatchObject({ found: true, valueBefore: 'a', valueAfter: 'b' });
    expect(index).toBe(59);
  });

  it('finds it across checkpoints and bisection the same way', async () => {
    const stops = Array.from({ length: 400 }, (_, index) => main(index, index < 123 ? 'a' : 'b'));
    for (const checkpoints of [[], [100], [50, 200, 300], [10, 20, 30, 390]]) {
      expect((await watchFromEnd(stops, checkpoints)).index).toBe(122);
    }
  });

  it('gallops back over checkpoints past the newest 8 (all of them when EXPR is expensive), to the same answer', async () => {
    const stops = Array.from({ length: 1300 }, (_, index) => main(index, index < 123 ? 'a' : 'b'));
    const checkpoints = Array.from({ length: 129 }, (_, index) => 10 * (index + 1));
    const cheap = await watchFromEnd(stops, checkpoints);
    const expensive = await watchFromEnd(stops, checkpoints, 3);
    expect([cheap.index, expensive.index]).toEqual([122, 122]);
    // One by one, the 117 checkpoints after the change would each be evaluated.
    expect(cheap.model.probes).toBeLessThan(50);
    expect(expensive.model.probes).toBeLessThan(cheap.model.probes);
  });

  it('compares the newest 8 checkpoints one by one: a recent excursion is found before an older change', async () => {
    // 'b' now; 'a' around checkpoint 90 (the 4th newest) and long before. Galloping from the
    // newest would compare 120, 100, 60 ('b') and 10 ('a'), and settle on the old change.
    const stops = Array.from({ length: 130 }, (_, index) => main(index, index < 30 || (index >= 85 && index < 95) ? 'a' : 'b'));
    const checkpoints = Array.from({ length: 12 }, (_, index) => 10 * (index + 1));
    const { index } = await watchFromEnd(stops, checkpoints);
    expect(index).toBe(94);
  });

  it('descends into the call in which the value changed', async () => {
    const stops = [
      ...Array.from({ length: 40 }, (_, index) => main(index, 'a')),
      callee(100, 'a'), callee(101, 'a'), callee(102, 'a'), callee(103, 'b'), callee(104, 'b'),
      ...Array.from({ length: 20 }, (_, index) => main(40 + index, 'b')),
    ];
    const { index, result } = await watchFromEnd(stops);
    expect(result.found).toBe(true);
    expect(stops[index]).toMatchObject({ function: 'helper', line: 102 });
  });

  it('blames the calling statement when the value changes only after the call returns', async () => {
    // main's line 39 calls helper, whose result it assigns: the value changes on the way back.
    const stops = [
      ...Array.from({ length: 40 }, (_, index) => main(index, 'a')),
      callee(100, 'a'), callee(101, 'a'),
      ...Array.from({ length: 20 }, (_, index) => main(40 + index, 'b')),
    ];
    const { index } = await watchFromEnd(stops);
    expect(stops[index]).toMatchObject({ function: 'main', line: 39 });
  });

  it('finds the latest change when the value left and came back', async () => {
    const values = (index: number) => (index < 30 || index >= 70 ? 'b' : 'a');
    const stops = Array.from({ length: 100 }, (_, index) => main(index, values(index)));
    for (const checkpoints of [[], [50], [20, 60, 80]]) {
      expect((await watchFromEnd(stops, checkpoints)).index).toBe(69);
    }
  });

  it('finds a one-stop window where the value differed (all checkpoints agree with now)', async () => {
    const stops = Array.from({ length: 100 }, (_, index) => main(index, index === 80 ? 'a' : 'b'));
    expect((await watchFromEnd(stops)).index).toBe(80);
    expect((await watchFromEnd(stops, [40, 90])).index).toBe(80);
  });

  it('reports no change when the value never differed, and leaves nothing half-done', async () => {
    const stops = Array.from({ length: 50 }, (_, index) => main(index, 'same'));
    const { result } = await watchFromEnd(stops, [10, 30]);
    expect(result).toEqual({ found: false, valueAfter: 'same' });
  });

  it('bisects by a hit count where midpoints cannot split, replaying counted moments from where their count started', async () => {
    const stops = Array.from({ length: 5000 }, (_, index) => main(index % 7, index < 3210 ? 'a' : 'b'));
    for (const checkpoints of [[], [1000], [2000, 4000]]) {
      const model = new CountingModelDebugger(stops);
      const { result, index } = await watchFromEnd(stops, checkpoints, 0, model);
      expect(result).toMatchObject({ found: true, valueBefore: 'a', valueAfter: 'b' });
      expect(index).toBe(3209);
      expect(model.counts).toBe(1);
      // About log2 of the stretch, not a scan of it.
      expect(model.probes).toBeLessThan(60);
    }
  });

  it('bisects by all lines counted together, or, when they are too many, by the busiest line first and then the iteration left', async () => {
    for (const [length, changedAt, counts] of [[5000, 3210, 1], [150_000, 123_457, 2]] as const) {
      const stops = Array.from({ length }, (_, index) => main(index % 7, index < changedAt ? 'a' : 'b'));
      const model = new CountingModelDebugger(stops);
      model.loopEvery = 7;
      const { result, index } = await watchFromEnd(stops, [], 0, model);
      expect(result).toMatchObject({ found: true, valueBefore: 'a', valueAfter: 'b' });
      expect(index).toBe(changedAt - 1);
      // The long stretch: counted once, bisected by the loop, counted again within one iteration.
      expect(model.counts).toBe(counts);
      expect(model.probes).toBeLessThan(60);
    }
  });
});

