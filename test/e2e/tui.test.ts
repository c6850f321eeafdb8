// `fred tui` end to end on a pseudo-terminal, read back through a headless xterm: locations against
// a plain Session doing the same, the layout against resizes, quitting against leftover processes.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../src/session/session.js';
import type { Location } from '../../src/debugger/types.js';
import { prepareCli } from '../helpers/cli.js';
import { fixtureBinary, fixtureSource, markerLine } from '../helpers/fixtures.js';
import { descendants, describeProcesses, survivorsAfter, type ProcessInfo } from '../helpers/processes.js';
import { currentLineRow, sourceLineNumber, TuiTerminal, type TuiOptions } from '../helpers/tui.js';
import { dmtcpAvailable } from '../helpers/dmtcp.js';

const LINKED_LIST_C = 'linked_list.c';
const LINKED_LIST_PY = 'linked_list.py';

const open: { tui: TuiTerminal; stopWatching: () => void; seen: Map<string, ProcessInfo> }[] = [];

beforeAll(() => prepareCli());

afterEach(async () => {
  for (const { tui, stopWatching } of open.splice(0)) {
    stopWatching();
    await tui.terminate();
    tui.dispose();
  }
});

/**
 * `fred tui ARGS` with every process it ever had below it recorded from the start, so that a
 * checkpoint fork reparented before we looked is still checked after quitting.
 */
function startTui(args: string[], options?: TuiOptions): { tui: TuiTerminal; everStarted(): ProcessInfo[] } {
  const tui = new TuiTerminal(args, options);
  const seen = new Map<string, ProcessInfo>();
  const timer = setInterval(() => {
    for (const info of descendants(tui.pid)) seen.set(`${info.pid}:${info.startTime}`, info);
  }, 10);
  open.push({ tui, stopWatching: () => clearInterval(timer), seen });
  return { tui, everStarted: () => [...seen.values()] };
}

