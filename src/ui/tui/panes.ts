// The blessed widgets of the terminal UI, one per pane, placed by `computeLayout` on every resize.
// Widgets only display text; all input goes through the screen's keypress handler in the app.

import blessed from 'blessed';
import { computeLayout, fitsMinimum, innerSize, MINIMUM_COLUMNS, MINIMUM_ROWS, type Layout, type Rectangle } from './layout.js';
import type { Theme } from './theme.js';

type Box = blessed.Widgets.BoxElement;

export class Panes {
  readonly source: Box;
  readonly stack: Box;
  readonly variables: Box;
  readonly timeline: Box;
  readonly programOutput: Box;
  readonly console: Box;
  readonly commandLine: Box;
  readonly status: Box;
  readonly help: Box;
  private readonly tooSmall: Box;
  layout: Layout;

  constructor(readonly screen: blessed.Widgets.Screen, private readonly theme: Theme) {
    const bordered = (label: string) => blessed.box({
      parent: screen,
      label: ` ${label} `,
      border: { type: 'line' },
      tags: true,
      wrap: false,
      style: { border: {} },
    });
    const row = () => blessed.box({ parent: screen, height: 1, tags: true, wrap: false });
    this.source = bordered('Source');
    this.stack = bordered('Stack');
    this.variables = bordered('Variables');
    this.programOutput = bordered('Program output');
    this.console = bordered('Console');
    this.timeline = row();
    this.commandLine = row();
    this.status = row();
    this.help = blessed.box({
      parent: screen,
      label: ' fred keys (Up/Down scroll, any other key closes) ',
      border: { type: 'line' },
      tags: true,
      hidden: true,
      scrollable: true,
      alwaysScroll: true,
      top: 1,
      left: 'center',
      width: '96%',
      height: '100%-2',
    });
    this.tooSmall = blessed.box({ parent: screen, hidden: true, top: 0, left: 0, width: '100%', height: '100%' });
    this.layout = computeLayout(screen.cols, screen.rows);
    this.apply();
  }

  /** Places every pane for the screen's current size. */
  apply(): void {
    const { cols, rows } = this.screen;
    const fits = fitsMinimum(cols, rows);
    this.layout = computeLayout(cols, rows);
    const placements: [Box, Rectangle][] = [
      [this.source, this.layout.source],
      [this.stack, this.layout.stack],
      [this.variables, this.layout.variables],
      [this.timeline, this.layout.timeline],
      [this.programOutput, this.layout.programOutput],
      [this.console, this.layout.console],
      [this.commandLine, this.layout.commandLine],
      [this.status, this.layout.status],
    ];
    for (const [box, rectangle] of placements) {
      box.left = rectangle.left;
      box.top = rectangle.top;
      box.width = rectangle.width;
      box.height = rectangle.height;
      if (fits) box.show();
      else box.hide();
    }
    if (fits) this.tooSmall.hide();
    else {
      this.tooSmall.setContent(`fred needs at least ${MINIMUM_COLUMNS}x${MINIMUM_ROWS}; this terminal is ${cols}x${rows}. (q quits)`);
      this.tooSmall.show();
    }
  }

  /** Rows and columns inside a bordered pane, as laid out now. */
  inner(pane: keyof Omit<Layout, 'timeline' | 'commandLine' | 'status'>): { width: number; height: number } {
    return innerSize(this.layout[pane]);
  }

  /** Marks the pane the arrow keys move in. */
  setFocus(focused: 'source' | 'stack', sourceLabel: string): void {
    const mark = (box: Box, label: string, on: boolean) => {
      box.setLabel(on ? ` [${label}] ` : ` ${label} `);
      if (this.theme.focusColour) box.style.border = on ? { fg: this.theme.focusColour } : {};
    };
    mark(this.source, sourceLabel, focused === 'source');
    mark(this.stack, 'Stack', focused === 'stack');
  }
}
