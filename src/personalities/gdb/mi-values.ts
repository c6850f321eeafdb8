// Reading typed fields out of MI tuples: gdb sends every scalar as a string.

import type { MiTuple, MiValue } from '../../../grammars/mi/api.js';

export function text(tuple: MiTuple | undefined, name: string): string | undefined {
  const value = tuple?.[name];
  return typeof value === 'string' ? value : undefined;
}

export function integer(tuple: MiTuple | undefined, name: string): number | undefined {
  const value = text(tuple, name);
  if (value === undefined) return undefined;
  const parsed = Number.parseInt(value, value.startsWith('0x') ? 16 : 10);
  return Number.isNaN(parsed) ? undefined : parsed;
}

export function tuple(value: MiValue | undefined): MiTuple | undefined {
  return value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

export function list(value: MiValue | undefined): MiValue[] {
  return Array.isArray(value) ? value : [];
}
