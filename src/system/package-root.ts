// Locates files shipped with fred (native launcher, pdb driver) whether running from src/ under
// vitest or from the compiled dist/src/.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/** The directory holding fred's package.json. */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('fred: cannot find its package root');
    directory = parent;
  }
  cachedRoot = directory;
  return directory;
}

export function packageFile(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
