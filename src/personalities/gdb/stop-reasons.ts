// What a `*stopped` record means for the program: still stopped, exited, or crashed.

import type { MiTuple } from '../../../grammars/mi/api.js';
import type { ProgramState } from '../../debugger/types.js';
import { integer, text } from './mi-values.js';

/** Signals that end a program unless the debugger intervenes. */
const FATAL_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGABRT', 'SIGSYS']);

export function stateAfterStop(results: MiTuple, previous: ProgramState): ProgramState {
  const reason = text(results, 'reason');
  switch (reason) {
    case 'exited-normally':
      return { kind: 'exited', code: 0 };
    case 'exited':
      return { kind: 'exited', code: integer(results, 'exit-code') ?? 0 };
    case 'exited-signalled':
      return { kind: 'crashed', reason: describeSignal(results) };
    case 'signal-received': {
      const name = text(results, 'signal-name') ?? '';
      return FATAL_SIGNALS.has(name) ? { kind: 'crashed', reason: describeSignal(results) } : { kind: 'stopped' };
    }
    default:
      return previous.kind === 'crashed' && reason === undefined ? previous : { kind: 'stopped' };
  }
}

function describeSignal(results: MiTuple): string {
  const name = text(results, 'signal-name') ?? 'signal';
  const meaning = text(results, 'signal-meaning');
  return meaning ? `${name}, ${meaning}` : name;
}
