// How much memory a process has, from /proc (Linux).

import { readFileSync } from 'node:fs';

const PAGE_BYTES = 4096;

/**
 * Resident bytes of `pid` that are its own (anonymous: heap, stack, written data), not pages of
 * files it maps (its code, libraries, fred's shared record log): the pages a fork checkpoint can
 * make it copy. undefined when it cannot be read (gone, not Linux).
 */
export function ownResidentBytes(pid: number): number | undefined {
  try {
    const [, resident, shared] = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ').map(Number);
    return Number.isFinite(resident) && Number.isFinite(shared) ? (resident! - shared!) * PAGE_BYTES : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The proportional set size of `pid` in bytes (/proc/PID/smaps_rollup's Pss: its private pages
 * plus its share of the pages it shares): summed over a group of forks, what the group really
 * occupies. undefined when it cannot be read. Walks the process's page tables: a fraction of a
 * millisecond for a Python process.
 */
export function proportionalBytes(pid: number): number | undefined {
  try {
    const match = /^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
