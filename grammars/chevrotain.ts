// chevrotain's values, loaded from the single-file build in its package (lib/chevrotain.mjs):
// its package entry is about a hundred ES modules, which take Node 0.2 s to load, the single file
// 0.02 s, and every `fred` command starts by loading the grammars. Types still come from
// 'chevrotain' itself.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Chevrotain = typeof import('chevrotain');

const entry = createRequire(import.meta.url).resolve('chevrotain'); // .../lib/src/api.js
const chevrotain: Chevrotain = await import(pathToFileURL(join(dirname(entry), '..', 'chevrotain.mjs')).href);

export const { createToken, CstParser, defaultParserErrorProvider, EMPTY_ALT, EmbeddedActionsParser, generateCstDts, Lexer, tokenMatcher } = chevrotain;

/**
 * chevrotain's grammar checks (ambiguities, bad token patterns) cost each fred start about 15 ms
 * and find nothing in a grammar that has not changed: the test suite runs them (vitest.config.ts
 * sets FRED_CHECK_GRAMMARS), a user's fred skips them.
 */
export const skipValidations = process.env['FRED_CHECK_GRAMMARS'] !== '1';
