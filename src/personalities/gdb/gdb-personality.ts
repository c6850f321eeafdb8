// The gdb personality: drives `gdb --interpreter=mi3` on a pty. The only code (with mi-*.ts)
// that knows GDB/MI. The debuggee runs on its own terminal, started through fred-exec.

import { symlinkSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { DebuggerProcess } from '../../pty/debugger-process.js';
import { quoteMiString, type MiTuple } from '../../../grammars/mi/api.js';
import { parseCommandLine } from '../../../grammars/command/api.js';
import { FredError } from '../../errors.js';
import {
  assertSingleLine,
  type Breakpoint, type CommandOutcome, type Debugger, type Frame, type LaunchOptions,
  type Location, type ProgramState,
} from '../../debugger/types.js';
import type { PrivateDirectory } from '../../system/private-directory.js';
import { checkProgram } from '../../system/program-file.js';
import { packageFile } from '../../system/package-root.js';
import { MiConnection, type AsyncRecord } from './mi-connection.js';
import { integer, list, text, tuple } from './mi-values.js';
import { stateAfterStop } from './stop-reasons.js';
import { GdbReplay } from './gdb-replay.js';
import { takeGdb } from './gdb-start.js';
import { ownResidentBytes } from '../../system/process-memory.js';

export class GdbPersonality implements Debugger {
  readonly kind = 'gdb' as const;
  private process: DebuggerProcess | undefined;
  private mi: MiConnection | undefined;
  private directory: PrivateDirectory | undefined;
  private programState: ProgramState = { kind: 'not-started' };
  private inferiorPid: number | undefined;
  private stopListeners = new Set<(record: AsyncRecord) => void>();
  private disposed = false;
  private replayPowers: GdbReplay | undefined;
  /** A user command may have resumed the program and it has not stopped yet: interrupt() may signal it. */
  private resuming = false;
  /** How many times interrupt() signalled the program during the current command. */
  private interruptsSent = 0;

  get replay(): GdbReplay | undefined {
    return this.replayPowers;
  }

  programResidentBytes(): number | undefined {
    return this.inferiorPid === undefined ? undefined : ownResidentBytes(this.inferiorPid);
  }

  async launch(options: LaunchOptions): Promise<CommandOutcome> {
    const program = checkProgram(options.program, true);
    const gdb = takeGdb({ cwd: options.cwd, env: options.env });
    this.process = gdb.process;
    this.directory = gdb.directory;
    // gdb hands its exec file to a shell; a symlink with a fixed name keeps user paths out of it.
    const programLink = this.directory.file(/^[\w.+-]+$/.test(basename(program)) ? basename(program) : 'program');
    symlinkSync(program, programLink);
    const launchFile = this.directory.file('launch');
    const fields = [options.stdinFile ?? '', program, options.program, ...options.args];
    writeFileSync(launchFile, fields.map((field) => `${field}\0`).join(''), { mode: 0o600 });
    // Every PLT slot bound at the program's start: the first call through a lazy slot sends a
    // `step`, and fred's scans, through the dynamic linker's resolver (40 ms under gdb, against
    // 1 ms). The record shim takes the variable out of the program's environment again.
    const bindNow = (options.env?.['LD_BIND_NOW'] ?? process.env['LD_BIND_NOW']) === undefined ? { LD_BIND_NOW: '1', FRED_BIND_NOW: '1' } : {};
    // fred-exec sets these for the program alone: neither gdb nor its shell may load the shim.
    const programEnv = Object.entries({ ...bindNow, ...options.programEnv }).map(([name, value]) => `${name}=${value}\0`);
    if (programEnv.length > 0) writeFileSync(`${launchFile}.env`, programEnv.join(''), { mode: 0o600 });

    process.once('exit', this.killOnExit);
    this.mi = new MiConnection(this.process);
    this.mi.onAsync((record) => this.handleAsync(record));
    const cancelFile = this.directory.file('cancel');
    // gdb sourced the helpers as it started (gdb-start.ts); a Python error there is only text.
    const failed = (said: string): never => {
      const last = said.trim().split('\n').filter((line) => line.trim() !== '').slice(-1)[0];
      throw new FredError('internal', `gdb did not load fred's helper scripts: ${last}`);
    };
    try {
      await this.mi.send(`-fred-cancel-file ${quoteMiString(cancelFile)}`);
    } catch (error) {
      failed(`${this.mi.takeStreamText()}\n${(error as Error).message}`);
    }
    const said = this.mi.takeStreamText();
    if (/Traceback|Error while executing Python code/.test(said)) failed(said);
    this.replayPowers = new GdbReplay(this.mi, {
      processChanged: (pid) => {
        this.inferiorPid = pid || undefined;
        this.programState = pid ? { kind: 'stopped' } : this.programState;
      },
    }, cancelFile);
    try {
      await this.mi.send(`-file-exec-and-symbols ${quoteMiString(programLink)}`);
    } catch (error) {
      throw new FredError('program', `${options.program}: ${(error as Error).message.replace(/^.*program: /, '')}`);
    }
    await this.mi.send(`-inferior-tty-set ${quoteMiString(options.programTty)}`);
    // gdb pastes the wrapper into its shell command line verbatim: only fixed, space-free paths.
    const launcherLink = this.directory.file('fred-exec');
    symlinkSync(packageFile('native', 'build', 'fred-exec'), launcherLink);
    if (/[^\w./-]/.test(launcherLink + launchFile)) {
      throw new FredError('internal', `temporary directory ${this.directory.path} must not contain spaces or shell characters`);
    }
    await this.mi.send(`-gdb-set exec-wrapper ${launcherLink} ${launchFile}`);
    this.connection().takeStreamText();
    return { output: '', state: this.programState, location: null };
  }

  run(): Promise<CommandOutcome> {
    return this.execute('run');
  }

  step(): Promise<CommandOutcome> {
    return this.execute('step');
  }

  next(): Promise<CommandOutcome> {
    return this.execute('next');
  }

  finish(): Promise<CommandOutcome> {
    return this.execute('finish');
  }

  continue(): Promise<CommandOutcome> {
    return this.execute(this.programState.kind === 'not-started' || this.programState.kind === 'exited' ? 'run' : 'continue');
  }

  async setBreakpoint(spec: string, condition?: string): Promise<Breakpoint> {
    assertSingleLine(spec, 'breakpoint location');
    if (condition !== undefined) assertSingleLine(condition, 'breakpoint condition');
    const conditionArgument = condition ? `-c ${quoteMiString(condition)} ` : '';
    const reply = await this.connection().send(`-break-insert ${conditionArgument}${quoteMiString(spec)}`);
    return toBreakpoint(tuple(reply.results['bkpt']) ?? {}, spec);
  }

  async listBreakpoints(): Promise<Breakpoint[]> {
    const reply = await this.connection().send('-break-list');
    const body = list(tuple(reply.results['BreakpointTable'])?.['body']);
    return body.map((entry) => toBreakpoint(tuple(entry) ?? {}));
  }

  async deleteBreakpoint(id: number): Promise<void> {
    if (!Number.isInteger(id) || id < 1) throw new FredError('usage', `no breakpoint number ${id}`);
    const mi = this.connection();
    mi.takeStreamText();
    await mi.send(`-break-delete ${id}`);
    // gdb answers ^done for a number it does not know, and only says so on the console stream.
    const complaint = mi.takeStreamText().trim();
    if (/^No breakpoint number/.test(complaint)) throw new FredError('debugger', firstLine(complaint));
  }

  async evaluate(expression: string): Promise<string> {
    assertSingleLine(expression, 'expression');
    try {
      const reply = await this.connection().send(`-data-evaluate-expression ${quoteMiString(expression)}`);
      return text(reply.results, 'value') ?? '';
    } catch (error) {
      throw new FredError('bad-expression', (error as Error).message);
    }
  }

  async backtrace(): Promise<Frame[]> {
    if (!this.isAlive()) throw new FredError('not-running', 'The program is not being run.');
    const mi = this.connection();
    const [reply, selected] = await Promise.all([mi.send('-stack-list-frames'), mi.send('-stack-info-frame')]);
    const selectedLevel = toFrame(tuple(selected.results['frame']) ?? {}).level;
    return list(reply.results['stack']).map((entry) => {
      const frame = toFrame(tuple(entry) ?? {});
      return frame.level === selectedLevel ? { ...frame, selected: true } : frame;
    });
  }

  async location(): Promise<Location | null> {
    if (!this.isAlive()) return null;
    const mi = this.connection();
    const [frames, depth] = await Promise.all([mi.send('-stack-list-frames 0 0'), mi.send('-stack-info-depth')]);
    const innermost = tuple(list(frames.results['stack'])[0]);
    if (!innermost) return null;
    const frame = toFrame(innermost);
    return { file: frame.file, line: frame.line, function: frame.function, depth: integer(depth.results, 'depth') ?? 1 };
  }

  state(): ProgramState {
    return this.programState;
  }

  /**
   * Any gdb command, run by gdb's console interpreter as exactly one command. If it resumes the
   * program, waits for the stop (or a late failure) before answering.
   */
  async execute(command: string): Promise<CommandOutcome> {
    assertSingleLine(command, 'command');
    if (this.programState.kind === 'exited' && showsStack(command)) {
      // Held at _exit, the process still has a stack; to the user the program has ended.
      throw new FredError('debugger', 'No stack.');
    }
    const mi = this.connection();
    mi.takeStreamText();
    let stopped: AsyncRecord | undefined;
    let lateFailure: ((message: string) => void) | undefined;
    const stop = new Promise<AsyncRecord | string>((resolve) => {
      const listener = (record: AsyncRecord) => {
        this.stopListeners.delete(listener);
        resolve(record);
      };
      this.stopListeners.add(listener);
      lateFailure = (message) => {
        this.stopListeners.delete(listener);
        resolve(message);
      };
    });
    let reply;
    this.resuming = true;
    this.interruptsSent = 0;
    try {
      reply = await mi.send(`-interpreter-exec console ${quoteMiString(command)}`, (message) => lateFailure?.(message));
    } catch (error) {
      this.stopListeners.clear();
      const output = mi.takeStreamText();
      await this.drainStrayInterrupt(undefined);
      throw new FredError('debugger', firstLine((error as Error).message) || firstLine(output));
    }
    if (reply.resultClass === 'running') {
      const result = await stop;
      mi.release(reply.token);
      if (typeof result === 'string') {
        await this.drainStrayInterrupt(undefined);
        throw new FredError('debugger', firstLine(result));
      }
      stopped = result;
    } else {
      this.stopListeners.clear();
    }
    let output = mi.takeStreamText();
    await this.drainStrayInterrupt(stopped);
    // A silent stop (gdb's *stopped without a reason) is one of fred_gdb.py's guards: at the
    // start of the program (to checkpoint it), or at _exit, where the program is held alive while
    // to the user it has exited, as plain gdb would say.
    const held = stopped !== undefined && text(stopped.results, 'reason') === undefined
      ? (await mi.send('-fred-held')).results
      : {};
    const heldAtStart = text(held, 'at') === 'start';
    const status = text(held, 'at') === 'exit' ? integer(held, 'status') ?? 0 : undefined;
    if (status !== undefined) {
      this.programState = { kind: 'exited', code: status };
      output += `[Inferior 1 (process ${this.inferiorPid ?? '?'}) exited ${status === 0 ? 'normally' : `with code ${status.toString(8).padStart(2, '0')}`}]\n`;
    }
    const interrupted = isInterruptStop(stopped);
    return { output, state: this.programState, location: await this.location(), resumed: stopped !== undefined, interrupted, heldAtStart };
  }

  /** Stops a running program as Ctrl-C would in plain gdb. */
  interrupt(): void {
    // Once the program has stopped, a SIGINT would only wait, pending, for whatever resumes it next.
    if (!this.resuming || this.inferiorPid === undefined) return;
    this.interruptsSent++;
    try { process.kill(this.inferiorPid, 'SIGINT'); } catch { /* already gone */ }
  }

  /**
   * After a command: an interrupt that crossed a stop for another reason (a breakpoint, the
   * exit, another interrupt) is still pending in the program; fred_gdb.py lets it arrive now, where it changes
   * nothing, instead of during the next resume (a checkpoint's fork call, the user's next step).
   */
  private async drainStrayInterrupt(stopped: AsyncRecord | undefined): Promise<void> {
    const sent = this.interruptsSent;
    this.resuming = false;
    this.interruptsSent = 0;
    // One interrupt that made the stop is spent; a second (the user's Ctrl-C and an automatic
    // checkpoint's at once) waits in the program.
    if (sent === 0 || (sent === 1 && isInterruptStop(stopped)) || this.inferiorPid === undefined) return;
    const state = this.programState;
    const mi = this.connection();
    try {
      await mi.send('-fred-drain-interrupt');
      await mi.send('-fred-last-result');
    } finally {
      mi.takeStreamText();
      // Its stop is not news: the program is still where, and as, the command left it.
      this.programState = state;
    }
  }

  /**
   * If fred's own process ends without disposing of this (a library user's script died of an
   * uncaught exception): gdb, the program and its checkpoint forks, at once (a ptrace-stopped
   * fork would outlive its tracer).
   */
  private readonly killOnExit = () => {
    if (this.process) {
      try { process.kill(this.process.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    this.killProgram();
  };

  /** The program and its checkpoint forks: one whose tracer vanished would live on. */
  private killProgram(): void {
    for (const pid of [this.inferiorPid, ...(this.replayPowers?.checkpoints.pids() ?? [])]) {
      if (pid === undefined) continue;
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    process.off('exit', this.killOnExit);
    const gdb = this.process;
    if (gdb && !gdb.hasExited) {
      this.mi?.send('-gdb-exit').catch(() => undefined);
      const exited = await Promise.race([gdb.waitForExit().then(() => true), delay(1000).then(() => false)]);
      if (!exited) await gdb.kill();
    }
    this.killProgram();
    this.directory?.dispose();
  }

  private handleAsync(record: AsyncRecord): void {
    if (record.kind === 'exec' && record.asyncClass === 'stopped') {
      this.resuming = false;
      this.programState = stateAfterStop(record.results, this.programState);
      for (const listener of [...this.stopListeners]) listener(record);
    } else if (record.kind === 'notify' && record.asyncClass === 'thread-group-started') {
      this.inferiorPid = integer(record.results, 'pid');
      if (this.programState.kind !== 'exited') this.programState = { kind: 'stopped' };
    } else if (record.kind === 'notify' && record.asyncClass === 'thread-group-exited') {
      this.inferiorPid = undefined;
      const code = integer(record.results, 'exit-code');
      if (code !== undefined) this.programState = { kind: 'exited', code };
      else if (this.programState.kind !== 'exited' && this.programState.kind !== 'crashed') {
        this.programState = { kind: 'not-started' }; // killed by the user
      }
    }
  }

  /** Alive and not held at its exit. */
  private isAlive(): boolean {
    return this.inferiorPid !== undefined && this.programState.kind !== 'exited';
  }

  private connection(): MiConnection {
    if (!this.mi || this.disposed) throw new FredError('internal', 'gdb is not running');
    return this.mi;
  }
}

function toFrame(frame: MiTuple): Frame {
  return {
    level: integer(frame, 'level') ?? 0,
    function: text(frame, 'func') ?? '??',
    file: text(frame, 'fullname') ?? text(frame, 'file') ?? text(frame, 'from') ?? '',
    line: integer(frame, 'line') ?? 0,
  };
}

function toBreakpoint(entry: MiTuple, spec?: string): Breakpoint {
  return {
    id: integer(entry, 'number') ?? 0,
    spec: spec ?? text(entry, 'original-location') ?? text(entry, 'what') ?? '',
    file: text(entry, 'fullname') ?? text(entry, 'file'),
    line: integer(entry, 'line'),
    function: text(entry, 'func'),
    condition: text(entry, 'cond'),
    enabled: text(entry, 'enabled') !== 'n',
    hits: integer(entry, 'times') ?? 0,
  };
}

const STACK_COMMANDS = new Set(['bt', 'backtrace', 'where', 'frame', 'f', 'up', 'down', 'info frame', 'info locals', 'info args']);

function showsStack(command: string): boolean {
  const parsed = parseCommandLine(command).value;
  if (!parsed) return false;
  return STACK_COMMANDS.has(parsed.name) || STACK_COMMANDS.has(`${parsed.name} ${parsed.words[0] ?? ''}`);
}

function isInterruptStop(stopped: AsyncRecord | undefined): boolean {
  return stopped !== undefined && text(stopped.results, 'reason') === 'signal-received'
    && text(stopped.results, 'signal-name') === 'SIGINT';
}

function firstLine(message: string): string {
  return message.trim().split('\n').filter((line) => line.trim() !== '').join(' ');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
