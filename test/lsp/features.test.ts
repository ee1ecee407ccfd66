import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeAction, Diagnostic, Hover, InlayHint, CodeLens, TextDocumentEdit, CreateFile } from 'vscode-languageserver-protocol/node';
import { scanSource } from '../../server/src/analysis/scan';
import { loadCatalogue } from '../../server/src/catalogue/load';
import { applyTextEdits, FULL_CAPABILITIES, kerasFixture, positionOf, read, startServer, uriOf, type Session } from './client';

const catalogue = loadCatalogue([]).catalogue;
const cnnPath = kerasFixture('sequential_cnn.py');
const cnn = read(cnnPath);
const cnnUri = uriOf(cnnPath);

describe('language server features over stdio', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    expect(await s.close()).toBe(0);
  });

  it('answers initialize with its capabilities', () => {
    const caps = s.init.capabilities;
    expect(caps.textDocumentSync).toMatchObject({ openClose: true, change: 2 });
    expect(caps.hoverProvider).toBe(true);
    expect(caps.inlayHintProvider).toBe(true);
    expect(caps.executeCommandProvider?.commands).toContain('optpar.generateHarness');
    expect(caps.diagnosticProvider).toMatchObject({ identifier: 'optpar', interFileDependencies: false });
    expect(caps.codeActionProvider).toMatchObject({ codeActionKinds: expect.arrayContaining(['quickfix', 'source.optpar.parametrizeAll', 'refactor.optpar.generateHarness']) });
    expect(s.init.serverInfo?.name).toBe('optpar');
  });

  it('publishes one diagnostic per tunable hyperparameter and per budget on open, with code, href and data', async () => {
    s.open(cnnUri, cnn);
    const p = await s.waitForDiagnostics(cnnUri);
    const expected = scanSource(cnn, catalogue).hyperparameters.filter((h) => h.tunable || h.kind === 'budget');
    expect(p.diagnostics).toHaveLength(expected.length);
    const epochs = p.diagnostics.find((d) => (d.data as { id: string }).id === 'fit.epochs')!;
    expect(epochs).toMatchObject({ code: 'budget', severity: 4 });
    expect(epochs.message).toMatch(/^fit\.epochs = \d+: a training budget, kept as written/);
    expect(epochs.codeDescription?.href).toMatch(/#diagnostic-budget$/);
    const units = p.diagnostics.find((d) => (d.data as { id: string }).id === 'conv2d.filters')!;
    expect(units).toMatchObject({ source: 'optpar', code: 'hyperparameter', severity: 4 });
    expect(units.codeDescription?.href).toMatch(/^file:\/\/.*README\.md#diagnostic-hyperparameter$/);
    expect(units.message).toContain('conv2d.filters = 16');
    expect(units.message).toContain('{4, 8, 16, 32, 64}');
    expect(units.range.start).toEqual(positionOf(cnn, 'Conv2D(16', 7));
    // Fixed ones are hidden by default.
    expect(p.diagnostics.some((d) => d.code === 'fixed-by-task')).toBe(false);
  });

  it('answers pull diagnostics with the same items', async () => {
    const report = await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: cnnUri } });
    expect((report as { kind: string }).kind).toBe('full');
    const pushed = (await s.waitForDiagnostics(cnnUri)).diagnostics;
    expect((report as { items: Diagnostic[] }).items.map((d) => d.message)).toEqual(pushed.map((d) => d.message));
  });

  it('updates diagnostics after incremental edits', async () => {
    const at = positionOf(cnn, 'Dropout(0.25)', 8);
    await s.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri: cnnUri, version: 2 },
      contentChanges: [{ range: { start: at, end: { line: at.line, character: at.character + 4 } }, text: 'rate' }],
    });
    const p = await s.waitForDiagnostics(cnnUri, (p) => p.version === 2);
    // Dropout(rate) reads a name that is not defined: no longer a tunable literal.
    expect(p.diagnostics.some((d) => (d.data as { id: string }).id === 'dropout.rate')).toBe(false);
    await s.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri: cnnUri, version: 3 },
      contentChanges: [{ range: { start: at, end: { line: at.line, character: at.character + 4 } }, text: '0.25' }],
    });
    const back = await s.waitForDiagnostics(cnnUri, (p) => p.version === 3);
    expect(back.diagnostics.some((d) => (d.data as { id: string }).id === 'dropout.rate')).toBe(true);
  });

  it('gives inlay hints with the search range', async () => {
    const hints = (await s.conn.sendRequest('textDocument/inlayHint', {
      textDocument: { uri: cnnUri },
      range: { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } },
    })) as InlayHint[];
    const lr = hints.find((h) => String(h.label).includes('log'))!;
    expect(lr.label).toBe('∈ [1e-4, 0.03] log');
    expect(lr.position).toEqual(positionOf(cnn, '1e-3', 4));
    expect(hints.some((h) => h.label === '∈ {4, 8, 16, 32, 64}')).toBe(true);
    const act = hints.find((h) => String(h.label).startsWith("∈ {'relu'"))!;
    expect(act.label).toBe("∈ {'relu', 'gelu', 'swish', 'elu', 'tanh'}");
    const budget = hints.find((h) => h.label === 'budget: kept')!;
    expect(budget.tooltip).toMatch(/^fit\.epochs: more training can only lower the best val_loss/);
  });

  it('hovers on a hyperparameter with doc, id, type and range', async () => {
    const h = (await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: cnnUri }, position: positionOf(cnn, 'learning_rate=1e-3', 15) })) as Hover;
    const value = (h.contents as { value: string }).value;
    expect(value).toContain('`compile.optimizer.learning_rate`');
    expect(value).toContain('type: float');
    expect(value).toContain('[1e-4, 0.03] log');
    expect(value).toMatch(/learning rate/i);
    const none = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: cnnUri }, position: { line: 0, character: 0 } });
    expect(none).toBeNull();
  });

  it('offers a code lens over model.compile', async () => {
    const lenses = (await s.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: cnnUri } })) as CodeLens[];
    const n = scanSource(cnn, catalogue).hyperparameters.filter((h) => h.tunable).length;
    expect(lenses).toHaveLength(1);
    expect(lenses[0].command).toMatchObject({ title: `Tune this model (${n} hyperparameters)`, command: 'optpar.generateHarness', arguments: [{ uri: cnnUri }] });
    expect(lenses[0].range.start.line).toBe(positionOf(cnn, 'model.compile(').line);
  });
});

