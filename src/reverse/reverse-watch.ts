// reverse-watch EXPR: back to the last moment EXPR changed value, stopped just before the
// statement whose execution made it what it is now, in the frame where that statement runs.
//
// The search has three levels, each narrowing the stretch the next one works on:
//   1. checkpoints, newest first, until one where EXPR had another value;
//   2. bisection between that checkpoint and the next (by time for gdb, by event count for pdb),
//      checkpointing each probe, until the stretch is short;
//   3. statements: step through the stretch, evaluating EXPR at each stop inside the debugger,
//      and descend into the call that made the change.
// When every checkpoint shows the current value, EXPR may still have left it and come back (a
// list that starts empty, grows past 17 and shrinks again, watched with `len < 17`): then the
// stretches are searched newest first, statement by statement in the watched frame, for the last
// moment the value differed. Where some checkpoint shows another value, the bisection assumes
// EXPR changed once in that stretch (as FReD's did): a value that flips and flips back between
// two probes is not seen.

import { FredError } from '../errors.js';
import { UNAVAILABLE, type Mark, type WatchedFrame, type WatchEntry, type WatchPowers } from '../debugger/replay.js';
import { chain, type Moment } from '../timeline/moment.js';
import { depth, inProgramSource, scanMoments, stretchSpan, type ReverseContext } from './context.js';
import { reverseFinishTarget } from './reverse-finish.js';
import { countedMoment, countStretch, countUpToLoop, type CountedStretch } from './counted-stretch.js';

export interface ReverseWatchStats {
  probes: number;
  /** Time spent evaluating EXPR at probes (ms), and how many: its cost decides how statements are searched. */
  evaluation: { ms: number; count: number };
  /**
   * Told where the search is before each of its steps (for a progress display). It may throw to
   * stop the search there; the caller then puts the program back where it was.
   */
  onProgress?: (progress: ReverseWatchProgress) => void;
}

/** Where the search is: the stretch of execution it works on, narrowed to [low, high] of it. */
export interface ReverseWatchProgress {
  phase: 'checkpoints' | 'bisecting' | 'statements';
  earlier: Moment;
  later: Moment;
  /** The part of the stretch still in question, as fractions of it (0: earlier, 1: later). */
  low: number;
  high: number;
  probes: number;
}

export type ReverseWatchResult =
  | { found: true; target: Moment; valueBefore: string; valueAfter: string }
  | { found: false; valueAfter: string };

interface Search {
  context: ReverseContext;
  watch: WatchPowers;
  expression: string;
  frame: WatchedFrame;
  /** The value now: the search looks for the last moment it was anything else. */
  value: string;
  /** The watched frame runs the program's own code, where `step` stops (not the C library's). */
  frameSteppable: boolean;
  stats: ReverseWatchStats;
  /** The stretch being searched, for progress reports. */
  stretch?: { earlier: Moment; later: Moment; low: number; high: number };
  /** Where the search began (the value's moment, at the end of every stretch it searches). */
  current: Moment;
}

export async function reverseWatch(
  context: ReverseContext,
  current: Moment,
  expression: string,
  stats: ReverseWatchStats,
  /** EXPR's value at `current`, when the caller has evaluated it already. */
  valueNow?: string,
): Promise<ReverseWatchResult> {
  const watch = context.replay.watch;
  if (!watch) throw new FredError('unsupported', 'reverse-watch is not available with this debugger yet');
  if (!current.mark) throw new FredError('not-running', 'The program is not being run.');
  // The caller has already refused an EXPR whose evaluation changes the program (refuseSideEffects),
  // before anything evaluated it.
  const frame = watchedFrame(current.mark);
  const value = valueNow ?? await timedEvaluation(stats, () => watch.evaluateIn(expression, frame));
  stats.probes++;
  if (value === UNAVAILABLE) throw new FredError('bad-expression', `cannot evaluate ${expression} here`);
  // The search compares values across moments: an expression that changes the program when
  // evaluated (`n++`, `stack.pop()`) has another value each time and would send it anywhere.
  stats.probes++;
  if ((await timedEvaluation(stats, () => watch.evaluateIn(expression, frame))) !== value) throw sideEffects(expression);
  const search: Search = {
    context, watch, expression, frame, value, stats, frameSteppable: inProgramSource(current.mark.location), current,
  };

  const stretch = await findCheckpointStretch(search, current);
  let target: Moment | null;
  if (stretch) {
    const [earlier, later] = await bisect(search, stretch.earlier, stretch.later);
    report(search, 'statements');
    target = await latestChange(search, earlier, later);
  } else {
    target = await lastDifferentStatement(search, current);
  }
  if (!target) return { found: false, valueAfter: value };
  const valueBefore = await valueAt(search, target);
  if (valueBefore === value) {
    // Not a change: the expression's evaluation changed the program during the search (a side
    // effect that returns the same value each time, like `list.clear()`), or the replay diverged.
    throw new FredError('bad-expression', `${expression} is ${value} also just before the change found: its evaluation has side effects, or the program does not run the same way each time`);
  }
  return { found: true, target, valueBefore, valueAfter: value };
}

