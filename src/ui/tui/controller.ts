// The terminal UI's link to the engine: one command at a time on the Session or the interpreter,
// then reads back what the panes show. No blessed here: the app draws `view` on `onChange`.

import { basename } from 'node:path';
import { oneLine } from '../../errors.js';
import { CommandInterpreter } from '../../commands/interpreter.js';
import type { Breakpoint, CommandOutcome, Frame, Location, ProgramState } from '../../debugger/types.js';
import type { ReverseWatchProgress } from '../../reverse/reverse-watch.js';
import type { Session } from '../../session/session.js';
import { localsCommand } from './locals-command.js';
import { sameSourceFile } from './source-view.js';
import { TextLog } from './text-log.js';
import { buildTimeline, EMPTY_TIMELINE, type TimelineModel } from './timeline-view.js';

export interface Watch {
  expression: string;
  value: string;
  failed: boolean;
}

/** What the panes show between commands. */
export interface DebugView {
  programState: ProgramState;
  location: Location | null;
  frames: Frame[];
  selectedFrame: number;
  locals: string[];
  watches: Watch[];
  breakpoints: Breakpoint[];
  timeline: TimelineModel;
}

export interface Busy {
  label: string;
  started: number;
  /** The latest reverse-watch progress report. */
  search?: ReverseWatchProgress;
  interrupting: boolean;
}

const MOVEMENT_ACTIONS = [
  'next', 'step', 'continue', 'finish', 'reverse-next', 'reverse-step', 'reverse-continue', 'reverse-finish', 'checkpoint', 'undo',
] as const;

/** The keys' commands that move the program (or, for `checkpoint`, need it where it is). */
export type MovementAction = typeof MOVEMENT_ACTIONS[number];

export function isMovement(action: string): action is MovementAction {
  return (MOVEMENT_ACTIONS as readonly string[]).includes(action);
}

interface Reply {
  output: string;
  quit?: boolean;
}

export class TuiController {
  readonly programOutput = new TextLog();
  readonly console = new TextLog();
  view: DebugView;
  busy: Busy | null = null;
  private readonly interpreter: CommandInterpreter;
  private readonly watchExpressions: string[] = [];
  private readonly changeListeners = new Set<() => void>();
  private readonly quitListeners = new Set<() => void>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(readonly session: Session) {
    this.interpreter = new CommandInterpreter(session);
    this.view = {
      programState: session.state,
      location: session.launchOutcome.location,
      frames: [],
      selectedFrame: 0,
      locals: [],
      watches: [],
      breakpoints: [],
      timeline: EMPTY_TIMELINE,
    };
  }

  /** Subscribes to the program's output and search progress, and reads the first view. */
  async start(): Promise<void> {
    this.unsubscribe.push(this.session.onProgramOutput((text) => {
      this.programOutput.append(text);
      this.changed();
    }));
    this.unsubscribe.push(this.session.onSearchProgress((progress) => {
      if (!this.busy) return;
      this.busy.search = progress;
      this.changed();
    }));
    const launch = this.session.launchOutcome.output;
    if (launch) this.console.appendLine(launch);
    // As a command of its own, so that no key starts another while the panes are first read.
    await this.run('starting', async () => ({ output: '' }), false, { quiet: true });
  }

  dispose(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
  }

  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onQuit(listener: () => void): () => void {
    this.quitListeners.add(listener);
    return () => this.quitListeners.delete(listener);
  }

  /** True while the program exists to be killed (quitting then asks first). */
  get programAlive(): boolean {
    const kind = this.view.programState.kind;
    return this.busy !== null || kind === 'stopped' || kind === 'crashed';
  }

  /** The frame the source pane and the variables pane show. */
  get shownFrame(): { file: string; line: number } | null {
    const frame = this.view.frames[this.view.selectedFrame];
    if (frame) return { file: frame.file, line: frame.line };
    return this.view.location;
  }

  // ---- commands --------------------------------------------------------------------------

  /**
   * A key's command. `c` runs a program not started yet (gdb) or ended (again); `s` and `n` run a
   * program not started yet to main (gdb's `start`: only gdb programs start unstarted).
   */
  perform(action: MovementAction): Promise<boolean> {
    const session = this.session;
    const notStarted = session.state.kind === 'not-started';
    const runFresh = notStarted || session.state.kind === 'exited';
    switch (action) {
      case 'next': return notStarted ? this.move('start', () => session.native('start')) : this.move('next', () => session.next());
      case 'step': return notStarted ? this.move('start', () => session.native('start')) : this.move('step', () => session.step());
      case 'continue': return runFresh ? this.move('run', () => session.native('run')) : this.move('continue', () => session.continue());
      case 'finish': return this.move('finish', () => session.finish());
      case 'reverse-next': return this.move('reverse-next', () => session.reverseNext());
      case 'reverse-step': return this.move('reverse-step', () => session.reverseStep());
      case 'reverse-continue': return this.move('reverse-continue', () => session.reverseContinue());
      case 'reverse-finish': return this.move('reverse-finish', () => session.reverseFinish());
      case 'undo': return this.move('undo', () => session.undo());
      case 'checkpoint':
        return this.run('checkpoint', async () => ({ output: `checkpoint ${await session.checkpoint()}\n` }), false);
    }
  }

  reverseWatch(expression: string): Promise<boolean> {
    return this.move(`reverse-watch ${expression}`, () => this.session.reverseWatch(expression));
  }

