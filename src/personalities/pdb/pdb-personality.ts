// The pdb personality: drives fred_pdb.py (python3 -m pdb with the program on its own terminal,
// started by fred_pdb_launch.py) on a pty. The only TypeScript (with pdb-conversation.ts and
// fred-replies.ts) that knows pdb.

import { resolve } from 'node:path';
import { parsePdbOutput } from '../../../grammars/pdb/api.js';
import {
  assertSingleLine,
  type Breakpoint, type CommandOutcome, type Debugger, type Frame, type LaunchOptions,
  type Location, type ProgramState,
} from '../../debugger/types.js';
import { FredError } from '../../errors.js';
import { DebuggerProcess } from '../../pty/debugger-process.js';
import { packageFile } from '../../system/package-root.js';
import { checkProgram, checkStdinFile } from '../../system/program-file.js';
import { parseFredJson, toBreakpoints, toFrames, toStatus, toValue, type PdbStatus } from './fred-replies.js';
import { PdbConversation, PdbExited, type PdbReply } from './pdb-conversation.js';
import { PdbReplay } from './pdb-replay.js';
import { ownResidentBytes, proportionalBytes } from '../../system/process-memory.js';
import type { DmtcpPdbHost } from './dmtcp-pdb.js';

/** fred_pdb_supervisor.CHECKPOINT_SIGNAL: SIGRTMIN + 2 (glibc's SIGRTMIN is 34). */
const CHECKPOINT_SIGNAL = 36;

const notRunning = 'The program is not being run.';

/** How long an interrupt may wait for a frame boundary before fred insists (see interrupt()). */
const INSIST_AFTER_MS = 250;

/** checkpointBytes() measures at its first call and then at every this many, on this many forks. */
const CHECKPOINT_BYTES_EVERY = 8;
const CHECKPOINT_BYTES_SAMPLE = 8;

export class PdbPersonality implements Debugger {
  readonly kind = 'pdb' as const;
  private process: DebuggerProcess | undefined;
  private conversation: PdbConversation | undefined;
  private status: PdbStatus = { state: { kind: 'stopped' }, location: null };
  private disposed = false;
  /** Commands that may resume the program, sent or waiting their turn; a signal owed to the next. */
  private resumesQueued = 0;
  /** Commands that may move the program, so far: a repeated interrupt is for the same one. */
  private resumesStarted = 0;
  private insisting: NodeJS.Timeout | undefined;
  private checkpointBytesCalls = 0;
  private measuredCheckpointBytes: number | undefined;
  private owedSignal: NodeJS.Signals | number | undefined;
  /** Marks, checkpoints (forks of the Python process, or DMTCP images) and replay, all inside fred_pdb. */
  readonly replay: PdbReplay;

  /** `dmtcp`: fred_pdb runs under DMTCP and checkpoints are its images (--backend dmtcp). */
  constructor(private readonly dmtcp?: DmtcpPdbHost) {
    const port = { request: (command: string) => this.fredAnswer(command), interrupt: () => this.interrupt(), currentMark: () => this.status.mark };
    this.replay = new PdbReplay(port, dmtcp?.checkpoints({
      ...port,
      detach: async () => { await this.process?.kill(); },
      attach: (process) => this.attach(process),
    }));
  }

