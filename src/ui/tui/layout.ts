// Where each pane of the terminal UI goes for a terminal of a given size. Pure geometry, recomputed
// on every resize, so the layout never depends on what blessed remembers from the last size.

export interface Rectangle {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Layout {
  source: Rectangle;
  stack: Rectangle;
  variables: Rectangle;
  timeline: Rectangle;
  programOutput: Rectangle;
  console: Rectangle;
  commandLine: Rectangle;
  status: Rectangle;
}

/** Below this the panes cannot show anything useful; the UI asks for a bigger terminal instead. */
export const MINIMUM_COLUMNS = 60;
export const MINIMUM_ROWS = 16;

export function fitsMinimum(columns: number, rows: number): boolean {
  return columns >= MINIMUM_COLUMNS && rows >= MINIMUM_ROWS;
}

/**
 * Top: source (left), stack over variables (right). Then one timeline row, the program's output
 * beside the console, the command line, and the status line at the very bottom.
 */
export function computeLayout(columns: number, rows: number): Layout {
  const bottomHeight = clamp(Math.round(rows * 0.3), 5, 16);
  const topHeight = Math.max(rows - 3 - bottomHeight, 4);
  const rightWidth = clamp(Math.round(columns * 0.35), 24, 60);
  const sourceWidth = Math.max(columns - rightWidth, 10);
  const stackHeight = clamp(Math.floor(topHeight * 0.4), 4, 14);
  const outputWidth = Math.floor(columns / 2);
  const bottomTop = topHeight + 1;
  return {
    source: { left: 0, top: 0, width: sourceWidth, height: topHeight },
    stack: { left: sourceWidth, top: 0, width: columns - sourceWidth, height: stackHeight },
    variables: { left: sourceWidth, top: stackHeight, width: columns - sourceWidth, height: topHeight - stackHeight },
    timeline: { left: 0, top: topHeight, width: columns, height: 1 },
    programOutput: { left: 0, top: bottomTop, width: outputWidth, height: bottomHeight },
    console: { left: outputWidth, top: bottomTop, width: columns - outputWidth, height: bottomHeight },
    commandLine: { left: 0, top: rows - 2, width: columns, height: 1 },
    status: { left: 0, top: rows - 1, width: columns, height: 1 },
  };
}

/** Rows and columns inside a bordered pane. */
export function innerSize(rectangle: Rectangle): { width: number; height: number } {
  return { width: Math.max(rectangle.width - 2, 0), height: Math.max(rectangle.height - 2, 0) };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}
