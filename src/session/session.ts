// A debugging session: the composition root that owns one debugger personality, the program's
// terminal, the timeline of checkpoints and history, and the reverse commands. This is fred's
// library API; the CLI is built on it.

import { FredError } from '../errors.js';
import {
  assertSingleLine,
  type Breakpoint, type CommandOutcome, type Debugger, type DebuggerKind, type Frame, type Location, type ProgramState,
} from '../debugger/types.js';
import { UNAVAILABLE, type Mark, type ReplayPowers } from '../debugger/replay.js';
import { ProgramTerminal } from '../pty/program-terminal.js';
import { checkStdinFile } from '../system/program-file.js';
import { Timeline, type CheckpointInfo, type HistoryEntry } from '../timeline/timeline.js';
import { CheckpointPolicy, DEFAULT_CHECKPOINT_INTERVAL_MS } from '../timeline/checkpoint-policy.js';
import type { Arrival, Moment } from '../timeline/moment.js';
import type { ReverseContext } from '../reverse/context.js';
import { reverseStepTarget } from '../reverse/reverse-step.js';
import { reverseNextTarget } from '../reverse/reverse-next.js';
import { reverseFinishTarget } from '../reverse/reverse-finish.js';
import { reverseContinueTarget } from '../reverse/reverse-continue.js';
import { refuseSideEffects, reverseWatch, timedEvaluation, watchedFrame, type ReverseWatchProgress, type ReverseWatchStats } from '../reverse/reverse-watch.js';
import { createDebugger, createDmtcpHost, debuggerKindFor } from './debugger-factory.js';
import type { DmtcpPdbHost } from '../personalities/pdb/dmtcp-pdb.js';
import { INCOMING, prepareSaveDirectory, readSavedSession, writeSavedSession } from '../checkpoints/dmtcp/saved-session.js';
import { loadTimeline, saveTimeline, type SavedTimeline } from '../timeline/saved-timeline.js';
import { join, resolve } from 'node:path';
import { OutputGate } from './output-gate.js';
import { describeStop } from './stop-description.js';
import { classifyCommand, type CommandClass } from './command-class.js';
import { Recording } from '../native/recording.js';

/** What reverse-watch found, on top of where it left the program. */
export interface ReverseWatchOutcome extends CommandOutcome {
  found: boolean;
  expression: string;
  /** EXPR's value just before the statement that changed it (found only). */
  valueBefore?: string;
  /** EXPR's value when the command was given. */
  valueAfter: string;
  stats: { seconds: number; checkpoints: number; restores: number; probes: number };
  /**
   * Of stats.seconds, the time spent evaluating EXPR in the program (its value at the start, the
   * side-effect check, the probes; not the evaluations inside the debugger's own scans): what the
   * program's data costs (a whole-tree walk grows with the tree), not the search (library only;
   * not in bisect's JSON).
   */
  expressionSeconds: number;
}

export interface SessionOptions {
  program: string;
  args?: string[];
  /** Default: pdb for `.py` programs, gdb otherwise. */
  debugger?: DebuggerKind;
  /** File to use as the program's standard input. */
  stdinFile?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Automatic checkpoint interval in ms of forward execution; 0 turns them off. */
  checkpointIntervalMs?: number;
  /**
   * Preload the record-replay shim, so replays see the clock, randomness, pids and input the
   * program first saw (default true).
   */
  record?: boolean;
  /**
   * Where checkpoints live: 'fork' (default: copies of the process in memory) or 'dmtcp' (pdb
   * only: DMTCP checkpoint images on disk; see the README's "DMTCP backend").
   */
  backend?: BackendName;
  /** dmtcp backend: when the session closes, keep its images and history here (Session.resume reopens it). */
  saveSession?: string;
}

export type BackendName = 'fork' | 'dmtcp';

/** DMTCP images cost about half a second and tens of MB each: fewer automatic ones than forks. */
export const DMTCP_DEFAULT_CHECKPOINT_INTERVAL_MS = 1000;
const DMTCP_MAX_AUTOMATIC_CHECKPOINTS = 12;

/** What a session on the DMTCP backend keeps to save itself (--save-session). */
interface DmtcpSessionInfo {
  host: DmtcpPdbHost;
  saveTo?: string;
  program: string;
  args: string[];
  cwd: string;
}

const SCAN_LIMIT = 200_000;

