// `npm run bench`: fred's speed targets, measured as ratios within one run on this machine (never
// as timing assertions in tests). Prints one table per concern.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Session } from '../src/session/session.js';
import { packageFile } from '../src/system/package-root.js';

const C_LOOP = packageFile('fixtures', 'bin', 'counter_loop');
const BST = packageFile('fixtures', 'bin', 'bst');
const INVENTORY = packageFile('fixtures', 'py', 'inventory.py');

/** The line of a fixture source that carries `@name` (fixtures/README.md). */
function markerLine(source: string, name: string): number {
  const index = readFileSync(source, 'utf8').split('\n').findIndex((line) => new RegExp(`@${name}\\b`).test(line));
  if (index < 0) throw new Error(`no @${name} in ${source}`);
  return index + 1;
}

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

/**
 * The best of `runs` runs of each measure, taken in turns (the order rotating each round): this
 * machine's speed drifts by tens of percent within seconds, and a ratio of two bests taken far
 * apart in time measured that drift as much as fred.
 */
async function bestInTurns<K extends string>(runs: number, measures: Record<K, () => number | Promise<number>>): Promise<Record<K, number>> {
  const keys = Object.keys(measures) as K[];
  const fastest = Object.fromEntries(keys.map((key) => [key, Number.POSITIVE_INFINITY])) as Record<K, number>;
  for (let round = 0; round < runs; round++) {
    for (let index = 0; index < keys.length; index++) {
      const key = keys[(index + round) % keys.length]!;
      fastest[key] = Math.min(fastest[key], await measures[key]());
    }
  }
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

const REVERSE_STEP_CAP_S = 20;

/** Issue 3: forward slowdown with automatic checkpoints, reverse-step vs next, checkpoint costs. */
async function reverseExecution(): Promise<Row[]> {
  const iterations = '300000';
  // Both sides include starting the debugger, as `gdb -batch -ex run` does.
  const fredRun = (checkpointIntervalMs?: number) => async () => {
    const start = process.hrtime.bigint();
    const session = await Session.start({ program: C_LOOP, args: [iterations], checkpointIntervalMs });
    await session.run();
    const elapsed = seconds(start);
    await session.close();
    return elapsed;
  };
  const c = await bestInTurns(5, {
    plain: () => timeCommand('gdb', ['-batch', '-nx', '-ex', 'run', '--args', C_LOOP, iterations]),
    // fred's gdb loads no separate debug information (README): the same for a fair comparison.
    plainNoDebugFiles: () => timeCommand('gdb', ['-batch', '-nx', '-iex', 'set debug-file-directory /nonexistent', '-ex', 'run', '--args', C_LOOP, iterations]),
    forward: fredRun(),
    noCheckpoints: fredRun(0),
  });
  const { plain, plainNoDebugFiles, forward } = c;
  const plainNoCheckpoints = c.noCheckpoints;
  // fred's event counter alone: its frame hook with frames untraced (the floor of fred's
  // `continue`), and every frame traced by its C trace function (the floor of counting every event).
  const counterModule = eventCounterModule();
  const counterAlone = (mode: string) => () => timeCommand('python3', [packageFile('bench', 'event_counter_run.py'), counterModule!, mode, INVENTORY, '200000', '-1']);
  const python = await bestInTurns(5, {
    plain: () => timeCommand('python3', [INVENTORY, '200000', '-1']),
    fred: async () => {
      const start = process.hrtime.bigint();
      const session = await Session.start({ program: INVENTORY, args: ['200000', '-1'] });
      await session.continue();
      const elapsed = seconds(start);
      await session.close();
      return elapsed;
    },
    ...(counterModule === undefined ? {} : { counterUntraced: counterAlone('untraced'), counterFull: counterAlone('full') }),
  } as Record<'plain' | 'fred' | 'counterUntraced' | 'counterFull', () => number | Promise<number>>);
  const plainPython = python.plain;
  const forwardPython = python.fred;
  const counterUntraced = counterModule === undefined ? '—' as const : python.counterUntraced;
  const counterFull = counterModule === undefined ? '—' as const : python.counterFull;

  // A stop near the end of the run: next, then reverse-step, both from there (the best of a few
  // sessions: a single figure is as much this machine's drift as fred's). The last session goes on.
  const { session, next, reverseStep } = await bestNextThenReverseStep(async () => {
    const atEnd = await Session.start({ program: C_LOOP, args: [iterations] });
    await atEnd.native('break counter_loop.c:46');
    await atEnd.run();
    return atEnd;
  });
  let start = process.hrtime.bigint();
  await session.reverseNext();
  const reverseNext = seconds(start);
  // A reverse-step right at a breakpoint reached by `continue`: the line before was never a stop.
  // Found from just after the last allocation (BST), or one loop iteration back by counting the
  // loop in the program (counter_loop allocates nothing: README). Capped: Ctrl-C (interrupt)
  // cancels it.
  const reverseStepAfterContinue = async (program: string, args: string[], breakpoint: string): Promise<number | string> => {
    let best: number | string = Number.POSITIVE_INFINITY;
    for (let session = 0; session < SESSIONS_EACH; session++) {
      const atBreakpoint = await Session.start({ program, args });
      await atBreakpoint.native(`break ${breakpoint}`);
      await atBreakpoint.run();
      const began = process.hrtime.bigint();
      const cap = setTimeout(() => atBreakpoint.interrupt(), REVERSE_STEP_CAP_S * 1000);
      const finished = await atBreakpoint.reverseStep().then(() => true, () => false);
      clearTimeout(cap);
      await atBreakpoint.close();
      if (!finished) return `> ${REVERSE_STEP_CAP_S}`;
      best = Math.min(best as number, seconds(began));
    }
    return best;
  };
  // The same under pdb: next over the call of the last orders' handle(), then reverse-step.
  const { session: pdbSession, next: pdbNext, reverseStep: pdbReverseStep } = await bestNextThenReverseStep(async () => {
    const atOrder = await Session.start({ program: INVENTORY, args: ['200000', '-1'] });
    await atOrder.native('break inventory.py:57, order_number == 199990');
    await atOrder.continue();
    return atOrder;
  });
  // A restore a moment after its checkpoint, as a user's would come: the snapshot's standby is
  // ready by then (fred_pdb_snapshots).
  const pdbCheckpoints = pdbSession.personality.replay!.checkpoints;
  start = process.hrtime.bigint();
  const pdbCheckpoint = await pdbCheckpoints.take();
  const pdbTake = seconds(start);
  await pdbSession.next();
  await new Promise((resolve) => setTimeout(resolve, 100));
  start = process.hrtime.bigint();
  await pdbCheckpoints.restore(pdbCheckpoint);
  const pdbRestore = seconds(start);
  await pdbSession.close();
  const afterContinueBst = await reverseStepAfterContinue(BST, ['200000', '-1'], 'bst.c:99');
  const afterContinueLoop = await reverseStepAfterContinue(C_LOOP, [iterations], 'counter_loop.c:46');
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
    { measure: 'the same without separate debug info (libc6-dbg)', seconds: plainNoDebugFiles, ratio: plainNoDebugFiles / plain },
    { measure: 'fred run, automatic checkpoints on (target <= 1.3x)', seconds: forward, ratio: forward / plain },
    { measure: 'fred run, automatic checkpoints off', seconds: plainNoCheckpoints, ratio: plainNoCheckpoints / plain },
    { measure: 'next at the end of the run', seconds: next, ratio: 1 },
    { measure: 'reverse-step at the end of the run (target <= 10x next)', seconds: reverseStep, ratio: reverseStep / next },
    { measure: 'reverse-next at the end of the run', seconds: reverseNext, ratio: reverseNext / next },
    { measure: 'reverse-step at a breakpoint reached by continue: BST, 200k insertions', seconds: afterContinueBst, ratio: typeof afterContinueBst === 'number' ? afterContinueBst / next : '—' },
    { measure: 'reverse-step at a breakpoint reached by continue: counter_loop (allocates nothing)', seconds: afterContinueLoop, ratio: typeof afterContinueLoop === 'number' ? afterContinueLoop / next : '—' },
    { measure: 'checkpoint (gdb fork)', seconds: take, ratio: take / next },
    { measure: 'restore (gdb restart + re-checkpoint)', seconds: restore, ratio: restore / next },
    { measure: 'pdb: next over handle() near the end of inventory.py 200k', seconds: pdbNext, ratio: 1 },
    { measure: 'pdb: reverse-step after that next (target <= 10x next)', seconds: pdbReverseStep, ratio: pdbReverseStep / pdbNext },
    { measure: 'pdb: checkpoint (fork of the Python process)', seconds: pdbTake, ratio: pdbTake / pdbNext },
    { measure: 'pdb: restore, 100 ms after the checkpoint (its standby copy takes over)', seconds: pdbRestore, ratio: pdbRestore / pdbNext },
    { measure: 'forward run, python3 (inventory.py, 200k orders)', seconds: plainPython, ratio: 1 },
    { measure: 'fred continue under pdb, automatic checkpoints on (target <= 1.3x)', seconds: forwardPython, ratio: forwardPython / plainPython },
    { measure: 'python3 under fred\'s event counter, frames untraced (CPython 3.11)', seconds: counterUntraced, ratio: typeof counterUntraced === 'number' ? counterUntraced / plainPython : '—' },
    { measure: 'python3 with every frame traced by the same counter (the floor of counting every event)', seconds: counterFull, ratio: typeof counterFull === 'number' ? counterFull / plainPython : '—' },
  ];
}

