import { afterEach, describe, expect, it } from 'vitest';
import { CancellationTokenSource, type Diagnostic, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kerasFixture, lspFixture, read, repoRoot, startServer, uriOf, withTimeout, type Session } from './client';
// @ts-expect-error plain ESM helper without types
import { generateBenchModel } from '../../bench/model.mjs';

const cnn = read(kerasFixture('sequential_cnn.py'));
let s: Session | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function stillAnswers(session: Session) {
  const uri = 'file:///alive.py';
  session.open(uri, cnn);
  await session.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
  const h = await withTimeout(session.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }), 5000);
  expect(h).toBeNull();
}

describe('robustness over real stdio', () => {
  it('bin: --version and --help', () => {
    expect(execFileSync(process.execPath, [join(repoRoot, 'bin', 'optpar-lsp.js'), '--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(execFileSync(process.execPath, [join(repoRoot, 'bin', 'optpar-lsp.js'), '--help'], { encoding: 'utf8' })).toContain('--stdio');
  });

  it('survives malformed JSON-RPC: bad JSON with a valid header, a garbage header', async () => {
    s = await startServer();
    const body = '{"jsonrpc": "2.0", "id": 99, "method": ';
    s.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    s.child.stdin.write('this is not a header\r\n\r\n');
    s.child.stdin.write('Content-Length: abc\r\n\r\n');
    await new Promise((r) => setTimeout(r, 200));
    await stillAnswers(s);
  });

  it('answers unknown methods with MethodNotFound and ignores unknown notifications', async () => {
    s = await startServer();
    await s.conn.sendNotification('optpar/nothing', {});
    await expect(s.conn.sendRequest('optpar/unknown', {})).rejects.toMatchObject({ code: -32601 });
    await stillAnswers(s);
  });

  it('handles requests for documents never opened', async () => {
    s = await startServer();
    const uri = 'file:///never/opened.py';
    const pos = { line: 0, character: 0 };
    expect(await s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: pos })).toBeNull();
    expect(await s.conn.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: pos, end: pos } })).toEqual([]);
    expect(await s.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: pos, end: pos }, context: { diagnostics: [] } })).toEqual([]);
    expect(await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } })).toEqual({ kind: 'full', items: [] });
    await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: 'x = 1' }] });
    await s.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await stillAnswers(s);
  });

  it('binary content gives one diagnostic, not a crash', async () => {
    s = await startServer();
    const uri = 'file:///binary.py';
    s.open(uri, 'x = 1\u0000\u0001\u0002\uFFFD');
    const p = await s.waitForDiagnostics(uri);
    expect(p.diagnostics).toHaveLength(1);
    expect(p.diagnostics[0].message).toContain('binary content');
    await stillAnswers(s);
  });

  it('a 100,000-line file does not block other documents; closing it clears its diagnostics', async () => {
    s = await startServer();
    const big = generateBenchModel(7143) as string;
    expect(big.split('\n').length).toBeGreaterThanOrEqual(100_000);
    const uri = 'file:///big.py';
    s.open(uri, big);
    const t0 = Date.now();
    await stillAnswers(s);
    expect(Date.now() - t0).toBeLessThan(5000);
    const hover = await withTimeout(s.conn.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///alive.py' }, position: { line: 15, character: 24 } }), 5000);
    expect(hover).not.toBeNull();
    await s.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    const cleared = await s.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0);
    expect(cleared.diagnostics).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
    const last = [...s.diagnostics].reverse().find((p) => p.uri === uri)!;
    expect(last.diagnostics).toEqual([]);
  });

  it('1,000 didChange notifications in a burst: the latest text wins', async () => {
    s = await startServer();
    const uri = 'file:///burst.py';
    s.open(uri, cnn);
    await s.waitForDiagnostics(uri);
    let text = cnn;
    const at = cnn.indexOf('Conv2D(16') + 7;
    const line = cnn.slice(0, at).split('\n').length - 1;
    const ch = at - (cnn.lastIndexOf('\n', at - 1) + 1);
    for (let v = 2; v <= 1001; v++) {
      const prev = text.slice(at, at + 2);
      const next = String(10 + (v % 90));
      text = text.slice(0, at) + next + text.slice(at + 2);
      void s.conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: v },
        contentChanges: [{ range: { start: { line, character: ch }, end: { line, character: ch + prev.length } }, text: next }],
      });
    }
    const p = await s.waitForDiagnostics(uri, (p) => p.version === 1001, 20000);
    const filters = p.diagnostics.find((d: Diagnostic) => (d.data as { id: string }).id === 'conv2d.filters')!;
    expect(filters.message).toContain(`conv2d.filters = ${10 + (1001 % 90)}`);
    // Debounced: far fewer publications than changes.
    expect(s.diagnostics.filter((d: PublishDiagnosticsParams) => d.uri === uri).length).toBeLessThan(20);
  });

  it('a request cancelled mid-way is answered (result or RequestCancelled) and the server goes on', async () => {
    s = await startServer();
    const uri = 'file:///cancel.py';
    s.open(uri, generateBenchModel(250));
    const source = new CancellationTokenSource();
    const req = s.conn.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 4000, character: 0 } } }, source.token);
    source.cancel();
    const outcome = await withTimeout(req.then(() => 'result', (e: { code?: number }) => e.code), 10000);
    expect(['result', -32800]).toContain(outcome);
    await stillAnswers(s);
  });

  it('shutdown then exit ends with code 0; exit without shutdown with 1', async () => {
    s = await startServer();
    expect(await s.close()).toBe(0);
    s = await startServer();
    const exited = new Promise<number | null>((r) => s!.child.once('exit', (c) => r(c)));
    await s.conn.sendNotification('exit');
    expect(await withTimeout(exited, 5000)).toBe(1);
    s = undefined;
  });

  it('exits when the client closes its stdin without shutdown (the client went away)', async () => {
    s = await startServer();
    const exited = new Promise<number | null>((r) => s!.child.once('exit', (c) => r(c)));
    s.child.stdin.end();
    expect(await withTimeout(exited, 5000)).toBe(1);
    s = undefined;
  });

  it('a stray console.log in the server does not corrupt stdout', async () => {
    // The server redirects console.* to window/logMessage; a settings error logs through it.
    s = await startServer({ initializationOptions: { logLevel: 'debug', debounceMs: 'soon' } });
    await stillAnswers(s);
    expect(s.messages.some((m) => m.message.includes('debounceMs'))).toBe(true);
    expect(s.stderr.join('')).toBe('');
  });
});

