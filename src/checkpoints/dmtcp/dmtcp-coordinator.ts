// fred's own DMTCP coordinator: one per session, listening on 127.0.0.1 only, on a free port, its
// temporary files in the session's private directory. It is killed when the session ends, and,
// should fred exit without closing its session, by a process 'exit' hook, so that no coordinator
// outlives fred.
//
// DMTCP 5.0's coordinator has no option for its listen address (it binds every interface), but
// it takes over a listening socket it inherits on its protected fd 821 (PROTECTED_COORD_FD in
// DMTCP's include/protectedfds.h): a small python3 (present wherever pdb runs) binds
// 127.0.0.1:0, puts the socket there and execs the coordinator, which writes the port it got to
// --port-file.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FredError } from '../../errors.js';
import type { DmtcpTools } from './dmtcp-tools.js';
import { debugLog } from '../../system/debug-log.js';

/** Where the coordinator listens, and what DMTCP clients are told. */
export const COORDINATOR_HOST = '127.0.0.1';

/** DMTCP's PROTECTED_COORD_FD: a listening socket found open there is the coordinator's. */
const PROTECTED_COORD_FD = 821;

/** Binds 127.0.0.1 on a free port, leaves the socket on PROTECTED_COORD_FD and execs argv[1:]. */
const LISTEN_ON_LOOPBACK = [
  'import os, socket, sys',
  'listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
  'listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
  `listener.bind((${JSON.stringify(COORDINATOR_HOST)}, 0))`,
  'listener.listen(128)',
  `os.dup2(listener.fileno(), ${PROTECTED_COORD_FD})`,
  `os.set_inheritable(${PROTECTED_COORD_FD}, True)`,
  'listener.close()',
  'os.execv(sys.argv[1], sys.argv[1:])',
].join('\n');

export class DmtcpCoordinator {
  private exited = false;
  private readonly exitPromise: Promise<void>;
  private readonly killOnExit = () => this.killNow();

  private constructor(private readonly tools: DmtcpTools, private readonly child: ChildProcess, readonly port: number) {
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', () => {
        this.exited = true;
        resolve();
      });
    });
    process.once('exit', this.killOnExit);
  }

  /** Starts a coordinator whose files go under `directory`; resolves once it listens. */
  static async start(tools: DmtcpTools, directory: string): Promise<DmtcpCoordinator> {
    const portFile = join(directory, 'coordinator.port');
    // A coordinator started here before (a launch retried after DMTCP lost it) left its port: read
    // first, it sent the new launch to a dead port, and DMTCP gave up (status 99).
    rmSync(portFile, { force: true });
    const scripts = join(directory, 'restart-scripts');
    mkdirSync(scripts, { recursive: true, mode: 0o700 });
    // stdin stays an open pipe: the coordinator reads commands from it and spins on end of file.
    const child = spawn('python3', ['-c', LISTEN_ON_LOOPBACK, tools.coordinator,
      '-q', '-q', '--coord-port', '0', '--port-file', portFile, '--ckptdir', scripts, '--tmpdir', directory,
      // Should fred die by SIGKILL (no exit hook runs), the computation dies with its terminal and
      // the coordinator follows after a minute without one.
      '--stale-timeout', '60',
    ], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, DMTCP_TMPDIR: directory } });
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => { errors += chunk.toString(); });
    const started = Date.now();
    for (;;) {
      const port = readPort(portFile);
      if (port !== undefined) return new DmtcpCoordinator(tools, child, port);
      if (child.exitCode !== null || child.signalCode !== null || Date.now() - started > 10_000) {
        child.kill('SIGKILL');
        throw new FredError('debugger', `dmtcp_coordinator did not start${errors.trim() ? `: ${errors.trim().split('\n')[0]}` : ''}`);
      }
      await delay(20);
    }
  }

  /** The options that make a DMTCP program use this coordinator. */
  clientOptions(): string[] {
    return ['--join-coordinator', '--coord-host', COORDINATOR_HOST, '--coord-port', String(this.port)];
  }

  /** Runs `dmtcp_command` against this coordinator; its stdout. */
  command(...args: string[]): Promise<string> {
    debugLog(`dmtcp_command ${args.join(' ')}`);
    return new Promise((resolve, reject) => {
      execFile(this.tools.command, ['--coord-host', COORDINATOR_HOST, '--coord-port', String(this.port), ...args], (error, stdout, stderr) => {
        debugLog(`dmtcp_command ${args.join(' ')}: ${error ? `failed: ${error.message}` : 'done'}`);
        if (error) reject(new FredError('debugger', `dmtcp_command ${args.join(' ')} failed: ${(stderr || error.message).trim().split('\n')[0]}`));
        else resolve(stdout);
      });
    });
  }

  /** Peers connected now (processes of the computation). */
  async peers(): Promise<number> {
    const status = JSON.parse(await this.command('--status', '--json')) as { num_peers?: number };
    return status.num_peers ?? 0;
  }

  /** Waits until `count` processes are connected (a killed computation has left, a restart joined). */
  async waitForPeers(count: number, timeoutMs = 10_000): Promise<void> {
    const started = Date.now();
    while ((await this.peers()) !== count) {
      if (Date.now() - started > timeoutMs) throw new FredError('debugger', `the DMTCP coordinator still does not see ${count} process${count === 1 ? '' : 'es'}`);
      await delay(10);
    }
  }

  async dispose(): Promise<void> {
    process.removeListener('exit', this.killOnExit);
    this.killNow();
    await this.exitPromise;
  }

  private killNow(): void {
    if (this.exited) return;
    try { this.child.kill('SIGKILL'); } catch { /* already gone */ }
  }
}

function readPort(file: string): number | undefined {
  try {
    const port = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(port) && port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
