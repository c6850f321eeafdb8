// Fixture paths and marker lookup: tests find lines by their `/* @name */` (C) or `# @name` (Python)
// marker instead of hard-coding line numbers.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './build.js';

export const fixturesDir = join(repoRoot, 'fixtures');

/** The built C fixture `fixtures/bin/NAME`. */
export function fixtureBinary(name: string): string {
  return join(fixturesDir, 'bin', name);
}

/** Absolute path of a fixture source: `linked_list.c` → fixtures/c/linked_list.c, `x.py` → fixtures/py/x.py. */
export function fixtureSource(file: string): string {
  return join(fixturesDir, file.endsWith('.py') ? 'py' : 'c', file);
}

/** 1-based line number of the line ending in marker `@name`; throws unless exactly one line has it. */
export function markerLine(file: string, name: string): number {
  return markerLineIn(fixtureSource(file), name);
}

/** markerLine for a source file anywhere (test/native/programs). */
export function markerLineIn(path: string, name: string): number {
  const source = readFileSync(path, 'utf8');
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = path.endsWith('.py')
    ? new RegExp(`#\\s*@${escaped}\\s*$`)
    : new RegExp(`/\\*\\s*@${escaped}\\s*\\*/\\s*$`);
  const lines = source.split('\n').flatMap((line, index) => (pattern.test(line) ? [index + 1] : []));
  if (lines.length !== 1) throw new Error(`${path}: marker @${name} found on ${lines.length} lines`);
  return lines[0]!;
}
