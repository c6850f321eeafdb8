// A checkpoint backend takes, restores and discards snapshots of the debuggee. Backends know
// nothing of history; the timeline decides which checkpoint stands for which moment.

/** Opaque handle, stable for the checkpoint's whole life even if the backend renumbers it. */
export type CheckpointId = number;

export interface CheckpointBackend {
  readonly name: string;
  take(): Promise<CheckpointId>;
  /** Makes the program be exactly as it was at the checkpoint, which stays available. */
  restore(id: CheckpointId): Promise<void>;
  discard(id: CheckpointId): Promise<void>;
  list(): CheckpointId[];
}
