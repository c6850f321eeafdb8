// Shows the program's output once. fred replays stretches the user has already seen (checkpoint
// restores, scans, runs from an earlier moment); output is counted along the timeline and only
// what lies beyond the furthest point ever shown reaches the user.

type Listener = (text: string) => void;

export class OutputGate {
  private readonly listeners = new Set<Listener>();
  private muted = 0;
  /** Output the live program has written up to where it stands on the timeline. */
  private position = 0;
  /** The furthest output position ever shown. */
  private frontier = 0;
  private lastArrival = 0;

  constructor(subscribe: (listener: Listener) => void) {
    subscribe((text) => this.receive(text));
  }

  onOutput(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Output position of the live program (what a new moment records). */
  get outputPosition(): number {
    return this.position;
  }

  /** The program now stands at a moment whose output position is known. */
  moveTo(position: number): void {
    this.position = position;
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

  /** The program's terminal is a separate stream: let its last writes arrive. */
  async settle(quietMs = 10, maxMs = 150): Promise<void> {
    const started = Date.now();
    this.lastArrival = Math.max(this.lastArrival, started - quietMs + 2);
    while (Date.now() - this.lastArrival < quietMs && Date.now() - started < maxMs) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  private receive(text: string): void {
    this.lastArrival = Date.now();
    if (this.muted > 0) return;
    const start = this.position;
    this.position += text.length;
    if (this.position <= this.frontier) return;
    const fresh = text.slice(Math.max(0, this.frontier - start));
    this.frontier = this.position;
    for (const listener of this.listeners) listener(fresh);
  }
}
