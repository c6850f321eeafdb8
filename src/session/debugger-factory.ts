// Chooses and builds a debugger personality. The one place that names every personality; each is
// loaded only when a session needs it.

import type { Debugger, DebuggerKind } from '../debugger/types.js';
import { findDmtcp } from '../checkpoints/dmtcp/dmtcp-tools.js';
import { FredError } from '../errors.js';
import type { DmtcpPdbHost, DmtcpPlacement } from '../personalities/pdb/dmtcp-pdb.js';

export function debuggerKindFor(program: string): DebuggerKind {
  return program.endsWith('.py') ? 'pdb' : 'gdb';
}

/** `dmtcp`: pdb's checkpoints are DMTCP images (createDmtcpHost). */
export async function createDebugger(kind: DebuggerKind, dmtcp?: DmtcpPdbHost): Promise<Debugger> {
  if (kind === 'pdb') {
    const { PdbPersonality } = await import('../personalities/pdb/pdb-personality.js');
    return new PdbPersonality(dmtcp);
  }
  const { GdbPersonality } = await import('../personalities/gdb/gdb-personality.js');
  return new GdbPersonality();
}

/**
 * The DMTCP side of a pdb session (--backend dmtcp). gdb is refused: DMTCP cannot checkpoint a
 * process under ptrace together with its debugger (README, "DMTCP backend").
 */
export async function createDmtcpHost(kind: DebuggerKind, placement?: DmtcpPlacement): Promise<DmtcpPdbHost> {
  if (kind !== 'pdb') throw new FredError('usage', '--backend dmtcp works with pdb only (gdb sessions use --backend fork; see the README\'s DMTCP backend section)');
  const tools = findDmtcp();
  const { DmtcpPdbHost } = await import('../personalities/pdb/dmtcp-pdb.js');
  return new DmtcpPdbHost(tools, placement);
}
