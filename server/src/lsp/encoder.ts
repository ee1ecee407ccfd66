/**
 * Writes outgoing messages as JSON, keeping each diagnostic's JSON while the diagnostic object
 * is reused. A big model file publishes thousands of diagnostics after every keystroke and most
 * are the same objects as last time (see DiagnosticMemo): encoding them again was a third of the
 * time from an edit to its diagnostics. Plugged into vscode-jsonrpc's message writer as its
 * content-type encoder; every other message is JSON.stringify'd as the default encoder does.
 */
import type { Diagnostic, Message, NotificationMessage } from './protocol';

const encoded = new WeakMap<Diagnostic, string>();

function isPublish(msg: Message): msg is NotificationMessage & { params: { uri: string; version?: number; diagnostics: Diagnostic[] } } {
  const m = msg as NotificationMessage;
  if (m.method !== 'textDocument/publishDiagnostics' || !m.params || typeof m.params !== 'object') return false;
  const keys = Object.keys(m);
  return keys.length === 3 && keys[0] === 'jsonrpc' && keys[1] === 'method' && keys[2] === 'params' && Array.isArray((m.params as { diagnostics?: unknown }).diagnostics);
}

/** The message's JSON text: the same value JSON.stringify(msg) gives. */
export function messageJson(msg: Message): string {
  if (!isPublish(msg)) return JSON.stringify(msg);
  const { diagnostics, ...rest } = msg.params;
  const items = diagnostics.map((d) => {
    let json = encoded.get(d);
    if (json === undefined) encoded.set(d, (json = JSON.stringify(d)));
    return json;
  });
  // {"uri":...,"diagnostics":[]} without its closing "]}", then the items.
  const params = JSON.stringify({ ...rest, diagnostics: [] });
  return `{"jsonrpc":${JSON.stringify(msg.jsonrpc)},"method":"textDocument/publishDiagnostics","params":${params.slice(0, -2)}${items.join(',')}]}}`;
}

export const jsonEncoder = {
  name: 'application/json',
  encode(msg: Message, options: { charset: BufferEncoding | 'utf-8' }): Promise<Uint8Array> {
    return Promise.resolve(Buffer.from(messageJson(msg), options.charset as BufferEncoding));
  },
};
