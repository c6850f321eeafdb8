// The program's terminal and the debugger's are separate streams: before showing a reply or
// exiting, let the program's last writes arrive so none are lost or shown after the reply.

import type { Session } from '../session/session.js';

/**
 * Waits until what the program wrote has arrived (ProgramTerminal.sync); where the terminal
 * cannot tell, until nothing arrived for `quietMs`, at least `minMs` from now (the quiet time
 * is counted from the last arrival, which at the end of a long search was long ago), at most
 * `maxMs`.
 */
export async function settleProgramOutput(session: Session, quietMs = 40, maxMs = 400, minMs = 10): Promise<void> {
  await session.settleProgramOutput(quietMs, maxMs, minMs);
}
