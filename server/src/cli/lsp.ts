import type { CommandIO } from './scan';
import { UsageError } from './usage';

export const LSP_USAGE = `optpar lsp: the optpar language server (Language Server Protocol over stdio)

Usage:
  optpar lsp --stdio        (or: optpar-lsp --stdio)
  optpar lsp --version | --help

Settings come from initializationOptions and the "optpar" workspace configuration section;
per-project ranges and exclusions from optpar.yaml at the workspace root. See README,
"Language server".`;

/** `optpar lsp`: runs the server on stdin/stdout until the client says exit. */
export function runLsp(argv: string[], io: CommandIO): number | Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(LSP_USAGE);
    return 0;
  }
  if (argv.includes('--version') || argv.includes('-v')) {
    io.out(require('../../package.json').version);
    return 0;
  }
  const unknown = argv.filter((a) => a !== '--stdio' && !a.startsWith('--clientProcessId'));
  if (unknown.length) throw new UsageError(`unknown option ${unknown[0]} (the server speaks over --stdio)`);
  if (!argv.includes('--stdio')) throw new UsageError('lsp needs --stdio (the only transport)');
  // Loaded here: the protocol packages cost start-up time the other commands don't need.
  const { startStdioServer } = require('../lsp/main') as typeof import('../lsp/main');
  startStdioServer();
  // The connection ends the process (exit notification, or stdin closing).
  return new Promise<number>(() => undefined);
}
