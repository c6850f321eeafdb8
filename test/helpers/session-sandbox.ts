// The hooks a test file of real sessions needs: fred's private directories go to a TMPDIR of the
// file's own (so that leftovers can be seen, without other files' directories in the way), every
// session a test opened is closed after it, and at the end no directory of fred's is left.

import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Session } from '../../src/session/session.js';
import { ensureBuilt } from './build.js';
import { ScratchDirectory } from './cli.js';

export interface SessionSandbox {
  /** The file's scratch directory (made before its first test). */
  readonly scratch: ScratchDirectory;
  /** The TMPDIR fred's private directories go to while the file runs. */
  readonly temporary: string;
  /** Sessions to close after the current test. */
  readonly sessions: Session[];
}

/** Registers the hooks; `leftovers` names fred's directories that must all be gone at the end. */
export function sessionSandbox(leftovers: string, prepare: () => void = ensureBuilt): SessionSandbox {
  let scratch: ScratchDirectory | undefined;
  let savedTmpdir: string | undefined;
  const sandbox: SessionSandbox = {
    get scratch() {
      if (!scratch) throw new Error('the sandbox is made in beforeAll');
      return scratch;
    },
    get temporary() {
      return join(this.scratch.path, 'tmp');
    },
    sessions: [],
  };

  beforeAll(() => {
    prepare();
    scratch = new ScratchDirectory();
    savedTmpdir = process.env['TMPDIR'];
    mkdirSync(sandbox.temporary);
    process.env['TMPDIR'] = sandbox.temporary;
  });

  afterEach(async () => {
    for (const session of sandbox.sessions.splice(0)) await session.close();
  });

  afterAll(() => {
    if (savedTmpdir === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = savedTmpdir;
    const left = readdirSync(sandbox.temporary).filter((name) => name.startsWith(leftovers));
    sandbox.scratch.remove();
    expect(left, `${leftovers}* directories left behind`).toEqual([]);
  });

  return sandbox;
}
