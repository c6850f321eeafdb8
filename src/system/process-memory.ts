// How much memory a process has resident, from /proc (Linux).

import { readFileSync } from 'node:fs';

const PAGE_BYTES = 4096;

/** Resident bytes of `pid`, or undefined when it cannot be read (gone, not Linux). */
export function residentBytes(pid: number): number | undefined {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return Number.isFinite(pages) ? pages * PAGE_BYTES : undefined;
  } catch {
    return undefined;
  }
}
