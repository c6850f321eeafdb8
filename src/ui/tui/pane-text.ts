// The text of the small panes (status line, stack, variables, logs), each a pure function of what
// the controller knows and the pane's size, returning tagged text for blessed.

import { basename } from 'node:path';
import type { Frame, Location, ProgramState } from '../../debugger/types.js';
import type { Busy, Watch } from './controller.js';
import type { LogLine } from './text-log.js';
import { escapeTags, fit } from './text-fit.js';
import type { Theme } from './theme.js';

export function describeLocation(location: Location | null): string {
  return location ? `${basename(location.file)}:${location.line} ${location.function}` : 'no location';
}

export function describeState(state: ProgramState): string {
  switch (state.kind) {
    case 'not-started': return 'not started';
    case 'stopped': return 'stopped';
    case 'exited': return `exited (code ${state.code})`;
    case 'crashed': return `crashed: ${state.reason}`;
  }
}

/** `linked_list.c:68 main │ stopped` on the left, the debugger and help hint on the right. */
export function statusLine(input: {
  location: Location | null;
  state: ProgramState;
  busy: Busy | null;
  spinner: string;
  kind: string;
  width: number;
  theme: Theme;
}): string {
  const { busy } = input;
  let state = describeState(input.state);
  if (busy) {
    const seconds = ((Date.now() - busy.started) / 1000).toFixed(1);
    state = `${input.spinner} ${busy.interrupting ? 'interrupting' : 'running'} ${busy.label} ${seconds}s`;
  }
  const separator = input.theme.glyphs.timelineLine === '─' ? '│' : '|';
  const left = ` ${describeLocation(input.location)} ${separator} ${state}`;
  const right = `${input.kind} ${separator} ? help `;
  const room = input.width - right.length;
  const text = room > left.length ? left.padEnd(room) + right : fit(left, input.width);
  return input.theme.bar(escapeTags(text));
}

/** One row per frame, the selected one marked; scrolled so it is in view. */
export function stackText(frames: Frame[], selected: number, width: number, height: number, focused: boolean, theme: Theme): string {
  if (frames.length === 0) return theme.dim('(no stack)');
  const top = stackTop(frames, selected, height);
  return frames.slice(top, top + height).map((frame) => {
    const row = fit(`${frame.level === selected ? theme.glyphs.currentLine : ' '}#${frame.level} ${frame.function} ${basename(frame.file)}:${frame.line}`, width);
    return frame.level === selected && focused ? theme.selected(escapeTags(row)) : escapeTags(row);
  }).join('\n');
}

/** The first frame shown: the selected one stays in view. */
export function stackTop(frames: Frame[], selected: number, height: number): number {
  return Math.max(Math.min(selected - Math.floor(height / 2), frames.length - height), 0);
}

/** The locals as the debugger listed them, then the watched expressions. */
export function variablesText(locals: string[], watches: Watch[], width: number, height: number, theme: Theme): string {
  const rows: string[] = [];
  const shownLocals = watches.length > 0 ? locals.slice(0, Math.max(height - watches.length - 1, 1)) : locals;
  for (const line of shownLocals) rows.push(escapeTags(fit(line, width)));
  if (locals.length === 0) rows.push(theme.dim('(no locals)'));
  if (watches.length > 0) {
    rows.push(theme.dim(escapeTags(fit(`${theme.glyphs.timelineLine.repeat(2)} watched `, width, '').padEnd(width, theme.glyphs.timelineLine))));
    for (const watch of watches) {
      const text = escapeTags(fit(`${watch.expression} = ${watch.value}`, width));
      rows.push(watch.failed ? theme.error(text) : text);
    }
  }
  return rows.slice(0, height).join('\n');
}

/** The prompt and the line being typed, the cursor shown in inverse video, scrolled to keep it in view. */
export function promptText(label: string, text: string, cursor: number, width: number): string {
  const visible = Math.max(width - label.length - 1, 1);
  const start = Math.max(cursor - visible, 0);
  const shown = text.slice(start, start + visible);
  const at = cursor - start;
  const under = escapeTags(shown.slice(at, at + 1) || ' ');
  return escapeTags(label) + escapeTags(shown.slice(0, at)) + `{inverse}${under}{/inverse}` + escapeTags(shown.slice(at + 1));
}

export function logText(rows: LogLine[], theme: Theme): string {
  return rows.map((row) => {
    const text = escapeTags(row.text);
    return row.style === 'command' ? theme.command(text) : row.style === 'error' ? theme.error(text) : text;
  }).join('\n');
}
