// `npm run docs`: rewrites the README's command section from the command table.

import { readFileSync, writeFileSync } from 'node:fs';
import { withCommandDocs } from './docs.js';

const path = process.argv[2] ?? 'README.md';
writeFileSync(path, withCommandDocs(readFileSync(path, 'utf8')));