/** What the status line shows for a location: `linked_list.c:66 main`. */
function statusText(location: Location | null): string {
  if (!location) throw new Error('no location');
  return `${basename(location.file)}:${location.line} ${location.function}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The source pane's current line: its line number and whether it is drawn highlighted. */
function currentLine(tui: TuiTerminal): { line: number | undefined; highlighted: boolean } {
  const lines = tui.lines();
  const row = currentLineRow(lines);
  if (row < 0) return { line: undefined, highlighted: false };
  // Column 5 is inside the line number, past the border and the gutter's markers.
  return { line: sourceLineNumber(lines[row]!), highlighted: tui.highlighted(row, 5) };
}

/** Quits with `q`, answering the confirmation, and checks nothing fred started is left. */
async function quitCleanly(tui: TuiTerminal, everStarted: () => ProcessInfo[], expectConfirmation: boolean): Promise<void> {
  const started = everStarted();
  expect(describeProcesses(started).join(' ')).toMatch(/gdb|python/);
  tui.press('q');
  if (expectConfirmation) {
    await tui.waitForText('quit fred and kill it? (y/n)');
    tui.press('y');
  }
  const status = await tui.waitForExit(15_000);
  expect(status.exitCode).toBe(0);
  expect(describeProcesses(await survivorsAfter([...started, ...everStarted()]))).toEqual([]);
}

/**
 * Presses a movement key and waits until it is done: the timeline then counts `moves` commands.
 * (Generous: a DMTCP restore, about a second alone, was seen to take over 20 s under the full
 * suite's load; speed is the benchmark's business, not a test's.)
 */
async function move(tui: TuiTerminal, key: string, moves: number): Promise<string[]> {
  tui.press(key);
  const counted = new RegExp(` ${moves} moves?,`);
  await tui.waitFor((lines) => lines.some((line) => line.startsWith('Time ') && counted.test(line)), `${moves} moves after ${key}`, 60_000);
  return tui.waitForIdle();
}

/** Types a command line through `:` and waits for the command to finish. */
async function command(tui: TuiTerminal, line: string, expected: string | RegExp): Promise<void> {
  tui.press(':');
  await tui.waitForText(/^:/);
  tui.press(`${line}\r`);
  await tui.waitForText(expected);
}

describe('fred tui with gdb', () => {
  it('shows the location of s, s, s, S as a plain session finds it, in the status line and the highlighted source line (80x24)', async () => {
    const plain = await Session.start({ program: fixtureBinary('linked_list') });
    let expected: Location | null;
    try {
      // `s` before the program started runs it to main (gdb's `start`).
      await plain.native('start');
      await plain.step();
      expected = await plain.location();
      await plain.step();
      await plain.reverseStep();
      expect(await plain.location()).toEqual(expected);
    } finally {
      await plain.close();
    }

    const { tui, everStarted } = startTui(['--', fixtureBinary('linked_list')]);
    await tui.waitForStatus(/no location │ not started/);
    const startLine = markerLine(LINKED_LIST_C, 'start');
    tui.press('s');
    // `start` begins a new recorded history: no moves yet.
    await tui.waitForStatus(new RegExp(`linked_list\\.c:${startLine} main │ stopped`));
    expect((await move(tui, 's', 1))[23]).toContain(`${statusText(expected)} │ stopped`);
    await move(tui, 's', 2);
    await move(tui, 'S', 3);
    const lines = await tui.waitForStatus(new RegExp(`${escapeRegExp(statusText(expected))} │ stopped`));
    expect(lines).toHaveLength(24);
    expect(lines[23]).toContain(statusText(expected));
    expect(currentLine(tui)).toEqual({ line: expected!.line, highlighted: true });
    // On a colour terminal the highlight is a colour (a monochrome one gets inverse video: pdb test).
    expect(tui.coloured(currentLineRow(lines), 5)).toBe(true);
    // The source pane is titled with the file, the stack pane shows the frame.
    expect(lines[0]).toContain(basename(fixtureSource(LINKED_LIST_C)));
    expect(lines.some((line) => line.includes(`#0 main ${LINKED_LIST_C}:${expected!.line}`))).toBe(true);
    await quitCleanly(tui, everStarted, true);
  });

  it('runs a reverse-watch typed after w, shows where the value changed, and re-lays out on resize', async () => {
    const afterLoop = markerLine(LINKED_LIST_C, 'after_loop');
    const plain = await Session.start({ program: fixtureBinary('linked_list') });
    let found: Location | null;
    try {
      await plain.setBreakpoint(`${LINKED_LIST_C}:${afterLoop}`);
      await plain.continue();
      const outcome = await plain.reverseWatch('list_len(head) < 17');
      expect(outcome.found).toBe(true);
      found = outcome.location;
    } finally {
      await plain.close();
    }

    const { tui, everStarted } = startTui(['--', fixtureBinary('linked_list')]);
    await tui.waitForStatus(/not started/);
    await command(tui, `break ${LINKED_LIST_C}:${afterLoop}`, /Breakpoint 1 at/);
    tui.press('c');
    await tui.waitForStatus(new RegExp(`linked_list\\.c:${afterLoop} main │ stopped`));
    // The breakpoint's marker is in the gutter of its line.
    const marked = tui.lines().find((line) => sourceLineNumber(line) === afterLoop);
    expect(marked).toMatch(/^│●/);

    tui.press('w');
    await tui.waitForText('reverse-watch expression:');
    tui.press('list_len(head) < 17\r');
    await tui.waitForText('list_len(head) < 17 changed: 0 -> 1');
    let lines = await tui.waitForStatus(new RegExp(`${escapeRegExp(statusText(found))} │ stopped`));
    expect(currentLine(tui)).toEqual({ line: found!.line, highlighted: true });
    // The timeline shows where the program is now, with the moment it came back from after it.
    const timeline = lines.find((line) => line.startsWith('Time '))!;
    expect(timeline).toMatch(/▲.*[○·].*1 move,/);
    expect(lines.some((line) => line.includes('hops = 8'))).toBe(true);

    // Selecting the caller in the stack pane shows its line and its locals; the status line
    // still shows where the program is.
    tui.press('\t');
    await tui.waitForText('[Stack]');
    tui.press('\x1b[A');
    const appendLine = markerLine(LINKED_LIST_C, 'append');
    await tui.waitFor(() => currentLine(tui).line === appendLine, 'the caller\'s line');
    lines = await tui.waitForText(/^│.*││i = 17\s*│$/);
    expect(lines[23]).toContain(statusText(found));
    tui.press('\x1b[B');
    await tui.waitFor(() => currentLine(tui).line === found!.line, 'the innermost frame again');
    tui.press('\t');
    await tui.waitForText('[linked_list.c]');
    // `up` and `down` typed on the command line move the stack pane's selection with gdb's.
    await command(tui, 'up', /^│.*#1 .*main .*linked_list\.c/);
    await tui.waitFor(() => currentLine(tui).line === appendLine, 'the caller\'s line after :up');
    expect(tui.lines().some((line) => line.includes(`▶#1 main ${LINKED_LIST_C}:${appendLine}`))).toBe(true);
    await command(tui, 'down', /^│.*#0 .*append/);
    await tui.waitFor(() => currentLine(tui).line === found!.line, 'the innermost frame after :down');

    tui.resize(120, 40);
    lines = await tui.waitFor((rows) => rows.length === 40 && (rows[39] ?? '').includes(statusText(found)), 'the status line on row 40');
    expect(lines[39]).toMatch(/gdb │ \? help\s*$/);
    expect(lines[0]).toHaveLength(120);
    expect(lines[0]).toMatch(/^┌.*┐$/);
    expect(lines[38]!.length).toBeGreaterThan(80);
    // The bigger source pane shows more lines, the current one still highlighted.
    expect(currentLine(tui)).toEqual({ line: found!.line, highlighted: true });

    tui.resize(80, 24);
    lines = await tui.waitFor((rows) => rows.length === 24 && (rows[23] ?? '').includes(statusText(found)) && (rows[0] ?? '').length === 80, 'the status line back on row 24');
    expect(lines[23]).toContain(statusText(found));
    await quitCleanly(tui, everStarted, true);
  });

  it('shows the search and its progress during reverse-watch, and Ctrl-C cancels it leaving the session usable', async () => {
    const afterLoop = markerLine('counter_loop.c', 'after_loop');
    // A long run (a second or so natively, many automatic checkpoints) with the change near its
    // start: the search spends its first second going back through checkpoints, where Ctrl-C
    // stops it at once.
    const { tui, everStarted } = startTui(['--', fixtureBinary('counter_loop'), '300000000', '1000']);
    await tui.waitForStatus(/not started/);
    await command(tui, `break counter_loop.c:${afterLoop}`, /Breakpoint 1 at/);
    tui.press('c');
    const stoppedAt = new RegExp(`counter_loop\\.c:${afterLoop} main │ stopped`);
    await tui.waitForStatus(stoppedAt);

    tui.press('w');
    await tui.waitForText('reverse-watch expression:');
    tui.press('check()\r');
    const searching = await tui.waitFor((lines) => lines.some((line) => line.startsWith('Time ') && line.includes('═') && /checkpoints.*probes/.test(line)), 'the search on the timeline');
    expect(searching[23]).toMatch(/running reverse-watch check\(\) \d+\.\ds/);
    tui.press('\x03');
    // (The console wraps the rest of the message.)
    await tui.waitForText('fred: reverse-watch interrupted', 30_000);
    let lines = await tui.waitForStatus(stoppedAt);
    expect(currentLine(tui).line).toBe(afterLoop);

    // Still usable: the program goes on from where it was, its output shown once.
    tui.press('n');
    lines = await tui.waitFor((rows) => /counter_loop\.c:\d+ main │ stopped/.test(rows[23]!) && !stoppedAt.test(rows[23]!), 'the next line');
    await tui.waitForText(/counter \d+ check 0/);
    lines = tui.lines();
    expect(lines.filter((line) => /counter \d+ check 0/.test(line))).toHaveLength(1);
    await quitCleanly(tui, everStarted, true);
  }, 120_000);

  it('sets a breakpoint where the source pane is clicked', async () => {
    const { tui, everStarted } = startTui(['--', fixtureBinary('linked_list')]);
    await tui.waitForStatus(/not started/);
    tui.press('s');
    const lines = await tui.waitForStatus(/linked_list\.c:\d+ main │ stopped/);
    const appendLine = markerLine(LINKED_LIST_C, 'append');
    const row = lines.findIndex((line) => sourceLineNumber(line) === appendLine);
    expect(row).toBeGreaterThan(0);
    // An SGR mouse press, then its release, on that row (1-based coordinates), inside the pane;
    // blessed reads one mouse report per input chunk.
    tui.press(`\x1b[<0;10;${row + 1}M`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    tui.press(`\x1b[<0;10;${row + 1}m`);
    await tui.waitForText(`Breakpoint 2 at ${LINKED_LIST_C}:${appendLine}`);
    await tui.waitFor((rows) => (rows.find((line) => sourceLineNumber(line) === appendLine) ?? '').startsWith('│●'), 'the marker');
    tui.press('c');
    await tui.waitForStatus(new RegExp(`linked_list\\.c:${appendLine} main │ stopped`));
    await quitCleanly(tui, everStarted, true);
  });
});

/** Where a plain pdb session on linked_list.py is after s, s (and is again after s, S). */
async function plainPdbSteps(): Promise<Location | null> {
  const plain = await Session.start({ program: fixtureSource(LINKED_LIST_PY) });
  try {
    await plain.step();
    await plain.step();
    const expected = await plain.location();
    await plain.step();
    await plain.reverseStep();
    expect(await plain.location()).toEqual(expected);
    return expected;
  } finally {
    await plain.close();
  }
}

describe.skipIf(!dmtcpAvailable)('fred tui with pdb on the DMTCP backend', () => {
  it('--backend dmtcp: s, s, s, S land where a plain session does; quitting leaves nothing', async () => {
    const expected = await plainPdbSteps();
    const { tui, everStarted } = startTui(['--backend', 'dmtcp', '--', fixtureSource(LINKED_LIST_PY)]);
    await tui.waitForStatus(/linked_list\.py:\d+ <module> │ stopped/);
    await tui.waitForIdle();
    await move(tui, 's', 1);
    await move(tui, 's', 2);
    await move(tui, 's', 3);
    await move(tui, 'S', 4);
    const lines = await tui.waitForStatus(new RegExp(`${escapeRegExp(statusText(expected))} │ stopped`));
    expect(lines[23]).toContain(statusText(expected));
    await quitCleanly(tui, everStarted, true);
    // fred (a child: it inherits the suite's FRED_DEBUG_LOG, test/helpers/debug-log-on-failure.ts)
    // logged the restore's steps.
    expect(readFileSync(process.env['FRED_DEBUG_LOG']!, 'utf8')).toContain('dmtcp restore: the restarted image answered');
  }, 120_000);
});

describe('fred tui with pdb', () => {
  it('shows the location of s, s, s, S as a plain session finds it, without colours on a monochrome terminal (120x40)', async () => {
    const expected = await plainPdbSteps();

    const { tui, everStarted } = startTui(['--', fixtureSource(LINKED_LIST_PY)], { columns: 120, rows: 40, term: 'xterm-mono' });
    await tui.waitForStatus(/linked_list\.py:\d+ <module> │ stopped/);
    await tui.waitForIdle();
    await move(tui, 's', 1);
    expect((await move(tui, 's', 2))[39]).toContain(`${statusText(expected)} │ stopped`);
    await move(tui, 's', 3);
    await move(tui, 'S', 4);
    const lines = await tui.waitForStatus(new RegExp(`${escapeRegExp(statusText(expected))} │ stopped`));
    expect(lines).toHaveLength(40);
    expect(lines[39]).toMatch(/pdb │ \? help\s*$/);
    expect(currentLine(tui)).toEqual({ line: expected!.line, highlighted: true });
    // Without colours, the highlighting is inverse video and nothing on screen is coloured.
    const colouredCells: string[] = [];
    for (let row = 0; row < 40; row++) {
      for (let column = 0; column < 120; column++) if (tui.coloured(row, column)) colouredCells.push(`${row}:${column}`);
    }
    expect(colouredCells).toEqual([]);
    await quitCleanly(tui, everStarted, true);
  });
});

describe('fred tui on unsuitable terminals', () => {
  it('refuses TERM=dumb (no cursor addressing) with a message, starting nothing', async () => {
    const { tui, everStarted } = startTui(['--', fixtureBinary('linked_list')], { term: 'dumb' });
    const status = await tui.waitForExit(15_000);
    expect(status.exitCode).toBe(2);
    expect(tui.raw).toContain('TERM=dumb');
    expect(describeProcesses(everStarted()).filter((name) => /gdb|linked_list/.test(name))).toEqual([]);
  });
});
