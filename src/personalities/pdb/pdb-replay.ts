// pdb's side of the reversible powers: one fred_* command each, run inside the Python process by
// fred_pdb (fred_pdb_replay.py, fred_pdb_snapshots.py). Marks are positions (E, k): frame
// boundaries and trace events since the last one; their payload travels back as JSON in a base64
// argument.

import type {
  BreakpointHitsResult, Mark, ReplayPowers, ScanResult, ScanStatus, WatchedFrame, WatchEntry, WatchPowers, WatchScanResult,
} from '../../debugger/replay.js';
import { PdbForkCheckpoints } from '../../checkpoints/fork/pdb-fork-checkpoints.js';
import type { CheckpointBackend, CheckpointId } from '../../checkpoints/types.js';
import { FredError } from '../../errors.js';
import { comparePositions, markPosition, type PdbPosition, toHitsResult, toPosition, toLastDifferent, toMark, toScanResult, toWatchScanResult } from './fred-replies.js';

/** Fewer events than this between two moments are stepped through rather than bisected. */
const MIN_BISECTED_EVENTS = 256;

/** The same in frame boundaries (each is at least one event, usually several). */
const MIN_BISECTED_BOUNDARIES = 16;

/** How far before a moment, in events, a scan's closer start lies: stepping that far is cheap. */
const NEAR_EVENTS = 128;

/** The same in frame boundaries, when the moment has fewer events since its boundary. */
const NEAR_BOUNDARIES = 16;

/**
 * A Ctrl-C that stopped a frame running untraced (a loop without calls, maybe endless) is moved
 * to a moment fred can name: this many events into the same stretch, replayed from a checkpoint.
 */
const SETTLE_EVENTS = 100_000;

/** How the replay talks to fred_pdb: one fred_* command, its `@fred` answer back. */
export interface PdbReplayPort {
  /** The command's own `@fred` answer (not the status line); fred_pdb's `{"error": ...}` is thrown. */
  request(command: string): Promise<Record<string, unknown>>;
  /** Ctrl-C for the command running: fred_pdb's replay primitives end at their next stop. */
  interrupt?(): void;
  /** The mark fred_pdb sent with its last status line: where the program stands now. */
  currentMark?(): Mark | undefined;
}

export class PdbReplay implements ReplayPowers, WatchPowers {
  readonly checkpoints: CheckpointBackend;
  readonly watch: WatchPowers = this;
  readonly unavailableIsAState = true;
  /** Runs to a position untraced up to its frame boundary (fred_pdb_replay). */
  readonly replaysAtNativeSpeed = true;
  readonly cancellation = { request: (): void => this.port.interrupt?.(), clear: (): void => {} };
  /** The fork fred_pdb made at the last checkpoint (a copy of the program then), if it did. */
  lastSnapshotPid: number | undefined;
  /** The forks of the checkpoints kept now, by checkpoint id (fork backend). */
  readonly snapshotPids = new Map<number, number>();

  /** Fork checkpoints only (see WatchPowers.valuesAtCheckpoints); DMTCP images are files. */
  readonly valuesAtCheckpoints?: (checkpoints: CheckpointId[], expression: string, frame: WatchedFrame) => Promise<(string | null)[]>;

  /** Where each checkpoint kept now was taken (settleInexact starts from them). */
  private readonly checkpointPositions = new Map<CheckpointId, PdbPosition>();

  /** `checkpoints`: another backend than fred_pdb's forks (DMTCP images); marks stay positions. */
  constructor(private readonly port: PdbReplayPort, checkpoints?: CheckpointBackend) {
    if (!checkpoints) this.valuesAtCheckpoints = (ids, expression, frame) => this.valuesAtForks(ids, expression, frame);
    this.checkpoints = this.rememberingPositions(checkpoints ?? new PdbForkCheckpoints({
      checkpoint: async (id) => {
        const reply = await this.port.request(`fred_checkpoint ${id}`);
        const pid = reply['pid'];
        this.lastSnapshotPid = typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : undefined;
        if (this.lastSnapshotPid !== undefined) this.snapshotPids.set(id, this.lastSnapshotPid);
        // Where it was taken comes with the reply (rememberingPositions asks other backends).
        if (reply['index'] !== undefined) this.checkpointPositions.set(id, toPosition(reply['index'], 'checkpoint reply'));
      },
      restore: async (id) => { await this.port.request(`fred_restore ${id}`); },
      discard: async (id) => {
        this.snapshotPids.delete(id);
        await this.port.request(`fred_discard ${id}`);
      },
    }));
  }

