// The terminal UI: a blessed screen whose panes show what the controller knows, and a handler
// turning keys (key-bindings.ts), clicks and the command line into controller calls.

import { basename } from 'node:path';
import blessed from 'blessed';
import type { Session } from '../../session/session.js';
import { isMovement, TuiController } from './controller.js';
import { actionForKey, helpLines, type Action } from './key-bindings.js';
import { LineEditor } from './line-editor.js';
import { fitsMinimum } from './layout.js';
import { logText, promptText, stackText, stackTop, statusLine, variablesText } from './pane-text.js';
import { Panes } from './panes.js';
import { centreOn, renderSource, sameSourceFile, scrollToShow, SourceFiles } from './source-view.js';
import { escapeTags, fit } from './text-fit.js';
import { screenCapabilities } from './terminal-capabilities.js';
import { themeFor, type Theme } from './theme.js';
import { timelineRow } from './timeline-view.js';

/** What a line typed at the bottom is for. */
type PromptPurpose = 'command' | 'reverse-watch' | 'add-watch' | 'program-input';

/** What the bottom line is being used for. */
type Mode =
  | { kind: 'normal' }
  | { kind: 'prompt'; purpose: PromptPurpose; label: string }
  | { kind: 'confirm-quit' }
  | { kind: 'help' };

/** Keys that scroll the help screen (rows); any other key closes it. */
const HELP_SCROLL: Partial<Record<string, number>> = { up: -1, down: 1, pageup: -10, pagedown: 10 };

const HINT = 'n s c f: forward  N S C F: back  w: reverse-watch  b: break  k: checkpoint  u: undo  :: command  ?: help  q: quit';

export interface TuiOptions {
  /** Lines for the command line's history (oldest first), and where to append new ones. */
  history?: string[];
  remember?: (line: string) => void;
}

export async function runTui(session: Session, options: TuiOptions = {}): Promise<void> {
  const screen = blessed.screen({ smartCSR: true, fullUnicode: true, title: 'fred', warnings: false, autoPadding: true });
  const app = new TuiApp(screen, session, options);
  try {
    await app.run();
  } finally {
    app.dispose();
    screen.destroy();
  }
}

class TuiApp {
  private readonly theme: Theme;
  private readonly panes: Panes;
  private readonly controller: TuiController;
  private readonly sources = new SourceFiles();
  private readonly editor: LineEditor;
  private mode: Mode = { kind: 'normal' };
  private focus: 'source' | 'stack' = 'source';
  /** The source pane: the file shown, the frame it last followed, its first visible line, the cursor. */
  private shown: { file: string } | null = null;
  private followed: string | null = null;
  private sourceTop = 1;
  private cursor = 1;
  /** One line of feedback in place of the key hint (cleared by the next key). */
  private message = '';
  private spinnerIndex = 0;
  private spinnerTimer: NodeJS.Timeout | undefined;
  private renderPending = false;
  private finish: (() => void) | undefined;

  constructor(private readonly screen: blessed.Widgets.Screen, session: Session, private readonly options: TuiOptions) {
    const capabilities = screenCapabilities(screen);
    this.theme = themeFor(process.env['NO_COLOR'] ? 0 : capabilities.colours, capabilities.unicode);
    this.panes = new Panes(screen, this.theme);
    this.controller = new TuiController(session);
    this.editor = new LineEditor(options.history ?? []);
  }

  async run(): Promise<void> {
    const finished = new Promise<void>((resolve) => { this.finish = resolve; });
    this.controller.onChange(() => this.scheduleRender());
    this.controller.onQuit(() => this.finish?.());
    this.screen.on('keypress', (character: string | undefined, key: blessed.Widgets.Events.IKeyEventArg | undefined) => {
      this.onKey(character, key?.full ?? character ?? '');
    });
    this.screen.on('resize', () => {
      this.panes.apply();
      this.render();
    });
    this.panes.source.on('click', (data: blessed.Widgets.Events.IMouseEventArg) => this.onSourceClick(data.y));
    this.panes.source.on('wheelup', () => this.scrollSource(-3));
    this.panes.source.on('wheeldown', () => this.scrollSource(3));
    this.panes.stack.on('click', (data: blessed.Widgets.Events.IMouseEventArg) => this.onStackClick(data.y));
    // Started before the first frame, so that it already shows the panes being read (and busy);
    // not awaited, so that q works even while the debugger is slow to answer.
    void this.controller.start();
    this.render();
    await finished;
  }

