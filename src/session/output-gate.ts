// Shows the program's output once. fred replays stretches the user has already seen (checkpoint
// restores, scans, runs from an earlier moment); output is counted along the timeline and only
// what lies beyond the furthest point ever shown reaches the user. With the record-replay shim,
// the program itself swallows what it writes again in a replay: what it swallowed still counts
// along the timeline, and what it does write is new (a new branch of history may print less).

type Listener = (text: string) => void;

/** What the record-replay shim tells about the program's output (see src/native/recording.ts). */
export interface ReplayedOutput {
  /** Output the program skipped writing in replays so far, in UTF-16 code units; only grows. */
  swallowedOutput(): number;
  /** True once the shim records the program: from then on all it writes is new. */
  recordsProgram(): boolean;
}

export class OutputGate {
  private readonly listeners = new Set<Listener>();
  private muted = 0;
  /** Output the live program has written up to where it stands on the timeline. */
  private position = 0;
  /** The furthest output position ever shown. */
  private frontier = 0;
  private lastArrival = 0;
  /** `replayed.swallowedOutput()` when `position` last took it into account. */
  private swallowedSeen: number;

  /**
   * `sync` resolves true once everything the program wrote so far has been received (see
   * ProgramTerminal.sync), false if it could not tell within the time given.
   */
  constructor(
    subscribe: (listener: Listener) => void,
    private readonly replayed?: ReplayedOutput,
    private readonly sync?: (timeoutMs: number) => Promise<boolean>,
  ) {
    this.swallowedSeen = replayed?.swallowedOutput() ?? 0;
    subscribe((text) => this.receive(text));
  }

  onOutput(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Output position of the live program (what a new moment records). */
  get outputPosition(): number {
    this.catchUp();
    return this.position;
  }

  /** The program now stands at a moment whose output position is known. */
  moveTo(position: number): void {
    this.position = position;
    this.swallowedSeen = this.replayed?.swallowedOutput() ?? 0;
  }

  /** The furthest output position shown so far (saved with a session). */
  get shownUpTo(): number {
    return this.frontier;
  }

  /** A resumed session: output up to `frontier` was shown by the session that saved it. */
  resume(position: number, frontier: number): void {
    this.moveTo(position);
    this.frontier = Math.max(this.frontier, frontier);
  }

  /** The program starts again: nothing it writes from now on has been shown yet. */
  startOver(): void {
    this.catchUp();
    this.position = this.frontier;
  }

  /** Runs an internal replay with output hidden; waits for stragglers before showing again. */
  async whileReplaying<T>(work: () => Promise<T>): Promise<T> {
    this.muted++;
    try {
      return await work();
    } finally {
      await this.settle();
      this.muted--;
    }
  }

  /**
   * The program's terminal is a separate stream: let its last writes arrive. Exactly, by the
   * terminal's sync; where that cannot tell, waits until nothing arrived for `quietMs` (counted
   * from the last arrival, and at least `minMs` from now), at most `maxMs`.
   */
  async settle(quietMs = 10, maxMs = 150, minMs = 2): Promise<void> {
    if (this.sync && await this.sync(maxMs)) return;
    const started = Date.now();
    // (Not written back: the next settle counts from the last real arrival.)
    const floor = started - quietMs + minMs;
    while (Date.now() - Math.max(this.lastArrival, floor) < quietMs && Date.now() - started < maxMs) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  private receive(text: string): void {
    this.lastArrival = Date.now();
    if (this.muted > 0) return;
    this.catchUp();
    const start = this.position;
    this.position += text.length;
    const isNew = this.replayed?.recordsProgram() ?? false;
    if (this.position <= this.frontier && !isNew) return;
    const fresh = isNew ? text : text.slice(Math.max(0, this.frontier - start));
    this.frontier = Math.max(this.frontier, this.position);
    for (const listener of this.listeners) listener(fresh);
  }

  /** Output the shim swallowed since the last look counts as if it had been written. */
  private catchUp(): void {
    if (!this.replayed) return;
    const swallowed = this.replayed.swallowedOutput();
    this.position += swallowed - this.swallowedSeen;
    this.swallowedSeen = swallowed;
  }
}