/** The frame an expression given at `mark` is watched in. */
export function watchedFrame(mark: Mark): WatchedFrame {
  return { depth: mark.location.depth, function: mark.location.function };
}

/** Refuses, before anything evaluates it, an expression whose evaluation changes the program. */
export async function refuseSideEffects(watch: WatchPowers, expression: string, frame: WatchedFrame): Promise<void> {
  if (watch.changesProgram && (await watch.changesProgram(expression, frame))) throw sideEffects(expression);
}

function sideEffects(expression: string): FredError {
  return new FredError('bad-expression', `evaluating ${expression} changes the program: reverse-watch needs an expression without side effects`);
}

/** EXPR evaluations slower than this make the final stretch be searched by seeking (see lastDifferentBySeeking). */
const EXPENSIVE_EVALUATION_MS = 2;

/**
 * Level 1: the newest checkpointed moment where the value differed, and the next one after it.
 * Under gdb a checkpoint where EXPR cannot be evaluated says nothing: at main's first line
 * `list_len(head)` walks whatever the stack held (it may crash, or not), and bisecting from there
 * would take that garbage for the value the program changed. Statement scans still see such
 * moments. (Under pdb, EXPR unavailable means names not bound yet: a state like a value.)
 * Checkpoints are looked at one by one while EXPR is cheap; once it proves expensive (`is_bst`
 * over a big tree: 100 ms), fred gallops back (1, 2, 4... checkpoints) and bisects between the
 * last that agreed and the first that differed.
 */
async function findCheckpointStretch(search: Search, current: Moment): Promise<{ earlier: Moment; later: Moment } | null> {
  const anchors = [...chain(current)].filter((anchor) => anchor !== current && anchor.checkpoint !== undefined && anchor.mark);
  const laterThan = (index: number): Moment => (index === 0 ? current : anchors[index - 1]!);
  const differs = async (index: number): Promise<boolean> => {
    const stretch = { earlier: anchors[index]!, later: laterThan(index), low: 0, high: 1 };
    report(search, 'checkpoints', stretch);
    let value = await valueInPlace(search, anchors[index]!);
    if (value === null) {
      // No answer in place: a Ctrl-C that ended the copy's evaluation stops the search here.
      report(search, 'checkpoints', stretch);
      value = await valueAt(search, anchors[index]!);
    }
    if (value === UNAVAILABLE && !search.watch.unavailableIsAState) return false;
    return value !== search.value;
  };
  let agreed = -1; // anchors[0..agreed] showed the current value (as far as looked)
  let step = 1;
  while (agreed < anchors.length - 1) {
    const index = Math.min(agreed + step, anchors.length - 1);
    if (await differs(index)) {
      let high = index;
      while (high - agreed > 1) {
        const middle = Math.floor((agreed + high) / 2);
        if (await differs(middle)) high = middle;
        else agreed = middle;
      }
      return { earlier: anchors[high]!, later: laterThan(high) };
    }
    agreed = index;
    // Past the newest few (all of them for an expensive EXPR), gallop: up to 128 checkpoints
    // are kept for a small program, and one by one that was a restore and an evaluation each.
    if (expensive(search) || index >= CHECKPOINTS_ONE_BY_ONE - 1) step *= 2;
  }
  return null;
}

/** The newest checkpoints compared one by one (a recent excursion among them is found). */
const CHECKPOINTS_ONE_BY_ONE = 8;

