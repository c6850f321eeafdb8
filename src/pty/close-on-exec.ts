// fred's own terminals stay out of the processes it starts.

import { loadAddon } from '../native/addon.js';

/**
 * Marks `fd` close-on-exec. node-pty opens its masters without it, so every process fred started
 * afterwards (gdb, python3, and through them the program) inherited them: the program held
 * terminals that were not its own, and gdb's fork checkpoints call lseek in the program once per
 * open descriptor at every checkpoint, restart and delete. Without the addon (not built) the
 * descriptor stays inherited: slower, no worse.
 */
export function keepFromChildren(fd: number): void {
  try {
    loadAddon().closeOnExec(fd);
  } catch {
    // (see above)
  }
}
