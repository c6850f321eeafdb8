// A 0700 temporary directory owned by one session: launch files, symlinks and (later) checkpoint
// images live here and vanish with the session.

import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
    this.path = mkdtempSync(join(parent, prefix));
    chmodSync(this.path, 0o700);
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
