// `fred tui` on a real pseudo-terminal (node-pty), its output fed to a headless xterm so tests read
// the screen as a user sees it: rows of text and each cell's attributes.

import pty from 'node-pty';
import xterm from '@xterm/headless';
import { fredBin, repoRoot } from './build.js';

const { Terminal } = xterm;

export interface TuiOptions {
  columns?: number;
  rows?: number;
  /** TERM for fred (xterm-256color unless given). */
  term?: string;
  env?: Record<string, string>;
}

export class TuiTerminal {
  private readonly process: pty.IPty;
  private readonly terminal: InstanceType<typeof Terminal>;
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  private hasExited = false;
  /** Everything fred wrote, escape sequences included (for failure messages). */
  raw = '';

  constructor(args: string[], options: TuiOptions = {}) {
    const columns = options.columns ?? 80;
    const rows = options.rows ?? 24;
    this.terminal = new Terminal({ cols: columns, rows, allowProposedApi: true, scrollback: 0 });
    const term = options.term ?? 'xterm-256color';
    this.process = pty.spawn(process.execPath, [fredBin, 'tui', ...args], {
      name: term,
      cols: columns,
      rows,
      cwd: repoRoot,
      env: { ...process.env, TERM: term, FRED_HISTORY: '/dev/null', ...options.env } as Record<string, string>,
    });
    this.process.onData((data) => {
      this.raw += data;
      this.terminal.write(data);
    });
    this.exited = new Promise((resolve) => {
      this.process.onExit((status) => {
        this.hasExited = true;
        resolve(status);
      });
    });
  }

  get pid(): number {
    return this.process.pid;
  }

  get running(): boolean {
    return !this.hasExited;
  }

  /** The screen now, one string per row (trailing spaces trimmed). */
  lines(): string[] {
    const buffer = this.terminal.buffer.active;
    const lines: string[] = [];
    for (let row = 0; row < this.terminal.rows; row++) lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
    return lines;
  }

  text(): string {
    return this.lines().join('\n');
  }

  /** The bottom row: fred's status line. */
  statusLine(): string {
    return this.lines()[this.terminal.rows - 1] ?? '';
  }

  /** True if the cell at (row, column) stands out: inverse video or a non-default background. */
  highlighted(row: number, column: number): boolean {
    const buffer = this.terminal.buffer.active;
    const cell = buffer.getLine(buffer.viewportY + row)?.getCell(column);
    if (!cell) return false;
    return cell.isInverse() !== 0 || !cell.isBgDefault();
  }

  /** True if the cell's foreground or background is a colour (not the default, not inverse alone). */
  coloured(row: number, column: number): boolean {
    const buffer = this.terminal.buffer.active;
    const cell = buffer.getLine(buffer.viewportY + row)?.getCell(column);
    return cell !== undefined && (!cell.isFgDefault() || !cell.isBgDefault());
  }

  /** Keys as the terminal sends them ('s', 'S', '\r', '\x03' for Ctrl-C, '\x1b[A' for Up). */
  press(keys: string): void {
    this.process.write(keys);
  }

  resize(columns: number, rows: number): void {
    this.terminal.resize(columns, rows);
    this.process.resize(columns, rows);
  }

  /** Polls the screen until `condition` holds; throws with the screen on timeout or exit. */
  async waitFor(condition: (lines: string[]) => boolean, what: string, timeoutMs = 20_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.lines();
      if (condition(lines)) return lines;
      if (this.hasExited || Date.now() > deadline) {
        throw new Error(`${this.hasExited ? 'fred exited' : `timed out after ${timeoutMs} ms`} waiting for ${what}; screen:\n${lines.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits until some row contains `text`. */
  waitForText(text: string | RegExp, timeoutMs?: number): Promise<string[]> {
    const matches = (line: string) => (typeof text === 'string' ? line.includes(text) : text.test(line));
    return this.waitFor((lines) => lines.some(matches), JSON.stringify(String(text)), timeoutMs);
  }

  /** Waits until the status line matches (it always shows `file:line function | state`). */
  waitForStatus(pattern: RegExp, timeoutMs?: number): Promise<string[]> {
    return this.waitFor((lines) => pattern.test(lines[lines.length - 1] ?? ''), `status line ${pattern}`, timeoutMs);
  }

  /** Waits until no command is running (the status line shows a state, not `running ...`). */
  waitForIdle(timeoutMs?: number): Promise<string[]> {
    return this.waitFor((lines) => {
      const status = lines[lines.length - 1] ?? '';
      return /[│|] (stopped|not started|exited|crashed)/.test(status) && !/running|interrupting/.test(status);
    }, 'an idle status line', timeoutMs);
  }

  kill(): void {
    if (this.hasExited) return;
    try { process.kill(this.process.pid, 'SIGKILL'); } catch { /* gone */ }
  }

  /**
   * After a failed test: SIGTERM first, which fred answers by ending its debugger, checkpoints
   * and DMTCP processes (SIGKILL would leave them behind), then SIGKILL after `graceMs`.
   */
  async terminate(graceMs = 5000): Promise<void> {
    if (this.hasExited) return;
    try { process.kill(this.process.pid, 'SIGTERM'); } catch { /* gone */ }
    await this.waitForExit(graceMs);
  }

  /** Waits for exit, killing with SIGKILL after `timeoutMs`. */
  async waitForExit(timeoutMs = 10_000): Promise<{ exitCode: number; signal?: number }> {
    const timer = setTimeout(() => this.kill(), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  dispose(): void {
    this.kill();
    this.terminal.dispose();
  }
}

/** The row of the source pane marked as the current line (the gutter's `▶`/`>` glyph), or -1. */
export function currentLineRow(lines: string[]): number {
  return lines.findIndex((line) => /^[│|x]?.[▶>]\s*\d+ /.test(line));
}

/** The line number shown on a source row (`│ ▶ 65 ...`). */
export function sourceLineNumber(line: string): number | undefined {
  const match = /^[│|x]?.[▶> ]\s*(\d+) /.exec(line);
  return match ? Number(match[1]) : undefined;
}
