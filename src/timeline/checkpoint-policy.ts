// When to take automatic checkpoints and which to drop: a checkpoint after every `intervalMs`
// of forward execution, at most `maxAutomatic` kept, spread logarithmically over the past
// (dense near now, sparse long ago) so memory stays bounded and going back stays cheap.

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 100;
const DEFAULT_MAX_AUTOMATIC = 24;

export class CheckpointPolicy {
  constructor(
    public intervalMs = DEFAULT_CHECKPOINT_INTERVAL_MS,
    readonly maxAutomatic = DEFAULT_MAX_AUTOMATIC,
  ) {}

  /** 0 turns automatic checkpoints off (the first stop still gets one, to have somewhere to go back to). */
  due(costSinceCheckpointMs: number, isFirstStop: boolean): boolean {
    if (isFirstStop) return true;
    return this.intervalMs > 0 && costSinceCheckpointMs >= this.intervalMs;
  }

  /**
   * Which automatic checkpoints (by serial, oldest first) to discard so that at most
   * `maxAutomatic` remain: repeatedly drop the one whose neighbours are closest together
   * relative to its age, which leaves a roughly logarithmic spread.
   */
  victims(serials: number[], now: number): number[] {
    const kept = [...serials].sort((a, b) => a - b);
    const dropped: number[] = [];
    while (kept.length > this.maxAutomatic) {
      let best = 1;
      let bestScore = Number.POSITIVE_INFINITY;
      for (let index = 1; index < kept.length - 1; index++) {
        const gap = kept[index + 1]! - kept[index - 1]!;
        const age = now - kept[index]! + 1;
        const score = gap / age;
        if (score < bestScore) {
          bestScore = score;
          best = index;
        }
      }
      dropped.push(kept.splice(best, 1)[0]!);
    }
    return dropped;
  }
}
