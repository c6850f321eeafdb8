// gdb's side of the reversible powers: thin MI calls into fred_gdb.py, which runs the loops
// inside gdb. Marks travel as JSON, quoted as one MI c-string argument.

import { rmSync, writeFileSync } from 'node:fs';
import { quoteMiString, type MiTuple } from '../../../grammars/mi/api.js';
import type {
  BreakpointHitsResult, HitCount, Mark, ReplayPowers, ScanResult, ScanStatus, WatchedFrame, WatchEntry, WatchPowers, WatchScanResult,
} from '../../debugger/replay.js';
import { GdbForkCheckpoints } from '../../checkpoints/fork/gdb-fork-checkpoints.js';
import { FredError } from '../../errors.js';
import type { MiConnection } from './mi-connection.js';
import { integer, list, text, tuple } from './mi-values.js';

export interface GdbReplayHooks {
  /** The live process changed (a checkpoint was restored): its pid. */
  processChanged(pid: number): void;
}

export class GdbReplay implements ReplayPowers, WatchPowers {
  readonly watch: WatchPowers = this;
  readonly unavailableIsAState = false;
  readonly checkpoints: GdbForkCheckpoints;

  /** fred_gdb's loops look for this file between stops (see _Cancellation in fred_gdb.py). */
  readonly cancellation: { request(): void; clear(): void };

  constructor(private readonly mi: MiConnection, private readonly hooks: GdbReplayHooks, cancelFile: string) {
    this.cancellation = {
      request: () => writeFileSync(cancelFile, '', { mode: 0o600 }),
      clear: () => rmSync(cancelFile, { force: true }),
    };
    this.checkpoints = new GdbForkCheckpoints({
      checkpoint: async () => {
        try {
          return integer((await this.mi.send('-fred-checkpoint')).results, 'pid') ?? 0;
        } catch (error) {
          if (/multiple threads/.test((error as Error).message)) throw new FredError('unsupported', 'gdb cannot checkpoint a multi-threaded program');
          throw error;
        }
      },
      // Three gdb commands: with the three in one (a -fred-restore), replays to recorded moments
      // failed now and then under load (fresh-clone CI; not understood yet).
      restore: async (pid, leaving) => {
        const reply = await this.mi.send(`-fred-restart ${pid}`);
        this.hooks.processChanged(integer(reply.results, 'pid') ?? 0);
        const kept = integer((await this.mi.send('-fred-checkpoint')).results, 'pid');
        if (kept === undefined) throw new FredError('internal', 'gdb restored a checkpoint without keeping it');
        if (leaving !== undefined) await this.mi.send(`-fred-delete-checkpoint ${leaving}`).catch(() => undefined);
        return kept;
      },
      deleteCheckpoint: async (pid) => { await this.mi.send(`-fred-delete-checkpoint ${pid}`); },
      liveFork: async () => integer((await this.mi.send('-fred-live-fork')).results, 'pid') ?? -1,
    });
  }

  readonly segmentCounter = {
    start: async (): Promise<void> => { await this.mi.send('-fred-count-start'); },
    stop: async (): Promise<{ mark: Mark | null; moved: boolean }> => {
      const results = (await this.mi.send('-fred-count-stop')).results;
      const mark = tuple(results['mark']);
      return { mark: mark ? toMark(mark) : null, moved: text(results, 'moved') === '1' };
    },
  };

  async holdAtStart(): Promise<void> {
    await this.mi.send('-fred-hold-at-start');
  }

  async mark(): Promise<Mark> {
    return toMark(tuple((await this.mi.send('-fred-mark')).results['mark']) ?? {});
  }

  async runUntil(target: Mark | null): Promise<boolean> {
    const reply = await this.moving(`-fred-run-until ${quoteMiString(payloadOf(target))}`);
    return text(reply, 'reached') === '1';
  }

  async scan(level: number, until: Mark | null, limit: number, expand = 0): Promise<ScanResult> {
    const reply = await this.moving(`-fred-scan ${level} ${quoteMiString(payloadOf(until))} ${limit} ${expand}`);
    return {
      status: (text(reply, 'status') ?? 'ended') as ScanStatus,
      entries: list(reply['entries']).map((value) => {
        const entry = tuple(value) ?? {};
        return { kind: text(entry, 'kind') === 'entered' ? 'entered' : 'stop', mark: toMark(entry) };
      }),
    };
  }

