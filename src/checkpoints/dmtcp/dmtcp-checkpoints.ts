// DMTCP checkpoints: each is a checkpoint image of the whole computation on disk, written by
// `dmtcp_command --bcheckpoint` into a folder of its own, named by fred's id (DMTCP reuses one file
// name per process). Restoring restarts the image in place of the live computation (how is the
// restore port's business); the image stays for later restores.
//
// Invariant: an image names the files DMTCP saved beside it (`ckpt_*_files/`) by their path in
// the computation's checkpoint folder (`incoming`, resolved once by DMTCP, so it cannot be a
// link to re-point). After each checkpoint everything is moved out of `incoming` into the
// checkpoint's own folder; before a restore, `incoming` gets links to that folder's saved files.

import { cpSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { FredError } from '../../errors.js';
import type { CheckpointBackend, CheckpointId } from '../types.js';

/** Replaces the live computation by a restart of `images` (`ckpt_*.dmtcp` files, one per process). */
export interface DmtcpRestorePort {
  restart(images: string[]): Promise<void>;
}

export class DmtcpCheckpoints implements CheckpointBackend {
  readonly name = 'dmtcp';
  private nextId = 1;
  /** id -> the folder holding that checkpoint's image. */
  private readonly folders = new Map<CheckpointId, string>();

  constructor(
    /** Has the coordinator checkpoint the computation, returning once the image is written. */
    private readonly checkpointNow: () => Promise<void>,
    /** The computation's `--ckptdir`, emptied into each checkpoint's folder. */
    private readonly incoming: string,
    /** Where checkpoints are kept, one folder each. */
    private readonly store: string,
    private readonly port: DmtcpRestorePort,
  ) {
    mkdirSync(store, { recursive: true, mode: 0o700 });
    mkdirSync(incoming, { recursive: true, mode: 0o700 });
  }

  async take(): Promise<CheckpointId> {
    const id = this.nextId++;
    const folder = join(this.store, String(id));
    mkdirSync(folder, { mode: 0o700 });
    try {
      this.emptyIncoming();
      await this.checkpointNow();
      const written = readdirSync(this.incoming);
      if (!written.some(isImage)) throw new FredError('debugger', 'DMTCP wrote no checkpoint image');
      for (const entry of written) move(join(this.incoming, entry), join(folder, entry));
    } catch (error) {
      rmSync(folder, { recursive: true, force: true });
      throw error;
    }
    this.folders.set(id, folder);
    return id;
  }

  async restore(id: CheckpointId): Promise<void> {
    await this.port.restart(this.prepareRestart(id));
  }

  /**
   * Puts checkpoint `id`'s saved files where its images expect them; returns the images to restart
   * (one per process of the computation: fred_pdb's own first, then the program's children).
   */
  prepareRestart(id: CheckpointId): string[] {
    const images = this.images(id);
    this.emptyIncoming();
    const folder = this.folder(id);
    for (const entry of readdirSync(folder)) {
      if (!isImage(entry)) symlinkSync(join(folder, entry), join(this.incoming, entry));
    }
    return images;
  }

  async discard(id: CheckpointId): Promise<void> {
    const folder = this.folders.get(id);
    if (folder === undefined) return;
    this.folders.delete(id);
    rmSync(folder, { recursive: true, force: true });
  }

  list(): CheckpointId[] {
    return [...this.folders.keys()];
  }

  /** The image files of checkpoint `id`, fred_pdb's (python's) first. */
  images(id: CheckpointId): string[] {
    const folder = this.folder(id);
    const images = readdirSync(folder).filter(isImage).sort((a, b) => Number(!a.startsWith('ckpt_python')) - Number(!b.startsWith('ckpt_python')));
    if (images.length === 0) throw new FredError('internal', `checkpoint ${id} has lost its image`);
    return images.map((image) => join(folder, image));
  }

  /** The folder of checkpoint `id` (to save it with a session). */
  folder(id: CheckpointId): string {
    const folder = this.folders.get(id);
    if (folder === undefined) throw new FredError('usage', `no checkpoint ${id}`);
    return folder;
  }

  /** Takes over a checkpoint folder saved by an earlier session, under its old id. */
  adopt(id: CheckpointId, folder: string): void {
    this.folders.set(id, folder);
    this.nextId = Math.max(this.nextId, id + 1);
  }

  private emptyIncoming(): void {
    // Links to an earlier checkpoint's files, or what a failed checkpoint left.
    for (const entry of readdirSync(this.incoming)) rmSync(join(this.incoming, entry), { recursive: true, force: true });
  }
}

/** rename, or copy and remove across file systems (a save folder need not be on /tmp's). */
function move(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    cpSync(from, to, { recursive: true });
    rmSync(from, { recursive: true, force: true });
  }
}

function isImage(name: string): boolean {
  return name.startsWith('ckpt_') && name.endsWith('.dmtcp');
}
