// The timeline bar: recorded execution from the program's start (left), its checkpoints, where
// commands started, where the program is now, and during reverse-watch the stretch being searched.

import type { CheckpointInfo, HistoryEntry } from '../../timeline/timeline.js';
import { chain, type Moment } from '../../timeline/moment.js';
import { escapeTags, fit } from './text-fit.js';
import type { Theme } from './theme.js';

export type LandmarkKind = 'stop' | 'start' | 'automatic-checkpoint' | 'user-checkpoint' | 'now';

export interface Landmark {
  moment: Moment;
  kind: LandmarkKind;
}

export interface TimelineModel {
  landmarks: Landmark[];
  /** Commands in the history (what `undo` can take back). */
  moves: number;
  checkpoints: number;
}

/** The part of the bar a reverse-watch search is working on. */
export interface SearchStretch {
  earlier: Moment;
  later: Moment;
  low: number;
  high: number;
}

/** A search as the timeline row reports it. */
export interface SearchProgress extends SearchStretch {
  phase: 'checkpoints' | 'bisecting' | 'statements';
  probes: number;
  spinner: string;
  seconds: number;
}

const PRECEDENCE: Record<LandmarkKind, number> = { stop: 0, start: 1, 'automatic-checkpoint': 2, 'user-checkpoint': 3, now: 4 };

export const EMPTY_TIMELINE: TimelineModel = { landmarks: [], moves: 0, checkpoints: 0 };

/**
 * fred knows the exact order of moments only along `previous` chains (gdb's moments carry no
 * global clock), so the bar is ordinal: the current moment's chain gives everything before it, in
 * order; moments with the current one on their chain come after it; moments on other branches are
 * ones the user came back from (reverse commands land on branches scanned from an earlier
 * checkpoint), so they are drawn after it too, oldest first.
 */
export function buildTimeline(current: Moment | null, history: HistoryEntry[], checkpoints: CheckpointInfo[]): TimelineModel {
  if (!current) return { ...EMPTY_TIMELINE, moves: history.length, checkpoints: checkpoints.length };
  const past = [...chain(current)].reverse();
  const kinds = new Map<Moment, LandmarkKind>();
  const mark = (moment: Moment, kind: LandmarkKind) => {
    const known = kinds.get(moment);
    if (known === undefined || PRECEDENCE[kind] > PRECEDENCE[known]) kinds.set(moment, kind);
  };
  for (const entry of history) mark(entry.before, 'stop');
  for (const checkpoint of checkpoints) mark(checkpoint.moment, checkpoint.kind === 'user' ? 'user-checkpoint' : 'automatic-checkpoint');
  mark(past[0]!, 'start');
  mark(current, 'now');

  const position = new Map(past.map((moment, index) => [moment, index]));
  const before: Landmark[] = [];
  const after: { landmark: Landmark; distance: number }[] = [];
  for (const [moment, kind] of kinds) {
    if (position.has(moment)) {
      before.push({ moment, kind });
      continue;
    }
    // Distance down to the current moment along this moment's chain, or Infinity: another branch.
    let distance = 0;
    let found = false;
    for (const earlier of chain(moment)) {
      if (earlier === current) {
        found = true;
        break;
      }
      distance++;
    }
    after.push({ landmark: { moment, kind }, distance: found ? distance : Number.POSITIVE_INFINITY });
  }
  before.sort((a, b) => position.get(a.moment)! - position.get(b.moment)!);
  after.sort((a, b) => a.distance - b.distance || a.landmark.moment.serial - b.landmark.moment.serial);
  return {
    landmarks: [...before, ...after.map((entry) => entry.landmark)],
    moves: history.length,
    checkpoints: checkpoints.length,
  };
}

/**
 * The whole timeline row: a label, the bar, and a summary (the history's size, or during a search
 * its phase, probes, spinner and seconds so far).
 */
export function timelineRow(model: TimelineModel, width: number, theme: Theme, search?: SearchProgress): string {
  let summary: string;
  if (search) {
    const left = Math.max(Math.round((search.high - search.low) * 100), 0);
    const phase = search.phase === 'bisecting' ? `bisecting, ${left}% left` : search.phase;
    summary = ` ${phase}: ${search.probes} probes ${search.spinner} ${search.seconds.toFixed(1)}s`;
  } else {
    summary = ` ${plural(model.moves, 'move')}, ${plural(model.checkpoints, 'checkpoint')}`;
  }
  const label = 'Time ';
  const barWidth = Math.max(width - label.length - summary.length, 10);
  const bar = renderTimeline(model, barWidth, theme, search);
  return theme.dim(label) + bar + escapeTags(fit(summary, width - label.length - barWidth, ''));
}

/** The bar, `width` columns of tagged text. */
export function renderTimeline(model: TimelineModel, width: number, theme: Theme, search?: SearchStretch): string {
  if (width <= 0) return '';
  const { glyphs } = theme;
  const cells = Array.from({ length: width }, () => glyphs.timelineLine);
  const ranks = new Array<number>(width).fill(-1);
  cells[0] = glyphs.timelineStart;
  cells[width - 1] = glyphs.timelineEnd;
  const count = model.landmarks.length;
  const column = (index: number) => (count <= 1 ? 0 : Math.round((index * (width - 1)) / (count - 1)));
  model.landmarks.forEach((landmark, index) => {
    const at = column(index);
    const rank = PRECEDENCE[landmark.kind];
    if (rank < ranks[at]!) return;
    ranks[at] = rank;
    cells[at] = glyphFor(landmark.kind, theme);
  });
  if (!search) return cells.map(escapeGlyph).join('');

  const columnOf = (moment: Moment, fallback: number) => {
    const index = model.landmarks.findIndex((landmark) => landmark.moment === moment);
    return index < 0 ? fallback : column(index);
  };
  const from = columnOf(search.earlier, 0);
  const to = columnOf(search.later, width - 1);
  const low = Math.round(from + search.low * (to - from));
  const high = Math.max(Math.round(from + search.high * (to - from)), low);
  for (let at = low; at <= high; at++) {
    if (ranks[at]! < PRECEDENCE['automatic-checkpoint']) cells[at] = glyphs.searchFill;
  }
  const text = cells.map(escapeGlyph);
  return text.slice(0, low).join('') + theme.bar(text.slice(low, high + 1).join('')) + text.slice(high + 1).join('');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function glyphFor(kind: LandmarkKind, theme: Theme): string {
  switch (kind) {
    case 'now': return theme.glyphs.now;
    case 'user-checkpoint': return theme.glyphs.userCheckpoint;
    case 'automatic-checkpoint': return theme.glyphs.automaticCheckpoint;
    case 'start': return theme.glyphs.timelineStart;
    case 'stop': return theme.glyphs.stop;
  }
}

function escapeGlyph(glyph: string): string {
  return glyph === '{' ? '{open}' : glyph === '}' ? '{close}' : glyph;
}