  async breakpointHits(until: Mark | null, limit: number, includeUntil: boolean): Promise<BreakpointHitsResult> {
    const reply = await this.moving(`-fred-breakpoint-hits ${quoteMiString(payloadOf(until))} ${limit} ${includeUntil ? 1 : 0}`);
    return {
      status: (text(reply, 'status') ?? 'ended') as ScanStatus,
      hits: list(reply['hits']).map((value) => toMark(tuple(value) ?? {})),
    };
  }

  async evaluateIn(expression: string, frame: WatchedFrame): Promise<string> {
    const reply = await this.moving(`-fred-evaluate ${quoteMiString(JSON.stringify(frame))} ${quoteMiString(expression)}`);
    return text(reply, 'value') ?? '';
  }

  /**
   * Bisection by the record shim's allocation count when the stretch holds allocations (exact,
   * two stops); otherwise by time: gdb has no cheap instruction counter, so run part of the
   * span and interrupt.
   */
  async midpoint(until: Mark, spanMs: number, fraction = 0.5): Promise<{ mark: Mark; spanMs: number } | null> {
    const target = progressOf(until);
    if (target !== undefined) {
      const started = performance.now();
      const reply = await this.moving(`-fred-run-to-progress ${target} ${fraction}`);
      const mark = tuple(reply['mark']);
      if (text(reply, 'reached') === '1' && mark) return { mark: toMark(mark), spanMs: (performance.now() - started) };
      // Fewer than two allocations apart: split by time below.
      if (text(reply, 'moved') !== '0') return null;
    }
    const runMs = timedRunMs(spanMs, fraction);
    if (runMs === null) return null;
    const start = await this.mark();
    const reply = await this.moving(`-fred-run-for ${quoteMiString(until.payload)} ${runMs.toFixed(6)}`);
    if (text(reply, 'status') !== 'interrupted') return null;
    const middle = await this.mark();
    // An interrupt that landed before the program moved is no progress.
    return middle.key === start.key ? null : { mark: middle, spanMs: Number(text(reply, 'elapsed') ?? runMs) };
  }

  /** By allocation count, or by time when the span is long enough for an interrupt to land. */
  canSplit(from: Mark, until: Mark, spanMs: number, fraction = 0.5): boolean {
    return this.splitsByEvents(from, until) || timedRunMs(spanMs, fraction) !== null;
  }

  /** By the allocation count when the stretch holds allocations to split it (see midpoint). */
  splitsByEvents(from: Mark, until: Mark): boolean {
    const here = progressOf(from);
    const target = progressOf(until);
    return here !== undefined && target !== undefined && target - here >= 2;
  }

  /** Counted by trampolines in the program (fred_gdb_hits.py): one native run, one stop. */
  async countHits(until: Mark, site?: string): Promise<HitCount | null> {
    // (Sites go into MI commands: only an address.)
    if (site !== undefined && !/^\d+$/.test(site)) return null;
    const reply = await this.moving(`-fred-count-hits ${quoteMiString(until.payload)}${site === undefined ? '' : ` ${site}`}`);
    // (Sites go back into MI commands: only addresses, joined by commas.)
    const count = (site: string | undefined, hits: number): HitCount | null =>
      site === undefined || !/^\d+(,\d+)*$/.test(site) || !Number.isFinite(hits) ? null : { site, hits };
    const busiest = count(text(reply, 'site'), Number(text(reply, 'hits')));
    const together = count(text(reply, 'sites'), Number(text(reply, 'total')));
    return busiest && together ? { ...busiest, together } : busiest;
  }

  async runToHit(count: HitCount, k: number): Promise<Mark | null> {
    const reply = await this.moving(`-fred-run-to-hit ${count.site} ${Math.floor(k)}`);
    const mark = tuple(reply['mark']);
    return text(reply, 'reached') === '1' && mark ? toMark(mark) : null;
  }

  /** How long the program takes to run from here to `until` (it is left there). */
  async timeTo(until: Mark): Promise<number> {
    if (progressOf(until) !== undefined) {
      // Allocation counts bisect this stretch: only the time matters, and runUntil is faster.
      const started = performance.now();
      await this.runUntil(until);
      return performance.now() - started;
    }
    const reply = await this.moving(`-fred-run-for ${quoteMiString(until.payload)} 1000000000`);
    return Number(text(reply, 'elapsed') ?? 0);
  }

