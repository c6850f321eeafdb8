// Process inspection through /proc: which processes a pid started (children, grandchildren...), and
// whether they are still alive. A process is identified by pid plus start time, so a recycled pid
// is never mistaken for a survivor. Zombies count as gone: they run no code, and this machine's
// init may never reap orphans.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Single-letter state from /proc/PID/stat: R, S, D, T, t, Z, ... */
  state: string;
  /** Start time in clock ticks since boot. */
  startTime: number;
  /** /proc/PID/comm: the executable's name, at most 15 characters. */
  name: string;
  /** argv, when still readable. */
  argv: string[];
  /** Resolved /proc/PID/exe, when readable. */
  exe: string;
}

/** What /proc says about one process now, or undefined if it does not exist. */
export function processInfo(pid: number): ProcessInfo | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The name is in parentheses and may itself contain ") ": split after the last one.
  const close = stat.lastIndexOf(')');
  const name = stat.slice(stat.indexOf('(') + 1, close);
  const fields = stat.slice(close + 2).split(' ');
  let argv: string[] = [];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((part, index, all) => part !== '' || index < all.length - 1);
  } catch { /* gone meanwhile */ }
  let exe = '';
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch { /* zombie, gone, or not ours */ }
  return {
    pid,
    ppid: Number(fields[1]),
    state: fields[0] ?? '?',
    startTime: Number(fields[19]),
    name,
    argv,
    exe,
  };
}

/** Every process currently visible in /proc. */
export function allProcesses(): ProcessInfo[] {
  const result: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = processInfo(Number(entry));
    if (info) result.push(info);
  }
  return result;
}

/** Live (non-zombie) descendants of `pid`: children, their children, and so on. */
export function descendants(pid: number): ProcessInfo[] {
  const byParent = new Map<number, ProcessInfo[]>();
  for (const info of allProcesses()) {
    const siblings = byParent.get(info.ppid) ?? [];
    siblings.push(info);
    byParent.set(info.ppid, siblings);
  }
  const found: ProcessInfo[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const parent = pending.pop()!;
    for (const child of byParent.get(parent) ?? []) {
      if (child.state === 'Z') continue;
      found.push(child);
      pending.push(child.pid);
    }
  }
  return found;
}

/** True while the very process `info` describes (same pid and start time) exists and is not a zombie. */
export function isAlive(info: Pick<ProcessInfo, 'pid' | 'startTime'>): boolean {
  const now = processInfo(info.pid);
  return now !== undefined && now.startTime === info.startTime && now.state !== 'Z';
}

/** The processes among `processes` that are still alive after waiting up to `timeoutMs` for them to go. */
export async function survivorsAfter(processes: ProcessInfo[], timeoutMs = 3000): Promise<ProcessInfo[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = processes.filter(isAlive);
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Short description for assertion messages: `1234 gdb`. */
export function describeProcesses(processes: ProcessInfo[]): string[] {
  return processes.map((info) => `${info.pid} ${info.name}`);
}

/** Waits until `condition` returns a truthy value (polling), or throws after `timeoutMs`. */
export async function waitFor<T>(condition: () => T | undefined | false | null, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
