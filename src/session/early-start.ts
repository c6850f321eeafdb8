// Starting the debugger before the session asks for it: the CLI calls this as soon as the command
// line is known to be good, then loads the rest of fred while gdb starts (both take ~50 ms).
// Only for what a plain session would start itself: gdb with the fork backend, fred's own
// working directory and environment (a library user's options may differ; they start as before).

import { debuggerKindFor } from './debugger-factory.js';
import type { DebuggerKind } from '../debugger/types.js';
import { discardEarlyGdb, startGdbEarly } from '../personalities/gdb/gdb-start.js';
import { checkProgram } from '../system/program-file.js';

export function startDebuggerEarly(options: { program: string; debugger?: DebuggerKind; backend?: 'fork' | 'dmtcp' }): void {
  if ((options.debugger ?? debuggerKindFor(options.program)) !== 'gdb' || options.backend === 'dmtcp') return;
  try {
    checkProgram(options.program, true);
  } catch {
    return; // the session reports it, having started nothing
  }
  startGdbEarly({});
}

/** fred is stopping before a session took the early debugger. */
export function discardEarlyDebugger(): Promise<void> {
  return discardEarlyGdb();
}
