// One session's record-replay: the log in a private 0700 directory, the environment that preloads
// the shim (libfred-record.so) into the program, and the divergence notices the user sees.

import { accessSync, constants, existsSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { DebuggerKind } from '../debugger/types.js';
import type { ReplayedOutput } from '../session/output-gate.js';
import { FredError } from '../errors.js';
import { packageFile } from '../system/package-root.js';
import { PrivateDirectory } from '../system/private-directory.js';
import { RecordLog, type Divergence } from './record-log.js';

export function shimPath(): string {
  return packageFile('native', 'build', 'Release', 'libfred-record.so');
}

/**
 * Where the log lives: in memory (/dev/shm) unless TMPDIR names a place. The program writes every
 * recorded input into it through a shared mapping; on a disk's file system each new page costs
 * the program block allocation and write-back work (read_stdin from a pipe: 10% slower, 6% here).
 */
export function logParent(): string {
  if (process.env['TMPDIR']) return tmpdir();
  try {
    accessSync('/dev/shm', constants.W_OK | constants.X_OK);
    return statSync('/dev/shm').isDirectory() ? '/dev/shm' : tmpdir();
  } catch {
    return tmpdir();
  }
}

export class Recording implements ReplayedOutput {
  /** Divergences already reported. */
  private reported = 0;
  private fullReported = false;
  private recording = false;
  private disposed = false;

  private constructor(
    private readonly directory: PrivateDirectory,
    readonly log: RecordLog,
    private readonly shim: string,
    private readonly kind: DebuggerKind,
  ) {}

  static start(kind: DebuggerKind): Recording {
    const shim = shimPath();
    if (!existsSync(shim)) throw new FredError('internal', `${shim} is missing: run npm run build:native (or start fred with --no-record)`);
    const directory = new PrivateDirectory('fred-record-', logParent());
    try {
      const log = RecordLog.create(directory.file('record.log'));
      return new Recording(directory, log, preloadablePath(shim, directory), kind);
    } catch (error) {
      directory.dispose();
      throw error;
    }
  }

  /**
   * Variables for the program's environment only (gdb: set by fred-exec; pdb: python3's, which
   * runs the program). `inheritedPreload` is the LD_PRELOAD the program would otherwise get.
   * pdb's own code runs in that process too, so there recording starts paused: fred_pdb
   * resumes it while the program runs (native/README.md).
   */
  programEnvironment(inheritedPreload = process.env['LD_PRELOAD']): Record<string, string> {
    const environment: Record<string, string> = {
      LD_PRELOAD: inheritedPreload ? `${this.shim}:${inheritedPreload}` : this.shim,
      FRED_RECORD_LOG: this.log.path,
    };
    if (this.kind === 'pdb') environment['FRED_RECORD_PAUSED'] = '1';
    return environment;
  }

  /** Output the shim swallowed in replays, in UTF-16 code units. */
  swallowedOutput(): number {
    return this.disposed ? 0 : this.log.swallowedTextUnits();
  }

  /**
   * True once the shim records the program (it started recording, or pdb let it record): then
   * the program writes only what is new. A static program never loads the shim.
   */
  recordsProgram(): boolean {
    if (!this.recording && !this.disposed) {
      const state = this.log.state();
      this.recording = state.starts > 0 || state.recorded > 0;
    }
    return this.recording;
  }

  /**
   * One line for the user when the program diverged from its recording since last asked, and one
   * when the recording stopped because its log could not grow (said once).
   */
  recordingNotices(): string {
    if (this.disposed) return '';
    const state = this.log.state();
    let notice = '';
    if (state.full && !this.fullReported) {
      this.fullReported = true;
      notice += 'warning: recording stopped: the record log could not grow (no room left on its file system, '
        + 'or 4 GiB recorded); the program runs on unrecorded, and going back past here may find other moments\n';
    }
    const divergence = state.divergence;
    if (divergence && divergence.count !== this.reported) {
      this.reported = divergence.count;
      notice += `${describeDivergence(divergence)}\n`;
    }
    return notice;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.log.close();
    this.directory.dispose();
  }
}

export function describeDivergence(divergence: Divergence): string {
  return `warning: the program left its recorded history at event ${divergence.event}: it called ${divergence.actual} `
    + `where the recording has ${divergence.expected}; from there it runs live, as a new branch of history`;
}

/** LD_PRELOAD splits on colons and spaces: a path with either goes through a symlink. */
function preloadablePath(shim: string, directory: PrivateDirectory): string {
  if (!/[: ]/.test(shim)) return shim;
  const link = directory.file('libfred-record.so');
  if (/[: ]/.test(link)) throw new FredError('internal', `cannot preload the record shim from ${link}: the path has a colon or space`);
  symlinkSync(shim, link);
  return link;
}
