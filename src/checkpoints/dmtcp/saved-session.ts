// A saved DMTCP session on disk (fred --save-session DIR, fred --resume DIR): `session.json` (the
// program, fred's timeline and history, which checkpoint the live process was saved in) and one
// folder of DMTCP image files per checkpoint under `images/`.

import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FredError } from '../../errors.js';
import type { SavedTimeline } from '../../timeline/saved-timeline.js';
import type { CheckpointId } from '../types.js';

const FORMAT = 'fred-dmtcp-session 1';
const SESSION_FILE = 'session.json';
const IMAGES = 'images';
/** DMTCP's checkpoint folder for a session saved here (dmtcp-checkpoints.ts): images refer to it. */
export const INCOMING = 'incoming';

export interface SavedSession {
  program: string;
  args: string[];
  cwd: string;
  checkpointIntervalMs: number;
  /** The checkpoint taken where the program stood when the session was saved. */
  current: CheckpointId;
  timeline: SavedTimeline;
  /** The furthest program output position shown (older saves: absent), so none is shown twice. */
  outputShown?: number;
}

/** Refuses early a DIR that is neither empty, absent, nor a saved session (it would be overwritten). */
export function checkSaveDirectory(directory: string): string {
  const path = resolve(directory);
  if (!existsSync(path)) return path;
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch {
    throw new FredError('usage', `--save-session: ${directory} is not a directory`);
  }
  if (entries.some((entry) => ![SESSION_FILE, IMAGES, INCOMING].includes(entry))) {
    throw new FredError('usage', `--save-session: ${directory} is not empty and holds no saved fred session`);
  }
  return path;
}

/** Makes the save folder (0700) at the session's start: its checkpoint link lives there. */
export function prepareSaveDirectory(directory: string): string {
  const path = checkSaveDirectory(directory);
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  return path;
}

/** Writes the session, copying each checkpoint's folder (`folderOf`) under images/ID. */
export function writeSavedSession(directory: string, session: SavedSession, checkpoints: CheckpointId[], folderOf: (id: CheckpointId) => string): void {
  const path = checkSaveDirectory(directory);
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  const images = join(path, IMAGES);
  rmSync(images, { recursive: true, force: true });
  mkdirSync(images, { mode: 0o700 });
  for (const id of checkpoints) cpSync(folderOf(id), join(images, String(id)), { recursive: true });
  writeFileSync(join(path, SESSION_FILE), `${JSON.stringify({ format: FORMAT, checkpoints, ...session }, null, 1)}\n`, { mode: 0o600 });
}

/** Reads a saved session; `folders` are its checkpoints' image folders (copy before changing them). */
export function readSavedSession(directory: string): { directory: string; session: SavedSession; folders: Map<CheckpointId, string> } {
  const path = resolve(directory);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(join(path, SESSION_FILE), 'utf8'));
  } catch {
    throw new FredError('usage', `--resume: ${directory} holds no saved fred session (no readable ${SESSION_FILE})`);
  }
  const file = json as Partial<SavedSession> & { format?: unknown; checkpoints?: unknown };
  if (file.format !== FORMAT || !Array.isArray(file.checkpoints) || typeof file.program !== 'string' || typeof file.current !== 'number' || !file.timeline) {
    throw new FredError('usage', `--resume: ${directory}/${SESSION_FILE} is not a session this fred can resume`);
  }
  if (file.outputShown !== undefined && typeof file.outputShown !== 'number') {
    throw new FredError('usage', `--resume: ${directory}/${SESSION_FILE} is damaged`);
  }
  const folders = new Map<CheckpointId, string>();
  for (const id of file.checkpoints as unknown[]) {
    if (typeof id !== 'number') throw new FredError('usage', `--resume: ${directory}/${SESSION_FILE} is damaged`);
    const folder = join(path, IMAGES, String(id));
    if (!existsSync(folder)) throw new FredError('usage', `--resume: checkpoint ${id}'s images are missing from ${directory}`);
    folders.set(id, folder);
  }
  if (!folders.has(file.current)) throw new FredError('usage', `--resume: ${directory} lacks the image of the saved position`);
  return { directory: path, session: file as SavedSession, folders };
}
