// The terminal UI's pure parts: layout geometry, the line editor, the scrollback, the timeline's
// ordering and bar, and the source pane's text. No terminal, no debugger.

import { describe, expect, it } from 'vitest';
import { computeLayout, type Rectangle } from '../../src/ui/tui/layout.js';
import { LineEditor } from '../../src/ui/tui/line-editor.js';
import { TextLog, wrap } from '../../src/ui/tui/text-log.js';
import { buildTimeline, renderTimeline } from '../../src/ui/tui/timeline-view.js';
import { renderSource } from '../../src/ui/tui/source-view.js';
import { themeFor } from '../../src/ui/tui/theme.js';
import type { Moment } from '../../src/timeline/moment.js';

const ascii = themeFor(0, false);

describe('layout', () => {
  it.each([[80, 24], [60, 16], [120, 40], [237, 71]])('fills %ix%i with panes that do not overlap', (columns, rows) => {
    const layout = computeLayout(columns, rows);
    const panes = Object.values(layout) as Rectangle[];
    const covered = new Array<number>(columns * rows).fill(0);
    for (const pane of panes) {
      expect(pane.left).toBeGreaterThanOrEqual(0);
      expect(pane.top).toBeGreaterThanOrEqual(0);
      expect(pane.left + pane.width).toBeLessThanOrEqual(columns);
      expect(pane.top + pane.height).toBeLessThanOrEqual(rows);
      for (let y = pane.top; y < pane.top + pane.height; y++) {
        for (let x = pane.left; x < pane.left + pane.width; x++) covered[y * columns + x]!++;
      }
    }
    expect(covered.every((count) => count === 1)).toBe(true);
    expect(layout.status).toEqual({ left: 0, top: rows - 1, width: columns, height: 1 });
    expect(layout.commandLine.top).toBe(rows - 2);
    // Every bordered pane keeps at least two rows inside.
    for (const pane of [layout.source, layout.stack, layout.variables, layout.programOutput, layout.console]) {
      expect(pane.height).toBeGreaterThanOrEqual(4);
    }
  });
});

describe('line editor', () => {
  it('edits at the cursor and walks the history, keeping the line being written', () => {
    const editor = new LineEditor(['break main', 'run']);
    for (const character of 'pint x') editor.handle(character, character);
    editor.handle('left', undefined);
    editor.handle('home', undefined);
    editor.handle('right', undefined);
    editor.handle('r', 'r');
    expect(editor.text).toBe('print x');
    expect(editor.handle('up', undefined)).toBe('edited');
    expect(editor.text).toBe('run');
    editor.handle('up', undefined);
    expect(editor.text).toBe('break main');
    expect(editor.handle('up', undefined)).toBe('ignored');
    editor.handle('down', undefined);
    editor.handle('down', undefined);
    expect(editor.text).toBe('print x');
    expect(editor.handle('enter', undefined)).toBe('submit');
    expect(editor.handle('escape', undefined)).toBe('cancel');
    editor.remember('print x');
    editor.reset();
    editor.handle('up', undefined);
    expect(editor.text).toBe('print x');
  });
});

describe('text log', () => {
  it('joins pieces into lines, honours carriage returns, drops escape sequences and wraps from the end', () => {
    const log = new TextLog();
    log.append('abc');
    log.append('def\nprogress 10%\rprogress 20%\n');
    log.append('\x1b[31mred\x1b[0m\n');
    log.appendLine('(fred) next', 'command');
    log.append('0123456789');
    expect(log.tailRows(100, 10).map((row) => row.text)).toEqual(['abcdef', 'progress 20%', 'red', '(fred) next', '0123456789']);
    // Long lines wrap after the last space that fits; a longer word is cut at the edge.
    expect(log.tailRows(4, 5).map((row) => row.text)).toEqual(['d)', 'next', '0123', '4567', '89']);
    expect(wrap('the quick brown fox', 10)).toEqual(['the quick', 'brown fox']);
    expect(wrap('a  verylongword end', 6)).toEqual(['a', 'verylo', 'ngword', 'end']);
    expect(log.tailRows(100, 2)[0]!.style).toBe('command');
  });
});

/** A moment for timeline tests (only the fields the bar reads matter). */
function moment(previous: Moment | null, serial: number, checkpoint?: number): Moment {
  return { mark: null, previous, arrival: 'other', outputBytes: 0, costSinceCheckpoint: 0, serial, ...(checkpoint === undefined ? {} : { checkpoint }) };
}

describe('timeline', () => {
  // start -> a -> b (now); c hangs off a (scanned later, the moment a reverse command came back
  // from); d comes after b.
  const start = moment(null, 0, 1);
  const a = moment(start, 1, 2);
  const b = moment(a, 2);
  const c = moment(a, 5);
  const d = moment(b, 3, 3);

  it('orders the past along the current chain, then what comes after it', () => {
    const model = buildTimeline(b, [{ command: 'next', before: a }, { command: 'reverse-step', before: c }], [
      { id: 1, kind: 'automatic', moment: start },
      { id: 2, kind: 'user', moment: a },
      { id: 3, kind: 'automatic', moment: d },
    ]);
    expect(model.landmarks.map((landmark) => [landmark.moment.serial, landmark.kind])).toEqual([
      [0, 'automatic-checkpoint'], [1, 'user-checkpoint'], [2, 'now'], [3, 'automatic-checkpoint'], [5, 'stop'],
    ]);
    expect(model.moves).toBe(2);
    expect(model.checkpoints).toBe(3);
  });

  it('draws the landmarks spread over the bar, and the searched stretch', () => {
    const model = buildTimeline(b, [], [{ id: 1, kind: 'automatic', moment: start }, { id: 2, kind: 'user', moment: a }]);
    expect(renderTimeline(model, 9, ascii)).toBe('o---#---^');
    // The second half of the stretch from a (column 4) to b (column 8): columns 6 to 8.
    const searching = renderTimeline(model, 9, ascii, { earlier: a, later: b, low: 0.5, high: 1 });
    expect(searching).toBe('o---#-{inverse}==^{/inverse}');
  });
});

describe('source pane', () => {
  it('marks breakpoints and the current line in the gutter, highlights the current line, underlines the cursor', () => {
    const text = renderSource({
      lines: ['int main(void)', '{', '  return {0};', '    /* a long comment */'],
      width: 20,
      height: 3,
      top: 2,
      currentLine: 3,
      cursorLine: 4,
      breakpointLines: new Set([2]),
      theme: ascii,
    });
    // 20 columns: a 6-column gutter, then 14 of text, cut with a mark when longer.
    expect(text.split('\n')).toEqual([
      '{bold}*{/bold}   2 {open}             ',
      '{inverse} >  3   return {open}0{close}; {/inverse}',
      ' {underline}   4     /* a long…{/underline}',
    ]);
  });
});
