import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resultsFor } from '../helpers/results';
import type { CodeAction, CodeLens, Diagnostic, InlayHint, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { applyTextEdits, FULL_CAPABILITIES, kerasFixture, read, repoRoot, startServer, uriOf, type Session } from './client';

/**
 * Issue 11 §3 in the language server: a results file beside the open model brings the "Apply
 * best values (loss X → Y)" code action and code lens (one WorkspaceEdit), a best-value
 * diagnostic and inlay hint per value; the server notices the file appearing and changing,
 * through workspace/didChangeWatchedFiles when the client registers watchers, else by itself.
 */

let tmp: string;
let session: Session | undefined;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'optpar-lsp-best-'));
});
afterEach(async () => {
  await session?.close();
  session = undefined;
});

function model(name: string) {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'functional_mlp.py');
  copyFileSync(kerasFixture('functional_mlp.py'), path);
  return { dir, path, uri: uriOf(path), text: read(path), results: join(dir, '.optpar', 'functional_mlp', 'results.json') };
}

function writeResults(m: ReturnType<typeof model>, best: Record<string, unknown>) {
  mkdirSync(join(m.dir, '.optpar', 'functional_mlp'), { recursive: true });
  writeFileSync(m.results, JSON.stringify(resultsFor(m.path, m.text, best)));
}

const BEST = { 'dense.units': 128, 'dropout.rate': 0.35, 'compile.optimizer.learning_rate': 0.0031 };
const bestDiags = (ds: Diagnostic[]) => ds.filter((d) => d.code === 'best-value');

async function actions(s: Session, uri: string, text: string): Promise<CodeAction[]> {
  const end = text.split('\n').length;
  return (await s.conn.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: end, character: 0 } },
    context: { diagnostics: [] },
  })) as CodeAction[];
}

