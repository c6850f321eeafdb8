// The values one line of GDB/MI output parses into.

export type MiValue = string | MiValue[] | MiTuple;
export interface MiTuple { [name: string]: MiValue }

export type MiRecord =
  | { kind: 'result'; token?: number; resultClass: string /* done|running|connected|error|exit */; results: MiTuple }
  | { kind: 'exec' | 'status' | 'notify'; token?: number; asyncClass: string /* e.g. stopped, running, breakpoint-created */; results: MiTuple }
  | { kind: 'console' | 'target' | 'log'; text: string /* c-string decoded */ }
  | { kind: 'prompt' }; // "(gdb) " line (trailing space optional)

export interface MiParseResult { value: MiRecord | null; lexErrors: unknown[]; parseErrors: unknown[] }
