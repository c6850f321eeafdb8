// The program's terminal and the debugger's are separate streams: before exiting, give the
// program's last writes a moment to arrive so none are lost.

import type { Session } from '../session/session.js';

export async function settleProgramOutput(session: Session, quietMs = 40, maxMs = 400): Promise<void> {
  let lastOutput = Date.now();
  const unsubscribe = session.onProgramOutput(() => { lastOutput = Date.now(); });
  const started = Date.now();
  try {
    while (Date.now() - lastOutput < quietMs && Date.now() - started < maxMs) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    unsubscribe();
  }
}