/**
 * EXPR's value at an anchor's checkpoint without moving the program, where the personality can
 * (WatchPowers.valuesAtCheckpoints: pdb evaluates in a throwaway copy of its fork): a restore
 * less per checkpoint looked at. Asked only where the walk looks (an EXPR that loops or is slow
 * at old moments is not run there for nothing). Null where the personality cannot say (then the
 * caller restores and evaluates).
 */
async function valueInPlace(search: Search, anchor: Moment): Promise<string | null> {
  if (!search.watch.valuesAtCheckpoints) return null;
  const [value] = await search.watch.valuesAtCheckpoints([anchor.checkpoint!], search.expression, search.frame);
  if (value === null || value === undefined) return null;
  search.stats.probes++;
  return value;
}

/**
 * Every checkpoint shows the current value: walk the stretches between checkpoints newest first,
 * statement by statement at the watched frame's level, for the last moment the value differed.
 */
async function lastDifferentStatement(search: Search, current: Moment): Promise<Moment | null> {
  const { timeline } = search.context;
  let later = current;
  for (const anchor of chain(current)) {
    if (anchor === current || anchor.checkpoint === undefined || !anchor.mark) continue;
    report(search, 'statements', { earlier: anchor, later, low: 0, high: 1 });
    await timeline.seek(anchor);
    const level = scanLevel(search, anchor);
    const result = await search.watch.lastDifferent(level, later.mark!, search.context.scanLimit, search.frame, search.expression, search.value);
    timeline.standAt(later);
    if (result.status === 'limit') {
      throw new FredError('unsupported', `${search.expression} kept its value for more than ${search.context.scanLimit} steps back; narrow the expression or go back first`);
    }
    if (result.last) {
      const different = timeline.momentFor(result.last.mark, anchor, 'other', anchor.outputBytes);
      return statementBefore(search, different, later, true);
    }
    later = anchor;
  }
  return null;
}

/**
 * The level statement scans step at: the watched frame's, so that its statements are seen one by
 * one, or the stretch's own if deeper. A watched frame in the C library (`_exit` or `abort`, where
 * fred holds a program that ended) is never stepped in, and exists only at the end: scanning at
 * its depth would only step through every call up to that depth, so the stretch's level is used,
 * and a change inside a call is found by descending into it.
 */
function scanLevel(search: Search, from: Moment): number {
  return search.frameSteppable ? Math.max(search.frame.depth, depth(from)) : depth(from);
}

/**
 * Level 2: narrow the stretch [earlier (other value), later (the value)] while it is long,
 * checkpointing each probe. The latest change matters: while no probe has differed, a round
 * probes the middle and then, running on from there, 7/8 of the way, so that a value that left
 * and came back late is found before the bisection settles on an older change (the late probe
 * costs a quarter of a stretch more, not a second run from its start).
 */
async function bisect(search: Search, earlier: Moment, later: Moment): Promise<[Moment, Moment]> {
  const { timeline } = search.context;
  const narrowed = { earlier, later, low: 0, high: 1 };
  report(search, 'bisecting', narrowed);
  // (Undefined: the personality splits every stretch by events, as pdb does.)
  const splitByEvents = search.watch.splitsByEvents?.(earlier.mark!, later.mark!);
  const byEvents = splitByEvents ?? true;
  // Where probes would land by time (gdb without an allocation to count), counting a loop's
  // iterations bisects exactly, and first: a timed probe inside the loop could be reached
  // again only by stopping at every iteration. (Before the stretch is timed: a count needs no
  // time, and timing it is a replay of the whole stretch.)
  const timed = search.watch.countHits !== undefined && !byEvents;
  if (timed) {
    const counted = await bisectByCount(search, earlier, later);
    if (counted) return counted;
  }
  await timeline.seek(earlier);
  // Split by counted events, the stretch's running time matters only where they stop splitting
  // it, and the probes measure it on the way: not run just to time it (unknown: NaN).
  const measured = splitByEvents === true ? Number.NaN : await stretchSpan(search.context, earlier, later);
  let span = measured ?? 0;
  let galloping = true;
  const narrow = (probe: { moment: Moment; differs: boolean }, position: number): void => {
    // For the display: the probe aimed at `position` of the stretch (gdb's land near it).
    if (probe.differs) narrowed.low = position;
    else narrowed.high = position;
    report(search, 'bisecting');
  };
  for (;;) {
    const middle = await probeAt(search, earlier, later, span, 1 / 2);
    if (!middle) return (!timed && (await bisectByCount(search, earlier, later))) || [earlier, later];
    if (Number.isNaN(span)) span = 2 * middle.spanMs;
    const middlePosition = (narrowed.low + narrowed.high) / 2;
    if (middle.differs) {
      // The latest visible change is after this probe: bisect plainly from here on.
      narrow(middle, middlePosition);
      earlier = middle.moment;
      span = Math.max(span - middle.spanMs, 0);
      galloping = false;
      continue;
    }
    if (galloping) {
      const late = await probeAt(search, middle.moment, later, Math.max(span - middle.spanMs, 0), 3 / 4);
      if (late?.differs) {
        narrow(late, middlePosition + (3 / 4) * (narrowed.high - middlePosition));
        earlier = late.moment;
        span = Math.max(span - middle.spanMs - late.spanMs, 0);
        galloping = false;
        continue;
      }
    }
    narrow(middle, middlePosition);
    later = middle.moment;
    span = middle.spanMs;
  }
}

