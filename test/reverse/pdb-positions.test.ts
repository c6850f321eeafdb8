// pdb's positions (E, k) as fred's search bisects them: positionBetween picks a moment strictly
// between two, by boundaries or by events, and leaves short stretches to be stepped through.

import { describe, expect, it } from 'vitest';
import { comparePositions, markPosition, toMark, type PdbPosition } from '../../src/personalities/pdb/fred-replies.js';
import { positionBetween } from '../../src/personalities/pdb/pdb-replay.js';

const where = { file: '/p.py', line: 3, function: 'f', depth: 2 };

describe('pdb positions', () => {
  it('order by boundary, then by events since it', () => {
    expect(comparePositions([3, 9], [4, 0])).toBeLessThan(0);
    expect(comparePositions([4, 2], [4, 1])).toBeGreaterThan(0);
    expect(comparePositions([4, 2], [4, 2])).toBe(0);
  });

  it('travel in marks as [E, k]; an inexact one is unreplayable', () => {
    const mark = toMark({ ...where, index: [12, 5] });
    expect(mark.key).toBe('pdb:12.5');
    expect(markPosition(mark)).toEqual([12, 5]);
    expect(mark.unreplayable).toBeUndefined();
    expect(toMark({ ...where, index: [12, 5], inexact: true }).unreplayable).toBe(true);
    expect(toMark({ ...where, index: [12, 5], crashed: true }).key).toBe('pdb:12.5:crashed');
    expect(() => toMark({ ...where, index: 12 })).toThrow(/malformed/);
    expect(() => toMark({ ...where, index: [1, -1] })).toThrow(/malformed/);
  });

  it('bisect many boundaries by boundaries, one long stretch by events', () => {
    expect(positionBetween([10, 3], [110, 2], 0.5)).toEqual([60, 0]);
    expect(positionBetween([10, 3], [110, 2], 0.01)).toEqual([11, 0]);
    expect(positionBetween([10, 3], [110, 2], 0.999)).toEqual([109, 0]);
    expect(positionBetween([10, 3], [10, 1003], 0.5)).toEqual([10, 503]);
    // A long stretch since `to`'s boundary is bisected first: the boundaries before may be few.
    expect(positionBetween([10, 3], [12, 5000], 0.5)).toEqual([12, 2500]);
  });

  it('give a scan a close start a few events or boundaries before the moment', () => {
    expect(positionBetween([10, 3], [10, 1003], 1)).toEqual([10, 875]);
    expect(positionBetween([10, 3], [110, 2], 1)).toEqual([94, 0]);
  });

  it('leave short stretches to stepping', () => {
    expect(positionBetween([10, 3], [10, 200], 0.5)).toBeNull();
    expect(positionBetween([10, 3], [20, 100], 0.5)).toBeNull();
    const between = (from: PdbPosition, to: PdbPosition) => positionBetween(from, to, 0.5);
    expect(between([5, 0], [5, 0])).toBeNull();
  });
});
