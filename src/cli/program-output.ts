// The program's terminal and the debugger's are separate streams: before exiting, give the
// program's last writes a moment to arrive so none are lost.

import type { Session } from '../session/session.js';

/**
 * Waits until nothing arrived from the program's terminal for `quietMs`, at least `minMs` from
 * now (a write in flight arrives within milliseconds; the quiet time is counted from the last
 * arrival, which at the end of a long search was long ago), at most `maxMs`.
 */
export async function settleProgramOutput(session: Session, quietMs = 40, maxMs = 400, minMs = 10): Promise<void> {
  await session.settleProgramOutput(quietMs, maxMs, minMs);
}
