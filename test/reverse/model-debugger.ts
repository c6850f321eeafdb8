// A small model of a debugger for testing the reverse algorithms' search logic: a program is a
// list of step stops (function, line, depth) and the value of a watched expression at each.
// Real gdb and pdb are tested end to end elsewhere; this model makes odd histories cheap.

import type {
  BreakpointHitsResult, HitCount, Mark, ReplayPowers, ScanEntry, ScanResult, ScanStatus, WatchedFrame, WatchEntry, WatchPowers, WatchScanResult,
} from '../../src/debugger/replay.js';
import type { CheckpointBackend, CheckpointId } from '../../src/checkpoints/types.js';

export interface ModelStop {
  function: string;
  line: number;
  depth: number;
  /** The watched expression's value here. */
  value: string;
  breakpoint?: boolean;
}

export class ModelDebugger implements ReplayPowers, WatchPowers {
  position = 0;
  readonly checkpoints: CheckpointBackend;
  readonly watch: WatchPowers = this;
  readonly unavailableIsAState = true;
  probes = 0;

  constructor(readonly stops: ModelStop[]) {
    const saved = new Map<CheckpointId, number>();
    let nextId = 1;
    this.checkpoints = {
      name: 'model',
      take: async () => { saved.set(nextId, this.position); return nextId++; },
      restore: async (id) => { this.position = saved.get(id)!; },
      discard: async (id) => { saved.delete(id); },
      list: () => [...saved.keys()],
    };
  }

  markAt(index: number): Mark {
    const stop = this.stops[index]!;
    return { key: `model:${index}`, payload: String(index), location: { file: '/model.c', line: stop.line, function: stop.function, depth: stop.depth } };
  }

  async mark(): Promise<Mark> { return this.markAt(this.position); }
  async holdAtStart(): Promise<void> {}

  async runUntil(target: Mark | null): Promise<boolean> {
    const index = target ? Number(target.payload) : this.stops.length - 1;
    if (index < this.position) return false;
    this.position = index;
    return true;
  }

  async scan(level: number, until: Mark | null, limit: number): Promise<ScanResult> {
    const result = this.walk(level, until, limit, () => false);
    return { status: result.status as ScanStatus, entries: result.entries.map(({ kind, mark }) => ({ kind, mark })) };
  }

  async breakpointHits(until: Mark | null, limit: number, includeUntil: boolean): Promise<BreakpointHitsResult> {
    const end = until ? Number(until.payload) : this.stops.length - 1;
    const hits: Mark[] = [];
    for (let index = this.position + 1; index <= end && hits.length < limit; index++) {
      if (this.stops[index]!.breakpoint && (index < end || includeUntil)) hits.push(this.markAt(index));
    }
    this.position = end;
    return { status: 'reached', hits };
  }

  /** How long an evaluation takes (ms): above a couple, the search treats EXPR as expensive. */
  evaluationMs = 0;

  async evaluateIn(_expression: string, _frame: WatchedFrame): Promise<string> {
    this.probes++;
    if (this.evaluationMs > 0) await new Promise((resolve) => setTimeout(resolve, this.evaluationMs));
    return this.stops[this.position]!.value;
  }

  /** Bisects by stop index, like pdb's event index. */
  async midpoint(until: Mark, _spanMs: number, fraction = 0.5): Promise<{ mark: Mark; spanMs: number } | null> {
    const end = Number(until.payload);
    if (end - this.position < 4) return null;
    const index = this.position + Math.floor((end - this.position) * fraction);
    if (index <= this.position || index >= end) return null;
    this.position = index;
    return { mark: this.markAt(index), spanMs: end - index };
  }

  async timeTo(until: Mark): Promise<number> {
    const span = Number(until.payload) - this.position;
    this.position = Number(until.payload);
    return span;
  }