/**
 * Level 2 by counted executions (counted-stretch.ts), when the personality counts: exact where
 * time is not (gdb: an interrupt lands within milliseconds, which a tight loop fills with a
 * million lines). A stretch is bisected by all the line starts of the code running there counted
 * together (a position every few lines, also in a recursion's unwinding, where no loop runs);
 * when those are too many (every probe's run passes a trampoline at each), first by its busiest
 * loop's line, then the iteration left by all of them. Null when nothing was counted.
 */
async function bisectByCount(search: Search, earlier: Moment, later: Moment): Promise<[Moment, Moment] | null> {
  let counted = await countStretch(search.context, earlier, later)
    ?? await countUpToLoop(search.context, earlier, later, search.current);
  let narrowed: [Moment, Moment] | null = null;
  for (let round = 0; round < 2 && counted; round++) {
    const together = counted.count.together;
    if (together && together.hits >= MANY_HITS && together.hits <= MOST_COUNTED_TOGETHER) {
      return bisectCounted(search, { ...counted, count: together });
    }
    if (counted.count.hits < MANY_HITS) break;
    narrowed = await bisectCounted(search, counted);
    // (A personality that counts only one line has nothing finer to offer.)
    if (!together) break;
    counted = await countStretch(search.context, narrowed[0], narrowed[1]);
  }
  return narrowed;
}

/** Bisects a counted stretch between two of its executions: [the last that differed, the next]. */
async function bisectCounted(search: Search, counted: CountedStretch): Promise<[Moment, Moment]> {
  const { timeline } = search.context;
  const { from: earlier, until: later } = counted;
  const total = counted.count.hits + 1;
  // Executions 1..hits; `low` differs (0: earlier itself), `high` has the value (hits + 1: later).
  let low = { k: 0, moment: earlier };
  let high = { k: total, moment: later };
  // Probes run from `base`, the latest probe that differed (k: its execution).
  let base = { k: 1, stretch: counted };
  const narrowed = { earlier, later, low: 0, high: 1 };
  report(search, 'bisecting', narrowed);
  while (high.k - low.k > 1) {
    const k = Math.floor((low.k + high.k) / 2);
    const from = base.stretch.from;
    if (timeline.current !== from && from.checkpoint === undefined) {
      // Going back to it: checkpoint it on the way, once, rather than replay to it each time.
      await timeline.seek(from);
      await timeline.checkpointHere(from);
    }
    const moment = await countedMoment(search.context, base.stretch, k - base.k + 1);
    if (!moment) break;
    if ((await valueAt(search, moment)) !== search.value) {
      low = { k, moment };
      // Later probes start here: the next one runs on from it, no restore. Checkpointed when
      // replaying to it (a chain of counted moments) costs more than a checkpoint.
      if (moment.costSinceCheckpoint >= timeline.checkpointCostMs) await timeline.checkpointHere(moment);
      base = { k, stretch: { from: moment, until: later, count: { site: counted.count.site, hits: total - k } } };
    } else {
      high = { k, moment };
    }
    narrowed.low = low.k / total;
    narrowed.high = high.k / total;
    report(search, 'bisecting');
  }
  // The statement search starts there; what it records chains through it.
  await timeline.seek(low.moment);
  await timeline.checkpointHere(low.moment);
  return [low.moment, high.moment];
}

