// The source pane's text: line numbers, breakpoint and current-line markers in the gutter, the
// current line highlighted and the cursor line underlined, scrolled to keep a given line in view.

import { readFileSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import { escapeTags, expandTabs, fit } from './text-fit.js';
import type { Theme } from './theme.js';

/** Source files read once per session (fred debugs a program whose sources do not change meanwhile). */
export class SourceFiles {
  private readonly cache = new Map<string, string[] | null>();

  lines(file: string): string[] | null {
    if (!this.cache.has(file)) {
      let lines: string[] | null = null;
      try {
        lines = readFileSync(file, 'utf8').replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n').map((line) => expandTabs(line, 4));
      } catch {
        // Not a file the user can read (C library internals, `<string>`): the pane says so.
      }
      this.cache.set(file, lines);
    }
    return this.cache.get(file)!;
  }
}

export interface SourceViewInput {
  lines: string[];
  width: number;
  height: number;
  /** The first line shown (1-based). */
  top: number;
  /** The line the program (or the selected frame) is at, if in this file. */
  currentLine?: number;
  cursorLine: number;
  breakpointLines: ReadonlySet<number>;
  theme: Theme;
}

/** `height` rows of tagged text. */
export function renderSource(input: SourceViewInput): string {
  const { lines, width, height, theme } = input;
  const numberWidth = Math.max(String(lines.length).length, 3);
  const rows: string[] = [];
  for (let row = 0; row < height; row++) {
    const lineNumber = input.top + row;
    if (lineNumber > lines.length) {
      rows.push('');
      continue;
    }
    const breakpoint = input.breakpointLines.has(lineNumber);
    const current = lineNumber === input.currentLine;
    const gutter = `${breakpoint ? theme.glyphs.breakpoint : ' '}${current ? theme.glyphs.currentLine : ' '}${String(lineNumber).padStart(numberWidth)} `;
    const text = fit(lines[lineNumber - 1]!, width - gutter.length);
    if (current) {
      rows.push(theme.currentLine(escapeTags(gutter + text)));
      continue;
    }
    const marker = breakpoint ? theme.breakpoint(escapeTags(gutter.slice(0, 1))) : ' ';
    const rest = escapeTags(gutter.slice(1)) + escapeTags(text);
    rows.push(marker + (lineNumber === input.cursorLine ? theme.cursorLine(rest) : rest));
  }
  return rows.join('\n');
}

/** Whether a breakpoint's file (absolute, or as the user wrote it) is `file` (absolute). */
export function sameSourceFile(breakpointFile: string | undefined, file: string): boolean {
  if (breakpointFile === undefined) return false;
  return breakpointFile === file || (!isAbsolute(breakpointFile) && basename(breakpointFile) === basename(file));
}

/** The first line to show so that `line` is in view: unchanged if it already is, else centred. */
export function scrollToShow(top: number, line: number, height: number, lineCount: number): number {
  if (line >= top && line < top + height) return top;
  return centreOn(line, height, lineCount);
}

/** The first line to show with `line` in the middle of the pane (as near as the file allows). */
export function centreOn(line: number, height: number, lineCount: number): number {
  return Math.max(Math.min(line - Math.floor(height / 2), lineCount - height + 1), 1);
}
