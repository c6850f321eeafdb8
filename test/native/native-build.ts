// Builds native/ for the record-replay tests when any of its sources is newer than the shim or
// the addon, under the lock directory test/helpers/build.ts uses for the same build, so workers
// never run cmake at once. Also compiles the tests' own small C programs.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/build.js';

export const shimFile = join(repoRoot, 'native', 'build', 'Release', 'libfred-record.so');
export const addonFile = join(repoRoot, 'native', 'build', 'Release', 'fred-record-log.node');

let built = false;

export function ensureRecordShim(): void {
  if (built) return;
  const native = join(repoRoot, 'native');
  const cmake = join(native, 'CMakeLists.txt');
  const record = filesUnder(join(native, 'record'), /\.(c|h|S)$/);
  // Each output with the sources it is built from.
  const outputs: [string, string[]][] = [
    [shimFile, [cmake, ...record]],
    [addonFile, [cmake, ...filesUnder(join(native, 'addon'), /\.cc$/), ...record.filter((file) => /log-(file|format)/.test(file))]],
    [join(native, 'build', 'fred-exec'), [cmake, ...filesUnder(join(native, 'launcher'), /\.c$/)]],
  ];
  const stale = () => outputs.some(([output, sources]) => !existsSync(output) || sources.some((source) => mtime(source) > mtime(output)));
  if (stale()) {
    withLock(() => {
      if (stale()) execFileSync('npm', ['run', '-s', 'build:native'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    });
  }
  built = true;
}

/**
 * native/build/Release/_fred_event_counter (the python3 extension of pdb/event-counter.c),
 * rebuilt when its source is newer; its path.
 */
export function ensureEventCounter(): string {
  return ensurePythonExtension('_fred_event_counter', 'event-counter.c');
}

/** native/build/Release/_fred_pdb_process (pdb/process.c), as ensureEventCounter. */
export function ensurePdbProcess(): string {
  return ensurePythonExtension('_fred_pdb_process', 'process.c');
}

function ensurePythonExtension(name: string, source: string): string {
  const suffix = execFileSync('python3', ['-c', 'import importlib.machinery; print(importlib.machinery.EXTENSION_SUFFIXES[0])'], { encoding: 'utf8' }).trim();
  const output = join(repoRoot, 'native', 'build', 'Release', `${name}${suffix}`);
  const sources = [join(repoRoot, 'native', 'CMakeLists.txt'), join(repoRoot, 'native', 'pdb', source)];
  const stale = () => !existsSync(output) || sources.some((source) => mtime(source) > mtime(output));
  if (stale()) {
    withLock(() => {
      if (stale()) execFileSync('npm', ['run', '-s', 'build:native'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    });
  }
  if (!existsSync(output)) throw new Error(`${output} was not built: CMake found no Python 3 development headers for python3`);
  return output;
}

/** `test/native/programs/NAME.c`. */
export function programSource(name: string): string {
  return join(repoRoot, 'test', 'native', 'programs', `${name}.c`);
}

/** Compiles `test/native/programs/NAME.c` into `directory/NAME`; returns the binary's path. */
export function compileProgram(name: string, directory: string): string {
  const output = join(directory, name);
  execFileSync('gcc', ['-g', '-O0', '-Wall', '-o', output, programSource(name)], { stdio: 'pipe' });
  return output;
}

function filesUnder(directory: string, pattern: RegExp): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory() && entry.name !== 'build') files.push(...filesUnder(path, pattern));
    else if (entry.isFile() && pattern.test(entry.name)) files.push(path);
  }
  return files;
}

function mtime(path: string): number {
  return statSync(path).mtimeMs;
}

function withLock(action: () => void): void {
  const lock = join(repoRoot, 'node_modules', '.fred-test-native.lock');
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    action();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
