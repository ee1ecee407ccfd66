// The transport floor for the LSP bench: a language server that computes nothing and, on each
// bench/publish notification, publishes the diagnostics it was given (a JSON file) through the
// same vscode-languageserver connection and message writer optpar uses.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { createConnection, ProposedFeatures, StreamMessageWriter } = require('vscode-languageserver/node');
const { jsonEncoder } = require(join(__dirname, '..', 'dist', 'lsp', 'encoder.js'));

const { uri, diagnostics } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const writer = new StreamMessageWriter(process.stdout, { charset: 'utf-8', contentTypeEncoder: jsonEncoder });
const connection = createConnection(ProposedFeatures.all, process.stdin, writer);
connection.onInitialize(() => ({ capabilities: {} }));
connection.onNotification('bench/publish', (p) => void connection.sendDiagnostics({ uri, version: p.version, diagnostics }));
connection.listen();