describe('best values from the results file beside the model', () => {
  it('registers a watcher for .optpar/*/results.json; the file appearing (didChangeWatchedFiles) brings diagnostics, hints, the lens and one-edit action', async () => {
    const m = model('dynamic');
    // The search folder exists (a search ran before): the server relies on the client's watcher.
    mkdirSync(join(m.dir, '.optpar', 'functional_mlp'), { recursive: true });
    session = await startServer({ rootPath: m.dir, capabilities: FULL_CAPABILITIES });
    session.open(m.uri, m.text);
    await session.waitForDiagnostics(m.uri, (p) => p.diagnostics.length > 0);
    expect(bestDiags(session.diagnostics.filter((d) => d.uri === m.uri).pop()!.diagnostics)).toEqual([]);
    expect((await actions(session, m.uri, m.text)).map((a) => a.title).filter((t) => t.startsWith('Apply best'))).toEqual([]);
    writeResults(m, BEST);
    await session.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(m.results), type: 1 }] });
    const pub = await session.waitForDiagnostics(m.uri, (p) => bestDiags(p.diagnostics).length === 3);
    const d = bestDiags(pub.diagnostics);
    expect(d.map((x) => x.message)).toEqual([
      'dense.units: best value in the last search 128 (now 64); trial 2, loss 0.52 → 0.41',
      'dropout.rate: best value in the last search 0.35 (now 0.2); trial 2, loss 0.52 → 0.41',
      'compile.optimizer.learning_rate: best value in the last search 0.0031 (now 0.01); trial 2, loss 0.52 → 0.41',
    ]);

    const hints = (await session.conn.sendRequest('textDocument/inlayHint', {
      textDocument: { uri: m.uri },
      range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } },
    })) as InlayHint[];
    expect(hints.map((h) => h.label).filter((l) => String(l).startsWith('best:'))).toEqual(['best: 128', 'best: 0.35', 'best: 0.0031']);

    const lenses = (await session.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: m.uri } })) as CodeLens[];
    const lens = lenses.find((l) => l.command?.command === 'optpar.applyBestValues');
    expect(lens?.command?.title).toBe('Apply best values (loss 0.52 → 0.41; 3 values)');

    const apply = (await actions(session, m.uri, m.text)).filter((a) => a.title.startsWith('Apply best'));
    expect(apply).toHaveLength(1);
    expect(apply[0].kind).toBe('source.optpar.applyBestValues');
    const edit = apply[0].edit as WorkspaceEdit;
    // One WorkspaceEdit on this document (undone at once).
    expect(edit.documentChanges).toHaveLength(1);
    const change = edit.documentChanges![0] as { textDocument: { uri: string; version: number }; edits: never[] };
    expect(change.textDocument).toEqual({ uri: m.uri, version: 1 });
    const after = applyTextEdits(m.text, change.edits);
    expect(after).toBe(
      m.text
        .replace('Dense(64, activation="relu")', 'Dense(128, activation="relu")')
        .replace('Dropout(rate=0.2)', 'Dropout(rate=0.35)')
        .replace('SGD(0.01, momentum=0.9)', 'SGD(0.0031, momentum=0.9)'),
    );
    // The file changing again (a rerun found other values) is noticed too.
    writeResults(m, { 'dense.units': 32 });
    await session.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(m.results), type: 2 }] });
    const again = await session.waitForDiagnostics(m.uri, (p) => bestDiags(p.diagnostics).length === 1);
    expect(bestDiags(again.diagnostics)[0].message).toMatch(/^dense\.units: best value in the last search 32 \(now 64\)/);
  }, 60_000);

  it('the server asks the client to watch results files when it can register watchers', async () => {
    const m = model('registration');
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'optpar-lsp.js'), '--stdio']);
    const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const seen: { method: string; registerOptions: { watchers?: { globPattern: string }[] } }[] = [];
    conn.onRequest('client/registerCapability', (p: { registrations: typeof seen }) => {
      seen.push(...p.registrations);
      return null;
    });
    conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
    conn.listen();
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: uriOf(m.dir), capabilities: FULL_CAPABILITIES });
    await conn.sendNotification('initialized', {});
    const deadline = Date.now() + 10_000;
    while (!seen.some((r) => r.method === 'workspace/didChangeWatchedFiles') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const watchers = seen.find((r) => r.method === 'workspace/didChangeWatchedFiles')?.registerOptions.watchers ?? [];
    expect(watchers.map((w) => w.globPattern)).toContain('**/.optpar/*/results.json');
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
    conn.dispose();
    child.kill();
  }, 30_000);

  it('without client-side watching, the server notices the results file appearing by itself (polling), and the apply command sends one workspace/applyEdit', async () => {
    const m = model('polling');
    const edits: { label?: string; edit: WorkspaceEdit }[] = [];
    session = await startServer({ rootPath: m.dir, capabilities: { ...FULL_CAPABILITIES, workspace: { ...FULL_CAPABILITIES.workspace, didChangeWatchedFiles: undefined } } });
    session.conn.onRequest('workspace/applyEdit', (p: { label?: string; edit: WorkspaceEdit }) => {
      edits.push(p);
      return { applied: true };
    });
    session.open(m.uri, m.text);
    await session.waitForDiagnostics(m.uri, (p) => p.diagnostics.length > 0);
    writeResults(m, BEST);
    // No notification from the client: the server's own watch (1 s stat polling) sees it.
    const pub = await session.waitForDiagnostics(m.uri, (p) => bestDiags(p.diagnostics).length === 3, 10_000);
    expect(bestDiags(pub.diagnostics)).toHaveLength(3);
    const r = (await session.conn.sendRequest('workspace/executeCommand', { command: 'optpar.applyBestValues', arguments: [{ uri: m.uri }] })) as { applied: number };
    expect(r.applied).toBe(3);
    expect(edits).toHaveLength(1);
    expect(edits[0].label).toBe('Apply best values');
    const change = edits[0].edit.documentChanges![0] as { edits: never[] };
    expect(applyTextEdits(m.text, change.edits)).toContain('Dense(128, activation="relu")');
  }, 60_000);

  it('a value changed by hand since the search is left out of the action and named nowhere as best', async () => {
    const m = model('edited');
    writeResults(m, BEST);
    const edited = m.text.replace('Dropout(rate=0.2)', 'Dropout(rate=0.25)');
    session = await startServer({ rootPath: m.dir, capabilities: FULL_CAPABILITIES });
    session.open(m.uri, edited);
    const pub = await session.waitForDiagnostics(m.uri, (p) => bestDiags(p.diagnostics).length > 0);
    expect(bestDiags(pub.diagnostics).map((d) => (d.data as { id: string }).id)).toEqual(['dense.units', 'compile.optimizer.learning_rate']);
    const apply = (await actions(session, m.uri, edited)).find((a) => a.title.startsWith('Apply best'))!;
    expect(apply.title).toBe('Apply best values (loss 0.52 → 0.41; 2 values)');
    const after = applyTextEdits(edited, (apply.edit!.documentChanges![0] as { edits: never[] }).edits);
    expect(after).toContain('Dropout(rate=0.25)');
    expect(after).toContain('Dense(128, activation="relu")');
  }, 60_000);
});

process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
