// Running the real `fred` CLI (bin/fred.js on the compiled dist/): as a plain child process with a
// timeout (batch mode, usage errors), or on a pseudo-terminal through node-pty (the REPL).

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pty from 'node-pty';
import { ensureBuilt, ensureCompiledCli, fredBin, repoRoot } from './build.js';

export interface FredRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface FredRunOptions {
  timeoutMs?: number;
  cwd?: string;
  /** Extra environment (e.g. TMPDIR for a private temporary directory). */
  env?: Record<string, string>;
  /** Called with the child's pid as soon as it is spawned. */
  onSpawn?: (pid: number) => void;
  /** A file (a FIFO, say) fred inherits open on fd 200, as from a parent that leaks descriptors
   * (node itself marks low-numbered ones close-on-exec). */
  inheritedFile?: string;
}

/** Builds fixtures, the launcher and dist/ once per worker. */
export function prepareCli(): void {
  ensureBuilt();
  ensureCompiledCli();
}

/** Runs `node bin/fred.js ARGS` to completion (stdin empty); kills it and throws after the timeout. */
export function runFred(args: string[], options: FredRunOptions = {}): Promise<FredRun> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const [file, argv, extraEnv] = options.inheritedFile === undefined
      ? [process.execPath, [fredBin, ...args], {}]
      : ['/bin/bash', ['-c', 'exec 200<>"$FRED_TEST_INHERITED"; exec "$0" "$@"', process.execPath, fredBin, ...args], { FRED_TEST_INHERITED: options.inheritedFile }];
    const child = spawn(file, argv, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...options.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
    child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
    const timer = setTimeout(() => {
      // SIGTERM lets fred end gdb and the program; SIGKILL if even that hangs.
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      reject(new Error(`fred ${args.join(' ')} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A private scratch directory, removed by `remove()`. */
export class ScratchDirectory {
  readonly path = mkdtempSync(join(tmpdir(), 'fred-e2e-'));

  file(name: string, contents?: string): string {
    const path = join(this.path, name);
    if (contents !== undefined) writeFileSync(path, contents);
    return path;
  }

  /** Names in the directory matching `pattern` (e.g. fred's own `fred-gdb-*` directories). */
  entries(pattern = /./): string[] {
    try {
      return readdirSync(this.path).filter((name) => pattern.test(name));
    } catch {
      return [];
    }
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/**
 * fred's REPL on a pseudo-terminal, as a user would run it. `output` is everything it printed
 * (terminal escape sequences included; see `plainText`).
 */
export class FredTerminal {
  private readonly terminal: pty.IPty;
  private text = '';
  /** Offset in the plain text of `text` up to which `expect` calls have consumed output. */
  private consumed = 0;
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  private hasExited = false;

  constructor(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
    this.terminal = pty.spawn(process.execPath, [fredBin, ...args], {
      name: 'xterm',
      cols: 200,
      rows: 50,
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, FRED_HISTORY: '/dev/null', ...options.env } as Record<string, string>,
    });
    this.terminal.onData((data) => { this.text += data; });
    this.exited = new Promise((resolve) => {
      this.terminal.onExit((status) => {
        this.hasExited = true;
        resolve(status);
      });
    });
  }

  get pid(): number {
    return this.terminal.pid;
  }

  /** Everything printed so far, with escape sequences removed and "\r\n" made "\n". */
  get output(): string {
    return plainText(this.text);
  }

  /** Types `line` and Enter. */
  send(line: string): void {
    this.terminal.write(`${line}\r`);
  }

  /** Raw keystrokes, e.g. "\x03" for Ctrl-C. */
  type(keys: string): void {
    this.terminal.write(keys);
  }

  /**
   * Waits until output printed after the previous `expect` matches `pattern`, and returns that new
   * output (plain text) up to the end of the match.
   */
  async expect(pattern: RegExp | string, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // plainText is prefix-stable, so offsets into the plain text of everything stay valid.
      const fresh = plainText(this.text).slice(this.consumed);
      const match = typeof pattern === 'string' ? indexOfEnd(fresh, pattern) : regexEnd(fresh, pattern);
      if (match !== undefined) {
        this.consumed += match;
        return fresh.slice(0, match);
      }
      if (this.hasExited || Date.now() >= deadline) {
        throw new Error(`${this.hasExited ? 'fred exited' : `timed out after ${timeoutMs} ms`} waiting for ${String(pattern)}; new output: ${JSON.stringify(fresh)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Sends a line and returns its output up to the next prompt (the echoed line excluded). */
  async command(line: string, timeoutMs = 10_000): Promise<string> {
    this.send(line);
    const text = await this.expect(/\(fred\) $/, timeoutMs);
    const lines = text.split('\n');
    // First line: our own echoed input; last: the new prompt.
    return lines.slice(1, -1).join('\n');
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.hasExited) return;
    try { process.kill(this.terminal.pid, signal); } catch { /* gone */ }
  }

  /** Waits for exit, killing with SIGKILL after `timeoutMs`. */
  async waitForExit(timeoutMs = 10_000): Promise<{ exitCode: number; signal?: number }> {
    const timer = setTimeout(() => this.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Terminal output as plain text: CSI/OSC escape sequences dropped, CR-LF and lone CRs normalised. */
export function plainText(raw: string): string {
  return raw
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Za-z]|\x1b[=>]/g, '')
    .replace(/\r+\n/g, '\n')
    .replace(/\r/g, '');
}

function indexOfEnd(text: string, needle: string): number | undefined {
  const index = text.indexOf(needle);
  return index < 0 ? undefined : index + needle.length;
}

function regexEnd(text: string, pattern: RegExp): number | undefined {
  const match = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(text);
  return match ? match.index + match[0].length : undefined;
}
