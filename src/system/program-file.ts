// Checks a program before any debugger sees it, so a typo gets one clear line instead of a
// debugger's multi-line complaint.

import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { FredError } from '../errors.js';

/** Absolute path of an existing regular file; executable unless `needsExecute` is false. */
export function checkProgram(path: string, needsExecute: boolean): string {
  const absolute = resolve(path);
  let stats;
  try {
    stats = statSync(absolute);
  } catch {
    throw new FredError('program', `${path}: no such file`);
  }
  if (!stats.isFile()) throw new FredError('program', `${path}: not a regular file`);
  try {
    accessSync(absolute, needsExecute ? constants.X_OK : constants.R_OK);
  } catch {
    throw new FredError('program', `${path}: ${needsExecute ? 'not executable' : 'not readable'}`);
  }
  return absolute;
}

/** Absolute path of a readable file to use as the program's standard input. */
export function checkStdinFile(path: string): string {
  const absolute = resolve(path);
  try {
    if (!statSync(absolute).isFile() && !statSync(absolute).isFIFO()) throw new Error();
    accessSync(absolute, constants.R_OK);
  } catch {
    throw new FredError('program', `--stdin ${path}: no such readable file`);
  }
  return absolute;
}
