/**
 * Writes outgoing messages as JSON, keeping each diagnostic's JSON while the diagnostic object
 * is reused. A big model file publishes thousands of diagnostics after every keystroke and most
 * are the same objects as last time (see DiagnosticMemo): encoding them again was a third of the
 * time from an edit to its diagnostics. Plugged into vscode-jsonrpc's message writer as its
 * content-type encoder; every other message is JSON.stringify'd as the default encoder does.
 */
import type { Diagnostic, Message, NotificationMessage } from './protocol';

/** Each published diagnostic's JSON, as UTF-8 with a leading comma (the list separator). */
const encoded = new WeakMap<Diagnostic, Buffer>();

function isPublish(msg: Message): msg is NotificationMessage & { params: { uri: string; version?: number; diagnostics: Diagnostic[] } } {
  const m = msg as NotificationMessage;
  if (m.method !== 'textDocument/publishDiagnostics' || !m.params || typeof m.params !== 'object') return false;
  const keys = Object.keys(m);
  return keys.length === 3 && keys[0] === 'jsonrpc' && keys[1] === 'method' && keys[2] === 'params' && Array.isArray((m.params as { diagnostics?: unknown }).diagnostics);
}

/** The message as UTF-8 JSON: the same bytes as JSON.stringify(msg). */
export function encodeMessage(msg: Message): Buffer {
  if (!isPublish(msg)) return Buffer.from(JSON.stringify(msg), 'utf8');
  const { diagnostics, ...rest } = msg.params;
  // {"uri":...,"diagnostics":[]} without its closing "]}", the items, then the closing.
  const params = JSON.stringify({ ...rest, diagnostics: [] });
  const head = `{"jsonrpc":${JSON.stringify(msg.jsonrpc)},"method":"textDocument/publishDiagnostics","params":${params.slice(0, -2)}`;
  const parts: Buffer[] = [Buffer.from(head, 'utf8')];
  for (const [i, d] of diagnostics.entries()) {
    let json = encoded.get(d);
    if (json === undefined) encoded.set(d, (json = Buffer.from(`,${JSON.stringify(d)}`, 'utf8')));
    parts.push(i === 0 ? json.subarray(1) : json);
  }
  parts.push(Buffer.from(']}}', 'utf8'));
  return Buffer.concat(parts);
}

export const jsonEncoder = {
  name: 'application/json',
  encode(msg: Message): Promise<Uint8Array> {
    return Promise.resolve(encodeMessage(msg));
  },
};