  async launch(options: LaunchOptions): Promise<CommandOutcome> {
    if (this.process || this.disposed) throw new FredError('internal', 'this pdb personality was already launched');
    const cwd = options.cwd ?? process.cwd();
    const program = checkProgram(resolve(cwd, options.program), false);
    const stdin = options.stdinFile === undefined ? [] : ['--stdin', checkStdinFile(resolve(cwd, options.stdinFile))];
    const command = {
      file: 'python3',
      args: [
        '-u', packageFile('src', 'personalities', 'pdb', 'fred_pdb_launch.py'), ...(this.dmtcp ? ['--dmtcp'] : []),
        '--program-tty', options.programTty, ...stdin, '--', program, ...options.args,
      ],
      cwd,
      env: { ...options.env, ...options.programEnv },
    };
    // DMTCP 5.0 now and then loses a process it is starting before pdb says a word (seen here
    // twice in a few hundred launches, on a loaded machine: status 139, and 0): such a launch is
    // tried once more, with a fresh coordinator.
    for (let attempt = 1; ; attempt++) {
      this.process = this.dmtcp ? await this.dmtcp.launch(command, options.programTty) : new DebuggerProcess(command);
      this.conversation = new PdbConversation(this.process);
      try {
        // pdb's first prompt; a resumed session's image says where it is once its dialogue is back.
        return this.outcome(await this.conversation.greeting());
      } catch (error) {
        if (!(error instanceof PdbExited)) throw error;
        // pdb's last words, e.g. "SyntaxError: invalid syntax" after the traceback.
        const lines = parsePdbOutput(error.output).value.map((line) => line.text.trim()).filter((text) => text !== '');
        if (this.dmtcp && lines.length === 0 && attempt === 1) {
          await this.dmtcp.discardLaunch();
          continue;
        }
        throw new FredError('program', lines[lines.length - 1] ?? `python3 exited with status ${error.exitCode}`);
      }
    }
  }

  /** Restarts the program and runs it to a breakpoint (even one on its first line), the end or a crash. */
  run(): Promise<CommandOutcome> {
    return this.resume('fred_run');
  }

  // fred's own pdb commands go through `fred_builtin`: a user's `alias next continue` must not
  // change what next() does.
  step(): Promise<CommandOutcome> {
    return this.resume('fred_builtin step');
  }

  next(): Promise<CommandOutcome> {
    return this.resume('fred_builtin next');
  }

  finish(): Promise<CommandOutcome> {
    return this.resume('fred_builtin return');
  }

  continue(): Promise<CommandOutcome> {
    return this.resume('fred_builtin continue');
  }

  async setBreakpoint(spec: string, condition?: string): Promise<Breakpoint> {
    assertSingleLine(spec, 'breakpoint location');
    if (condition !== undefined) assertSingleLine(condition, 'breakpoint condition');
    const location = spec.trim();
    // pdb reads everything after the first comma as the condition.
    if (location === '' || location.includes(',')) throw new FredError('usage', `bad breakpoint location: ${spec}`);
    const request = JSON.stringify({ spec: location, condition: condition?.trim() || null });
    const reply = await this.ask(`fred_break ${base64(request)}`);
    const created = reply.lines.find((line) => line.kind === 'breakpoint-set');
    if (created?.kind !== 'breakpoint-set') throw new FredError('debugger', firstError(reply) ?? `cannot set a breakpoint at ${location}`);
    const breakpoint = (await this.listBreakpoints()).find((candidate) => candidate.id === created.id);
    if (!breakpoint) throw new FredError('internal', `breakpoint ${created.id} vanished`);
    return breakpoint;
  }

  async listBreakpoints(): Promise<Breakpoint[]> {
    return toBreakpoints(await this.fredReply('fred_breakpoints'));
  }

  async deleteBreakpoint(id: number): Promise<void> {
    if (!Number.isInteger(id) || id < 1) throw new FredError('usage', `no breakpoint number ${id}`);
    const reply = await this.ask(`fred_builtin clear ${id}`);
    const error = firstError(reply);
    if (error !== undefined) throw new FredError('debugger', error);
  }

  async evaluate(expression: string): Promise<string> {
    assertSingleLine(expression, 'expression');
    if (!this.programIsLive()) throw new FredError('not-running', notRunning);
    return toValue(await this.fredReply(`fred_eval ${base64(expression)}`));
  }

  async backtrace(): Promise<Frame[]> {
    if (this.status.state.kind === 'exited') return []; // to the user the program has ended, as in gdb
    return toFrames(await this.fredReply('fred_backtrace'));
  }

