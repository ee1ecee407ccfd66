/**
 * One logger: window/logMessage with a level from settings. console.* is redirected here so a
 * stray console.log can never write into stdout, which carries JSON-RPC only.
 */
import { format } from 'node:util';
import { MessageType } from './protocol';
import type { LogLevel } from './settings';

const RANK: Record<LogLevel, number> = { error: 0, warning: 1, info: 2, debug: 3 };

export interface Logger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
}

export class ClientLogger implements Logger {
  level: LogLevel = 'info';
  /** Until the connection is there (or after it is gone), messages go to stderr. */
  sink?: (type: MessageType, message: string) => void;

  private emit(level: LogLevel, type: MessageType, msg: string): void {
    if (RANK[level] > RANK[this.level]) return;
    const line = `[${level}] ${msg}`;
    try {
      if (this.sink) this.sink(type, line);
      else process.stderr.write(`optpar-lsp ${line}\n`);
    } catch {
      // The connection is closing: nowhere left to log.
    }
  }

  error(msg: string): void {
    this.emit('error', MessageType.Error, msg);
  }
  warn(msg: string): void {
    this.emit('warning', MessageType.Warning, msg);
  }
  info(msg: string): void {
    this.emit('info', MessageType.Info, msg);
  }
  debug(msg: string): void {
    this.emit('debug', MessageType.Log, msg);
  }
}

/** Sends console.* to the logger (console.error/warn at their levels, the rest at info/debug). */
export function redirectConsole(log: Logger): void {
  const to = (fn: (m: string) => void) => (...args: unknown[]) => fn(format(...args));
  console.log = to((m) => log.info(m));
  console.info = to((m) => log.info(m));
  console.debug = to((m) => log.debug(m));
  console.trace = to((m) => log.debug(m));
  console.warn = to((m) => log.warn(m));
  console.error = to((m) => log.error(m));
  console.dir = to((m) => log.info(m));
  console.table = to((m) => log.info(m));
}

/** Timing helper for debug logs. */
export function elapsed(t0: number): string {
  return `${(performance.now() - t0).toFixed(1)} ms`;
}