/** Sessions each timed command is measured in (the best of them counts). */
const SESSIONS_EACH = 3;

/**
 * Seconds of one `next` from where a session `open` made stands, then of one reverse-step from
 * there: the best of each over SESSIONS_EACH sessions. The last session is left open.
 */
async function bestNextThenReverseStep(open: () => Promise<Session>): Promise<{ session: Session; next: number; reverseStep: number }> {
  let next = Number.POSITIVE_INFINITY;
  let reverseStep = Number.POSITIVE_INFINITY;
  let session: Session | undefined;
  for (let index = 0; index < SESSIONS_EACH; index++) {
    await session?.close();
    session = await open();
    let start = process.hrtime.bigint();
    await session.next();
    next = Math.min(next, seconds(start));
    start = process.hrtime.bigint();
    await session.reverseStep();
    reverseStep = Math.min(reverseStep, seconds(start));
  }
  return { session: session!, next, reverseStep };
}

/** native/build/Release/_fred_event_counter for this python3, if it was built with its frame hook (3.11). */
function eventCounterModule(): string | undefined {
  const suffix = spawnSync('python3', ['-c', 'import importlib.machinery; print(importlib.machinery.EXTENSION_SUFFIXES[0])'], { encoding: 'utf8' }).stdout.trim();
  const file = packageFile('native', 'build', 'Release', `_fred_event_counter${suffix}`);
  if (!existsSync(file)) return undefined;
  const check = 'import importlib.util, sys; s = importlib.util.spec_from_file_location("_fred_event_counter", sys.argv[1]); '
    + 'm = importlib.util.module_from_spec(s); s.loader.exec_module(m); print(m.hooked)';
  return spawnSync('python3', ['-c', check, file], { encoding: 'utf8' }).stdout.trim() === '1' ? file : undefined;
}