  /** pdb's selected frame (`up`/`down` move it); null once the program has finished. */
  async location(): Promise<Location | null> {
    return this.status.location;
  }

  state(): ProgramState {
    return this.status.state;
  }

  async execute(command: string): Promise<CommandOutcome> {
    assertSingleLine(command, 'command');
    return this.resume(command);
  }

  /** The fork taken at the last checkpoint is the program as it was then (fork backend). */
  programResidentBytes(): number | undefined {
    const pid = this.replay.lastSnapshotPid;
    return pid === undefined ? undefined : ownResidentBytes(pid);
  }

  /**
   * The kept forks' average proportional set size: a Python program's forks share most of their
   * pages (inventory.py: ~2 MB each where the resident size says 15), so counting each at the
   * resident size kept a fraction of what fits. Measured on a few forks spread over the kept ones
   * (reading a fork's size walks its page tables: ~0.4 ms), every CHECKPOINT_BYTES_EVERY calls; a
   * program that starts writing more shows within as many checkpoints, and CheckpointPolicy
   * bounds what it keeps meanwhile. A checkpoint is two processes, the snapshot and the standby
   * it forked for the next restore (fred_pdb_snapshots), sharing all their pages: twice the
   * snapshot's proportional size.
   */
  checkpointBytes(): number | undefined {
    if (this.checkpointBytesCalls++ % CHECKPOINT_BYTES_EVERY === 0) {
      const pids = [...this.replay.snapshotPids.values()];
      const step = Math.max(1, pids.length / CHECKPOINT_BYTES_SAMPLE);
      const sample = Array.from({ length: Math.min(pids.length, CHECKPOINT_BYTES_SAMPLE) }, (_, index) => pids[Math.floor(index * step)]!);
      const sizes = sample.map(proportionalBytes).filter((size): size is number => size !== undefined).map((size) => 2 * size);
      this.measuredCheckpointBytes = sizes.length === 0 ? undefined : sizes.reduce((sum, size) => sum + size, 0) / sizes.length;
    }
    return this.measuredCheckpointBytes;
  }

  /** Like Ctrl-C in plain pdb: while `continue` runs, pdb stops the program where it is. */
  interrupt(): void {
    this.signal('SIGINT');
    // In a frame running untraced, fred_pdb takes an interrupt at the next frame boundary, which a
    // loop without calls may never reach; a second one stops it at once (fred_pdb_stepping).
    const resume = this.resumesStarted;
    clearTimeout(this.insisting);
    this.insisting = setTimeout(() => {
      if (this.resumesStarted === resume && this.resumesQueued > 0) this.signal('SIGINT');
    }, INSIST_AFTER_MS);
    this.insisting.unref();
  }

  /** Under the fork backend, fred_pdb's CHECKPOINT_SIGNAL (SIGRTMIN + 2): restarting, not EINTR. */
  interruptForCheckpoint(): void {
    this.signal(this.dmtcp ? 'SIGINT' : CHECKPOINT_SIGNAL);
  }

  private signal(signal: NodeJS.Signals | number): void {
    // Only while a command runs: at the prompt, SIGINT would make pdb print unasked. A command
    // that may resume but still waits its turn gets the signal as soon as pdb has it.
    if (this.process && !this.process.hasExited && this.conversation?.busy) {
      try { process.kill(this.process.pid, signal); } catch { /* already gone */ }
    } else if (this.resumesQueued > 0) {
      this.owedSignal = signal;
    }
  }

  async dispose(): Promise<void> {
    clearTimeout(this.insisting);
    if (this.disposed) return;
    this.disposed = true;
    try {
      await this.process?.kill();
    } finally {
      await this.dmtcp?.dispose();
    }
  }

  /**
   * DMTCP restore: `process` (a restarted image, at pdb's prompt) is fred_pdb from now on. Nothing
   * is written to it before it says where it is: until then DMTCP is still setting its terminal
   * up (in canonical mode, where a command written early came back echoed, or cut at 4095 bytes).
   */
  private async attach(process: DebuggerProcess): Promise<void> {
    this.process = process;
    this.conversation = new PdbConversation(process);
    this.status = statusOf(await this.conversation.greeting()) ?? this.status;
  }