/**
 * Counted together, a stretch's line starts are at most this many executions: a probe's run
 * passes a trampoline at each (some nanoseconds), under a millisecond.
 */
const MOST_COUNTED_TOGETHER = 100_000;

/** Fewer executions than this are as quickly stepped through as bisected. */
const MANY_HITS = 16;

/** Runs from `earlier` toward `later` and stops `fraction` of the way; checkpoints and evaluates there. */
async function probeAt(search: Search, earlier: Moment, later: Moment, span: number, fraction: number): Promise<{ moment: Moment; differs: boolean; spanMs: number } | null> {
  const { timeline } = search.context;
  await timeline.seek(earlier);
  const middle = await search.watch.midpoint(later.mark!, span, fraction);
  if (!middle) {
    timeline.forgetPosition();
    return null;
  }
  const moment = timeline.momentFor(middle.mark, earlier, 'other', earlier.outputBytes, middle.spanMs);
  timeline.standAt(moment);
  const differs = (await valueAt(search, moment)) !== search.value;
  // Later probes start from the last probe that differed (the stretch's new start), and go back
  // to it after each probe that did not: checkpoint it when replaying to it costs more than a
  // checkpoint does. (Probes that did not differ end the stretch: nothing goes back to them.)
  if (differs && moment.costSinceCheckpoint >= timeline.checkpointCostMs) await timeline.checkpointHere(moment);
  return { moment, differs, spanMs: middle.spanMs };
}

/**
 * The latest statement-level moment in [from, until] whose value differed (from itself if none
 * later did), then the statement after it that gave the value.
 */
async function latestChange(search: Search, from: Moment, until: Moment): Promise<Moment> {
  const different = expensive(search) ? await lastDifferentBySeeking(search, from, until) : await lastDifferentByScanning(search, from, until);
  return statementBefore(search, different, until, true);
}

/** Evaluating EXPR costs more than seeking to a recorded stop and evaluating there a few times. */
function expensive(search: Search): boolean {
  const { ms, count } = search.stats.evaluation;
  return count > 0 && ms / count >= EXPENSIVE_EVALUATION_MS;
}

/** One scan of the stretch, evaluating EXPR at every stop: the last stop where it differed (or `from`). */
async function lastDifferentByScanning(search: Search, from: Moment, until: Moment): Promise<Moment> {
  const { timeline } = search.context;
  await timeline.seek(from);
  const level = scanLevel(search, from);
  const result = await search.watch.lastDifferent(level, until.mark!, search.context.scanLimit, search.frame, search.expression, search.value);
  timeline.standAt(until);
  if (result.status === 'limit') {
    throw new FredError('unsupported', `more than ${search.context.scanLimit} steps to search between two probes`);
  }
  return result.last ? timeline.momentFor(result.last.mark, from, 'other', from.outputBytes) : from;
}

/**
 * For an expensive EXPR (`is_bst(root)` over a big tree costs milliseconds): record the stretch's
 * stops without evaluating, then look at a few of them. Gallops back from the end (the latest
 * change matters) until a stop differs, then bisects between it and the nearest later stop
 * that had the value. Exact when the value changed once between those two stops, which a
 * stretch between two probes almost always is.
 */
async function lastDifferentBySeeking(search: Search, from: Moment, until: Moment): Promise<Moment> {
  const { timeline } = search.context;
  const stops = (await scanMoments(search.context, from, until, scanLevel(search, from))).map((entry) => entry.moment);
  const differs = async (index: number): Promise<boolean> => (await valueAt(search, index < 0 ? from : stops[index]!)) !== search.value;
  // stops[high] has the value (high === stops.length: `until`); find the last index that differs.
  let high = stops.length;
  let low = -1;
  for (let step = 1; ; step *= 2) {
    const index = high - step;
    if (index <= -1) break;
    if (await differs(index)) {
      low = index;
      break;
    }
    high = index;
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (await differs(middle)) low = middle;
    else high = middle;
  }
  report(search, 'statements');
  return low < 0 ? from : stops[low]!;
}

