// fred's Node addon (native/build/Release/fred-record-log.node): the record log's reader and the
// descriptor calls Node lacks. Loaded once, on first use.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FredError } from '../errors.js';
import { packageFile } from '../system/package-root.js';
import type { AddonLog } from './record-log.js';

export interface Addon {
  RecordLog: new (path: string, create: boolean) => AddonLog;
  closeOnExec(fd: number): void;
}

let addon: Addon | undefined;

export function loadAddon(): Addon {
  if (addon) return addon;
  const path = packageFile('native', 'build', 'Release', 'fred-record-log.node');
  if (!existsSync(path)) throw new FredError('internal', `${path} is missing: run npm run build:native`);
  addon = createRequire(import.meta.url)(path) as Addon;
  return addon;
}