/**
 * The anchor a user would script without fred: bisect the iteration count, one whole run of the
 * program per probe under plain gdb or pdb, stopping with a conditional breakpoint at iteration
 * K (`line` of the source, where `counter` is the iteration) and printing EXPR there.
 * Seconds, or `>cap` when the search did not finish within `capSeconds`.
 */
function scriptedBisection(workload: Workload, capSeconds: number): string {
  const { line, counter, iterations } = workload.scripted;
  const source = workload.plain === 'gdb' ? packageFile('fixtures', 'c', `${workload.program.split('/').pop()!}.c`) : workload.program;
  const at = `${source}:${markerLine(source, line)}`;
  const start = process.hrtime.bigint();
  const valueAt = (k: number): string | null => {
    const left = capSeconds - seconds(start);
    if (left <= 0) return null;
    const run = workload.plain === 'gdb'
      ? spawnSync('gdb', ['-batch', '-nx', '-ex', `break ${at} if ${counter} == ${k}`, '-ex', 'run', '-ex', `print ${workload.watch}`, '--args', workload.program, ...workload.args], { encoding: 'utf8', timeout: Math.ceil(left * 1000), killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'ignore'] })
      : spawnSync('python3', ['-m', 'pdb', workload.program, ...workload.args], { encoding: 'utf8', timeout: Math.ceil(left * 1000), killSignal: 'SIGKILL', input: `break ${at}, ${counter} == ${k}\ncontinue\np ${workload.watch}\nquit\n` });
    if (run.error) return null;
    const printed = (workload.plain === 'gdb' ? /\$1 = (.*)/ : /\(Pdb\) (True|False)/).exec(run.stdout ?? '');
    return printed ? printed[1]!.trim() : null;
  };
  // The value at iteration 0 is the good one; find the first iteration where it is not.
  const good = valueAt(0);
  if (good === null) return `>${capSeconds}`;
  let low = 0;
  let high = iterations;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    const value = valueAt(middle);
    if (value === null) return `>${capSeconds}`;
    if (value === good) low = middle;
    else high = middle;
  }
  return seconds(start).toFixed(2);
}