describe('settings and optpar.yaml', () => {
  it('applies workspace settings without a restart and keeps the last good value of a bad one', async () => {
    s = await startServer({ config: { showFixed: true } });
    const uri = 'file:///settings.py';
    s.open(uri, cnn);
    let p = await s.waitForDiagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'fixed-by-task'));
    const fixed = p.diagnostics.find((d) => d.code === 'fixed-by-task')!;
    expect(fixed.codeDescription?.href).toMatch(/#diagnostic-fixed-by-task$/);
    s.config.value = { showFixed: false, severity: { hyperparameter: 'warning' }, inlayHints: 'yes' };
    await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    p = await s.waitForDiagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'hyperparameter') && p.diagnostics.every((d) => d.code !== 'hyperparameter' || d.severity === 2));
    expect(p.diagnostics.some((d) => d.code === 'fixed-by-task')).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(s.messages.some((m) => m.message.includes('optpar.inlayHints'))).toBe(true);
    const hints = await s.conn.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } } });
    expect((hints as unknown[]).length).toBeGreaterThan(0);
    s.config.value = { inlayHints: false };
    await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await new Promise((r) => setTimeout(r, 300));
    expect(await s.conn.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } } })).toEqual([]);
  });

  it('reads optpar.yaml ranges and exclusions, reports a bad one at its keys and keeps the last good one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'optpar-ws-'));
    try {
      copyFileSync(lspFixture('workspace/optpar.yaml'), join(dir, 'optpar.yaml'));
      copyFileSync(kerasFixture('sequential_cnn.py'), join(dir, 'cnn.py'));
      s = await startServer({ rootPath: dir });
      const uri = uriOf(join(dir, 'cnn.py'));
      s.open(uri, cnn);
      let p = await s.waitForDiagnostics(uri);
      const msg = (id: string) => p.diagnostics.find((d) => (d.data as { id: string }).id === id)?.message;
      expect(msg('dropout.rate')).toContain('[0.1, 0.4]');
      expect(msg('fit.epochs')).toBeUndefined();
      const bad = read(lspFixture('bad_optpar.yaml'));
      writeFileSync(join(dir, 'optpar.yaml'), bad);
      const yamlUri = uriOf(join(dir, 'optpar.yaml'));
      await s.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: yamlUri, type: 2 }] });
      const y = await s.waitForDiagnostics(yamlUri, (p) => p.diagnostics.length > 0);
      expect(y.diagnostics.every((d) => d.code === 'config-error' && d.source === 'optpar')).toBe(true);
      const lineOf = (needle: string) => bad.slice(0, bad.indexOf(needle)).split('\n').length - 1;
      expect(y.diagnostics.map((d) => d.range.start.line).sort()).toEqual([lineOf('dropout.rate'), lineOf('dense.units'), lineOf('colour'), lineOf('exclude')].sort());
      p = await s.waitForDiagnostics(uri);
      expect(msg('dropout.rate')).toContain('[0.1, 0.4]');
      await new Promise((r) => setTimeout(r, 200));
      expect(s.messages.some((m) => m.message.includes('optpar.yaml'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
