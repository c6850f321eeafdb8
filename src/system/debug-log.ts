// FRED_DEBUG_LOG=FILE: fred appends what it says to its debuggers, what it hears back and the
// steps of a DMTCP restore, one line each with the time and fred's pid. Off unless set: evidence
// for a hang that only a loaded machine shows (the tests turn it on where one was seen).

import { appendFileSync } from 'node:fs';

const path = process.env['FRED_DEBUG_LOG'];

/** Whether FRED_DEBUG_LOG is set (callers skip building messages otherwise). */
export const debugLogging = path !== undefined && path !== '';

export function debugLog(message: string): void {
  if (!debugLogging) return;
  try {
    appendFileSync(path!, `${new Date().toISOString()} ${process.pid} ${message.length > 400 ? `${message.slice(0, 400)}…` : message}\n`, { mode: 0o600 });
  } catch {
    // A log that cannot be written must not change what fred does.
  }
}