  dispose(): void {
    clearInterval(this.spinnerTimer);
    this.controller.dispose();
  }

  // ---- input -----------------------------------------------------------------------------

  private onKey(character: string | undefined, full: string): void {
    const mode = this.mode;
    this.message = '';
    if (mode.kind === 'help') {
      const scroll = HELP_SCROLL[full];
      if (scroll === undefined) this.mode = { kind: 'normal' };
      else this.panes.help.scroll(scroll);
    } else if (mode.kind === 'confirm-quit') {
      if (character === 'y' || character === 'Y') return this.quit();
      this.mode = { kind: 'normal' };
    } else if (mode.kind === 'prompt') {
      this.onPromptKey(mode.purpose, character, full);
    } else if (!fitsMinimum(this.screen.cols, this.screen.rows)) {
      if (character === 'q' || full === 'C-c') this.quit();
      return;
    } else {
      const action = actionForKey(full, character);
      if (action) this.perform(action);
    }
    this.render();
  }

  private onPromptKey(purpose: PromptPurpose, character: string | undefined, full: string): void {
    if (purpose === 'program-input' && full === 'C-c') {
      this.controller.interrupt();
      return;
    }
    if (purpose === 'program-input' && full === 'C-d' && this.editor.text === '') {
      // End of input for the program, as Ctrl-D at the start of a line on its terminal.
      this.controller.sendProgramInput('\x04');
      this.mode = { kind: 'normal' };
      return;
    }
    const result = this.editor.handle(full, character);
    if (result === 'cancel') {
      this.mode = { kind: 'normal' };
      this.editor.reset();
    } else if (result === 'submit') {
      const text = this.editor.text;
      this.mode = { kind: 'normal' };
      this.editor.reset();
      this.submit(purpose, text);
    }
  }

  private submit(purpose: PromptPurpose, text: string): void {
    if (purpose === 'program-input') {
      this.controller.sendProgramInput(`${text}\n`);
      return;
    }
    if (text.trim() === '') return;
    if (purpose === 'add-watch') {
      void this.controller.addWatch(text);
      return;
    }
    const line = purpose === 'reverse-watch' ? `reverse-watch ${text.trim()}` : text;
    this.editor.remember(line);
    this.options.remember?.(line);
    const started = purpose === 'reverse-watch' ? this.controller.reverseWatch(text.trim()) : this.controller.runLine(line);
    void started.then((ran) => { if (!ran) this.flash('busy: wait for the running command, or Ctrl-C'); });
  }

  private perform(action: Action): void {
    const controller = this.controller;
    if (isMovement(action)) {
      void controller.perform(action).then((ran) => { if (!ran) this.flash('busy: wait for the running command, or Ctrl-C'); });
      return;
    }
    switch (action) {
      case 'reverse-watch': return this.prompt('reverse-watch', 'reverse-watch expression: ');
      case 'add-watch': return this.prompt('add-watch', 'watch expression: ');
      case 'clear-watches': void controller.clearWatches(); return;
      case 'command-line':
        // While a command runs, the line goes to the program (as typing in the REPL does).
        if (controller.busy) return this.prompt('program-input', 'input for the program: ');
        return this.prompt('command', ':');
      case 'toggle-breakpoint': return this.toggleBreakpointAt(this.cursor);
      case 'focus-next-pane':
        this.focus = this.focus === 'source' ? 'stack' : 'source';
        return;
      case 'cursor-up': return this.moveCursor(-1);
      case 'cursor-down': return this.moveCursor(1);
      case 'page-up': return this.scrollSource(-this.panes.inner('source').height);
      case 'page-down': return this.scrollSource(this.panes.inner('source').height);
      case 'cursor-to-current':
        this.followed = null;
        return;
      case 'interrupt':
        if (!controller.interrupt()) this.flash('nothing is running (q quits)');
        return;
      case 'help':
        return this.openHelp();
      case 'quit':
        if (controller.programAlive) this.mode = { kind: 'confirm-quit' };
        else this.quit();
        return;
    }
  }

