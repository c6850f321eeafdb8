// When to take automatic checkpoints and which to drop: a checkpoint after every `intervalMs`
// of forward execution, at most `maxAutomatic` kept (more for a small program), spread
// logarithmically over the past (dense near now, sparse long ago) so memory stays bounded and
// going back stays cheap.

import { totalmem } from 'node:os';

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 100;
const DEFAULT_MAX_AUTOMATIC = 24;

/**
 * A fork checkpoint pins at most the program's resident memory (the pages the program has written
 * since). A small program gets more of them kept, within this much together: the sparser the
 * kept ones, the longer the stretch a search far back must replay (a Python run ten times longer
 * searched five times slower with 24). Never fewer than `maxAutomatic`, never more than MOST_KEPT.
 */
const KEPT_MEMORY_BUDGET = Math.min(2 ** 30, totalmem() / 8);
const MOST_KEPT = 128;
/**
 * Where the kept checkpoints' real size is measured (`checkpointBytes`), it decides, but never
 * beyond this many times what the resident size allows: a measurement is a few checkpoints old,
 * and a program that starts rewriting all its memory makes every new fork cost its whole size.
 */
const MEASURED_OVER_RESIDENT = 4;

/**
 * A fork checkpoint shares the program's memory: every page the program writes afterwards is
 * copied at its first write (a fault and 4 KiB). A program writing all over a big heap pays that
 * for every page in every interval: the BST fixture with 2 million nodes (60 MiB) lost ~0.8 ms
 * per resident MiB at each checkpoint here, a third of its run at 100 ms intervals. 8 ms per MiB
 * keeps it near a tenth (and leaves programs under 12 MiB at the default 100 ms).
 */
const INTERVAL_MS_PER_RESIDENT_MIB = 8;

export class CheckpointPolicy {
  /** The program's own resident memory at the last automatic checkpoint (bytes), if known. */
  residentBytes: number | undefined;
  /** What one kept checkpoint occupies, measured (bytes), where the personality can tell. */
  checkpointBytes: number | undefined;

  /**
   * `adaptive`: the interval is the default one, which stretches for a big program (see
   * INTERVAL_MS_PER_RESIDENT_MIB); one the user set is kept as given.
   */
  constructor(
    public intervalMs = DEFAULT_CHECKPOINT_INTERVAL_MS,
    readonly maxAutomatic = DEFAULT_MAX_AUTOMATIC,
    public adaptive = false,
    /** Forks (not DMTCP images, each a whole copy on disk): a small program keeps more. */
    readonly keepsMoreWhenSmall = false,
  ) {}

  /** How many automatic checkpoints are kept now (see KEPT_MEMORY_BUDGET). */
  get keptAutomatic(): number {
    if (!this.keepsMoreWhenSmall || this.residentBytes === undefined || this.residentBytes <= 0) return this.maxAutomatic;
    let fit = KEPT_MEMORY_BUDGET / this.residentBytes;
    if (this.checkpointBytes !== undefined && this.checkpointBytes > 0) {
      fit = Math.min(KEPT_MEMORY_BUDGET / this.checkpointBytes, fit * MEASURED_OVER_RESIDENT);
    }
    return Math.min(MOST_KEPT, Math.max(this.maxAutomatic, Math.floor(fit)));
  }

  /** The interval now: `intervalMs`, or longer for a program whose memory makes checkpoints cost more. */
  get effectiveIntervalMs(): number {
    if (!this.adaptive || this.intervalMs <= 0 || this.residentBytes === undefined) return this.intervalMs;
    return Math.max(this.intervalMs, Math.round((this.residentBytes / 2 ** 20) * INTERVAL_MS_PER_RESIDENT_MIB));
  }

  /** 0 turns automatic checkpoints off (the first stop still gets one, to have somewhere to go back to). */
  due(costSinceCheckpointMs: number, isFirstStop: boolean): boolean {
    if (isFirstStop) return true;
    return this.intervalMs > 0 && costSinceCheckpointMs >= this.effectiveIntervalMs;
  }

  /**
   * Which automatic checkpoints (by serial, oldest first) to discard so that at most
   * `keptAutomatic` remain: repeatedly drop the one whose neighbours are closest together
   * relative to its age, which leaves a roughly logarithmic spread.
   */
  victims(serials: number[], now: number): number[] {
    const kept = [...serials].sort((a, b) => a - b);
    const dropped: number[] = [];
    while (kept.length > this.keptAutomatic) {
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
