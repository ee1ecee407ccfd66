#!/usr/bin/env node
'use strict';
// The optpar language server: optpar-lsp --stdio (same as `optpar lsp --stdio`).
let cli;
try {
  cli = require('../dist/cli/main.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && /dist[\\/]cli[\\/]main/.test(err.message)) {
    process.stderr.write('optpar-lsp: not built yet: run "npm run build" (npm ci does it)\n');
    process.exit(1);
  }
  throw err;
}
cli.main(['lsp', ...process.argv.slice(2)]).then((code) => {
  process.exitCode = code;
});