  private prompt(purpose: PromptPurpose, label: string): void {
    this.editor.reset();
    this.mode = { kind: 'prompt', purpose, label };
  }

  private quit(): void {
    // A command still running (an uncancellable scan) ends with the session.
    this.controller.interrupt();
    this.finish?.();
  }

  private moveCursor(delta: number): void {
    if (this.focus === 'stack') {
      // Up goes to the caller: a higher frame number.
      void this.controller.selectFrame(this.controller.view.selectedFrame - delta);
      return;
    }
    const lines = this.shownLines();
    if (!lines) return;
    this.cursor = Math.min(Math.max(this.cursor + delta, 1), lines.length);
    this.sourceTop = scrollToShow(this.sourceTop, this.cursor, this.panes.inner('source').height, lines.length);
  }

  private scrollSource(delta: number): void {
    const lines = this.shownLines();
    if (!lines) return;
    const height = this.panes.inner('source').height;
    this.sourceTop = Math.min(Math.max(this.sourceTop + delta, 1), Math.max(lines.length - height + 1, 1));
    this.cursor = Math.min(Math.max(this.cursor, this.sourceTop), this.sourceTop + height - 1);
    this.render();
  }

  private onSourceClick(y: number): void {
    if (this.mode.kind !== 'normal') return;
    const row = y - this.panes.layout.source.top - 1;
    const lines = this.shownLines();
    if (!lines || row < 0 || row >= this.panes.inner('source').height) return;
    const line = this.sourceTop + row;
    if (line > lines.length) return;
    this.cursor = line;
    this.toggleBreakpointAt(line);
    this.render();
  }

  private onStackClick(y: number): void {
    if (this.mode.kind !== 'normal') return;
    const { frames, selectedFrame } = this.controller.view;
    const height = this.panes.inner('stack').height;
    const level = stackTop(frames, selectedFrame, height) + (y - this.panes.layout.stack.top - 1);
    this.focus = 'stack';
    void this.controller.selectFrame(level);
    this.render();
  }

  private toggleBreakpointAt(line: number): void {
    if (!this.shown || !this.shownLines()) {
      this.flash('no source file shown');
      return;
    }
    void this.controller.toggleBreakpoint(this.shown.file, line).then((ran) => { if (!ran) this.flash('busy: wait for the running command, or Ctrl-C'); });
  }

  private flash(text: string): void {
    this.message = text;
    this.scheduleRender();
  }

  // ---- drawing ---------------------------------------------------------------------------

  private scheduleRender(): void {
    if (this.renderPending) return;
    this.renderPending = true;
    setImmediate(() => {
      this.renderPending = false;
      this.render();
    });
  }

  private render(): void {
    this.updateSpinner();
    if (fitsMinimum(this.screen.cols, this.screen.rows)) {
      this.followExecution();
      this.drawSource();
      this.drawSidePanes();
      this.drawTimeline();
      this.drawLogs();
      this.drawCommandLine();
      this.drawStatus();
      this.drawHelp();
    }
    this.screen.render();
  }

  /** After the program moved (or another frame was selected), show that line; after it ended, the last file. */
  private followExecution(): void {
    const frame = this.controller.shownFrame;
    if (!frame || this.controller.busy) return;
    const key = `${frame.file}:${frame.line}`;
    if (this.followed === key) return;
    this.followed = key;
    const sameFile = this.shown?.file === frame.file;
    this.shown = { file: frame.file };
    this.cursor = frame.line;
    const height = this.panes.inner('source').height;
    const lineCount = this.sources.lines(frame.file)?.length ?? 0;
    this.sourceTop = sameFile ? scrollToShow(this.sourceTop, frame.line, height, lineCount) : centreOn(frame.line, height, lineCount);
  }

  private shownLines(): string[] | null {
    return this.shown ? this.sources.lines(this.shown.file) : null;
  }

