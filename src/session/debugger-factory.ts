// Chooses and builds a debugger personality. The one place that names every personality; each is
// loaded only when a session needs it.

import type { Debugger, DebuggerKind } from '../debugger/types.js';

export function debuggerKindFor(program: string): DebuggerKind {
  return program.endsWith('.py') ? 'pdb' : 'gdb';
}

export async function createDebugger(kind: DebuggerKind): Promise<Debugger> {
  if (kind === 'pdb') {
    const { PdbPersonality } = await import('../personalities/pdb/pdb-personality.js');
    return new PdbPersonality();
  }
  const { GdbPersonality } = await import('../personalities/gdb/gdb-personality.js');
  return new GdbPersonality();
}
