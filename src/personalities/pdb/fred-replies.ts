// Decodes fred_pdb's `@fred {json}` replies into the Debugger interface's types. fred_pdb is our
// own code, so a reply of the wrong shape is an internal error, never a user's mistake.

import { FredError } from '../../errors.js';
import type { Breakpoint, Frame, Location, ProgramState } from '../../debugger/types.js';

/** What every reply ends with: where the program is and whether it still runs. */
export interface PdbStatus {
  state: ProgramState;
  location: Location | null;
}

type Json = Record<string, unknown>;

function malformed(what: string): FredError {
  return new FredError('internal', `fred_pdb sent a malformed ${what}`);
}

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(what);
  return value as Json;
}

function string(value: unknown, what: string): string {
  if (typeof value !== 'string') throw malformed(what);
  return value;
}

function integer(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw malformed(what);
  return value;
}

function optionalString(value: unknown, what: string): string | undefined {
  return value === null || value === undefined ? undefined : string(value, what);
}

export function parseFredJson(json: string): Json {
  try {
    return object(JSON.parse(json), 'reply');
  } catch {
    throw malformed('reply');
  }
}

function toLocation(value: unknown): Location | null {
  if (value === null) return null;
  const location = object(value, 'location');
  return {
    file: string(location['file'], 'location'),
    line: integer(location['line'], 'location'),
    function: string(location['function'], 'location'),
    depth: integer(location['depth'], 'location'),
  };
}

/** `{"status": {"state": ..., "location": ...}}`, or undefined for another kind of reply. */
export function toStatus(reply: Json): PdbStatus | undefined {
  if (!('status' in reply)) return undefined;
  const status = object(reply['status'], 'status');
  const location = toLocation(status['location']);
  switch (status['state']) {
    case 'stopped':
      return { state: { kind: 'stopped' }, location };
    case 'exited':
      return { state: { kind: 'exited', code: integer(status['code'], 'status') }, location: null };
    case 'crashed':
      return { state: { kind: 'crashed', reason: string(status['reason'], 'status') }, location };
    default:
      throw malformed('status');
  }
}

/** fred_eval's `{"value": repr}`; `{"error": "NameError: ..."}` becomes a bad-expression error. */
export function toValue(reply: Json): string {
  if ('error' in reply) throw new FredError('bad-expression', string(reply['error'], 'evaluation'));
  return string(reply['value'], 'evaluation');
}

export function toFrames(reply: Json): Frame[] {
  if (!Array.isArray(reply['frames'])) throw malformed('backtrace');
  return reply['frames'].map((value) => {
    const frame = object(value, 'frame');
    return {
      level: integer(frame['level'], 'frame'),
      function: string(frame['function'], 'frame'),
      file: string(frame['file'], 'frame'),
      line: integer(frame['line'], 'frame'),
    };
  });
}

export function toBreakpoints(reply: Json): Breakpoint[] {
  if (!Array.isArray(reply['breakpoints'])) throw malformed('breakpoint list');
  return reply['breakpoints'].map((value) => {
    const entry = object(value, 'breakpoint');
    const breakpoint: Breakpoint = {
      id: integer(entry['id'], 'breakpoint'),
      spec: string(entry['spec'], 'breakpoint'),
      file: string(entry['file'], 'breakpoint'),
      line: integer(entry['line'], 'breakpoint'),
      enabled: entry['enabled'] === true,
      hits: integer(entry['hits'], 'breakpoint'),
    };
    const functionName = optionalString(entry['function'], 'breakpoint');
    if (functionName !== undefined) breakpoint.function = functionName;
    const condition = optionalString(entry['condition'], 'breakpoint');
    if (condition !== undefined) breakpoint.condition = condition;
    return breakpoint;
  });
}