  /** Any command that may move the program; pdb quitting ends the session rather than failing it. */
  private async resume(command: string): Promise<CommandOutcome> {
    this.resumesQueued++;
    this.resumesStarted++;
    const written = () => {
      const signal = this.owedSignal;
      this.owedSignal = undefined;
      if (signal !== undefined) this.signal(signal);
    };
    try {
      return this.outcome(await this.send(command, written));
    } catch (error) {
      if (!(error instanceof PdbExited)) throw error;
      return { output: error.output.trimEnd(), state: this.status.state, location: null };
    } finally {
      if (--this.resumesQueued === 0) this.owedSignal = undefined;
    }
  }

  /** A command that only inspects or edits breakpoints: pdb ending under it is an error. */
  private async ask(command: string): Promise<PdbReply> {
    try {
      return await this.send(command);
    } catch (error) {
      if (error instanceof PdbExited) throw new FredError('not-running', `pdb exited with status ${error.exitCode}`);
      throw error;
    }
  }

  private async send(command: string, written?: () => void): Promise<PdbReply> {
    if (this.disposed) throw new FredError('not-running', 'the pdb session is closed');
    if (!this.conversation) throw new FredError('not-running', 'pdb is not launched');
    if (this.conversation.hasEnded) throw new FredError('not-running', 'pdb has exited');
    try {
      const reply = await this.conversation.send(command, written);
      this.status = statusOf(reply) ?? this.status;
      return reply;
    } catch (error) {
      if (error instanceof PdbExited) this.status = { state: { kind: 'exited', code: error.exitCode }, location: null };
      throw error;
    }
  }

  /** A fred_* command's answer, its `{"error": ...}` thrown (with fred_pdb's error code, if any). */
  private async fredAnswer(command: string): Promise<Record<string, unknown>> {
    const answer = await this.fredReply(command);
    const error = answer['error'];
    if (error === undefined || error === null) return answer;
    throw new FredError(answer['code'] === 'not-running' ? 'not-running' : 'debugger', String(error));
  }

  /** A fred_* command's own `@fred` reply (the status line that ends every reply is not it). */
  private async fredReply(command: string): Promise<Record<string, unknown>> {
    const reply = await this.ask(command);
    const answer = reply.lines
      .flatMap((line) => (line.kind === 'fred' ? [parseFredJson(line.json)] : []))
      .find((json) => toStatus(json) === undefined);
    if (!answer) throw new FredError('debugger', firstError(reply) ?? `pdb did not answer ${command}`);
    return answer;
  }

  private outcome(reply: PdbReply): CommandOutcome {
    this.status = statusOf(reply) ?? this.status;
    const output = reply.lines.filter((line) => line.kind !== 'fred').map((line) => line.text).join('\n');
    const outcome: CommandOutcome = { output, state: this.status.state, location: this.status.location };
    if (this.status.resumed) outcome.resumed = true;
    if (this.status.interrupted) outcome.interrupted = true;
    return outcome;
  }

  /** Stopped in the program, also held at its exit (as gdb holds a C program at _exit). */
  private programIsLive(): boolean {
    return this.status.state.kind !== 'exited' || this.status.held === true;
  }
}

/** The last status line of a reply: the one printed just before the prompt. */
function statusOf(reply: PdbReply): PdbStatus | undefined {
  for (let index = reply.lines.length - 1; index >= 0; index--) {
    const line = reply.lines[index]!;
    if (line.kind !== 'fred') continue;
    const status = toStatus(parseFredJson(line.json));
    if (status) return status;
  }
  return undefined;
}

function firstError(reply: PdbReply): string | undefined {
  for (const line of reply.lines) {
    if (line.kind === 'error') return line.message;
  }
  return undefined;
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