describe('many open documents', () => {
  it('answers for a document whose cached analysis and tree were dropped (12 open, 8 kept)', async () => {
    const s = await startServer();
    try {
      const text = (n: number) => `from keras import layers\nlayer = layers.Dense(${n}, activation="relu")\n`;
      const uris = Array.from({ length: 12 }, (_, i) => `file:///many/m${i}.py`);
      for (const [i, uri] of uris.entries()) {
        const done = s.waitForDiagnostics(uri);
        s.open(uri, text(i + 16));
        await done;
      }
      // The first document is the least recently analysed: its result and tree are gone, and a request rebuilds them.
      const h = (await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: uris[0] }, position: positionOf(text(16), '16', 0) })) as Hover;
      expect(JSON.stringify(h.contents)).toContain('layer.units');
      expect(JSON.stringify(h.contents)).toContain('16');
    } finally {
      await s.close();
    }
  });
});

describe('code actions, applied and scanned again', () => {
  let s: Session;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'optpar-lsp-'));
    s = await startServer({ rootPath: dir });
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function actionsAt(uri: string, text: string, needle: string, delta: number, only?: string[]): Promise<CodeAction[]> {
    const p = await s.waitForDiagnostics(uri);
    const pos = positionOf(text, needle, delta);
    const diags = p.diagnostics.filter((d) => d.range.start.line <= pos.line && d.range.end.line >= pos.line && d.range.start.character <= pos.character && pos.character <= d.range.end.character);
    return (await s.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: pos, end: pos }, context: { diagnostics: diags, ...(only ? { only } : {}) } })) as CodeAction[];
  }

  const editsOf = (a: CodeAction) => (a.edit!.documentChanges![0] as TextDocumentEdit).edits;

  it('"Parametrize <param>" rewrites the value into params[id]', async () => {
    const path = join(dir, 'cnn.py');
    copyFileSync(cnnPath, path);
    const uri = uriOf(path);
    s.open(uri, cnn);
    const actions = await actionsAt(uri, cnn, 'Conv2D(16', 7);
    const fix = actions.find((a) => a.title.startsWith('Parametrize filters'))!;
    expect(fix.kind).toBe('quickfix');
    const after = applyTextEdits(cnn, editsOf(fix));
    expect(after).toContain("layers.Conv2D(params['conv2d.filters'], kernel_size");
    const again = scanSource(after, catalogue).hyperparameters;
    expect(again.find((h) => h.id === 'conv2d.filters')).toMatchObject({ tunable: false, reason: 'already parametrized' });
    expect(again.filter((h) => h.tunable)).toHaveLength(scanSource(cnn, catalogue).hyperparameters.filter((h) => h.tunable).length - 1);
  });

  it('"Ignore this hyperparameter" appends an ignore comment, merged into an existing one', async () => {
    const uri = uriOf(join(dir, 'cnn.py'));
    const actions = await actionsAt(uri, cnn, 'Dropout(0.25)', 8);
    const fix = actions.find((a) => a.title.startsWith('Ignore this hyperparameter'))!;
    const after = applyTextEdits(cnn, editsOf(fix));
    expect(after).toContain('layers.Dropout(0.25),  # regularization  # optpar: ignore[rate]');
    const h = scanSource(after, catalogue).hyperparameters.find((x) => x.id === 'dropout.rate')!;
    expect(h.kind).toBe('ignored');
    // A second parameter on a line that already has an ignore[...] list joins it.
    const src = 'from keras import layers\nx = layers.Dense(64, activation="relu")  # optpar: ignore[units]\n';
    const uri2 = uriOf(join(dir, 'merge.py'));
    s.open(uri2, src);
    const acts = await actionsAt(uri2, src, '"relu"', 1);
    const ign = acts.find((a) => a.title.startsWith('Ignore'))!;
    const merged = applyTextEdits(src, editsOf(ign));
    expect(merged).toContain('# optpar: ignore[units, activation]');
    expect(scanSource(merged, catalogue).hyperparameters.filter((x) => x.tunable)).toHaveLength(0);
  });

  it('drops fixes of a stale diagnostic whose text no longer matches', async () => {
    const uri = uriOf(join(dir, 'cnn.py'));
    const p = await s.waitForDiagnostics(uri);
    const d = p.diagnostics.find((x) => (x.data as { id: string }).id === 'conv2d.filters')!;
    const stale = { ...d, data: { ...(d.data as object), original: '17' } };
    const acts = (await s.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [stale], only: ['quickfix'] } })) as CodeAction[];
    expect(acts).toHaveLength(0);
  });

  it('"Parametrize all hyperparameters" leaves nothing tunable', async () => {
    const uri = uriOf(join(dir, 'cnn.py'));
    const acts = await actionsAt(uri, cnn, 'import numpy', 0, ['source']);
    const all = acts.find((a) => a.kind === 'source.optpar.parametrizeAll')!;
    const after = applyTextEdits(cnn, editsOf(all));
    expect(scanSource(after, catalogue).hyperparameters.filter((h) => h.tunable)).toHaveLength(0);
    expect(after).toContain("learning_rate=params['compile.optimizer.learning_rate']");
  });

  it('"Generate tuning harness" is a CreateFile edit, resolved lazily', async () => {
    const uri = uriOf(join(dir, 'cnn.py'));
    const acts = await actionsAt(uri, cnn, 'import numpy', 0, ['refactor']);
    const gen = acts.find((a) => a.kind === 'refactor.optpar.generateHarness')!;
    expect(gen.title).toContain('tune_cnn.py');
    const resolved = (await s.conn.sendRequest('codeAction/resolve', gen)) as CodeAction;
    const [create, insert] = resolved.edit!.documentChanges! as [CreateFile, TextDocumentEdit];
    expect(create).toMatchObject({ kind: 'create', uri: uriOf(join(dir, 'tune_cnn.py')) });
    const text = insert.edits[0].newText;
    expect(text).toMatch(/^(#|"""|''')/);
    expect(text).toContain('def objective(params');
  });

  it('executeCommand optpar.generateHarness writes the file and asks to show it', async () => {
    const uri = uriOf(join(dir, 'cnn.py'));
    const result = (await s.conn.sendRequest('workspace/executeCommand', { command: 'optpar.generateHarness', arguments: [{ uri }] })) as { uri: string };
    expect(result.uri).toBe(uriOf(join(dir, 'tune_cnn.py')));
    const text = readFileSync(join(dir, 'tune_cnn.py'), 'utf8');
    expect(text).toContain('def objective(params');
    await new Promise((r) => setTimeout(r, 200));
    expect(s.showDocuments).toContainEqual(expect.objectContaining({ uri: result.uri }));
  });
});

