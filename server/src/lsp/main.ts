/** Starts the server on stdin/stdout: stdout carries JSON-RPC only, errors are logged, never fatal. */
import { ClientLogger, redirectConsole } from './logger';
import { createConnection, ProposedFeatures } from './protocol';
import { OptparServer } from './server';

export function startStdioServer(): void {
  const log = new ClientLogger();
  // Before anything else can print: a stray console.log must not corrupt the stream.
  redirectConsole(log);
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  log.sink = (type, message) => void connection.sendNotification('window/logMessage', { type, message });
  process.on('uncaughtException', (err) => log.error(`uncaught: ${err.stack ?? err}`));
  process.on('unhandledRejection', (err) => log.error(`unhandled rejection: ${(err as Error)?.stack ?? err}`));
  // EPIPE on a client that went away: nothing to log to, nothing to do.
  process.stdout.on('error', () => undefined);
  OptparServer.create(connection, log);
  connection.listen();
}