  /** A command line, as the REPL would run it: fred's commands and native ones. */
  runLine(line: string): Promise<boolean> {
    return this.run(line.trim(), async () => {
      const result = await this.interpreter.execute(line);
      if (!result.ok) throw new Error(result.error ?? 'failed');
      return { output: result.output, quit: result.quit };
    }, true);
  }

  /** Sets a breakpoint on FILE:LINE, or deletes the one there. */
  toggleBreakpoint(file: string, line: number): Promise<boolean> {
    const existing = this.view.breakpoints.find((breakpoint) => breakpoint.line === line && sameSourceFile(breakpoint.file, file));
    if (existing) {
      return this.run(`delete ${existing.id}`, async () => {
        await this.session.deleteBreakpoint(existing.id);
        return { output: `Deleted breakpoint ${existing.id}\n` };
      }, false);
    }
    return this.run(`break ${basename(file)}:${line}`, async () => {
      const breakpoint = await this.session.setBreakpoint(`${file}:${line}`);
      return { output: `Breakpoint ${breakpoint.id} at ${basename(breakpoint.file ?? file)}:${breakpoint.line ?? line}\n` };
    }, false);
  }

  /** Shows frame `level` (0: innermost) in the source and variables panes. */
  selectFrame(level: number): Promise<boolean> {
    const from = this.view.selectedFrame;
    if (level === from || level < 0 || level >= this.view.frames.length) return Promise.resolve(false);
    // `up N` / `down N` mean the same in gdb and pdb.
    const command = level > from ? `up ${level - from}` : `down ${from - level}`;
    return this.run(command, async () => {
      await this.session.native(command);
      this.view.selectedFrame = level;
      return { output: '' };
    }, false, { quiet: true, keepFrame: true });
  }

  async addWatch(expression: string): Promise<void> {
    if (expression.trim() === '' || this.watchExpressions.includes(expression.trim())) return;
    this.watchExpressions.push(expression.trim());
    await this.run(`watch ${expression.trim()}`, async () => ({ output: '' }), false, { quiet: true, keepFrame: true });
  }

  async clearWatches(): Promise<void> {
    this.watchExpressions.length = 0;
    this.view.watches = [];
    this.changed();
  }

  /** Ctrl-C: stops the running program, or cancels a command going back (reverse-watch, reverse-step...) at its next step. */
  interrupt(): boolean {
    if (!this.busy) return false;
    this.busy.interrupting = true;
    this.session.interrupt();
    this.changed();
    return true;
  }

  /** Text typed for the program while a command runs. */
  sendProgramInput(text: string): void {
    this.session.sendProgramInput(text);
  }

  private move(label: string, task: () => Promise<CommandOutcome>): Promise<boolean> {
    return this.run(label, async () => ({ output: (await task()).output }), true);
  }

  /**
   * Runs one command unless another is running (the debugger takes one at a time); false if
   * refused. `moved`: the program may have moved, so the innermost frame is shown again.
   */
  private async run(
    label: string,
    task: () => Promise<Reply>,
    moved: boolean,
    options: { quiet?: boolean; keepFrame?: boolean } = {},
  ): Promise<boolean> {
    if (this.busy) return false;
    this.busy = { label, started: Date.now(), interrupting: false };
    if (!options.quiet) this.console.appendLine(`(fred) ${label}`, 'command');
    this.changed();
    let quit = false;
    try {
      const reply = await task();
      if (reply.output) this.console.appendLine(reply.output.replace(/\n$/, ''));
      quit = reply.quit === true;
    } catch (error) {
      this.console.appendLine(`fred: ${oneLine(error)}`, 'error');
    }
    // After a command that may move the program or the debugger's selection (`:up`), the panes
    // show the frame the debugger has selected (refresh finds it).
    if (moved && !options.keepFrame) this.view.selectedFrame = -1;
    if (!quit) await this.refresh();
    this.busy = null;
    this.changed();
    if (quit) for (const listener of this.quitListeners) listener();
    return true;
  }

  /** Reads everything the panes show; a failing read leaves its pane empty, never the UI broken. */
  private async refresh(): Promise<void> {
    const session = this.session;
    const view = this.view;
    view.programState = session.state;
    view.location = await session.location().catch(() => null);
    const alive = view.programState.kind === 'stopped' || view.programState.kind === 'crashed';
    view.frames = alive ? await session.backtrace().catch(() => []) : [];
    if (view.selectedFrame < 0 || view.selectedFrame >= view.frames.length) {
      view.selectedFrame = Math.max(0, view.frames.findIndex((frame) => frame.selected === true));
    }
    view.locals = alive ? await this.readLocals() : [];
    view.watches = [];
    for (const expression of this.watchExpressions) {
      if (!alive) {
        view.watches.push({ expression, value: '(no program)', failed: true });
        continue;
      }
      try {
        view.watches.push({ expression, value: await session.evaluate(expression), failed: false });
      } catch (error) {
        view.watches.push({ expression, value: oneLine(error), failed: true });
      }
    }
    view.breakpoints = await session.listBreakpoints().catch(() => []);
    try {
      view.timeline = buildTimeline(session.currentMoment(), session.history(), session.checkpoints());
    } catch {
      view.timeline = EMPTY_TIMELINE;
    }
  }

  private async readLocals(): Promise<string[]> {
    try {
      const output = (await this.session.native(localsCommand(this.session.kind))).output.trimEnd();
      return output === '' ? [] : output.split('\n');
    } catch (error) {
      return [oneLine(error)];
    }
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }
}

