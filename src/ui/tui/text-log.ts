// A pane's scrollback: text arriving in pieces, kept as capped lines and drawn from the end.
// Control sequences are dropped: the pane is no terminal emulator, they would corrupt the screen.

import { expandTabs } from './text-fit.js';

const LINE_LIMIT = 2000;

export interface LogLine {
  text: string;
  /** How the app marks it up (echoed command, error...). */
  style: 'plain' | 'command' | 'error';
}

export class TextLog {
  private readonly lines: LogLine[] = [];
  /** The last line is still being written (no newline yet). */
  private open = false;

  append(text: string, style: LogLine['style'] = 'plain'): void {
    // eslint-disable-next-line no-control-regex
    const clean = text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b./g, '').replace(/\r\n/g, '\n');
    const pieces = clean.split('\n');
    pieces.forEach((piece, index) => {
      // A lone carriage return rewrites the line (progress counters): keep what follows it.
      const visible = piece.includes('\r') ? piece.slice(piece.lastIndexOf('\r') + 1) : piece;
      const last = this.lines[this.lines.length - 1];
      if (index === 0 && this.open && last) {
        last.text = piece.includes('\r') ? visible : last.text + visible;
      } else if (index < pieces.length - 1 || visible !== '') {
        this.lines.push({ text: visible, style });
      }
    });
    this.open = !clean.endsWith('\n') && clean !== '';
    if (this.lines.length > LINE_LIMIT) this.lines.splice(0, this.lines.length - LINE_LIMIT);
  }

  /** A whole line of its own, after whatever is pending. */
  appendLine(text: string, style: LogLine['style'] = 'plain'): void {
    if (this.open) this.append('\n');
    this.append(text.endsWith('\n') ? text : `${text}\n`, style);
  }

  /** The last `height` rows of the log wrapped at `width` columns. */
  tailRows(width: number, height: number): LogLine[] {
    const rows: LogLine[] = [];
    for (let index = this.lines.length - 1; index >= 0 && rows.length < height; index--) {
      const line = this.lines[index]!;
      const pieces = wrap(expandTabs(line.text), Math.max(width, 1)).map((text) => ({ text, style: line.style }));
      rows.unshift(...pieces.slice(-(height - rows.length)));
    }
    return rows;
  }

  get length(): number {
    return this.lines.length;
  }
}

/** Rows of at most `width` columns, broken after the last space that fits; a word longer than a
 * row is cut where the row ends. */
export function wrap(text: string, width: number): string[] {
  const rows: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const space = rest.lastIndexOf(' ', width);
    if (space > 0 && rest.slice(0, space).trim() !== '') {
      rows.push(rest.slice(0, space).replace(/ +$/, ''));
      rest = rest.slice(space).replace(/^ +/, '');
    } else {
      rows.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
  }
  rows.push(rest);
  return rows;
}
