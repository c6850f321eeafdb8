// One command at a time with fred_pdb: a reply is everything pdb prints up to its next prompt,
// which fred_pdb always precedes with an `@fred` status line.

import { parsePdbOutput, pdbPrompts, type PdbLine } from '../../../grammars/pdb/api.js';
import type { DebuggerProcess } from '../../pty/debugger-process.js';
import { debugLog, debugLogging } from '../../system/debug-log.js';

/** pdb's lines for one command, without the prompt that ended them. */
export interface PdbReply {
  lines: PdbLine[];
}

/** fred_pdb ended (quit, killed, or it never started) before the reply was complete. */
export class PdbExited extends Error {
  constructor(readonly exitCode: number, readonly output: string) {
    super(`pdb exited with status ${exitCode}`);
    this.name = 'PdbExited';
  }
}

interface Waiting {
  resolve: (reply: PdbReply) => void;
  reject: (error: Error) => void;
}

export class PdbConversation {
  private buffer = '';
  private waiting: Waiting | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private exitCode: number | undefined;

  constructor(private readonly process: DebuggerProcess) {
    process.onData((text) => {
      if (debugLogging) debugLog(`pdb ${process.pid} < ${JSON.stringify(text)}`);
      this.buffer += text;
      this.settle();
    });
    process.onExit((code) => {
      debugLog(`pdb ${process.pid} exited ${code}`);
      this.exitCode = code;
      this.settle();
    });
  }

  /** True while a command is sent and its reply not yet complete. */
  get busy(): boolean {
    return this.waiting !== undefined;
  }

  get hasEnded(): boolean {
    return this.exitCode !== undefined;
  }

  /** What pdb prints unasked when it starts, up to its first prompt. */
  greeting(): Promise<PdbReply> {
    return this.enqueue(undefined);
  }

  /**
   * `command` must be one line: the caller checks (assertSingleLine) before it gets here.
   * `written` is called once pdb has it (after the commands queued before it have been answered).
   */
  send(command: string, written?: () => void): Promise<PdbReply> {
    return this.enqueue(command, written);
  }

  private enqueue(command: string | undefined, written?: () => void): Promise<PdbReply> {
    const reply = this.queue.then(
      () =>
        new Promise<PdbReply>((resolve, reject) => {
          this.waiting = { resolve, reject };
          if (command !== undefined && this.exitCode === undefined) {
            // Whatever came after the last reply answered nothing we asked.
            this.buffer = '';
            debugLog(`pdb ${this.process.pid} > ${command}`);
            this.process.write(`${command}\n`);
            written?.();
          }
          this.settle();
        }),
    );
    this.queue = reply.catch(() => undefined);
    return reply;
  }

  private settle(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    const reply = this.completeReply();
    if (reply) {
      this.waiting = undefined;
      this.buffer = '';
      waiting.resolve(reply);
    } else if (this.exitCode !== undefined) {
      this.waiting = undefined;
      const output = this.buffer;
      this.buffer = '';
      waiting.reject(new PdbExited(this.exitCode, output));
    }
  }

  private completeReply(): PdbReply | undefined {
    // Cheap test first: most chunks do not end at a prompt.
    if (!pdbPrompts.some((prompt) => this.buffer.endsWith(prompt))) return undefined;
    const lines = parsePdbOutput(this.buffer).value;
    const prompt = lines[lines.length - 1];
    const status = lines[lines.length - 2];
    if (prompt?.kind !== 'prompt' || status?.kind !== 'fred') return undefined;
    return { lines: lines.slice(0, -1) };
  }
}
