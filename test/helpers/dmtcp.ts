// DMTCP for the DMTCP backend's tests: they run where fred would find DMTCP (PATH or
// FRED_DMTCP_ROOT) and are reported as skipped, with the reason, everywhere else.

import { hasDmtcp } from '../../src/checkpoints/dmtcp/dmtcp-tools.js';
import { allProcesses, type ProcessInfo } from './processes.js';

export const dmtcpAvailable = hasDmtcp();

export const dmtcpSkipReason = 'DMTCP backend tests skipped: dmtcp_launch is not on PATH and FRED_DMTCP_ROOT is not set';

/** Every DMTCP process of this user now: coordinators, restarters, launchers. */
export function dmtcpProcesses(): ProcessInfo[] {
  return allProcesses().filter((info) => info.state !== 'Z'
    && (info.name.startsWith('dmtcp') || info.name.startsWith('mtcp_restart') || info.argv.some((arg) => /dmtcp_(coordinator|launch|restart)$/.test(arg))));
}
