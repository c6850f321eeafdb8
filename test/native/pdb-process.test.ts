// native/pdb/process.c: fork_orphan makes a checkpoint's snapshot with one page-table copy (a vfork
// child as the intermediate). The copy must be the supervisor's, not the program's, child, with
// Python's fork protocol kept on both sides; test/helpers/pdb_process_check.py plays the parts.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/build.js';
import { ensurePdbProcess } from './native-build.js';

describe('_fred_pdb_process.fork_orphan', () => {
  it('makes a copy the program cannot wait for, which the subreaper adopts and which forks and runs threads normally', () => {
    const output = execFileSync('python3', [join(repoRoot, 'test', 'helpers', 'pdb_process_check.py'), ensurePdbProcess()], { encoding: 'utf8', timeout: 30_000 });
    const { worker, orphan } = JSON.parse(output) as Record<string, Record<string, unknown>>;
    expect(worker).toBeDefined();
    expect(orphan).toBeDefined();
    expect(worker!['orphan']).toBe(orphan!['pid']);
    // Neither the orphan nor the intermediate is left for the program's wait().
    expect(worker!['childrenToWait']).toBe(false);
    expect(orphan!['adopted']).toBe(true);
    // The signal mask fork_orphan blocks around the vfork is back as it was (SIGUSR1 only) on both sides.
    expect(worker!['mask']).toEqual([10]);
    expect(orphan!['mask']).toEqual([10]);
    expect(orphan!['forkStatus']).toBe(0);
    // Python's after-fork hooks ran in the copy: random reseeded itself there, as after os.fork
    // (fred_pdb_snapshots.fork_process puts the state back).
    expect(orphan!['draw']).not.toBe(worker!['draw']);
  });
});
