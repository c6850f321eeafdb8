// Where DMTCP's programs are: `$FRED_DMTCP_ROOT/bin` when that is set, else PATH. DMTCP is not
// part of fred; users install it from upstream (README, "DMTCP backend").

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { FredError } from '../../errors.js';

export interface DmtcpTools {
  launch: string;
  restart: string;
  command: string;
  coordinator: string;
}

const PROGRAMS = { launch: 'dmtcp_launch', restart: 'dmtcp_restart', command: 'dmtcp_command', coordinator: 'dmtcp_coordinator' } as const;

/** DMTCP's four programs, or a one-line usage error naming what is missing. */
export function findDmtcp(env: NodeJS.ProcessEnv = process.env): DmtcpTools {
  const root = env['FRED_DMTCP_ROOT'];
  const folders = root ? [join(root, 'bin')] : (env['PATH'] ?? '').split(delimiter).filter((folder) => folder !== '');
  const folder = folders.find((candidate) => isExecutable(join(candidate, PROGRAMS.launch)));
  if (folder === undefined) {
    throw new FredError('usage', root
      ? `dmtcp_launch not found in FRED_DMTCP_ROOT/bin (${join(root, 'bin')})`
      : 'dmtcp_launch not found on PATH (set FRED_DMTCP_ROOT)');
  }
  const tools = {} as Record<keyof DmtcpTools, string>;
  for (const [role, name] of Object.entries(PROGRAMS) as [keyof DmtcpTools, string][]) {
    const file = join(folder, name);
    if (!isExecutable(file)) throw new FredError('usage', `${name} not found next to dmtcp_launch in ${folder}`);
    tools[role] = file;
  }
  return tools;
}

/** Whether DMTCP can be found (tests use it to skip, visibly, where it is not installed). */
export function hasDmtcp(env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    findDmtcp(env);
    return true;
  } catch {
    return false;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
