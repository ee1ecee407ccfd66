import { describe, expect, it } from 'vitest';
import { encodeMessage, jsonEncoder } from '../../server/src/lsp/encoder';

const messageJson = (msg: Parameters<typeof encodeMessage>[0]) => encodeMessage(msg).toString('utf8');

const diagnostic = (line: number) => ({
  range: { start: { line, character: 4 }, end: { line, character: 6 } },
  severity: 4,
  code: 'hyperparameter',
  source: 'optpar',
  message: `dense.units = 64: tune in {16, 32, 64, 128} "quoted" \\ é`,
  data: { id: 'dense.units', original: '64' },
});

describe('the message encoder', () => {
  it('writes a publishDiagnostics notification as JSON.stringify does', () => {
    const msg = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a.py', version: 3, diagnostics: [diagnostic(1), diagnostic(2)] } };
    expect(messageJson(msg)).toBe(JSON.stringify(msg));
    const noVersion = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a.py', diagnostics: [] } };
    expect(messageJson(noVersion)).toBe(JSON.stringify(noVersion));
  });

  it('writes every other message with JSON.stringify', () => {
    const response = { jsonrpc: '2.0', id: 7, result: { contents: 'x' } };
    expect(messageJson(response)).toBe(JSON.stringify(response));
    const odd = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'x', diagnostics: 'not a list' } };
    expect(messageJson(odd as never)).toBe(JSON.stringify(odd));
  });

  it('keeps a diagnostic object\'s JSON: the object is published unchanged again (the server never changes one it published)', () => {
    const d = diagnostic(5);
    const publish = () => ({ jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'u', diagnostics: [d] } });
    const first = messageJson(publish());
    d.message = 'changed after publishing';
    expect(messageJson(publish())).toBe(first);
  });

  it('encodes to UTF-8 bytes', async () => {
    const msg = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'u', diagnostics: [diagnostic(0)] } };
    const bytes = await jsonEncoder.encode(msg);
    expect(JSON.parse(Buffer.from(bytes).toString('utf8'))).toEqual(msg);
  });
});
