// Session.reverseWatch's progress events (what the terminal UI draws) and interrupt(), which stops
// the search at its next step with the program back where it was and the session still working.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FredError } from '../../src/errors.js';
import { Session } from '../../src/session/session.js';
import type { ReverseWatchProgress } from '../../src/reverse/reverse-watch.js';
import { ensureBuilt } from '../helpers/build.js';
import { fixtureBinary, fixtureSource, markerLine } from '../helpers/fixtures.js';

const sessions: Session[] = [];

beforeAll(() => ensureBuilt());

afterEach(async () => {
  for (const session of sessions.splice(0)) await session.close();
});

async function atLinkedListEnd(kind: 'gdb' | 'pdb'): Promise<Session> {
  const session = kind === 'gdb'
    ? await Session.start({ program: fixtureBinary('linked_list') })
    : await Session.start({ program: fixtureSource('linked_list.py') });
  sessions.push(session);
  if (kind === 'gdb') {
    await session.setBreakpoint(`linked_list.c:${markerLine('linked_list.c', 'after_loop')}`);
  } else {
    await session.setBreakpoint(`${fixtureSource('linked_list.py')}:${markerLine('linked_list.py', 'print')}`);
  }
  await session.continue();
  return session;
}

const EXPRESSION = { gdb: 'list_len(head) < 17', pdb: 'list_len(head) < 17' } as const;

describe.each(['gdb', 'pdb'] as const)('reverse-watch progress with %s', (kind) => {
  it('reports each step of the search with a stretch that only narrows', async () => {
    const session = await atLinkedListEnd(kind);
    const events: ReverseWatchProgress[] = [];
    const unsubscribe = session.onSearchProgress((progress) => events.push({ ...progress }));
    const outcome = await session.reverseWatch(EXPRESSION[kind]);
    unsubscribe();
    expect(outcome.found).toBe(true);
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(['checkpoints', 'bisecting', 'statements']).toContain(event.phase);
      expect(event.low).toBeGreaterThanOrEqual(0);
      expect(event.high).toBeLessThanOrEqual(1);
      expect(event.low).toBeLessThanOrEqual(event.high);
      expect(event.earlier.serial).not.toBe(event.later.serial);
    }
    // Within one bisection the stretch never grows back.
    for (let index = 1; index < events.length; index++) {
      const [before, after] = [events[index - 1]!, events[index]!];
      if (before.phase === 'bisecting' && after.phase === 'bisecting' && before.earlier === after.earlier) {
        expect(after.high - after.low).toBeLessThanOrEqual(before.high - before.low + 1e-9);
      }
    }
    expect(events[events.length - 1]!.probes).toBeLessThanOrEqual(outcome.stats.probes);
    // pdb bisects this one (by event count) before stepping through statements.
    if (kind === 'pdb') expect(events.some((event) => event.phase === 'bisecting' && event.high - event.low < 1)).toBe(true);
  });

  it('stops at the next step when interrupted, back where it started, and the session stays usable', async () => {
    const session = await atLinkedListEnd(kind);
    const where = await session.location();
    const history = session.history().length;
    let reports = 0;
    const unsubscribe = session.onSearchProgress(() => {
      reports++;
      session.interrupt();
    });
    const failure = await session.reverseWatch(EXPRESSION[kind]).then(() => undefined, (error: unknown) => error);
    unsubscribe();
    expect(failure).toBeInstanceOf(FredError);
    expect((failure as FredError).code).toBe('interrupted');
    expect(reports).toBe(1);
    expect(await session.location()).toEqual(where);
    expect(session.history()).toHaveLength(history);

    // The same search, not interrupted, finds its answer from the same place.
    const outcome = await session.reverseWatch(EXPRESSION[kind]);
    expect(outcome.found).toBe(true);
    expect(outcome.valueAfter).not.toBe(outcome.valueBefore);
    // interrupt() outside a search is the plain one again: nothing pending cancels the next command.
    session.interrupt();
    const next = await session.next();
    expect(next.location).not.toBeNull();
  });
});

describe('cancelling a search while gdb runs one long loop', () => {
  it('Ctrl-C during a statement-by-statement scan inside gdb ends it at its next stop, back at the exit', async () => {
    // counter_loop's change lies in a stretch too short to bisect by time and, without the record
    // shim's room for a hit counter, too long to step through quickly (minutes): the search spends
    // its time in one -fred-watch-* loop in gdb.
    const session = await Session.start({ program: fixtureBinary('counter_loop'), args: ['300000', '150000'], record: false });
    sessions.push(session);
    expect((await session.run()).state).toEqual({ kind: 'exited', code: 0 });
    let phase = '';
    const unsubscribe = session.onSearchProgress((progress) => {
      if (progress.phase === 'statements' && phase !== 'statements') setTimeout(() => session.interrupt(), 1000);
      phase = progress.phase;
    });
    const failure = await session.reverseWatch('check()').then(() => undefined, (error: unknown) => error);
    unsubscribe();
    expect(phase).toBe('statements');
    expect((failure as FredError).code).toBe('interrupted');
    // Back where it started: held at the exit, the whole run done.
    expect(session.state).toEqual({ kind: 'exited', code: 0 });
    expect(await session.evaluate('iteration')).toBe('300000');
    expect(await session.evaluate('check()')).toBe('0');
  }, 60_000);
});