export class Session {
  readonly kind: DebuggerKind;
  private closed = false;
  private readonly output: OutputGate;
  private readonly timeline: Timeline | undefined;
  private readonly replay: ReplayPowers | undefined;
  private automaticInterrupt = false;
  /** The mark of where a counted `continue` segment stopped (see continueWithCheckpoints), for record(). */
  private countedStop: Mark | null = null;
  private checkpointing = false;
  private userInterruptPending = false;
  /**
   * The user pressed Ctrl-C during the current command (it may coincide with fred's own
   * interrupt). When it came before the program was running, the next resume of that command
   * delivers it.
   */
  private userInterruptRequested = false;
  /** `run` is taking the program to its start hold at main: an interrupt waits for after it. */
  private startingProgram = false;
  /** When the last segment of a `continue` with automatic checkpoints started (see native()). */
  private lastSegmentStarted: number | undefined;
  private readonly searchListeners = new Set<(progress: ReverseWatchProgress) => void>();
  /** While a reverse command searches or replays: set by interrupt(), which stops it at its next step. */
  private searchCancel: { requested: boolean } | undefined;

  private constructor(
    readonly personality: Debugger,
    private readonly terminal: ProgramTerminal,
    /** What launching printed (pdb's first stop; nothing for gdb). */
    readonly launchOutcome: CommandOutcome,
    checkpointIntervalMs: number,
    /** The interval is fred's default (it may stretch for a big program: CheckpointPolicy). */
    defaultInterval: boolean,
    /** The program's record log (absent with `record: false`). */
    readonly recording?: Recording,
    private readonly dmtcp?: DmtcpSessionInfo,
  ) {
    this.kind = personality.kind;
    this.output = new OutputGate((listener) => terminal.onOutput(listener), recording, (timeoutMs) => terminal.sync(timeoutMs));
    this.replay = personality.replay;
    const maxAutomatic = dmtcp ? DMTCP_MAX_AUTOMATIC_CHECKPOINTS : undefined;
    if (this.replay) this.timeline = new Timeline(this.replay, new CheckpointPolicy(checkpointIntervalMs, maxAutomatic, defaultInterval, !dmtcp));
  }

  /** Starts the debugger on the program; gdb: not yet running; pdb: stopped at its first line. */
  static start(options: SessionOptions): Promise<Session> {
    return Session.open(options);
  }

  /**
   * Reopens a session saved with `saveSession` (DMTCP backend): the same program, position, history
   * and checkpoints. `options.saveSession` (the same folder) saves it again when it closes.
   */
  static resume(directory: string, options: Pick<SessionOptions, 'saveSession' | 'checkpointIntervalMs' | 'env'> = {}): Promise<Session> {
    const saved = readSavedSession(directory);
    const { program, args, cwd, checkpointIntervalMs } = saved.session;
    return Session.open({
      program, args, cwd, debugger: 'pdb', backend: 'dmtcp', env: options.env, saveSession: options.saveSession,
      checkpointIntervalMs: options.checkpointIntervalMs ?? checkpointIntervalMs,
    }, saved);
  }

  private static async open(options: SessionOptions, saved?: ReturnType<typeof readSavedSession>): Promise<Session> {
    const kind = options.debugger ?? debuggerKindFor(options.program);
    const stdinFile = options.stdinFile === undefined ? undefined : checkStdinFile(options.stdinFile);
    const backend = options.backend ?? 'fork';
    if (options.saveSession !== undefined && backend !== 'dmtcp') throw new FredError('usage', '--save-session needs --backend dmtcp');
    if (saved && options.saveSession !== undefined && resolve(options.saveSession) !== saved.directory) {
      throw new FredError('usage', '--save-session with --resume must name the resumed folder (its images refer to it)');
    }
    const saveTo = options.saveSession === undefined ? undefined : prepareSaveDirectory(options.saveSession);
    const host = backend === 'dmtcp'
      ? await createDmtcpHost(kind, {
        incoming: saved ? join(saved.directory, INCOMING) : saveTo && join(saveTo, INCOMING),
        resume: saved && { folders: saved.folders, current: saved.session.current },
      })
      : undefined;
    const personality = await createDebugger(kind, host);
    const terminal = new ProgramTerminal();
    let recording: Recording | undefined;
    try {
      // Not under DMTCP: the shim's shared log would be checkpointed into every image.
      if (options.record !== false && !host) recording = Recording.start(kind);
      const outcome = await personality.launch({
        program: options.program,
        args: options.args ?? [],
        stdinFile,
        programTty: terminal.path,
        cwd: options.cwd,
        env: options.env,
        programEnv: recording?.programEnvironment(options.env?.['LD_PRELOAD'] ?? process.env['LD_PRELOAD']),
      });
      await terminal.ready;
      const cwd = options.cwd ?? process.cwd();
      const interval = options.checkpointIntervalMs ?? (host ? DMTCP_DEFAULT_CHECKPOINT_INTERVAL_MS : DEFAULT_CHECKPOINT_INTERVAL_MS);
      const dmtcp = host && { host, saveTo, program: resolve(cwd, options.program), args: options.args ?? [], cwd };
      const session = new Session(personality, terminal, outcome, interval, options.checkpointIntervalMs === undefined, recording, dmtcp);
      if (saved) session.resumeTimeline(saved.session.timeline, saved.session.outputShown ?? 0);
      else if (outcome.location) await session.record('start', 'restart', 0, null);
      return session;
    } catch (error) {
      await personality.dispose();
      terminal.dispose();
      recording?.dispose();
      throw error;
    }
  }