describe('a client without resource operations', () => {
  it('gets the harness as a command, which writes the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'optpar-lsp-'));
    const path = join(dir, 'mlp.py');
    copyFileSync(kerasFixture('functional_mlp.py'), path);
    const text = read(path);
    const caps = structuredClone(FULL_CAPABILITIES);
    caps.workspace!.workspaceEdit = { documentChanges: false };
    delete caps.window;
    const s = await startServer({ rootPath: dir, capabilities: caps });
    try {
      const uri = uriOf(path);
      s.open(uri, text);
      await s.waitForDiagnostics(uri);
      const acts = (await s.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['refactor'] } })) as CodeAction[];
      const gen = acts.find((a) => a.kind === 'refactor.optpar.generateHarness')!;
      expect(gen.edit).toBeUndefined();
      expect(gen.command).toMatchObject({ command: 'optpar.generateHarness', arguments: [{ uri }] });
      await s.conn.sendRequest('workspace/executeCommand', gen.command!);
      expect(existsSync(join(dir, 'tune_mlp.py'))).toBe(true);
      // A quick fix without documentChanges uses `changes`.
      const qf = (await s.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: positionOf(text, 'Dense(64', 6), end: positionOf(text, 'Dense(64', 6) }, context: { diagnostics: [], only: ['quickfix'] } })) as CodeAction[];
      expect(qf[0].edit!.changes![uri][0].newText).toBe("params['dense.units']");
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
