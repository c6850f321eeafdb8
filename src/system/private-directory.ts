// A 0700 temporary directory owned by one session: launch files, symlinks and (later) checkpoint
// images live here and vanish with the session.

import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class PrivateDirectory {
  readonly path: string;
  private removed = false;

  /** `parent`: where to make it (the system's temporary directory unless said otherwise). */
  constructor(prefix = 'fred-', parent = tmpdir()) {
    this.path = mkdtempSync(join(parent, prefix));
    chmodSync(this.path, 0o700);
  }

  file(name: string): string {
    return join(this.path, name);
  }

  dispose(): void {
    if (this.removed) return;
    this.removed = true;
    rmSync(this.path, { recursive: true, force: true });
  }
}