  async lastDifferent(level: number, until: Mark, limit: number, _frame: WatchedFrame, _expression: string, value: string): Promise<{ status: ScanStatus; last?: WatchEntry }> {
    const result = this.walk(level, until, limit, () => false);
    const last = [...result.entries].reverse().find((entry) => entry.value !== value);
    return { status: result.status as ScanStatus, ...(last ? { last } : {}) };
  }

  async watchScan(level: number, until: Mark, limit: number, _frame: WatchedFrame, _expression: string, target: string): Promise<WatchScanResult> {
    return this.walk(level, until, limit, (entry) => entry.value === target);
  }

  /** Steps from the current position; frames deeper than `level` are entered once and run through. */
  private walk(level: number, until: Mark | null, limit: number, stopAt: (entry: WatchEntry) => boolean): WatchScanResult {
    const end = until ? Number(until.payload) : this.stops.length;
    const entries: WatchEntry[] = [];
    let index = this.position + 1;
    while (index < end) {
      if (entries.length >= limit) {
        this.position = index - 1;
        return { status: 'limit', entries };
      }
      const stop = this.stops[index]!;
      const deeper = stop.depth > level;
      const entry: WatchEntry & ScanEntry = { kind: deeper ? 'entered' : 'stop', mark: this.markAt(index), value: stop.value };
      this.probes++;
      entries.push(entry);
      if (stopAt(entry)) {
        this.position = index;
        return { status: 'changed', entries };
      }
      index++;
      if (deeper) while (index < end && this.stops[index]!.depth > level) index++;
    }
    this.position = Math.min(end, this.stops.length - 1);
    return { status: until ? 'reached' : 'ended', entries };
  }
}

/**
 * The model with no event count to bisect by (midpoints are refused, as gdb's timed ones are too
 * coarse in a tight loop) but a hit counter: every stop is one execution of the counted
 * instruction. Like gdb's, a counted mark is found only from the moment its count started at:
 * runUntil refuses it from anywhere else, so the search and the timeline must replay through it.
 */
export class CountingModelDebugger extends ModelDebugger {
  counts = 0;

  /**
   * With `loopEvery` > 1 the model also has a busiest line, executed at every stop whose index
   * is a multiple of it (a loop's line), and counts every stop only as the finer `together`.
   */
  loopEvery = 1;

  constructor(stops: ModelStop[]) {
    super(stops);
    // Checkpoints that cost more than running to a probe: the search then replays chains of
    // counted moments instead of checkpointing each.
    const take = this.checkpoints.take.bind(this.checkpoints);
    (this.checkpoints as { take: () => Promise<CheckpointId> }).take = async () => {
      await new Promise((resolve) => setTimeout(resolve, 3));
      return take();
    };
  }

  /** Where each counted mark's count started (by mark key). */
  private readonly bases = new Map<string, number>();

  splitsByEvents(): boolean {
    return false;
  }

  override async midpoint(): Promise<null> {
    return null;
  }

  async countHits(until: Mark): Promise<HitCount | null> {
    this.counts++;
    const end = Number(until.payload);
    const hits = end - this.position - 1;
    const loopHits = Math.floor((end - 1) / this.loopEvery) - Math.floor(this.position / this.loopEvery);
    this.position = end;
    if (this.loopEvery > 1) return { site: 'loop', hits: loopHits, together: { site: 'model-site', hits } };
    return { site: 'model-site', hits };
  }

  async runToHit(count: HitCount, k: number): Promise<Mark | null> {
    if (k < 1 || k > count.hits) return null;
    const base = this.position;
    this.position = count.site === 'loop' ? (Math.floor(base / this.loopEvery) + k) * this.loopEvery : base + k;
    const mark = { ...this.markAt(this.position), hit: { site: count.site, k } };
    this.bases.set(mark.key, base);
    return mark;
  }

  override async runUntil(target: Mark | null): Promise<boolean> {
    if (target?.hit && this.bases.get(target.key) !== this.position) return false;
    return super.runUntil(target);
  }
}