  /** `backend`, noting the position of each checkpoint it takes (asked for when it did not say). */
  private rememberingPositions(backend: CheckpointBackend): CheckpointBackend {
    const positions = this.checkpointPositions;
    return {
      name: backend.name,
      take: async () => {
        const id = await backend.take();
        if (!positions.has(id)) {
          const mark = toMark((await this.port.request('fred_mark'))['mark']);
          if (!mark.unreplayable) positions.set(id, markPosition(mark));
        }
        return id;
      },
      restore: (id) => backend.restore(id),
      discard: async (id) => {
        positions.delete(id);
        await backend.discard(id);
      },
      list: () => backend.list(),
    };
  }

  private async valuesAtForks(checkpoints: CheckpointId[], expression: string, frame: WatchedFrame): Promise<(string | null)[]> {
    if (checkpoints.length === 0) return [];
    const reply = await this.port.request(`fred_values_at ${payload({ checkpoints: checkpoints.map((id) => whole(id, 'checkpoint')), frame, expression })}`);
    const values = reply['values'];
    if (!Array.isArray(values) || values.length !== checkpoints.length || !values.every((value) => value === null || typeof value === 'string')) {
      throw new FredError('internal', 'fred_pdb sent malformed checkpoint values');
    }
    return values as (string | null)[];
  }

  /** pdb programs always start stopped at their first line (launch, `run`, `restart`). */
  async holdAtStart(): Promise<void> {}

  async mark(): Promise<Mark> {
    const mark = this.port.currentMark?.() ?? toMark((await this.port.request('fred_mark'))['mark']);
    return mark.unreplayable ? this.settleInexact(mark) : mark;
  }

  /**
   * The user's Ctrl-C stopped a frame that ran untraced (fred_pdb_stepping): the events since its
   * last boundary E were not counted. Replayed from the newest checkpoint before E, the program
   * stops SETTLE_EVENTS events into that same stretch, or at the first event after it, a moment
   * that can be found again; without such a checkpoint the mark stays unreplayable.
   */
  private async settleInexact(inexact: Mark): Promise<Mark> {
    const boundary: PdbPosition = [markPosition(inexact)[0], 0];
    let start: [CheckpointId, PdbPosition] | undefined;
    for (const [id, position] of this.checkpointPositions) {
      if (comparePositions(position, boundary) <= 0 && (!start || comparePositions(position, start[1]) > 0)) start = [id, position];
    }
    if (!start) return inexact;
    await this.checkpoints.restore(start[0]);
    await this.runTo({ index: [boundary[0], SETTLE_EVENTS] });
    return toMark((await this.port.request('fred_mark'))['mark']);
  }

  async runUntil(target: Mark | null): Promise<boolean> {
    return this.runTo(markPayload(target));
  }

  private async runTo(target: unknown): Promise<boolean> {
    const reply = await this.port.request(`fred_run_until ${payload({ target })}`);
    return reply['reached'] === true;
  }

  async scan(level: number, until: Mark | null, limit: number, expand = 0): Promise<ScanResult> {
    const request = { level: whole(level, 'scan level'), until: markPayload(until), limit: whole(limit, 'scan limit'), expand: whole(expand, 'scan expansion') };
    return toScanResult(await this.port.request(`fred_scan ${payload(request)}`));
  }

  async breakpointHits(until: Mark | null, limit: number, includeUntil: boolean): Promise<BreakpointHitsResult> {
    const request = { until: markPayload(until), limit: whole(limit, 'limit'), include_until: includeUntil };
    return toHitsResult(await this.port.request(`fred_breakpoint_hits ${payload(request)}`));
  }

  async evaluateIn(expression: string, frame: WatchedFrame): Promise<string> {
    const reply = await this.port.request(`fred_evaluate_in ${payload({ frame, expression })}`);
    if (typeof reply['value'] !== 'string') throw new FredError('internal', 'fred_pdb sent a malformed evaluation');
    return reply['value'];
  }