  /** The program's own output (stdout and stderr), each byte shown once even across replays. */
  onProgramOutput(listener: (text: string) => void): () => void {
    return this.output.onOutput(listener);
  }

  /** Waits until the program's terminal has been quiet for `quietMs` (see OutputGate.settle). */
  settleProgramOutput(quietMs: number, maxMs: number, minMs: number): Promise<void> {
    return this.output.settle(quietMs, maxMs, minMs);
  }

  /** Type into the program's terminal (its stdin unless `stdinFile` was given). */
  sendProgramInput(text: string): void {
    this.terminal.write(text);
  }

  get state(): ProgramState {
    // Back at the moment the program ended (by undo or restart N), the live process is the one
    // fred holds at _exit or at the fault: to the user the program has ended, as it had then.
    return this.timeline?.current?.endState ?? this.personality.state();
  }

  location(): Promise<Location | null> {
    return this.state.kind === 'exited' ? Promise.resolve(null) : this.personality.location();
  }

  run(): Promise<CommandOutcome> { return this.native('run'); }
  step(): Promise<CommandOutcome> { return this.native('step'); }
  next(): Promise<CommandOutcome> { return this.native('next'); }
  finish(): Promise<CommandOutcome> { return this.native(this.kind === 'pdb' ? 'return' : 'finish'); }
  /** gdb: runs the program when it has not started, like the personality's own continue(). */
  continue(): Promise<CommandOutcome> {
    return this.native(this.kind === 'gdb' && this.state.kind === 'not-started' ? 'run' : 'continue');
  }
  setBreakpoint(spec: string, condition?: string): Promise<Breakpoint> { return this.personality.setBreakpoint(spec, condition); }
  listBreakpoints(): Promise<Breakpoint[]> { return this.personality.listBreakpoints(); }
  deleteBreakpoint(id: number): Promise<void> { return this.personality.deleteBreakpoint(id); }
  evaluate(expression: string): Promise<string> { return this.personality.evaluate(expression); }
  backtrace(): Promise<Frame[]> { return this.personality.backtrace(); }

  /** One native command of the underlying debugger; movements are recorded on the timeline. */
  async native(command: string): Promise<CommandOutcome> {
    const commandClass = classifyCommand(this.kind, command);
    this.refuseRunningPastTheEnd(commandClass);
    this.userInterruptRequested = false;
    const started = Date.now();
    const before = this.timeline?.current ?? null;
    if (commandClass === 'restart' && this.replay) return this.restartRecorded(command, started);
    this.lastSegmentStarted = undefined;
    let outcome = commandClass === 'continue' && this.timeline?.current && this.timeline.policy.intervalMs > 0
      ? await this.continueWithCheckpoints(command)
      : await this.personality.execute(command);
    if (outcome.resumed) {
      // The cost from the moment the program last stood at: the last segment of a continue
      // that took automatic checkpoints on the way.
      await this.record(command, commandClass, Date.now() - (this.lastSegmentStarted ?? started), before);
      outcome = this.settledStop(outcome);
    }
    // A replay that made other calls than the recording, or a recording that stopped, is news:
    // never a silent wrong answer.
    const notices = (this.recording?.recordingNotices() ?? '') + (this.timeline?.takeNotice() ?? '');
    return notices ? { ...outcome, output: outcome.output + notices } : outcome;
  }

