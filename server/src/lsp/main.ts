/** Starts the server on stdin/stdout: stdout carries JSON-RPC only, errors are logged, never fatal. */
import { ClientLogger, redirectConsole } from './logger';
import { jsonEncoder } from './encoder';
import { createConnection, type MessageReader, ProposedFeatures, StreamMessageWriter } from './protocol';
import { OptparServer } from './server';

export function startStdioServer(): void {
  const log = new ClientLogger();
  // Before anything else can print: a stray console.log must not corrupt the stream.
  redirectConsole(log);
  const writer = new StreamMessageWriter(process.stdout, { charset: 'utf-8', contentTypeEncoder: jsonEncoder });
  // stdin stays a stream, so the library still exits when the client closes it; its typings
  // list only the stream/stream and reader/writer pairs, though it takes this mix at run time.
  const input = process.stdin as unknown as MessageReader;
  const connection = createConnection(ProposedFeatures.all, input, writer);
  log.sink = (type, message) => void connection.sendNotification('window/logMessage', { type, message });
  process.on('uncaughtException', (err) => log.error(`uncaught: ${err.stack ?? err}`));
  process.on('unhandledRejection', (err) => log.error(`unhandled rejection: ${(err as Error)?.stack ?? err}`));
  // EPIPE on a client that went away: nothing to log to, nothing to do.
  process.stdout.on('error', () => undefined);
  OptparServer.create(connection, log);
  connection.listen();
}
