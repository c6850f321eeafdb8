#!/usr/bin/env node
// Entry point installed as `fred`; the compiled CLI lives in dist/.
import('../dist/src/cli/main.js').then((m) => m.main(process.argv.slice(2)));
