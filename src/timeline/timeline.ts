// The timeline: every moment fred knows of, which ones hold checkpoints, where the program is now
// and the history of commands that moved it. Going to any known moment is "restore the nearest
// earlier checkpoint on its chain, then run forward to its mark" (rr's ReplayTimeline model).
//
// Invariant: a moment's `previous` chain is strictly earlier in execution, so any checkpoint on
// the chain is a valid place to replay from.

import { FredError } from '../errors.js';
import type { Mark, ReplayPowers } from '../debugger/replay.js';
import { chain, type Arrival, type Moment } from './moment.js';
import { CheckpointPolicy } from './checkpoint-policy.js';
import type { TimelineState } from './saved-timeline.js';

export interface HistoryEntry {
  command: string;
  /** Where the program was before the command: what `undo` returns to. */
  before: Moment;
}

export interface CheckpointInfo {
  id: number;
  kind: 'user' | 'automatic';
  moment: Moment;
}

export class Timeline {
  private readonly byKey = new Map<string, Moment>();
  private serial = 0;
  private currentMoment: Moment | null = null;
  /** False after an operation that left the program somewhere fred did not record. */
  private positionKnown = true;
  readonly history: HistoryEntry[] = [];
  private readonly userCheckpoints = new Map<number, Moment>();
  private nextUserCheckpoint = 1;
  /** Work done so far, for reports such as `fred bisect`'s. */
  readonly stats = { checkpoints: 0, restores: 0 };
  /** What the last checkpoint cost (ms): replays shorter than this are cheaper than a checkpoint. */
  checkpointCostMs = 15;
  private notice = '';

  constructor(private readonly replay: ReplayPowers, readonly policy: CheckpointPolicy) {}

  get current(): Moment | null {
    return this.currentMoment;
  }

  /** Forgets everything: the program (re)started. Checkpoints of the old run are discarded. */
  async reset(): Promise<void> {
    for (const moment of this.byKey.values()) {
      if (moment.checkpoint !== undefined) await this.replay.checkpoints.discard(moment.checkpoint);
    }
    this.byKey.clear();
    this.userCheckpoints.clear();
    this.history.length = 0;
    this.currentMoment = null;
  }

  /** The moment for `mark`, known already or new (reached from `previous`). */
  momentFor(mark: Mark | null, previous: Moment | null, arrival: Arrival, outputBytes: number, costMs = 0): Moment {
    const known = mark ? this.byKey.get(mark.key) : undefined;
    if (known) return known;
    const moment: Moment = {
      mark,
      previous,
      arrival: previous ? arrival : 'start',
      outputBytes,
      costSinceCheckpoint: (previous && previous.checkpoint === undefined ? previous.costSinceCheckpoint : 0) + costMs,
      serial: this.serial++,
    };
    if (mark) this.byKey.set(mark.key, moment);
    return moment;
  }

  /** Whether a moment with this mark is known already. */
  knows(mark: Mark): boolean {
    return this.byKey.has(mark.key);
  }

  /** Records that a user command took the program from the current moment to `moment`. */
  arrive(moment: Moment, command: string | null): void {
    if (command !== null && this.currentMoment) this.history.push({ command, before: this.currentMoment });
    this.currentMoment = moment;
    this.positionKnown = true;
  }

  /** The program now stands at `moment` (after an internal replay), without a history entry. */
  standAt(moment: Moment): void {
    this.currentMoment = moment;
    this.positionKnown = true;
  }

  /** The program moved to a moment fred did not record: the next seek must really go there. */
  forgetPosition(): void {
    this.positionKnown = false;
  }

  /** After a user command: an automatic checkpoint here when the policy's interval has passed, or after a long run. */
  async maybeCheckpoint(moment: Moment): Promise<void> {
    if (moment.mark === null || moment.checkpoint !== undefined) return;
    // Also where a command ran natively for longer than a checkpoint costs (a `continue`, a run
    // cut short by Ctrl-C): the user stands there, and reverse commands after the steps they take
    // from it replay to it, a reverse-step twice. Under gdb such a replay stops wherever a
    // breakpoint at its pc is passed, at every iteration of a loop on the way; where replays run
    // at native speed it still costs up to an interval, but a checkpoint serves only the moments
    // after it: not at the program's end, where none follow.
    const worthIt = !this.replay.replaysAtNativeSpeed || !moment.ended;
    const longRun = this.policy.intervalMs > 0 && worthIt && moment.arrival === 'other'
      && moment.costSinceCheckpoint >= 2 * this.checkpointCostMs;
    if (!longRun && !this.policy.due(moment.costSinceCheckpoint, moment.previous === null)) return;
    await this.automaticCheckpoint(moment);
  }

  /**
   * A checkpoint fred takes on its own: one the backend refuses (gdb and a multi-threaded
   * program) turns automatic checkpoints off with a notice (takeNotice), instead of failing the
   * user's command. False then.
   */
  async automaticCheckpoint(moment: Moment): Promise<boolean> {
    try {
      await this.checkpointHere(moment);
      return true;
    } catch (error) {
      if (!(error instanceof FredError) || error.code !== 'unsupported') throw error;
      this.policy.intervalMs = 0;
      this.notice = `fred: ${error.message}: automatic checkpoints are off\n`;
      return false;
    }
  }

