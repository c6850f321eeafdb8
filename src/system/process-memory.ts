// How much of its own memory a process has resident, from /proc (Linux).

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