  async lastDifferent(level: number, until: Mark, limit: number, frame: WatchedFrame, expression: string, value: string): Promise<{ status: ScanStatus; last?: WatchEntry }> {
    const reply = await this.moving(
      `-fred-watch-last-different ${level} ${quoteMiString(until.payload)} ${limit} ${quoteMiString(JSON.stringify(frame))} ${quoteMiString(expression)} ${quoteMiString(value)}`,
    );
    const last = tuple(reply['last']);
    return {
      status: (text(reply, 'status') ?? 'ended') as ScanStatus,
      ...(last ? { last: { kind: text(last, 'kind') === 'entered' ? 'entered' : 'stop', mark: toMark(last), value: text(last, 'value') ?? '' } } : {}),
    };
  }

  async watchScan(level: number, until: Mark, limit: number, frame: WatchedFrame, expression: string, target: string): Promise<WatchScanResult> {
    const reply = await this.moving(
      `-fred-watch-scan ${level} ${quoteMiString(until.payload)} ${limit} ${quoteMiString(JSON.stringify(frame))} ${quoteMiString(expression)} ${quoteMiString(target)}`,
    );
    return {
      status: (text(reply, 'status') ?? 'ended') as WatchScanResult['status'],
      entries: list(reply['entries']).map((value) => {
        const entry = tuple(value) ?? {};
        return { kind: text(entry, 'kind') === 'entered' ? 'entered' : 'stop', mark: toMark(entry), value: text(entry, 'value') ?? '' };
      }),
    };
  }

  /** Runs a primitive that resumes the program; gdb then answers `^running`, so fetch the result. */
  private async moving(command: string): Promise<MiTuple> {
    try {
      await this.mi.send(command);
      const results = (await this.mi.send('-fred-last-result')).results;
      // If the program ended on the way, gdb switched to one of the checkpoint forks.
      await this.checkpoints.afterLiveProcessExited(integer(results, 'live-fork'));
      return results;
    } finally {
      // Internal steps print their own lines; none of that is the user's output.
      this.mi.takeStreamText();
    }
  }
}

/**
 * Below this, interrupting lands too unpredictably to halve a stretch: gdb takes milliseconds to
 * resume the program, so the signal's moment is noise (measured here: 1–6 ms).
 */
const MIN_SPAN_MS = 4;

/**
 * How long midpoint's timed run goes on for (fraction 1: as close before the end as an interrupt
 * lands reliably); null for a span too short to split.
 */
function timedRunMs(spanMs: number, fraction: number): number | null {
  const runMs = fraction >= 1 ? spanMs - NEAR_MS : spanMs * fraction;
  return !Number.isFinite(runMs) || spanMs < MIN_SPAN_MS || runMs < MIN_SPAN_MS / 2 ? null : runMs;
}

/** How far before a moment an interrupt aims to land before it, not after (that noise, and some). */
const NEAR_MS = 8;

/** A mark's allocation count (present when the record shim runs in the program). */
function progressOf(mark: Mark): number | undefined {
  try {
    const progress = (JSON.parse(mark.payload) as { progress?: string }).progress;
    return progress === undefined ? undefined : Number(progress);
  } catch {
    return undefined;
  }
}

function payloadOf(mark: Mark | null): string {
  return mark === null ? 'null' : mark.payload;
}

function toMark(fields: MiTuple): Mark {
  const progress = text(fields, 'progress');
  const hitsSite = text(fields, 'hitsSite');
  const hitsCount = text(fields, 'hitsCount');
  const counted = hitsSite !== undefined && hitsCount !== undefined;
  const parts = text(fields, 'parts');
  const payload = {
    pc: text(fields, 'pc') ?? '0',
    sp: text(fields, 'sp') ?? '0',
    fp: text(fields, 'fp') ?? '',
    heap: text(fields, 'heap') ?? '',
    ...(progress === undefined ? {} : { progress }),
    // How a counted moment is replayed (fred_gdb_hits.py); not part of its identity.
    ...(counted ? { hitsSite, hitsCount } : {}),
    // The digests fp is made of, for a replay that misses the moment to say what differed.
    ...(parts === undefined ? {} : { parts }),
  };
  return {
    key: `${payload.pc}:${payload.sp}:${payload.fp}:${payload.heap}:${progress ?? ''}`,
    location: {
      file: text(fields, 'file') ?? '',
      line: integer(fields, 'line') ?? 0,
      function: text(fields, 'func') ?? '??',
      depth: integer(fields, 'depth') ?? 1,
    },
    payload: JSON.stringify(payload),
    ...(text(fields, 'unreplayable') === '1' ? { unreplayable: true } : {}),
    ...(counted ? { hit: { site: hitsSite, k: Number(hitsCount) } } : {}),
  };
}
