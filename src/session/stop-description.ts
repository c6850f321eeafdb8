// Text for a stop fred itself produced (reverse commands), in the style of the debugger the user
// knows: gdb's "func () at file:line" + "line<TAB>source", pdb's "> file(line)func()" + "-> source".

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { DebuggerKind, Location } from '../debugger/types.js';

export function describeStop(kind: DebuggerKind, location: Location | null, functionChanged: boolean): string {
  if (!location) return kind === 'gdb' ? 'The program is not being run.\n' : 'The program finished.\n';
  const source = sourceLine(location.file, location.line);
  if (kind === 'pdb') return `> ${location.file}(${location.line})${location.function}()\n-> ${source.trim()}\n`;
  const header = functionChanged ? `${location.function} () at ${basename(location.file)}:${location.line}\n` : '';
  return `${header}${location.line}\t${source}\n`;
}

function sourceLine(file: string, line: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n')[line - 1] ?? '';
  } catch {
    return '';
  }
}
