// pdb on the DMTCP backend: the whole fred_pdb process runs under dmtcp_launch, joined to the
// session's own coordinator; checkpoints are DMTCP images and a restore kills the computation and
// restarts an image under a fresh pseudo-terminal, to which the personality re-attaches.
//
// DMTCP gives a restarted process the restarter's fds 0, 1 and 2 and cannot reopen a terminal
// made outside the computation, so fred_pdb (--dmtcp) is always started, by dmtcp_launch and
// dmtcp_restart alike, with the dialogue on fds 0 and 1 and the program's terminal on fd 2
// (fred_pdb_dmtcp.py rebuilds both from them after a restart).

import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { DmtcpCheckpoints } from '../../checkpoints/dmtcp/dmtcp-checkpoints.js';
import { DmtcpCoordinator } from '../../checkpoints/dmtcp/dmtcp-coordinator.js';
import type { DmtcpTools } from '../../checkpoints/dmtcp/dmtcp-tools.js';
import type { CheckpointId } from '../../checkpoints/types.js';
import { FredError } from '../../errors.js';
import { DebuggerProcess, type DebuggerProcessOptions } from '../../pty/debugger-process.js';
import { PrivateDirectory } from '../../system/private-directory.js';
import { debugLog } from '../../system/debug-log.js';

/** What the host needs of the pdb personality it serves. */
export interface DmtcpPdbLink {
  /** A fred_* command's `@fred` answer (errors thrown). */
  request(command: string): Promise<Record<string, unknown>>;
  /** The live computation has been told to die: make sure its process ends, and wait for that. */
  detach(): Promise<void>;
  /** Talk to `process` (a restarted image, stopped at pdb's prompt) from now on. */
  attach(process: DebuggerProcess): Promise<void>;
}

/** Checkpoints carried over from a saved session: the live process restarts from `current`. */
export interface DmtcpResumePoint {
  folders: Map<CheckpointId, string>;
  current: CheckpointId;
}

export interface DmtcpPlacement {
  /**
   * DMTCP's checkpoint folder (see dmtcp-checkpoints.ts). Images only restart where this path
   * exists, so a session to be saved puts it in the save folder. Default: in the session's
   * private directory.
   */
  incoming?: string;
  resume?: DmtcpResumePoint;
}

// A fixed bash snippet run before dmtcp_launch and dmtcp_restart (the terminal's path travels in
// the environment, never through the shell's parser):
// - every descriptor above 2 that fred's process let through is closed. DMTCP elects one owner of
//   each open file by fcntl(F_SETOWN) at every checkpoint; a pipe two computations inherited from
//   one parent (a shell's, a test runner's) let the other computation's checkpoint take it, and
//   the restarted image then waited forever for the owner to hand it over: a silent restore.
//   (bash, not sh: dash cannot name descriptors above 9.)
// - the program's terminal goes on fd 2; fd 0 and 1 stay the dialogue's pty.
const LAUNCH_SNIPPET = 'for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; '
  + 'exec 2<>"$FRED_PROGRAM_TTY"; exec "$0" "$@"';

const RESTART_TIMEOUT_MS = 30_000;

export class DmtcpPdbHost {
  private readonly directory = new PrivateDirectory('fred-dmtcp-');
  private readonly incoming: string;
  private readonly resumePoint: DmtcpResumePoint | undefined;
  private coordinator: DmtcpCoordinator | undefined;
  private spawnOptions: { cwd?: string; env?: Record<string, string>; programTty: string } | undefined;
  private backend: DmtcpCheckpoints | undefined;
  private disposed = false;

  private readonly removeOnExit = () => this.directory.dispose();

  constructor(private readonly tools: DmtcpTools, placement: DmtcpPlacement = {}) {
    this.incoming = placement.incoming ?? join(this.directory.path, 'incoming');
    this.resumePoint = placement.resume;
    // Images are tens of MB: even a fred that exits without closing its session removes them.
    process.once('exit', this.removeOnExit);
  }

  /** True when launch() restarts a saved image instead of starting the program. */
  get resuming(): boolean {
    return this.resumePoint !== undefined;
  }

