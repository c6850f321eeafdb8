// `npm run bench`: fred's speed targets, measured as ratios within one run on this machine (never
// as timing assertions in tests). Prints one table per concern.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { Session } from '../src/session/session.js';
import { packageFile } from '../src/system/package-root.js';

const C_LOOP = packageFile('fixtures', 'bin', 'counter_loop');

interface Row { [column: string]: string | number }

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function timeCommand(file: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(file, args, { stdio: 'ignore' });
  if (result.status !== 0 && result.status !== null) {
    // A workload that exits non-zero on purpose (a bug) still counts.
  }
  return seconds(start);
}

function best(runs: number, measure: () => number): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let index = 0; index < runs; index++) fastest = Math.min(fastest, measure());
  return fastest;
}

async function bestAsync(runs: number, measure: () => Promise<number>): Promise<number> {
  let fastest = Number.POSITIVE_INFINITY;
  for (let index = 0; index < runs; index++) fastest = Math.min(fastest, await measure());
  return fastest;
}

function printTable(title: string, rows: Row[]): void {
  console.log(`\n## ${title}\n`);
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  console.log(`| ${columns.join(' | ')} |`);
  console.log(`|${columns.map(() => ' --- ').join('|')}|`);
  for (const row of rows) console.log(`| ${columns.map((column) => format(row[column])).join(' | ')} |`);
}

function format(value: string | number | undefined): string {
  if (typeof value === 'number') return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toFixed(3);
  return value ?? '';
}

/** Issue 3: forward slowdown with automatic checkpoints, reverse-step vs next, checkpoint costs. */
async function reverseExecution(): Promise<Row[]> {
  const iterations = '300000';
  const plain = best(3, () => timeCommand('gdb', ['-batch', '-nx', '-ex', 'run', '--args', C_LOOP, iterations]));
  const forward = await bestAsync(3, async () => {
    const session = await Session.start({ program: C_LOOP, args: [iterations] });
    const start = process.hrtime.bigint();
    await session.run();
    const elapsed = seconds(start);
    await session.close();
    return elapsed;
  });
  const plainNoCheckpoints = await bestAsync(3, async () => {
    const session = await Session.start({ program: C_LOOP, args: [iterations], checkpointIntervalMs: 0 });
    const start = process.hrtime.bigint();
    await session.run();
    const elapsed = seconds(start);
    await session.close();
    return elapsed;
  });

  // A stop near the end of the run: next, then reverse-step, both from there.
  const session = await Session.start({ program: C_LOOP, args: [iterations] });
  await session.native('break counter_loop.c:46');
  await session.run();
  let start = process.hrtime.bigint();
  await session.next();
  const next = seconds(start);
  start = process.hrtime.bigint();
  await session.reverseStep();
  const reverseStep = seconds(start);
  start = process.hrtime.bigint();
  await session.reverseNext();
  const reverseNext = seconds(start);
  const replay = session.personality.replay!;
  start = process.hrtime.bigint();
  const checkpoint = await replay.checkpoints.take();
  const take = seconds(start);
  start = process.hrtime.bigint();
  await replay.checkpoints.restore(checkpoint);
  const restore = seconds(start);
  await session.close();

  return [
    { measure: 'forward run, gdb -batch -ex run (C, 300k iterations)', seconds: plain, ratio: 1 },
    { measure: 'fred run, automatic checkpoints on (target <= 1.3x)', seconds: forward, ratio: forward / plain },
    { measure: 'fred run, automatic checkpoints off', seconds: plainNoCheckpoints, ratio: plainNoCheckpoints / plain },
    { measure: 'next at the end of the run', seconds: next, ratio: 1 },
    { measure: 'reverse-step at the end of the run (target <= 10x next)', seconds: reverseStep, ratio: reverseStep / next },
    { measure: 'reverse-next at the end of the run', seconds: reverseNext, ratio: reverseNext / next },
    { measure: 'checkpoint (gdb fork)', seconds: take, ratio: take / next },
    { measure: 'restore (gdb restart + re-checkpoint)', seconds: restore, ratio: restore / next },
  ];
}