  /** What fred has to tell about its own work since the last call (see automaticCheckpoint). */
  takeNotice(): string {
    const notice = this.notice;
    this.notice = '';
    return notice;
  }

  async checkpointHere(moment: Moment): Promise<void> {
    if (moment.checkpoint !== undefined) return;
    const started = performance.now();
    moment.checkpoint = await this.replay.checkpoints.take();
    this.checkpointCostMs = performance.now() - started;
    this.stats.checkpoints++;
    moment.costSinceCheckpoint = 0;
    await this.thin();
  }

  /** A checkpoint the user asked for: numbered 1, 2, ... and kept until the program restarts. */
  async userCheckpoint(): Promise<number> {
    const moment = this.currentMoment;
    if (!moment || moment.mark === null) throw new FredError('not-running', 'The program is not being run.');
    await this.checkpointHere(moment);
    if (moment.userCheckpoint === undefined) {
      moment.userCheckpoint = this.nextUserCheckpoint++;
      this.userCheckpoints.set(moment.userCheckpoint, moment);
    }
    return moment.userCheckpoint;
  }

  userCheckpointMoment(number: number): Moment {
    const moment = this.userCheckpoints.get(number);
    if (!moment) throw new FredError('usage', `no checkpoint ${number}`);
    return moment;
  }

  checkpoints(): CheckpointInfo[] {
    const list: CheckpointInfo[] = [];
    for (const moment of this.byKey.values()) {
      if (moment.checkpoint === undefined) continue;
      list.push({
        id: moment.userCheckpoint ?? moment.checkpoint,
        kind: moment.userCheckpoint !== undefined ? 'user' : 'automatic',
        moment,
      });
    }
    return list.sort((a, b) => a.moment.serial - b.moment.serial);
  }

  /** Makes the program be at `target`: restore the nearest checkpoint on its chain, replay. */
  async seek(target: Moment): Promise<void> {
    if (target === this.currentMoment && this.positionKnown) return;
    let anchor: Moment | undefined;
    for (const moment of chain(target)) {
      if (moment.checkpoint !== undefined) {
        anchor = moment;
        break;
      }
    }
    if (!anchor) throw new FredError('unsupported', 'no checkpoint before that moment: cannot go back there');
    await this.replay.checkpoints.restore(anchor.checkpoint!);
    this.stats.restores++;
    await this.replayTo(anchor, target);
    this.currentMoment = target;
    this.positionKnown = true;
  }

  /**
   * From `from` (where the program is, on target's chain) to `target`. A counted mark (Mark.hit)
   * is found with one stop only from the moment its count started at: go there first.
   */
  private async replayTo(from: Moment, target: Moment): Promise<void> {
    if (from === target) return;
    if (target.mark?.hit && target.previous && target.previous !== from) await this.replayTo(from, target.previous);
    if (!(await this.replay.runUntil(target.mark))) {
      throw new FredError('internal', 'replay did not reach the recorded moment: the program behaved differently this time');
    }
  }

  /** Everything a saved session needs to rebuild this timeline (saved-timeline.ts). */
  exportState(): TimelineState {
    return {
      moments: [...this.byKey.values()],
      current: this.currentMoment,
      history: [...this.history],
      nextUserCheckpoint: this.nextUserCheckpoint,
      serial: this.serial,
    };
  }

  /** Replaces this (fresh) timeline by a saved one whose checkpoints the backend already holds. */
  importState(state: TimelineState): void {
    this.byKey.clear();
    this.userCheckpoints.clear();
    for (const moment of state.moments) {
      if (moment.mark) this.byKey.set(moment.mark.key, moment);
      if (moment.userCheckpoint !== undefined) this.userCheckpoints.set(moment.userCheckpoint, moment);
    }
    this.history.splice(0, this.history.length, ...state.history);
    this.nextUserCheckpoint = state.nextUserCheckpoint;
    this.serial = state.serial;
    this.currentMoment = state.current;
    this.positionKnown = true;
  }

  /** The moments of the current chain, newest first. */
  currentChain(): Moment[] {
    return this.currentMoment ? [...chain(this.currentMoment)] : [];
  }

  /** Keeps automatic checkpoints bounded, spread logarithmically over the past. */
  private async thin(): Promise<void> {
    const automatic = [...this.byKey.values()]
      .filter((moment) => moment.checkpoint !== undefined && moment.userCheckpoint === undefined && moment.previous !== null);
    for (const victim of this.policy.victims(automatic.map((moment) => moment.serial), this.serial)) {
      const moment = automatic.find((candidate) => candidate.serial === victim);
      if (!moment || moment === this.currentMoment) continue;
      await this.replay.checkpoints.discard(moment.checkpoint!);
      moment.checkpoint = undefined;
    }
  }
}
