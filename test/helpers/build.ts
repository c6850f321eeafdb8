// Builds what the end-to-end tests need, once and idempotently, so they pass from a fresh clone
// after `npm ci`: the C fixtures, the fred-exec launcher and (for CLI tests) the compiled CLI in
// dist/. Several vitest workers may call these at once; a lock directory serialises the builds
// that are not safe to run concurrently (cmake, tsc).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `bin/fred.js`: what `fred` runs when installed. */
export const fredBin = join(repoRoot, 'bin', 'fred.js');

const done = new Set<string>();

/** `make -s -C fixtures`: incremental, and safe to run from several workers at once. */
export function ensureFixtures(): void {
  if (done.has('fixtures')) return;
  execFileSync('make', ['-s', '-C', join(repoRoot, 'fixtures')], { stdio: ['ignore', 'ignore', 'pipe'] });
  done.add('fixtures');
}

/** native/build (fred-exec, the record-replay shim and its addon), rebuilt when a source is newer. */
export function ensureNative(): void {
  if (done.has('native')) return;
  const outputs = [
    join(repoRoot, 'native', 'build', 'fred-exec'),
    join(repoRoot, 'native', 'build', 'Release', 'libfred-record.so'),
    join(repoRoot, 'native', 'build', 'Release', 'fred-record-log.node'),
  ];
  const sources = [
    join(repoRoot, 'native', 'CMakeLists.txt'),
    ...['launcher', 'record', 'addon'].flatMap((folder) => filesUnder(join(repoRoot, 'native', folder), /\.(c|h|cc|cpp|hpp)$/)),
  ];
  const oldestOutput = () => Math.min(...outputs.map((output) => (existsSync(output) ? mtime(output) : 0)));
  const stale = () => outputs.some((output) => !existsSync(output)) || sources.some((source) => mtime(source) > oldestOutput());
  if (stale()) {
    withLock('native', () => {
      if (stale()) execFileSync('npm', ['run', '-s', 'build:native'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    });
  }
  done.add('native');
}

/**
 * dist/ as `npx tsc -p tsconfig.json` makes it, recompiled when any TypeScript source is newer
 * than its output. A type error elsewhere in the tree does not stop tsc emitting, so the build
 * counts as good when the CLI's entry module exists afterwards.
 */
export function ensureCompiledCli(): void {
  if (done.has('cli')) return;
  ensureNative();
  if (distIsStale()) {
    withLock('tsc', () => {
      if (!distIsStale()) return;
      try {
        execFileSync(join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: repoRoot, stdio: 'pipe' });
      } catch (error) {
        if (!existsSync(join(repoRoot, 'dist', 'src', 'cli', 'main.js'))) throw error;
      }
    });
  }
  done.add('cli');
}

/** Everything the in-process (library) tests need. */
export function ensureBuilt(): void {
  ensureFixtures();
  ensureNative();
}

function distIsStale(): boolean {
  for (const top of ['src', 'grammars', 'bench']) {
    for (const source of filesUnder(join(repoRoot, top), /\.ts$/)) {
      if (source.endsWith('.d.ts')) continue;
      const output = join(repoRoot, 'dist', relative(repoRoot, source)).replace(/\.ts$/, '.js');
      if (!existsSync(output) || mtime(source) > mtime(output)) return true;
    }
  }
  return false;
}

function filesUnder(directory: string, pattern: RegExp): string[] {
  if (!existsSync(directory)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...filesUnder(path, pattern));
    else if (pattern.test(entry.name)) files.push(path);
  }
  return files;
}

function mtime(path: string): number {
  return statSync(path).mtimeMs;
}

/** Runs `action` holding a lock directory shared by every test worker (stale after 5 minutes). */
function withLock(name: string, action: () => void): void {
  const lock = join(repoRoot, 'node_modules', `.fred-test-${name}.lock`);
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(lock) && Date.now() - mtimeOrNow(lock) > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      sleepSync(100);
    }
  }
  try {
    action();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function mtimeOrNow(path: string): number {
  try {
    return mtime(path);
  } catch {
    return Date.now();
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