  /**
   * `run` (or pdb's restart): stop quietly at the program's beginning, checkpoint it as the start
   * of the recorded history, then go on to where plain `run` would have stopped.
   */
  private async restartRecorded(command: string, started: number): Promise<CommandOutcome> {
    let start: CommandOutcome;
    // Ctrl-C on the way to main would stop the program in the dynamic loader, where nothing can be
    // checkpointed: it is delivered when the program runs on from main.
    this.startingProgram = true;
    try {
      await this.replay!.holdAtStart();
      // A new run is a new timeline: what it writes is shown, even where the last run's was.
      this.output.startOver();
      start = await this.personality.execute(command);
      if (!start.resumed) return start;
      await this.record(command, 'restart', Date.now() - started, null);
    } finally {
      this.startingProgram = false;
    }
    if (!start.heldAtStart) return start;
    const resumed = Date.now();
    this.lastSegmentStarted = undefined;
    const rest = this.timeline!.policy.intervalMs > 0
      ? await this.continueWithCheckpoints('continue')
      : await this.resume('continue');
    if (rest.resumed) await this.record(command, 'other', Date.now() - started, null, Date.now() - (this.lastSegmentStarted ?? resumed));
    // One command to the user: what `run` printed, then the stop, without our "Continuing.".
    const continuing = 'Continuing.\n';
    const tail = rest.output.startsWith(continuing) ? rest.output.slice(continuing.length) : rest.output;
    return { ...rest, output: start.output + tail + (this.timeline?.takeNotice() ?? '') };
  }

  /**
   * Stops a running program, as Ctrl-C in plain gdb or pdb would; cancels a reverse command's
   * search or replay (the program goes back where it was).
   */
  interrupt(): void {
    this.automaticInterrupt = false;
    this.userInterruptRequested = true;
    if (this.searchCancel) {
      this.searchCancel.requested = true;
      // A loop running inside the debugger ends at its next stop; the search then unwinds.
      this.replay?.cancellation?.request();
      return;
    }
    // Never while fred is checkpointing (a call into the program): continueWithCheckpoints
    // stops at the next opportunity instead. Nor before main (restartRecorded).
    if (this.checkpointing) this.userInterruptPending = true;
    else if (!this.startingProgram) this.personality.interrupt();
  }

  /** personality.execute, delivering a Ctrl-C that came before the program was running. */
  private resume(command: string): Promise<CommandOutcome> {
    // execute() marks the program running before it first waits: the signal reaches the program
    // as the debugger resumes it, and stops it there.
    const outcome = this.personality.execute(command);
    if (this.userInterruptRequested) this.personality.interrupt();
    return outcome;
  }

  // ---- going backwards -------------------------------------------------------------------

  reverseStep(count = 1): Promise<CommandOutcome> {
    return this.reverse(`reverse-step${count > 1 ? ` ${count}` : ''}`, count, reverseStepTarget);
  }

  reverseNext(count = 1): Promise<CommandOutcome> {
    return this.reverse(`reverse-next${count > 1 ? ` ${count}` : ''}`, count, reverseNextTarget);
  }

  reverseFinish(): Promise<CommandOutcome> {
    return this.reverse('reverse-finish', 1, reverseFinishTarget);
  }

  reverseContinue(): Promise<CommandOutcome> {
    return this.reverse('reverse-continue', 1, reverseContinueTarget);
  }

  /**
   * Goes back to the last moment `expression` changed value: just before the statement that made
   * it what it is now, in the frame where that statement runs. Stays put when it never changed.
   */
  async reverseWatch(expression: string): Promise<ReverseWatchOutcome> {
    // Cancellable from the start: Ctrl-C while the expression is checked ends the search at once.
    return this.withCancel((cancel) => this.searchReverseWatch(expression, cancel));
  }

  /** How reverse-watch searches go (e.g. for a progress bar); returns the unsubscribe function. */
  onSearchProgress(listener: (progress: ReverseWatchProgress) => void): () => void {
    this.searchListeners.add(listener);
    return () => this.searchListeners.delete(listener);
  }

  /** Where the program stands on the timeline (null before it runs, or without reverse powers). */
  currentMoment(): Moment | null {
    return this.timeline?.current ?? null;
  }