interface Workload {
  name: string;
  program: string;
  args: string[];
  watch: string;
  plain: 'gdb' | 'python3';
  /** For the scripted anchor: where the loop's iteration `counter` is checked, and how many. */
  scripted: { line: string; counter: string; iterations: number };
}

/**
 * The search alone (reverse-watch at the program's end, as fred bisect without --break does),
 * best of three: what must grow no more than logarithmically with the run's length. With it, the
 * part of that run spent evaluating EXPR at probes (its cost is the program's data, not the search).
 */
async function searchSeconds(workload: Workload): Promise<{ search: number; expression: number }> {
  let fastest = { search: Number.POSITIVE_INFINITY, expression: 0 };
  for (let run = 0; run < 3; run++) {
    const session = await Session.start({ program: workload.program, args: workload.args });
    try {
      await (session.kind === 'gdb' ? session.run() : session.continue());
      const start = process.hrtime.bigint();
      const outcome = await session.reverseWatch(workload.watch);
      if (!outcome.found) throw new Error(`${workload.name}: reverse-watch found nothing`);
      const search = seconds(start);
      if (search < fastest.search) fastest = { search, expression: outcome.expressionSeconds };
    } finally {
      await session.close();
    }
  }
  return fastest;
}

/** Issue 5: fred bisect against the plain forward run, gdb's own watchpoint and a scripted bisection. */
async function bisection(): Promise<Row[]> {
  const rows: Row[] = [];

  const workloads: Workload[] = [
    { name: 'C: 200k BST insertions, invariant breaks at 150k', program: BST, args: ['200000', '150000'], watch: 'is_bst(root)', plain: 'gdb', scripted: { line: 'count', counter: 'i', iterations: 200000 } },
    // Ten times longer: the search part should grow about logarithmically (is_bst itself grows linearly).
    { name: 'C: 2M BST insertions, invariant breaks at 1.5M', program: BST, args: ['2000000', '1500000'], watch: 'is_bst(root)', plain: 'gdb', scripted: { line: 'count', counter: 'i', iterations: 2000000 } },
    { name: 'C: 300k loop iterations, counter parity breaks at 150k', program: C_LOOP, args: ['300000', '150000'], watch: 'check()', plain: 'gdb', scripted: { line: 'bug', counter: 'iteration', iterations: 300000 } },
    // A hundred times longer: automatic checkpoints land inside the loop (counted as it runs).
    { name: 'C: 30M loop iterations, counter parity breaks at 15M', program: C_LOOP, args: ['30000000', '15000000'], watch: 'check()', plain: 'gdb', scripted: { line: 'bug', counter: 'iteration', iterations: 30000000 } },
    {
      name: 'Python: 500k iterations, stock goes negative at 250k', program: INVENTORY, args: ['500000', '250000'],
      watch: 'min(stock.values()) >= 0', plain: 'python3', scripted: { line: 'handle', counter: 'order_number', iterations: 500000 },
    },
    {
      name: 'Python: 5M iterations, stock goes negative at 2.5M', program: INVENTORY, args: ['5000000', '2500000'],
      watch: 'min(stock.values()) >= 0', plain: 'python3', scripted: { line: 'handle', counter: 'order_number', iterations: 5000000 },
    },
  ];
  const scriptedCap = 60;
  const bisectCap = 120;
  for (const workload of workloads) {
    if (!existsSync(workload.program)) {
      rows.push({ workload: workload.name, 'plain run s': '-', 'fred bisect s': '-', ratio: 'fixture missing', 'search s': '-', 'of it EXPR s': '-', probes: '-', 'gdb watch (cap 30 s)': '-', [`scripted bisection (cap ${scriptedCap} s)`]: '-' });
      continue;
    }
    const plain = workload.plain === 'gdb'
      ? best(3, () => timeCommand('gdb', ['-batch', '-nx', '-ex', 'run', '--args', workload.program, ...workload.args]))
      : best(3, () => timeCommand('python3', [workload.program, ...workload.args]));
    // Best of three, as the plain run is: the machine's speed varies from run to run.
    let finished = true;
    let probes: number | string = '-';
    const bisectSeconds = best(3, () => {
      const bisectStart = process.hrtime.bigint();
      const bisectRun = spawnSync('node', [packageFile('bin', 'fred.js'), 'bisect', '--watch', workload.watch, '--json', '--', workload.program, ...workload.args], { stdio: ['ignore', 'pipe', 'ignore'], timeout: bisectCap * 1000, killSignal: 'SIGTERM' });
      const elapsed = seconds(bisectStart);
      if (bisectRun.error || bisectRun.status !== 0) finished = false;
      else probes = String((JSON.parse(String(bisectRun.stdout)) as { stats: { probes: number } }).stats.probes);
      return elapsed;
    });
    const search = finished ? await searchSeconds(workload) : '-';
    let watchAnchor = '-';
    if (workload.plain === 'gdb') {
      const cap = 30;
      const start = process.hrtime.bigint();
      const result = spawnSync('gdb', ['-batch', '-nx', '-ex', 'break main', '-ex', 'run', '-ex', `watch ${workload.watch}`, '-ex', 'continue', '--args', workload.program, ...workload.args], { stdio: 'ignore', timeout: cap * 1000, killSignal: 'SIGKILL' });
      const elapsed = seconds(start);
      watchAnchor = result.error || elapsed >= cap ? `>${cap}` : elapsed.toFixed(2);
    }
    rows.push({
      workload: workload.name,
      'plain run s': plain,
      'fred bisect s': finished ? bisectSeconds : `>${bisectCap} (or failed)`,
      ratio: finished ? bisectSeconds / plain : '-',
      'search s': search === '-' ? '-' : search.search,
      'of it EXPR s': search === '-' ? '-' : search.expression,
      probes,
      'gdb watch (cap 30 s)': watchAnchor,
      [`scripted bisection (cap ${scriptedCap} s)`]: scriptedBisection(workload, scriptedCap),
    });
  }
  return rows;
}

async function main(): Promise<void> {
  console.log(`# fred benchmark — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, node ${process.version}`);
  console.log('Ratios are measured in this run; targets from the issues are in parentheses.');
  // `npm run bench -- reverse` or `-- bisect` runs one table.
  const only = process.argv[2];
  if (only === undefined || only === 'reverse') printTable('Reverse execution (issue 3)', await reverseExecution());
  if (only === undefined || only === 'bisect') printTable('fred bisect (issue 5): target <= 5x the plain forward run', await bisection());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
