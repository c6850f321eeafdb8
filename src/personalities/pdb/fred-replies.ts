// Decodes fred_pdb's `@fred {json}` replies into the Debugger interface's types. fred_pdb is our
// own code, so a reply of the wrong shape is an internal error, never a user's mistake.

import { FredError } from '../../errors.js';
import type { Breakpoint, Frame, Location, ProgramState } from '../../debugger/types.js';
import type { BreakpointHitsResult, Mark, ScanEntry, ScanResult, ScanStatus, WatchEntry, WatchScanResult } from '../../debugger/replay.js';

/** What every reply ends with: where the program is and whether it still runs. */
export interface PdbStatus {
  state: ProgramState;
  location: Location | null;
  /** The command let the program run (or moved it, like `jump`). */
  resumed?: boolean;
  /** Ctrl-C (`interrupt()`) stopped the program. */
  interrupted?: boolean;
  /** Exited, but held at its last event (the main module returning): still inspectable. */
  held?: boolean;
  /** The moment the program stands at, as fred_mark would answer (absent when it is not there). */
  mark?: Mark;
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
  const flags = {
    ...(status['resumed'] === true ? { resumed: true } : {}),
    ...(status['interrupted'] === true ? { interrupted: true } : {}),
    ...(status['held'] === true ? { held: true } : {}),
    ...(status['mark'] !== undefined ? { mark: toMark(status['mark']) } : {}),
  };
  switch (status['state']) {
    case 'stopped':
      return { state: { kind: 'stopped' }, location, ...flags };
    case 'exited':
      return { state: { kind: 'exited', code: integer(status['code'], 'status') }, location: null, ...flags };
    case 'crashed':
      return { state: { kind: 'crashed', reason: string(status['reason'], 'status') }, location, ...flags };
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
      ...(frame['selected'] === true ? { selected: true } : {}),
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

/** A moment of a pdb run: frame boundaries E, and events k since the last one (fred_pdb_events). */
export type PdbPosition = readonly [number, number];

/**
 * A moment as fred_pdb names it: `{"index": [E, k], file, line, function, depth}` plus
 * `"crashed": true` in post mortem, or `"inexact": true` where k is not known (unreplayable).
 * The key is the position, which is what makes the moment unique.
 */
export function toMark(value: unknown): Mark {
  const mark = object(value, 'mark');
  const index = toPosition(mark['index'], 'mark');
  const crashed = mark['crashed'] === true;
  const location = toLocation(mark);
  if (!location) throw malformed('mark');
  const key = `pdb:${index[0]}.${index[1]}`;
  return {
    key: crashed ? `${key}:crashed` : key,
    location,
    payload: JSON.stringify(crashed ? { index, crashed } : { index }),
    // A Ctrl-C that stopped a frame running untraced: events since its boundary were not counted.
    ...(mark['inexact'] === true ? { unreplayable: true } : {}),
  };
}

/** The position a pdb mark stands for (a crash: the position the run crashed at). */
export function markPosition(mark: Mark): PdbPosition {
  const index: unknown = (JSON.parse(mark.payload) as Record<string, unknown>)['index'];
  return toPosition(index, `pdb mark ${mark.key}`);
}

export function toPosition(value: unknown, what: string): PdbPosition {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((part) => Number.isSafeInteger(part) && (part as number) >= 0)) {
    throw malformed(what);
  }
  return [value[0] as number, value[1] as number];
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function comparePositions(a: PdbPosition, b: PdbPosition): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

function toScanStatus(value: unknown): ScanStatus {
  if (value === 'reached' || value === 'ended' || value === 'limit') return value;
  throw malformed('scan status');
}

/** fred_scan's `{"scan": {"status": ..., "entries": [{"kind": ..., "mark": ...}]}}`. */
export function toScanResult(reply: Json): ScanResult {
  const scan = object(reply['scan'], 'scan');
  if (!Array.isArray(scan['entries'])) throw malformed('scan');
  const entries = scan['entries'].map((value): ScanEntry => {
    const entry = object(value, 'scan entry');
    const kind = entry['kind'];
    if (kind !== 'stop' && kind !== 'entered') throw malformed('scan entry');
    return { kind, mark: toMark(entry['mark']) };
  });
  return { status: toScanStatus(scan['status']), entries };
}

/** fred_breakpoint_hits's `{"hits": {"status": ..., "marks": [...]}}`. */
export function toHitsResult(reply: Json): BreakpointHitsResult {
  const hits = object(reply['hits'], 'breakpoint hits');
  if (!Array.isArray(hits['marks'])) throw malformed('breakpoint hits');
  return { status: toScanStatus(hits['status']), hits: hits['marks'].map(toMark) };
}

function toWatchEntry(value: unknown): WatchEntry {
  const entry = object(value, 'scan entry');
  const kind = entry['kind'];
  if (kind !== 'stop' && kind !== 'entered') throw malformed('scan entry');
  return { kind, mark: toMark(entry['mark']), value: string(entry['value'], 'scan entry') };
}

/** fred_watch_scan's `{"scan": {"status": ..., "entries": [{"kind", "mark", "value"}]}}`. */
export function toWatchScanResult(reply: Json): WatchScanResult {
  const scan = object(reply['scan'], 'scan');
  if (!Array.isArray(scan['entries'])) throw malformed('scan');
  const status = scan['status'] === 'changed' ? 'changed' : toScanStatus(scan['status']);
  return { status, entries: scan['entries'].map(toWatchEntry) };
}

/** fred_last_different's `{"last_different": {"status": ..., "last": entry or null}}`. */
export function toLastDifferent(reply: Json): { status: ScanStatus; last?: WatchEntry } {
  const result = object(reply['last_different'], 'last-different result');
  const status = toScanStatus(result['status']);
  return result['last'] === null || result['last'] === undefined ? { status } : { status, last: toWatchEntry(result['last']) };
}