  private async searchReverseWatch(expression: string, cancel: { requested: boolean }): Promise<ReverseWatchOutcome> {
    assertSingleLine(expression, 'expression');
    const timeline = this.requireTimeline();
    const start = timeline.current;
    if (!start || !start.mark) throw new FredError('not-running', 'The program is not being run.');
    const started = Date.now();
    const before = { ...timeline.stats };
    const stats: ReverseWatchStats = {
      probes: 0,
      evaluation: { ms: 0, count: 0 },
      onProgress: (progress) => {
        // Between two steps of the search: the catch below puts the program back where it was.
        if (cancel.requested) throw new FredError('interrupted', 'reverse-watch interrupted: back where it started');
        for (const listener of this.searchListeners) {
          try { listener(progress); } catch { /* a display's failure is not the search's */ }
        }
      },
    };
    // Before anything evaluates it: an expression that changes the program is refused unrun.
    if (this.replay?.watch) await refuseSideEffects(this.replay.watch, expression, watchedFrame(start.mark));
    // The debugger's own message for an expression it cannot evaluate here. Where "cannot be
    // evaluated" is no state the search compares (gdb), only when the value the search starts
    // from says so: one evaluation less (`is_bst(root)` on 1.5M nodes: 136 ms).
    const watch = this.replay?.watch;
    let valueNow: string | undefined;
    if (watch && !watch.unavailableIsAState) {
      const frame = watchedFrame(start.mark);
      valueNow = await timedEvaluation(stats, () => watch.evaluateIn(expression, frame));
      if (valueNow === UNAVAILABLE) await this.personality.evaluate(expression);
    } else {
      await this.personality.evaluate(expression);
    }
    const context: ReverseContext = { timeline, replay: this.replay!, scanLimit: SCAN_LIMIT };
    let result: Awaited<ReturnType<typeof reverseWatch>> | undefined;
    await this.replayOrGoBack('reverse-watch', start, cancel, async () => {
      result = await reverseWatch(context, start, expression, stats, valueNow);
      await timeline.seek(result.found ? result.target : start);
    });
    const found = result!;
    const report = {
      expression,
      valueAfter: found.valueAfter,
      stats: {
        seconds: (Date.now() - started) / 1000,
        checkpoints: timeline.stats.checkpoints - before.checkpoints,
        restores: timeline.stats.restores - before.restores,
        probes: stats.probes,
      },
      expressionSeconds: stats.evaluation.ms / 1000,
    };
    if (!found.found) {
      timeline.standAt(start);
      const outcome = await this.describe(start, start);
      return { ...outcome, ...report, found: false, output: `${expression} = ${found.valueAfter} over the whole recorded history.\n` };
    }
    timeline.standAt(start);
    timeline.arrive(found.target, `reverse-watch ${expression}`);
    this.output.moveTo(found.target.outputBytes);
    const outcome = await this.describe(start, found.target);
    const header = `${expression} changed: ${found.valueBefore} -> ${found.valueAfter}\n`;
    return { ...outcome, ...report, found: true, valueBefore: found.valueBefore, output: header + outcome.output };
  }

  /** Undoes the last `count` commands that moved execution. */
  async undo(count = 1): Promise<CommandOutcome> {
    const timeline = this.requireTimeline();
    if (!Number.isInteger(count) || count < 1) throw new FredError('usage', 'undo takes a positive number');
    if (count > timeline.history.length) {
      throw new FredError('usage', `only ${timeline.history.length} command${timeline.history.length === 1 ? '' : 's'} to undo`);
    }
    const target = timeline.history[timeline.history.length - count]!.before;
    return this.goTo('undo', target, async () => {
      timeline.history.splice(timeline.history.length - count, count);
    });
  }

  /** A checkpoint the user can `restart` to; returns its number. */
  async checkpoint(): Promise<number> {
    const timeline = this.requireTimeline();
    if (!timeline.current) throw new FredError('not-running', 'The program is not being run.');
    return timeline.userCheckpoint();
  }

  /** Goes back (or forward) to user checkpoint `number`. */
  async restartCheckpoint(number: number): Promise<CommandOutcome> {
    const timeline = this.requireTimeline();
    const target = timeline.userCheckpointMoment(number);
    const before = timeline.current;
    return this.goTo('restart', target, async () => {
      if (before) timeline.history.push({ command: `restart ${number}`, before });
    });
  }

  checkpoints(): CheckpointInfo[] {
    return this.requireTimeline().checkpoints();
  }

