// The one piece of debugger knowledge in the terminal UI: which native command lists the
// selected frame's local variables, one `name = value` per line.

import type { DebuggerKind } from '../../debugger/types.js';

/**
 * pdb has no `info locals`: print them from the frame (dunder names, functions, classes and
 * modules left out, which at module level are most of the namespace).
 */
const PDB_LOCALS = "!print('\\n'.join(f'{k} = {v!r}' for k, v in sorted(locals().items())"
  + " if not k.startswith('__') and not callable(v) and type(v).__name__ != 'module'))";

export function localsCommand(kind: DebuggerKind): string {
  return kind === 'gdb' ? 'info locals' : PDB_LOCALS;
}
