import { describe, expect, it } from 'vitest';
import { CheckpointPolicy } from '../../src/timeline/checkpoint-policy.js';

describe('CheckpointPolicy', () => {
  it('takes the first checkpoint at once and later ones after the interval', () => {
    const policy = new CheckpointPolicy(100);
    expect(policy.due(0, true)).toBe(true);
    expect(policy.due(99, false)).toBe(false);
    expect(policy.due(100, false)).toBe(true);
  });

  it('stretches the default interval for a program with a big memory, never one the user set', () => {
    const adaptive = new CheckpointPolicy(100, 24, true);
    expect(adaptive.effectiveIntervalMs).toBe(100); // nothing known yet
    adaptive.residentBytes = 4 * 2 ** 20;
    expect(adaptive.effectiveIntervalMs).toBe(100);
    expect(adaptive.due(100, false)).toBe(true);
    adaptive.residentBytes = 60 * 2 ** 20;
    expect(adaptive.effectiveIntervalMs).toBe(480);
    expect(adaptive.due(100, false)).toBe(false);
    expect(adaptive.due(480, false)).toBe(true);
    const chosen = new CheckpointPolicy(100);
    chosen.residentBytes = 60 * 2 ** 20;
    expect(chosen.effectiveIntervalMs).toBe(100);
    const off = new CheckpointPolicy(0, 24, true);
    off.residentBytes = 60 * 2 ** 20;
    expect(off.due(1_000_000, false)).toBe(false);
  });

  it('takes none after the first when the interval is 0', () => {
    const policy = new CheckpointPolicy(0);
    expect(policy.due(0, true)).toBe(true);
    expect(policy.due(1_000_000, false)).toBe(false);
  });

  it('keeps more forks of a small program, within a memory budget, never fewer than maxAutomatic', () => {
    const forks = new CheckpointPolicy(100, 24, true, true);
    expect(forks.keptAutomatic).toBe(24); // size not known yet
    forks.residentBytes = 12 * 2 ** 20;
    expect(forks.keptAutomatic).toBeGreaterThan(24);
    expect(forks.keptAutomatic).toBeLessThanOrEqual(128);
    // Kept forks pin at most the program's resident memory each: together within 1 GiB.
    expect(forks.keptAutomatic * forks.residentBytes).toBeLessThanOrEqual(2 ** 30);
    forks.residentBytes = 2 ** 30;
    expect(forks.keptAutomatic).toBe(24);
    forks.residentBytes = 2 ** 10;
    expect(forks.keptAutomatic).toBe(128);
    const serials = Array.from({ length: 200 }, (_, index) => index);
    expect(200 - forks.victims(serials, 200).length).toBe(128);
    // DMTCP images (whole copies on disk) stay at their count.
    const images = new CheckpointPolicy(1000, 12, true, false);
    images.residentBytes = 2 ** 20;
    expect(images.keptAutomatic).toBe(12);
  });

  it('keeps as many forks as their measured size fits, within four times what the resident size allows', () => {
    const forks = new CheckpointPolicy(100, 24, true, true);
    forks.residentBytes = 32 * 2 ** 20;
    const byResident = forks.keptAutomatic; // 32 with a 1 GiB budget
    expect(byResident).toBeGreaterThanOrEqual(24);
    // Forks that share most of their pages, measured at 2 MiB each: more, up to 4x and 128.
    forks.checkpointBytes = 2 * 2 ** 20;
    expect(forks.keptAutomatic).toBe(Math.min(128, 4 * byResident));
    expect(forks.keptAutomatic).toBeGreaterThan(byResident);
    // Measured bigger than the resident size (a program rewriting its memory): fewer, never under 24.
    forks.checkpointBytes = 256 * 2 ** 20;
    expect(forks.keptAutomatic).toBe(24);
    forks.checkpointBytes = 16 * 2 ** 20;
    expect(forks.keptAutomatic * forks.checkpointBytes).toBeLessThanOrEqual(2 ** 30);
    expect(forks.keptAutomatic).toBeGreaterThan(byResident);
  });

  it('keeps at most maxAutomatic, dense near now and sparse long ago', () => {
    const policy = new CheckpointPolicy(100, 8);
    const serials = Array.from({ length: 200 }, (_, index) => index);
    const dropped = new Set(policy.victims(serials, 200));
    const kept = serials.filter((serial) => !dropped.has(serial));
    expect(kept).toHaveLength(8);
    // The oldest and the newest survive: the ends of the recorded past stay reachable.
    expect(kept[0]).toBe(0);
    expect(kept[kept.length - 1]).toBe(199);
    // Gaps grow with age: a logarithmic spread, not an even one.
    const gaps = kept.slice(1).map((serial, index) => serial - kept[index]!);
    expect(gaps[0]!).toBeGreaterThan(gaps[gaps.length - 1]!);
  });

  it('drops nothing while under the limit', () => {
    expect(new CheckpointPolicy(100, 8).victims([1, 5, 9], 10)).toEqual([]);
  });
});