/**
 * Level 3: the stop just before the statement that gave the value, between `from` (other value)
 * and `until` (the value). Returns null, when `topLevel` is false, if the change happened only
 * after `from`'s frame returned (the caller's statement made it).
 */
async function statementBefore(search: Search, from: Moment, until: Moment, topLevel: true): Promise<Moment>;
async function statementBefore(search: Search, from: Moment, until: Moment, topLevel: boolean): Promise<Moment | null>;
async function statementBefore(search: Search, from: Moment, until: Moment, topLevel: boolean): Promise<Moment | null> {
  const { timeline } = search.context;
  report(search, 'statements');
  await timeline.seek(from);
  const result = await search.watch.watchScan(depth(from), until.mark!, search.context.scanLimit, search.frame, search.expression, search.value);
  search.stats.probes += result.entries.length;
  if (result.status === 'limit') {
    throw new FredError('unsupported', `more than ${search.context.scanLimit} steps to search between two probes`);
  }
  const moments = chainEntries(search, from, result.entries);
  timeline.standAt(result.status === 'changed' ? moments[moments.length - 1]!.moment : until);
  // F: the first moment with the value (the changed entry, or `until` itself); E: the one before.
  const changed = result.status === 'changed';
  const before = changed ? moments.length - 2 : moments.length - 1;
  const last = before >= 0 ? moments[before]! : { moment: from, kind: 'stop' as const };
  const after = changed ? moments[moments.length - 1]!.moment : until;
  if (changed && moments[moments.length - 1]!.kind === 'entered') {
    // The value changed before the call's first line ran: in the calling statement itself.
    return last.moment;
  }
  if (last.kind === 'entered') {
    // A call ran (natively) between the two: the change is inside it or after it returned.
    const inner = await statementBefore(search, last.moment, after, false);
    if (inner) return inner;
    return callerStatement(search, last.moment, moments, before);
  }
  if (depth(after) < depth(last.moment)) {
    // The step left the frame: the caller's statement (an assignment of the result) made it.
    if (!topLevel) return null;
    return reverseFinishTarget(search.context, last.moment);
  }
  return last.moment;
}

/** The stop in the caller just before `call` was entered: the statement that made the call. */
async function callerStatement(search: Search, call: Moment, moments: { moment: Moment; kind: string }[], index: number): Promise<Moment> {
  for (let position = index - 1; position >= 0; position--) {
    const entry = moments[position]!;
    if (entry.kind === 'stop' && depth(entry.moment) < depth(call)) return entry.moment;
  }
  if (call.previous && depth(call.previous) < depth(call)) return call.previous;
  return reverseFinishTarget(search.context, call);
}

function chainEntries(search: Search, from: Moment, entries: WatchEntry[]): { moment: Moment; kind: 'stop' | 'entered' }[] {
  const { timeline } = search.context;
  const moments: { moment: Moment; kind: 'stop' | 'entered' }[] = [];
  let previous = from;
  let previousEntered = false;
  for (const entry of entries) {
    const moment = timeline.momentFor(entry.mark, previous, previousEntered ? 'other' : 'step', from.outputBytes);
    moments.push({ moment, kind: entry.kind });
    previous = moment;
    previousEntered = entry.kind === 'entered';
  }
  return moments;
}

/** Tells the listener where the search is (and lets it stop the search here). */
function report(search: Search, phase: ReverseWatchProgress['phase'], stretch?: Search['stretch']): void {
  if (stretch) search.stretch = stretch;
  if (!search.stretch || !search.stats.onProgress) return;
  search.stats.onProgress({ phase, ...search.stretch, probes: search.stats.probes });
}

async function valueAt(search: Search, moment: Moment): Promise<string> {
  await search.context.timeline.seek(moment);
  search.stats.probes++;
  return timedEvaluation(search.stats, () => search.watch.evaluateIn(search.expression, search.frame));
}

/** One evaluation of EXPR in the program, counted in stats.evaluation. */
export async function timedEvaluation(stats: ReverseWatchStats, evaluate: () => Promise<string>): Promise<string> {
  const started = performance.now();
  const value = await evaluate();
  stats.evaluation.ms += performance.now() - started;
  stats.evaluation.count++;
  return value;
}
