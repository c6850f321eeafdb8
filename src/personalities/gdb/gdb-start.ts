// Starting gdb. Its settings and fred's helper scripts go on its command line: gdb reads them
// while it starts, and a gdb started early (session/early-start.ts) does so while node is still
// loading the rest of fred (about 60 ms of a start that would otherwise come one after the other).

import { DebuggerProcess } from '../../pty/debugger-process.js';
import { FredError } from '../../errors.js';
import { PrivateDirectory } from '../../system/private-directory.js';
import { packageFile } from '../../system/package-root.js';

export interface GdbStartOptions {
  cwd?: string;
  env?: Record<string, string>;
}

export interface StartedGdb {
  process: DebuggerProcess;
  /** The session's private directory (launch files, the program's symlink, the cancel file). */
  directory: PrivateDirectory;
}

/** Sourced in this order; each defines MI commands the next may use. */
const HELPERS = ['fred_gdb.py', 'fred_gdb_watch.py', 'fred_gdb_hits.py'];

export function startGdb(options: GdbStartOptions): StartedGdb {
  const directory = new PrivateDirectory('fred-gdb-');
  // No separate debug information (Debian's libc6-dbg): with glibc's, gdb's `checkpoint` and
  // `restart` look up fork and lseek through all of it each time, 15-20 ms instead of 5, and
  // fred never steps into the C library anyway. FRED_GDB_DEBUG_FILE_DIRECTORY gives it back.
  const debugFiles = process.env['FRED_GDB_DEBUG_FILE_DIRECTORY'] || directory.file('no-separate-debug-info');
  if (/[\r\n]/.test(debugFiles)) {
    directory.dispose();
    throw new FredError('usage', 'FRED_GDB_DEBUG_FILE_DIRECTORY must be one line');
  }
  // unwindonsignal: a signal during one of fred's calls into the program (a checkpoint's fork)
  // must not leave the program stopped inside that call. displaced-stepping off: gdb 13 steps
  // over a breakpoint by running a copy of its instruction elsewhere, a RIP-relative one with a
  // scratch register pointing at the data; when a signal stops that step (fred's automatic
  // checkpoints interrupt with SIGINT) it moves the pc back but leaves the register changed, and
  // the program runs on with it (later gdbs restore it). In place, the step changes nothing else.
  const settings = [
    'confirm off', 'pagination off', 'width 0', 'height 0', 'unwindonsignal on', 'displaced-stepping off',
    `debug-file-directory ${debugFiles}`,
  ];
  const args = [
    '--interpreter=mi3', '-nx', '-q',
    ...settings.flatMap((setting) => ['-iex', `set ${setting}`]),
    ...HELPERS.flatMap((helper) => ['-ex', `source ${packageFile('src', 'personalities', 'gdb', helper)}`]),
  ];
  try {
    return { process: new DebuggerProcess({ file: 'gdb', args, cwd: options.cwd, env: options.env }), directory };
  } catch (error) {
    directory.dispose();
    throw error;
  }
}

/** A gdb started before anyone asked for it, for a session with these options. */
let early: { gdb: StartedGdb; options: GdbStartOptions } | undefined;

export function startGdbEarly(options: GdbStartOptions): void {
  if (early) return;
  try {
    early = { gdb: startGdb(options), options };
  } catch {
    // Nothing lost: the session starts its gdb itself and reports what goes wrong then.
  }
}

/** The early gdb if it was started for the same options (and still runs), else a new one. */
export function takeGdb(options: GdbStartOptions): StartedGdb {
  const waiting = early;
  early = undefined;
  if (waiting && !waiting.gdb.process.hasExited && sameOptions(waiting.options, options)) return waiting.gdb;
  if (waiting) void discard(waiting.gdb);
  return startGdb(options);
}

/** Ends an early gdb nobody took (fred stopped before its session started). */
export async function discardEarlyGdb(): Promise<void> {
  const waiting = early;
  early = undefined;
  if (waiting) await discard(waiting.gdb);
}

async function discard(gdb: StartedGdb): Promise<void> {
  await gdb.process.kill();
  gdb.directory.dispose();
}

function sameOptions(a: GdbStartOptions, b: GdbStartOptions): boolean {
  return a.cwd === b.cwd && JSON.stringify(a.env ?? null) === JSON.stringify(b.env ?? null);
}
