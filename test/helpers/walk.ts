// Moving a session forward and naming where it stops, for tests that compare stop sequences.

import type { Location } from '../../src/debugger/types.js';
import type { Session } from '../../src/session/session.js';
import { expect } from 'vitest';
import { FredError } from '../../src/errors.js';

/** `function:line@depth`, or `none` where the program has no location. */
export function where(location: Location | null): string {
  return location ? `${location.function}:${location.line}@${location.depth}` : 'none';
}

/** Where the session stands, then where each of `count` steps (or nexts) stops. */
export async function forward(session: Session, command: 'step' | 'next', count: number): Promise<string[]> {
  const seen = [where(await session.location())];
  for (let index = 0; index < count; index++) {
    const outcome = command === 'step' ? await session.step() : await session.next();
    seen.push(where(outcome.location));
  }
  return seen;
}

/**
 * Interrupts the session `ms` after a command going back started, and expects that to cancel it
 * ("<command> interrupted: back where it started"): what a user's Ctrl-C does.
 */
export async function expectCancelledAfter(session: Session, ms: number, command: string, going: Promise<unknown>): Promise<void> {
  setTimeout(() => session.interrupt(), ms);
  const failure = await going.then(() => undefined, (error: unknown) => error);
  expect(failure).toBeInstanceOf(FredError);
  expect((failure as FredError).message).toBe(`${command} interrupted: back where it started`);
}
