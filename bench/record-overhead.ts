// What the record-replay shim costs: forward runs of the fixtures with and without it (ratio;
// target <= 1.05), and how many events a second recording and replaying reach. Ratios measured
// within one run on this machine; `node dist/bench/record-overhead.js` prints both tables.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RecordLog } from '../src/native/record-log.js';
import { logParent, shimPath } from '../src/native/recording.js';
import { packageFile } from '../src/system/package-root.js';

export interface OverheadRow {
  workload: string;
  plainSeconds: number;
  recordedSeconds: number;
  ratio: number;
}

export interface ReplayRateRow {
  workload: string;
  events: number;
  recordingEventsPerSecond: number;
  replayEventsPerSecond: number;
}

interface Workload {
  name: string;
  file: string;
  args: string[];
  input?: string;
}

const RUNS = 25;

function workloads(): Workload[] {
  const numbers = Array.from({ length: 200_000 }, (_, index) => `${index % 1000}`).join('\n') + '\n';
  return [
    { name: 'clock_random (C)', file: packageFile('fixtures', 'bin', 'clock_random'), args: [] },
    { name: 'counter_loop (C)', file: packageFile('fixtures', 'bin', 'counter_loop'), args: [] },
    // Allocation-heavy: every malloc goes through the shim's allocation counter.
    { name: 'bst, 200k insertions (C)', file: packageFile('fixtures', 'bin', 'bst'), args: ['200000', '150000'] },
    { name: 'read_stdin, 200k lines from a pipe (C)', file: packageFile('fixtures', 'bin', 'read_stdin'), args: [], input: numbers },
    { name: 'clock_random.py', file: 'python3', args: [packageFile('fixtures', 'py', 'clock_random.py')] },
    { name: 'read_stdin.py, 200k lines from a pipe', file: 'python3', args: [packageFile('fixtures', 'py', 'read_stdin.py')], input: numbers },
  ];
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function runOnce(workload: Workload, environment: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  spawnSync(workload.file, workload.args, { env: environment, input: workload.input ?? '', stdio: ['pipe', 'ignore', 'ignore'] });
  return seconds(start);
}

/**
 * Each fixture run to its end, plain and under the shim, alternating so both see the same
 * machine; the best of RUNS each. Each recorded run gets a fresh log, created beforehand as fred
 * creates it at the start of a session.
 */
export async function recordOverheadRows(): Promise<OverheadRow[]> {
  execFileSync('make', ['-s', '-C', packageFile('fixtures')]);
  // Where fred puts its logs.
  const directory = mkdtempSync(join(logParent(), 'fred-bench-record-'));
  try {
    const rows: OverheadRow[] = [];
    for (const workload of workloads()) {
      let plain = Number.POSITIVE_INFINITY;
      let recorded = Number.POSITIVE_INFINITY;
      for (let run = 0; run < RUNS; run++) {
        plain = Math.min(plain, runOnce(workload, process.env));
        const log = join(directory, `run-${rows.length}-${run}.log`);
        RecordLog.create(log).close();
        recorded = Math.min(recorded, runOnce(workload, { ...process.env, LD_PRELOAD: shimPath(), FRED_RECORD_LOG: log }));
        rmSync(log, { force: true });
      }
      rows.push({ workload: workload.name, plainSeconds: plain, recordedSeconds: recorded, ratio: recorded / plain });
    }
    return rows;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/* A program that records N clock reads, then replays them from a fork snapshot taken the way a
 * debugger does; it times both stretches with the raw system call, which the shim does not see. */
const EVENT_RATE_PROGRAM = String.raw`
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void shim(const char *name) {
  void (*function)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, name);
  if (function) function();
}

int main(int argc, char **argv) {
  long events = atol(argv[1]);
  shim("fred_record_pause");
  int release[2];
  if (pipe(release) != 0) return 2;
  pid_t copy = fork();
  if (copy == 0) {
    char byte;
    if (read(release[0], &byte, 1) != 1) return 2;
  }
  shim("fred_record_resume");
  struct timespec t;
  long sum = 0;
  double start = now();
  for (long i = 0; i < events; i++) {
    clock_gettime(CLOCK_MONOTONIC, &t);
    sum += t.tv_nsec & 1;
  }
  double elapsed = now() - start;
  shim("fred_record_pause");
  printf("%s %.9f %ld\n", copy == 0 ? "replay" : "record", elapsed, sum);
  fflush(stdout);
  if (copy == 0) return 0;
  if (write(release[1], "x", 1) != 1) return 2;
  waitpid(copy, NULL, 0);
  return 0;
}
`;

/** Events a second: recording N clock reads, and replaying them to a fork snapshot. */
export async function replayRateRows(events = 1_000_000): Promise<ReplayRateRow[]> {
  const directory = mkdtempSync(join(tmpdir(), 'fred-bench-replay-'));
  try {
    const source = join(directory, 'event_rate.c');
    writeFileSync(source, EVENT_RATE_PROGRAM);
    const program = join(directory, 'event_rate');
    execFileSync('gcc', ['-O2', '-o', program, source]);
    const output = execFileSync(program, [String(events)], {
      encoding: 'utf8',
      env: { ...process.env, LD_PRELOAD: shimPath(), FRED_RECORD_LOG: join(directory, 'event_rate.log') },
    });
    const elapsed = Object.fromEntries(output.trim().split('\n').map((line) => {
      const [phase, time] = line.split(' ');
      return [phase!, Number(time)];
    }));
    return [{
      workload: 'clock_gettime(CLOCK_MONOTONIC)',
      events,
      recordingEventsPerSecond: events / elapsed['record']!,
      replayEventsPerSecond: events / elapsed['replay']!,
    }];
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function printTable(title: string, rows: object[]): void {
  console.log(`\n## ${title}\n`);
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  console.log(`| ${columns.join(' | ')} |`);
  console.log(`|${columns.map(() => ' --- ').join('|')}|`);
  for (const row of rows as Record<string, string | number>[]) {
    console.log(`| ${columns.map((column) => format(row[column])).join(' | ')} |`);
  }
}

function format(value: string | number | undefined): string {
  if (typeof value !== 'number') return value ?? '';
  if (value >= 1000) return value.toExponential(2);
  return value >= 1 ? value.toFixed(3) : value.toFixed(5);
}

async function main(): Promise<void> {
  printTable('record-replay shim: forward runs, plain vs recorded (target ratio <= 1.05)', await recordOverheadRows());
  printTable('record-replay shim: events per second', await replayRateRows());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
