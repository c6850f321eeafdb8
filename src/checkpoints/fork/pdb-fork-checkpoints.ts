// Fork checkpoints of a Python program under fred_pdb: each is a forked copy of the Python process
// waiting on a socket named by fred's own id, so ids never drift; restoring makes a fresh copy of
// it the live process and leaves the checkpoint itself in place.

import { FredError } from '../../errors.js';
import type { CheckpointBackend, CheckpointId } from '../types.js';

/** The three fred_pdb operations this backend needs, whatever carries them. */
export interface PdbCheckpointPort {
  checkpoint(id: CheckpointId): Promise<void>;
  /** Another process becomes the live worker: the program is as it was at checkpoint `id`. */
  restore(id: CheckpointId): Promise<void>;
  discard(id: CheckpointId): Promise<void>;
}

export class PdbForkCheckpoints implements CheckpointBackend {
  readonly name = 'fork';
  private nextId = 1;
  private readonly ids = new Set<CheckpointId>();

  constructor(private readonly port: PdbCheckpointPort) {}

  async take(): Promise<CheckpointId> {
    // Never reused, even after a failure: the id names the snapshot's socket.
    const id = this.nextId++;
    await this.port.checkpoint(id);
    this.ids.add(id);
    return id;
  }

  async restore(id: CheckpointId): Promise<void> {
    if (!this.ids.has(id)) throw new FredError('usage', `no checkpoint ${id}`);
    await this.port.restore(id);
  }

  async discard(id: CheckpointId): Promise<void> {
    if (!this.ids.delete(id)) return;
    await this.port.discard(id);
  }

  list(): CheckpointId[] {
    return [...this.ids];
  }
}
