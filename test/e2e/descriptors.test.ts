// The program gets the descriptors a plain run gives it, not fred's own: no terminal master
// (node-pty opens them inheritable) reaches gdb, python3 or the program, even with two sessions
// open in one process, each of whose masters would otherwise reach the other's processes.

import { readdirSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/session/session.js';
import { fixtureBinary, fixtureSource } from '../helpers/fixtures.js';
import { descendants } from '../helpers/processes.js';
import { sessionSandbox } from '../helpers/session-sandbox.js';

const sandbox = sessionSandbox('fred-');

/** Every descriptor of fred's descendants that is a terminal master, as "name pid: fd". */
function mastersHeldByChildren(): string[] {
  const held: string[] = [];
  for (const child of descendants(process.pid)) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${child.pid}/fd`);
    } catch {
      continue; // gone meanwhile
    }
    for (const fd of fds) {
      let target = '';
      try {
        target = readlinkSync(`/proc/${child.pid}/fd/${fd}`);
      } catch { /* closed meanwhile */ }
      if (target === '/dev/ptmx' || target.startsWith('/dev/pts/ptmx')) held.push(`${child.name} ${child.pid}: ${fd}`);
    }
  }
  return held;
}

async function open(program: string, args: string[]): Promise<Session> {
  const session = await Session.start({ program, args });
  sandbox.sessions.push(session);
  return session;
}

describe("fred's descriptors stay fred's", () => {
  it('gdb, python3 and both programs hold no terminal master of fred\'s, two sessions open', async () => {
    const c = await open(fixtureBinary('counter_loop'), ['1000']);
    const python = await open(fixtureSource('inventory.py'), ['100', '-1']);
    await c.native('break counter_loop.c:46');
    await c.run();
    await python.step();
    // Sanity: the processes looked at are there (gdb, the C program, python3).
    const names = descendants(process.pid).map((child) => child.name);
    expect(names).toContain('gdb');
    expect(names).toContain('counter_loop');
    expect(names.some((name) => name.startsWith('python3'))).toBe(true);
    expect(mastersHeldByChildren()).toEqual([]);
  });
});
