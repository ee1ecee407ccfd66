#!/usr/bin/env node
'use strict';
// The optpar language server: `optpar-lsp --stdio` is `optpar lsp --stdio`.
process.argv.splice(2, 0, 'lsp');
require('./optpar.js');
