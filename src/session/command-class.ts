// Which native commands move the program, and how: the timeline records a `step` or `next`
// differently from other movements, and a (re)start begins a new timeline.

import { parseCommandLine } from '../../grammars/command/api.js';
import type { DebuggerKind } from '../debugger/types.js';

export type CommandClass = 'step' | 'next' | 'continue' | 'restart' | 'movement' | 'other';

const NAMES: Record<DebuggerKind, Record<string, CommandClass>> = {
  gdb: {
    step: 'step', s: 'step', next: 'next', n: 'next', continue: 'continue', c: 'continue', cont: 'continue', fg: 'continue',
    run: 'restart', r: 'restart', start: 'restart', starti: 'restart',
    finish: 'movement', fin: 'movement', until: 'movement', u: 'movement', advance: 'movement', jump: 'movement',
    stepi: 'movement', si: 'movement', nexti: 'movement', ni: 'movement', signal: 'movement',
  },
  pdb: {
    step: 'step', s: 'step', next: 'next', n: 'next', continue: 'continue', c: 'continue', cont: 'continue',
    run: 'restart', restart: 'restart', return: 'movement', r: 'movement', until: 'movement', unt: 'movement', jump: 'movement', j: 'movement',
  },
};

export function classifyCommand(kind: DebuggerKind, command: string): CommandClass {
  const parsed = parseCommandLine(command).value;
  if (!parsed) return 'other';
  const commandClass = NAMES[kind][parsed.name] ?? 'other';
  // `step 3` is three steps: not one the timeline can undo as a single step.
  if ((commandClass === 'step' || commandClass === 'next') && parsed.argumentText !== '') return 'other';
  return commandClass;
}