  private drawSource(): void {
    const { width, height } = this.panes.inner('source');
    const label = this.shown ? basename(this.shown.file) : 'Source';
    this.panes.setFocus(this.focus, label);
    const lines = this.shownLines();
    if (!this.shown || !lines) {
      const notStarted = this.controller.view.programState.kind === 'not-started';
      const why = this.shown ? `(no source for ${this.shown.file})` : notStarted ? '(not started: s or n runs to main, c runs)' : '(no source)';
      this.panes.source.setContent(this.theme.dim(escapeTags(fit(why, width))));
      return;
    }
    const frame = this.controller.shownFrame;
    const breakpointLines = new Set(this.controller.view.breakpoints
      .filter((breakpoint) => breakpoint.line !== undefined && sameSourceFile(breakpoint.file, this.shown!.file))
      .map((breakpoint) => breakpoint.line!));
    this.panes.source.setContent(renderSource({
      lines,
      width,
      height,
      top: this.sourceTop,
      currentLine: frame && frame.file === this.shown.file ? frame.line : undefined,
      cursorLine: this.cursor,
      breakpointLines,
      theme: this.theme,
    }));
  }

  private drawSidePanes(): void {
    const view = this.controller.view;
    const stack = this.panes.inner('stack');
    this.panes.stack.setContent(stackText(view.frames, view.selectedFrame, stack.width, stack.height, this.focus === 'stack', this.theme));
    const variables = this.panes.inner('variables');
    this.panes.variables.setContent(variablesText(view.locals, view.watches, variables.width, variables.height, this.theme));
  }

  private drawTimeline(): void {
    const busy = this.controller.busy;
    const search = busy?.search
      ? { ...busy.search, spinner: this.spinner(), seconds: (Date.now() - busy.started) / 1000 }
      : undefined;
    this.panes.timeline.setContent(timelineRow(this.controller.view.timeline, this.panes.layout.timeline.width, this.theme, search));
  }

  private drawLogs(): void {
    const output = this.panes.inner('programOutput');
    this.panes.programOutput.setContent(logText(this.controller.programOutput.tailRows(output.width, output.height), this.theme));
    const console = this.panes.inner('console');
    this.panes.console.setContent(logText(this.controller.console.tailRows(console.width, console.height), this.theme));
  }

  private drawCommandLine(): void {
    const width = this.panes.layout.commandLine.width;
    const mode = this.mode;
    let text: string;
    if (mode.kind === 'prompt') {
      text = promptText(mode.label, this.editor.text, this.editor.cursor, width);
    } else if (mode.kind === 'confirm-quit') {
      text = this.theme.error(escapeTags(fit('The program is alive: quit fred and kill it? (y/n)', width)));
    } else if (this.message) {
      text = escapeTags(fit(this.message, width));
    } else {
      text = this.theme.dim(escapeTags(fit(this.controller.busy ? 'Ctrl-C interrupts  :: type input for the program  q: quit' : HINT, width)));
    }
    this.panes.commandLine.setContent(text);
  }

  private drawStatus(): void {
    const view = this.controller.view;
    // Where the program is, whichever frame is selected (pdb's own location follows `up`).
    const innermost = view.frames[0];
    this.panes.status.setContent(statusLine({
      location: innermost ? { ...innermost, depth: view.frames.length } : view.location,
      state: view.programState,
      busy: this.controller.busy,
      spinner: this.spinner(),
      kind: this.controller.session.kind,
      width: this.panes.layout.status.width,
      theme: this.theme,
    }));
  }

  /** The help screen shows while in help mode (its text is set when it opens, keeping its scroll). */
  private drawHelp(): void {
    if (this.mode.kind === 'help') this.panes.help.show();
    else this.panes.help.hide();
  }

  private openHelp(): void {
    this.mode = { kind: 'help' };
    this.panes.help.setContent(helpLines(this.controller.session.kind, this.theme.glyphs).map(escapeTags).join('\n'));
    this.panes.help.setScroll(0);
    this.panes.help.setFront();
  }

  private updateSpinner(): void {
    if (this.controller.busy && !this.spinnerTimer) {
      this.spinnerTimer = setInterval(() => {
        this.spinnerIndex++;
        this.render();
      }, 150);
      this.spinnerTimer.unref();
    } else if (!this.controller.busy && this.spinnerTimer) {
      clearInterval(this.spinnerTimer);
      this.spinnerTimer = undefined;
    }
  }

  private spinner(): string {
    const frames = this.theme.glyphs.spinner;
    return frames[this.spinnerIndex % frames.length]!;
  }
}
