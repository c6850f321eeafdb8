// Fork checkpoints through gdb's `checkpoint`/`restart`. gdb keeps each checkpoint as a stopped
// fork of the program; `restart` makes a fork the live process, so it would drift as soon as the
// program runs on. Restoring therefore re-checkpoints at once and remaps the handle. Forks are
// named by pid: gdb renumbers them.

import { FredError } from '../../errors.js';
import type { CheckpointBackend, CheckpointId } from '../types.js';

/** The gdb operations this backend needs, whatever carries them. */
export interface GdbCheckpointPort {
  /** Forks a frozen copy of the live process; its pid. */
  checkpoint(): Promise<number>;
  /**
   * Makes fork `pid` the live process and forks a frozen copy of it at once (the pid returned);
   * then deletes the fork `leaving` (the live process left behind), if given and still there.
   */
  restore(pid: number, leaving?: number): Promise<number>;
  deleteCheckpoint(pid: number): Promise<void>;
  /** The live process's pid. */
  liveFork(): Promise<number>;
}

export class GdbForkCheckpoints implements CheckpointBackend {
  readonly name = 'fork';
  private nextId = 1;
  /** fred handle -> pid of the pristine fork. */
  private readonly forks = new Map<CheckpointId, number>();
  /** pid of the live process that used to be one of our forks (undefined: the original). */
  private livePid: number | undefined;
  /** The program's original process: gdb cannot delete it (it crashes), so it waits for cleanup. */
  private originalPid: number | undefined;

  constructor(private readonly port: GdbCheckpointPort) {}

  async take(): Promise<CheckpointId> {
    if (this.originalPid === undefined && this.livePid === undefined) this.originalPid = await this.port.liveFork();
    const pid = await this.port.checkpoint();
    const id = this.nextId++;
    this.forks.set(id, pid);
    return id;
  }

  async restore(id: CheckpointId): Promise<void> {
    const pid = this.forks.get(id);
    if (pid === undefined) throw new FredError('usage', `no checkpoint ${id}`);
    // Keep the checkpoint: a fresh fork of the restored state takes its place. The process we
    // left is no checkpoint of ours: it goes (gdb keeps the original one).
    const kept = await this.port.restore(pid, this.livePid);
    this.livePid = pid;
    this.forks.set(id, kept);
  }

  /**
   * After the live process exited: gdb has already switched to one of the forks, which is
   * therefore no longer pristine. Re-checkpoint it so its handle keeps meaning the same moment.
   * `live`: the live process's pid, when the caller knows it already.
   */
  async afterLiveProcessExited(live?: number): Promise<void> {
    if (this.forks.size === 0) return;
    live ??= await this.port.liveFork();
    for (const [id, pid] of this.forks) {
      if (pid === live) {
        this.livePid = live;
        this.forks.set(id, await this.port.checkpoint());
      }
    }
  }

  async discard(id: CheckpointId): Promise<void> {
    const pid = this.forks.get(id);
    if (pid === undefined) return;
    this.forks.delete(id);
    await this.port.deleteCheckpoint(pid).catch(() => undefined);
  }

  /** Every process this backend knows of (for cleanup). */
  pids(): number[] {
    return [...this.forks.values(), this.livePid, this.originalPid].filter((pid): pid is number => pid !== undefined);
  }

  list(): CheckpointId[] {
    return [...this.forks.keys()];
  }
}