  async changesProgram(expression: string, frame: WatchedFrame): Promise<boolean> {
    const reply = await this.port.request(`fred_changes_program ${payload({ frame, expression })}`);
    if (typeof reply['changes'] !== 'boolean') throw new FredError('internal', 'fred_pdb sent a malformed side-effect check');
    return reply['changes'];
  }

  /** Exact bisection: the moment halfway, by position, between now and `until` (`spanMs` unused). */
  async midpoint(until: Mark, _spanMs: number, fraction = 0.5): Promise<{ mark: Mark; spanMs: number } | null> {
    const target = positionBetween(markPosition(await this.mark()), markPosition(until), fraction);
    if (!target) return null;
    const started = performance.now();
    if (!(await this.runTo({ index: target }))) return null;
    const spanMs = performance.now() - started;
    return { mark: await this.mark(), spanMs };
  }

  /** Midpoints here are positions: running a whole stretch only to time it is not needed. */
  async timeTo(_until: Mark): Promise<null> {
    return null;
  }

  async lastDifferent(level: number, until: Mark, limit: number, frame: WatchedFrame, expression: string, value: string): Promise<{ status: ScanStatus; last?: WatchEntry }> {
    return toLastDifferent(await this.port.request(`fred_last_different ${watchPayload(level, until, limit, frame, expression, value)}`));
  }

  async watchScan(level: number, until: Mark, limit: number, frame: WatchedFrame, expression: string, target: string): Promise<WatchScanResult> {
    return toWatchScanResult(await this.port.request(`fred_watch_scan ${watchPayload(level, until, limit, frame, expression, target)}`));
  }
}

/**
 * A position between `from` and `to` (exclusive), `fraction` of the way: by events within one
 * boundary's stretch, first in the stretch since `to`'s boundary when it is long, else by
 * boundaries; fraction 1: a few events or boundaries before `to` (a scan's closer start). The
 * run stops at the first event at or past it. Null when the stretch is short enough to step
 * through (fewer than MIN_BISECTED_EVENTS events or MIN_BISECTED_BOUNDARIES boundaries).
 */
export function positionBetween(from: PdbPosition, to: PdbPosition, fraction: number): PdbPosition | null {
  const boundaries = to[0] - from[0];
  let target: PdbPosition;
  if (boundaries === 0) {
    if (to[1] - from[1] < MIN_BISECTED_EVENTS) return null;
    target = fraction >= 1 ? [to[0], to[1] - NEAR_EVENTS] : [from[0], from[1] + Math.floor((to[1] - from[1]) * fraction)];
  } else if (to[1] >= MIN_BISECTED_EVENTS) {
    target = [to[0], fraction >= 1 ? to[1] - NEAR_EVENTS : Math.floor(to[1] * fraction)];
  } else if (boundaries >= MIN_BISECTED_BOUNDARIES) {
    target = fraction >= 1
      ? [to[0] - NEAR_BOUNDARIES, 0]
      : [from[0] + Math.min(boundaries - 1, Math.max(1, Math.floor(boundaries * fraction))), 0];
  } else {
    return null;
  }
  return comparePositions(target, from) > 0 && comparePositions(target, to) < 0 ? target : null;
}

function watchPayload(level: number, until: Mark, limit: number, frame: WatchedFrame, expression: string, value: string): string {
  return payload({ level: whole(level, 'scan level'), until: markPayload(until), limit: whole(limit, 'scan limit'), frame, expression, value });
}

function markPayload(mark: Mark | null): unknown {
  if (mark === null) return null;
  try {
    return JSON.parse(mark.payload) as unknown;
  } catch {
    throw new FredError('internal', `not a pdb mark: ${mark.key}`);
  }
}

function whole(value: number, what: string): number {
  // fred_pdb wants JSON integers; Infinity (no limit) becomes the largest safe one.
  if (value === Infinity) return Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(value)) throw new FredError('internal', `${what} must be an integer, not ${value}`);
  return value;
}

function payload(request: unknown): string {
  return Buffer.from(JSON.stringify(request), 'utf8').toString('base64');
}
