// A 0700 temporary directory owned by one session: launch files, symlinks and (later) checkpoint
// images live here and vanish with the session.

import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Names the process that made a directory, for removeAbandoned(). */
const OWNER_FILE = '.fred-owner';
/** A younger directory may be one whose owner file is still being written. */
const ABANDONED_AFTER_MS = 60_000;

/** Directories not disposed yet: removed when the process exits without disposing them (a
 * library user's script that threw, say), so that no log or image outlives fred's process. */
const live = new Set<PrivateDirectory>();
let exitHookInstalled = false;

function removeLeftovers(): void {
  for (const directory of [...live]) directory.dispose();
}

export class PrivateDirectory {
  readonly path: string;
  private removed = false;

  /** `parent`: where to make it (the system's temporary directory unless said otherwise). */
  constructor(prefix = 'fred-', parent = tmpdir()) {
    removeAbandoned(prefix, parent);
    this.path = mkdtempSync(join(parent, prefix));
    chmodSync(this.path, 0o700);
    writeFileSync(join(this.path, OWNER_FILE), String(process.pid), { mode: 0o600 });
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', removeLeftovers);
    }
  }

  file(name: string): string {
    return join(this.path, name);
  }

  dispose(): void {
    if (this.removed) return;
    this.removed = true;
    live.delete(this);
    rmSync(this.path, { recursive: true, force: true });
  }
}

/**
 * Removes `prefix` directories in `parent` whose process is gone: one killed by a signal (a
 * library user's script stopped with SIGTERM or SIGKILL, which no exit hook survives) leaves its
 * directory behind, and in /dev/shm a record log is memory. Only this user's directories with
 * fred's owner file, older than a minute, whose owner pid no longer runs.
 */
function removeAbandoned(prefix: string, parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(prefix));
  } catch {
    return;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const path = join(parent, name);
    try {
      const status = statSync(path);
      if (!status.isDirectory() || (uid !== undefined && status.uid !== uid) || Date.now() - status.mtimeMs < ABANDONED_AFTER_MS) continue;
      const owner = Number(readFileSync(join(path, OWNER_FILE), 'utf8'));
      if (!Number.isInteger(owner) || owner <= 0 || isRunning(owner)) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Not ours to judge (no owner file, gone meanwhile, not readable): leave it.
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