  history(): HistoryEntry[] {
    return [...this.requireTimeline().history];
  }

  /**
   * The automatic checkpoint interval: as set (0 = off), as applied now (fred's default stretches
   * for a program with a big memory: CheckpointPolicy), and the program's resident memory then.
   */
  checkpointInterval(): { ms: number; effectiveMs: number; residentBytes?: number } {
    const policy = this.requireTimeline().policy;
    return { ms: policy.intervalMs, effectiveMs: policy.effectiveIntervalMs, ...(policy.residentBytes === undefined ? {} : { residentBytes: policy.residentBytes }) };
  }

  /** Sets the automatic checkpoint interval (ms of forward execution; 0 = off). */
  setCheckpointInterval(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new FredError('usage', 'the checkpoint interval is a number of milliseconds (0 = off)');
    const policy = this.requireTimeline().policy;
    policy.intervalMs = ms;
    policy.adaptive = false;
  }

  /** Ends the debugger and the program; nothing it started survives. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.dmtcp?.saveTo !== undefined) await this.saveSession(this.dmtcp.saveTo);
    } finally {
      await this.closeProcesses();
    }
  }

  private async closeProcesses(): Promise<void> {
    try {
      await this.personality.dispose();
    } finally {
      this.terminal.dispose();
      this.recording?.dispose();
    }
  }

  // ---- internals -------------------------------------------------------------------------

  /** --save-session: a checkpoint where the program stands, then every image and the timeline. */
  private async saveSession(directory: string): Promise<void> {
    const timeline = this.requireTimeline();
    const current = timeline.current;
    if (!current?.mark) throw new FredError('not-running', 'nothing to save: the program is not being run');
    await timeline.checkpointHere(current);
    const { host, program, args, cwd } = this.dmtcp!;
    try {
      writeSavedSession(directory, {
        program, args, cwd, checkpointIntervalMs: timeline.policy.intervalMs, current: current.checkpoint!,
        timeline: saveTimeline(timeline.exportState()), outputShown: this.output.shownUpTo,
      }, this.replay!.checkpoints.list(), (id) => host.checkpointFolder(id));
    } catch (error) {
      throw new FredError('usage', `cannot save the session to ${directory}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** --resume: the saved timeline, with the live process restarted from its current moment's image. */
  private resumeTimeline(saved: SavedTimeline, outputShown: number): void {
    const timeline = this.requireTimeline();
    timeline.importState(loadTimeline(saved));
    this.output.resume(timeline.current?.outputBytes ?? 0, outputShown);
  }

  private async reverse(
    command: string,
    count: number,
    findTarget: (context: ReverseContext, current: Moment) => Promise<Moment>,
  ): Promise<CommandOutcome> {
    const timeline = this.requireTimeline();
    const start = timeline.current;
    if (!start) throw new FredError('not-running', 'The program is not being run.');
    if (!Number.isInteger(count) || count < 1) throw new FredError('usage', `${command.split(' ')[0]} takes a positive number`);
    const context: ReverseContext = { timeline, replay: this.replay!, scanLimit: SCAN_LIMIT };
    let target = start;
    await this.withCancel((cancel) => this.replayOrGoBack(command.split(' ')[0]!, start, cancel, async () => {
      for (let index = 0; index < count; index++) target = await findTarget(context, target);
      await timeline.seek(target);
    }));
    timeline.standAt(start);
    timeline.arrive(target, command);
    this.output.moveTo(target.outputBytes);
    return this.describe(start, target);
  }

  /**
   * Runs a command that goes back with Ctrl-C cancelling it (interrupt() sets `cancel` and asks
   * the loops running in the debugger to end at their next stop).
   */
  private async withCancel<T>(run: (cancel: { requested: boolean }) => Promise<T>): Promise<T> {
    const cancel = { requested: false };
    this.searchCancel = cancel;
    this.replay?.cancellation?.clear();
    try {
      return await run(cancel);
    } finally {
      this.searchCancel = undefined;
      this.replay?.cancellation?.clear();
    }
  }

  /**
   * The replays of a command that goes back (`name`): on failure or cancellation the program is
   * put back at `start`, where the user was.
   */
  private async replayOrGoBack(name: string, start: Moment | null, cancel: { requested: boolean }, body: () => Promise<void>): Promise<void> {
    const timeline = this.timeline!;
    try {
      await this.output.whileReplaying(body);
    } catch (error) {
      // Going back to the start must not be cancelled too. Where a failed search left the
      // program is unknown: go back for real.
      this.replay?.cancellation?.clear();
      timeline.forgetPosition();
      if (start) await this.output.whileReplaying(() => timeline.seek(start)).catch(() => undefined);
      // A loop cut short by the cancellation may have failed in its own way.
      if (cancel.requested) throw new FredError('interrupted', `${name} interrupted: back where it started`);
      throw error;
    }
  }

  private async goTo(name: string, target: Moment, bookkeeping: () => Promise<void>): Promise<CommandOutcome> {
    const timeline = this.requireTimeline();
    const start = timeline.current;
    await this.withCancel((cancel) => this.replayOrGoBack(name, start, cancel, () => timeline.seek(target)));
    await bookkeeping();
    timeline.standAt(target);
    this.output.moveTo(target.outputBytes);
    return this.describe(start, target);
  }

  private async describe(from: Moment | null, to: Moment): Promise<CommandOutcome> {
    const location = await this.location();
    const functionChanged = from?.mark?.location.function !== to.mark?.location.function
      || from?.mark?.location.depth !== to.mark?.location.depth;
    return { output: describeStop(this.kind, location, functionChanged), state: this.state, location, resumed: true };
  }

  /**
   * A Ctrl-C under pdb that stopped a frame running untraced was moved to a moment fred can find
   * again (PdbReplay's mark): the stop is told there too.
   */
  private settledStop(outcome: CommandOutcome): CommandOutcome {
    const location = this.timeline?.current?.mark?.location;
    if (this.kind !== 'pdb' || !outcome.interrupted || !location || !outcome.location) return outcome;
    const same = location.file === outcome.location.file && location.line === outcome.location.line
      && location.function === outcome.location.function && location.depth === outcome.location.depth;
    return same ? outcome : { ...outcome, location, output: outcome.output + describeStop(this.kind, location, true) };
  }

  /**
   * After a command moved the program: a moment for where it stopped, maybe a checkpoint.
   * `forwardMs`: how long the program ran from the moment it last stood at (Moment.forwardMs).
   */
  private async record(command: string, commandClass: CommandClass, costMs: number, before: Moment | null, forwardMs = costMs): Promise<void> {
    const timeline = this.timeline;
    if (!timeline) return;
    await this.output.settle();
    const state = this.personality.state();
    // Held at its exit or stopped at a crash, the program is still there to take a mark of.
    const counted = this.countedStop;
    this.countedStop = null;
    const mark = state.kind === 'not-started' ? null : counted ?? await this.replay!.mark().catch(() => null);
    if (commandClass === 'restart' || !timeline.current) {
      await timeline.reset();
      before = null;
      if (!mark) return;
    }
    const arrival: Arrival = commandClass === 'step' || commandClass === 'next' ? commandClass : 'other';
    // `previous` is the latest moment passed (an automatic checkpoint on the way, perhaps);
    // the history entry goes back to where the command started.
    const fresh = mark !== null && !timeline.knows(mark);
    const moment = timeline.momentFor(mark, timeline.current, arrival, this.output.outputPosition, costMs);
    if (fresh && moment.previous) moment.forwardMs = forwardMs;
    if (state.kind === 'exited' || state.kind === 'crashed') {
      moment.ended = true;
      moment.endState = state;
    }
    timeline.standAt(before ?? moment);
    timeline.arrive(moment, before ? command : null);
    this.output.moveTo(moment.outputBytes);
    await timeline.maybeCheckpoint(moment);
  }

  /**
   * `continue` with checkpoints on the way: the program is interrupted every interval, checkpointed
   * and continued, so going back later never has to replay the whole run.
   */
  private async continueWithCheckpoints(command: string): Promise<CommandOutcome> {
    const timeline = this.timeline!;
    this.lastSegmentStarted = Date.now();
    // After the first automatic checkpoint the program stands in the code that runs long: count
    // its loop from each checkpoint to the next stop, so the moments between can be found again
    // without stopping at every iteration (gdb).
    const counter = this.replay?.segmentCounter;
    let refused = false;
    // Counts are only good from a moment the timeline has (the counted stop's `previous`, where
    // replays of it start): not after an interrupt fred could not make a moment of.
    let atRecordedMoment = false;
    for (let segment = 0; ; segment++) {
      this.automaticInterrupt = false;
      const counting = counter !== undefined && atRecordedMoment;
      if (counting) {
        this.checkpointing = true;
        try {
          await counter.start();
        } finally {
          this.checkpointing = false;
        }
      }
      const timer = setTimeout(() => {
        this.automaticInterrupt = true;
        if (this.personality.interruptForCheckpoint) this.personality.interruptForCheckpoint();
        else this.personality.interrupt();
      }, timeline.policy.effectiveIntervalMs);
      let outcome: CommandOutcome;
      try {
        outcome = await this.resume(segment === 0 ? command : 'continue');
      } catch (error) {
        if (counting) await counter.stop().catch(() => undefined);
        throw error;
      } finally {
        clearTimeout(timer);
      }
      // From here until the program runs again fred works on it: a Ctrl-C waits (interrupt()).
      this.checkpointing = true;
      try {
        let counted: Mark | null = null;
        if (counting) {
          const stopped = await counter.stop();
          counted = stopped.mark;
          // gdb showed the counting code as the place: show the program's own.
          if (stopped.moved) outcome = await this.relocatedStop(outcome);
        }
        // The user's stop (breakpoint, exit, crash, their own Ctrl-C) ends the command; the last
        // segment's text ("Continuing." and the stop) is what plain gdb would have printed.
        if (!(outcome.interrupted && this.automaticInterrupt) || this.userInterruptRequested) {
          this.countedStop = outcome.resumed ? counted : null;
          this.userInterruptPending = false;
          return outcome;
        }
        const mark = counted ?? await this.replay!.mark();
        // A moment replays could never find again is no place for the timeline: run on, and
        // checkpoint at the next interval instead.
        atRecordedMoment = !mark.unreplayable;
        if (mark.unreplayable) continue;
        const fresh = !timeline.knows(mark);
        const moment = timeline.momentFor(mark, timeline.current, 'other', this.output.outputPosition, Date.now() - this.lastSegmentStarted!);
        // gdb's interrupt lands anywhere, mid-line or in the C library: no place for a command to
        // stop at. pdb's stops at a line event, like a step.
        if (fresh && this.kind === 'gdb') moment.interruption = true;
        timeline.standAt(moment);
        refused = !(await timeline.automaticCheckpoint(moment));
        // The next interval, and how many checkpoints are kept, follow the program's size
        // (CheckpointPolicy).
        const resident = this.personality.programResidentBytes?.();
        if (resident !== undefined) timeline.policy.residentBytes = resident;
        timeline.policy.checkpointBytes = this.personality.checkpointBytes?.();
      } finally {
        this.checkpointing = false;
      }
      this.lastSegmentStarted = Date.now();
      if (this.userInterruptPending) {
        // The user pressed Ctrl-C while fred was checkpointing: this stop is theirs.
        this.userInterruptPending = false;
        return { ...outcome, interrupted: true };
      }
      // The backend refused (gdb and threads): the rest of the run goes on without checkpoints.
      if (refused) return this.resume('continue');
    }
  }

  /**
   * A stop gdb reported inside fred's counting code (`0x... in ?? ()`), told again at the
   * program's place it was moved to, as gdb tells a stop mid-line.
   */
  private async relocatedStop(outcome: CommandOutcome): Promise<CommandOutcome> {
    const location = await this.location();
    const frameLine = /^0x[0-9a-f]+ in \?\? \(\)\n?/m;
    const told = location ? describeStop(this.kind, location, true) : '';
    const output = frameLine.test(outcome.output) ? outcome.output.replace(frameLine, told) : outcome.output + told;
    return { ...outcome, output, location };
  }

  /**
   * fred holds an ending program just before it exits (and a crashed one at the fault) so that
   * it can go back; running on from there is refused, as plain gdb refuses a finished program.
   */
  private refuseRunningPastTheEnd(commandClass: CommandClass): void {
    if (!this.timeline?.current?.ended || commandClass === 'restart' || commandClass === 'other') return;
    const state = this.state;
    if (state.kind === 'exited') throw new FredError('not-running', 'The program is not being run.');
    if (state.kind === 'crashed') {
      throw new FredError('not-running', `The program crashed (${state.reason}); go back with reverse commands or run it again.`);
    }
  }

  private requireTimeline(): Timeline {
    if (!this.timeline) throw new FredError('unsupported', `reverse execution is not available with ${this.kind}`);
    return this.timeline;
  }
}

