// A timeline as plain JSON, for sessions saved to disk (fred --save-session, --resume): moments
// refer to each other by serial; checkpoints keep their backend ids, which the saved session's
// checkpoint store keeps too.

import { FredError } from '../errors.js';
import type { Mark } from '../debugger/replay.js';
import type { ProgramState } from '../debugger/types.js';
import type { Arrival, Moment } from './moment.js';
import { chain } from './moment.js';

/** What a Timeline hands out and takes back (Timeline.exportState / importState). */
export interface TimelineState {
  /** Every moment the timeline knows by mark. */
  moments: Moment[];
  current: Moment | null;
  history: { command: string; before: Moment }[];
  nextUserCheckpoint: number;
  serial: number;
}

interface SavedMoment {
  serial: number;
  mark: Mark | null;
  previous: number | null;
  arrival: Arrival;
  outputBytes: number;
  costSinceCheckpoint: number;
  ended?: boolean;
  endState?: ProgramState;
  checkpoint?: number;
  interruption?: boolean;
  userCheckpoint?: number;
}

export interface SavedTimeline {
  moments: SavedMoment[];
  current: number | null;
  history: { command: string; before: number }[];
  nextUserCheckpoint: number;
  serial: number;
}

export function saveTimeline(state: TimelineState): SavedTimeline {
  // Moments without a mark (an unheld end) are not indexed: find them through the chains too.
  const all = new Map<number, Moment>();
  const roots = [...state.moments, ...state.history.map((entry) => entry.before), ...(state.current ? [state.current] : [])];
  for (const root of roots) {
    for (const moment of chain(root)) all.set(moment.serial, moment);
  }
  const moments = [...all.values()].sort((a, b) => a.serial - b.serial).map((moment): SavedMoment => ({
    serial: moment.serial,
    mark: moment.mark,
    previous: moment.previous?.serial ?? null,
    arrival: moment.arrival,
    outputBytes: moment.outputBytes,
    costSinceCheckpoint: moment.costSinceCheckpoint,
    ...(moment.ended !== undefined ? { ended: moment.ended } : {}),
    ...(moment.endState !== undefined ? { endState: moment.endState } : {}),
    ...(moment.checkpoint !== undefined ? { checkpoint: moment.checkpoint } : {}),
    ...(moment.interruption !== undefined ? { interruption: moment.interruption } : {}),
    ...(moment.userCheckpoint !== undefined ? { userCheckpoint: moment.userCheckpoint } : {}),
  }));
  return {
    moments,
    current: state.current?.serial ?? null,
    history: state.history.map((entry) => ({ command: entry.command, before: entry.before.serial })),
    nextUserCheckpoint: state.nextUserCheckpoint,
    serial: state.serial,
  };
}

export function loadTimeline(saved: SavedTimeline): TimelineState {
  const bySerial = new Map<number, Moment>();
  const find = (serial: number): Moment => {
    const moment = bySerial.get(serial);
    if (!moment) throw new FredError('usage', `the saved session is damaged: no moment ${serial}`);
    return moment;
  };
  // Serials grow along every chain, so a moment's previous is always loaded before it.
  for (const entry of [...saved.moments].sort((a, b) => a.serial - b.serial)) {
    const { previous, ...fields } = entry;
    bySerial.set(entry.serial, { ...fields, previous: previous === null ? null : find(previous) });
  }
  return {
    moments: [...bySerial.values()].filter((moment) => moment.mark !== null),
    current: saved.current === null ? null : find(saved.current),
    history: saved.history.map((entry) => ({ command: entry.command, before: find(entry.before) })),
    nextUserCheckpoint: saved.nextUserCheckpoint,
    serial: saved.serial,
  };
}