  /** The checkpoint backend; `link` is the personality, used for restores. */
  checkpoints(link: DmtcpPdbLink): DmtcpCheckpoints {
    if (this.backend) throw new FredError('internal', 'one DMTCP host serves one personality');
    this.backend = new DmtcpCheckpoints(
      async () => { await this.requireCoordinator().command('--bcheckpoint'); },
      this.incoming,
      join(this.directory.path, 'images'),
      { restart: (images) => this.restart(images, link) },
    );
    // A saved session's images are copied: discarding a checkpoint here must not damage the save.
    for (const [id, folder] of this.resumePoint?.folders ?? []) {
      const copy = join(this.directory.path, 'images', String(id));
      cpSync(folder, copy, { recursive: true });
      this.backend.adopt(id, copy);
    }
    return this.backend;
  }

  /** Starts fred_pdb (`command`) under DMTCP, or, when resuming, restarts the saved image. */
  async launch(command: DebuggerProcessOptions, programTty: string): Promise<DebuggerProcess> {
    this.coordinator = await DmtcpCoordinator.start(this.tools, this.directory.path);
    this.spawnOptions = { cwd: command.cwd, env: command.env, programTty };
    if (this.resumePoint) return this.spawnRestart(this.backend!.prepareRestart(this.resumePoint.current));
    return this.spawn(this.tools.launch, [
      ...this.coordinator.clientOptions(), '--ckptdir', this.incoming, '--tmpdir', this.directory.path,
      '--no-gzip', '-q', '-q', command.file, ...command.args,
    ]);
  }

  /** After a launch that died before pdb started: ends its computation and coordinator, so that
   * launch() can start afresh. */
  async discardLaunch(): Promise<void> {
    const coordinator = this.coordinator;
    this.coordinator = undefined;
    if (!coordinator) return;
    await coordinator.command('--kill').catch(() => undefined);
    await coordinator.dispose();
  }

  /** Where checkpoint `id`'s files are (a session save copies them). */
  checkpointFolder(id: CheckpointId): string {
    if (!this.backend) throw new FredError('internal', 'no DMTCP checkpoints yet');
    return this.backend.folder(id);
  }

  /** Kills the computation and the coordinator and removes every image (saved ones were copied). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      if (this.coordinator) {
        await this.coordinator.command('--kill').catch(() => undefined);
        await this.coordinator.dispose();
      }
    } finally {
      process.removeListener('exit', this.removeOnExit);
      this.directory.dispose();
    }
  }

  private async restart(images: string[], link: DmtcpPdbLink): Promise<void> {
    const coordinator = this.requireCoordinator();
    // The image has the breakpoints of its own time; the user's current ones win, as with forks.
    const state = await link.request('fred_dmtcp_state').then((answer) => answer['state'], () => undefined);
    debugLog('dmtcp restore: killing the computation');
    await coordinator.command('--kill');
    debugLog('dmtcp restore: waiting for the live process to end');
    await link.detach();
    debugLog('dmtcp restore: waiting for the coordinator to see no process');
    await coordinator.waitForPeers(0);
    const restarted = this.spawnRestart(images);
    debugLog(`dmtcp restore: restarting ${images.join(' ')} as ${restarted.pid}`);
    // A restart that never reaches pdb's prompt (DMTCP waiting for a process that is not there)
    // must not hang the session: killing it fails the attach.
    const timer = setTimeout(() => void restarted.kill(), RESTART_TIMEOUT_MS);
    try {
      await link.attach(restarted);
    } finally {
      clearTimeout(timer);
    }
    debugLog('dmtcp restore: the restarted image answered');
    if (typeof state === 'string') await link.request(`fred_dmtcp_apply ${state}`);
  }

  private spawnRestart(images: string[]): DebuggerProcess {
    return this.spawn(this.tools.restart, [
      ...this.requireCoordinator().clientOptions(), '--ckptdir', this.incoming, '--tmpdir', this.directory.path, '-q', '-q', ...images,
    ]);
  }

  private spawn(file: string, args: string[]): DebuggerProcess {
    const options = this.spawnOptions!;
    return new DebuggerProcess({
      file: '/bin/bash',
      args: ['-c', LAUNCH_SNIPPET, file, ...args],
      cwd: options.cwd,
      env: { ...options.env, FRED_PROGRAM_TTY: options.programTty, DMTCP_TMPDIR: this.directory.path },
    });
  }

  private requireCoordinator(): DmtcpCoordinator {
    if (!this.coordinator || this.disposed) throw new FredError('not-running', 'the DMTCP session is closed');
    return this.coordinator;
  }
}