/** Issue 5: fred bisect against the plain forward run and against gdb's own watchpoint. */
async function bisection(): Promise<Row[]> {
  const rows: Row[] = [];
  const workloads: { name: string; program: string; args: string[]; watch: string; plain: 'gdb' | 'python3'; breakAt?: string }[] = [
    { name: 'C: 200k BST insertions, invariant breaks at 150k', program: packageFile('fixtures', 'bin', 'bst'), args: ['200000', '150000'], watch: 'is_bst(root)', plain: 'gdb' },
    // Ten times longer: the search part should grow about logarithmically (is_bst itself grows linearly).
    { name: 'C: 2M BST insertions, invariant breaks at 1.5M', program: packageFile('fixtures', 'bin', 'bst'), args: ['2000000', '1500000'], watch: 'is_bst(root)', plain: 'gdb' },
    { name: 'C: 300k loop iterations, counter parity breaks at 150k', program: C_LOOP, args: ['300000', '150000'], watch: 'check()', plain: 'gdb' },
    {
      name: 'Python: 500k iterations, stock goes negative at 250k', program: packageFile('fixtures', 'py', 'inventory.py'), args: ['500000', '250000'],
      watch: 'min(stock.values()) >= 0', plain: 'python3',
    },
  ];
  const bisectCap = 120;
  for (const workload of workloads) {
    if (!existsSync(workload.program)) {
      rows.push({ workload: workload.name, 'plain run s': '-', 'fred bisect s': '-', ratio: 'fixture missing', 'gdb watch (cap 30 s)': '-' });
      continue;
    }
    const plain = workload.plain === 'gdb'
      ? best(3, () => timeCommand('gdb', ['-batch', '-nx', '-ex', 'run', '--args', workload.program, ...workload.args]))
      : best(3, () => timeCommand('python3', [workload.program, ...workload.args]));
    const breakAt: string[] = 'breakAt' in workload && workload.breakAt ? ['--break', workload.breakAt] : [];
    const bisectStart = process.hrtime.bigint();
    const bisectRun = spawnSync('node', [packageFile('bin', 'fred.js'), 'bisect', '--watch', workload.watch, ...breakAt, '--json', '--', workload.program, ...workload.args], { stdio: ['ignore', 'pipe', 'ignore'], timeout: bisectCap * 1000, killSignal: 'SIGTERM' });
    const bisectSeconds = seconds(bisectStart);
    const finished = !bisectRun.error && bisectRun.status === 0;
    let watchAnchor = '-';
    if (workload.plain === 'gdb') {
      const cap = 30;
      const start = process.hrtime.bigint();
      const result = spawnSync('gdb', ['-batch', '-nx', '-ex', 'break main', '-ex', 'run', '-ex', `watch ${workload.watch}`, '-ex', 'continue', '--args', workload.program, ...workload.args], { stdio: 'ignore', timeout: cap * 1000 });
      const elapsed = seconds(start);
      watchAnchor = result.error || elapsed >= cap ? `>${cap}` : elapsed.toFixed(2);
    }
    rows.push({
      workload: workload.name,
      'plain run s': plain,
      'fred bisect s': finished ? bisectSeconds : `>${bisectCap} (or failed)`,
      ratio: finished ? bisectSeconds / plain : '-',
      'gdb watch (cap 30 s)': watchAnchor,
    });
  }
  return rows;
}

async function main(): Promise<void> {
  console.log(`# fred benchmark — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, node ${process.version}`);
  console.log('Ratios are measured in this run; targets from the issues are in parentheses.');
  printTable('Reverse execution (issue 3)', await reverseExecution());
  printTable('fred bisect (issue 5): target <= 5x the plain forward run', await bisection());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
