import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineIndex } from '../../server/src/analysis/lines';
import { scanSource } from '../../server/src/analysis/scan';
import { loadCatalogue } from '../../server/src/catalogue/load';
import { virtualProgram } from '../../server/src/notebook/notebook';
import { type Session, startServer, uriOf } from '../lsp/client';

/**
 * Issue 14 §2: notebook document sync over real stdio JSON-RPC. A notebook is opened, a cell
 * edited, cells added and removed, the notebook closed; after each step the diagnostics on every
 * cell must equal a fresh scan of the concatenated code cells, mapped into the cells.
 */
const { catalogue } = loadCatalogue();
let s: Session;
let dir: string;
let nbUri: string;

interface Cell {
  uri: string;
  kind: 1 | 2;
  language: string;
  text: string;
  version: number;
}
let cells: Cell[] = [];
let nbVersion = 1;
let counter = 0;

const cellUri = () => `vscode-notebook-cell:${nbUri.replace(/^file:/, '')}#cell${counter++}`;
const code = (text: string): Cell => ({ uri: cellUri(), kind: 2, language: 'python', text, version: 1 });
const markdown = (text: string): Cell => ({ uri: cellUri(), kind: 1, language: 'markdown', text, version: 1 });
const item = (c: Cell) => ({ uri: c.uri, languageId: c.language, version: c.version, text: c.text });

/** What a fresh scan of the code cells says each cell's diagnostics are: "id@line:character". */
function expected(): Map<string, string[]> {
  const codeCells = cells.filter((c) => c.kind === 2);
  const { virtual, layout } = virtualProgram(codeCells.map((c) => c.text));
  const lines = new LineIndex(virtual);
  const out = new Map<string, string[]>(codeCells.map((c) => [c.uri, []]));
  for (const h of scanSource(virtual, catalogue).hyperparameters) {
    if (h.kind !== 'hyperparameter' && h.kind !== 'budget') continue;
    const p = lines.position(h.span.start);
    const i = layout.findIndex((l) => p.line >= l.startLine && p.line < l.startLine + l.lineCount);
    out.get(codeCells[i].uri)!.push(`${h.id}@${p.line - layout[i].startLine}:${p.character}`);
  }
  for (const v of out.values()) v.sort();
  return out;
}

const got = (uri: string) =>
  [...s.diagnostics]
    .reverse()
    .find((d) => d.uri === uri)!
    .diagnostics.filter((d) => (d.data as { id?: string } | undefined)?.id)
    .map((d) => `${(d.data as { id: string }).id}@${d.range.start.line}:${d.range.start.character}`)
    .sort();

/** Waits until every code cell's latest diagnostics match the fresh scan (the differential check). */
async function expectInStep(): Promise<Map<string, string[]>> {
  const want = expected();
  for (const [uri, ids] of want) {
    await s.waitForDiagnostics(uri, (p) => p.diagnostics.filter((d) => (d.data as { id?: string } | undefined)?.id).length === ids.length);
    expect(got(uri), uri).toEqual(ids);
  }
  return want;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'optpar-nb-lsp-'));
  nbUri = uriOf(join(dir, 'model.ipynb'));
  s = await startServer({ rootPath: dir });
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('notebook document sync', () => {
  it('declares notebookDocumentSync for jupyter-notebook with Python cells', () => {
    expect(s.init.capabilities.notebookDocumentSync).toMatchObject({ notebookSelector: [{ notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }] }] });
  });

  it('open, edit a cell, add and remove cells, close: diagnostics follow each step and match a fresh scan', async () => {
    cells = [
      markdown('# Model\nDense(999)'),
      code('%matplotlib inline\nimport numpy as np\nfrom tensorflow import keras\nfrom tensorflow.keras import layers\nunits = 64'),
      code("model = keras.Sequential([\n    keras.Input(shape=(8,)),\n    layers.Dense(units, activation='relu'),\n    layers.Dropout(0.2),\n    layers.Dense(2, activation='softmax'),\n])"),
      code("!nvidia-smi\nmodel.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss='sparse_categorical_crossentropy')\nmodel.fit(x, y, epochs=3, batch_size=32, validation_split=0.2)"),
    ];
    await s.conn.sendNotification('notebookDocument/didOpen', {
      notebookDocument: { uri: nbUri, notebookType: 'jupyter-notebook', version: nbVersion, cells: cells.map((c) => ({ kind: c.kind, document: c.uri })) },
      cellTextDocuments: cells.map(item),
    });
    const step1 = await expectInStep();
    // Value flow over the whole notebook: units, written in cell 1 and used in cell 2, is one
    // hyperparameter at its definition.
    expect(step1.get(cells[1].uri)).toEqual(['units@4:8']);
    expect(step1.get(cells[2].uri)).toContain('dropout.rate@3:19');
    expect(step1.get(cells[3].uri)).toContain('compile.optimizer.learning_rate@1:60');
    expect(s.diagnostics.some((d) => d.uri === cells[0].uri)).toBe(false);

    // Hover and inlay hints per cell.
    const hover = (await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: cells[2].uri }, position: { line: 3, character: 20 } })) as { contents: { value: string } } | null;
    expect(JSON.stringify(hover)).toContain('dropout.rate');
    const hints = (await s.conn.sendRequest('textDocument/inlayHint', { textDocument: { uri: cells[1].uri }, range: { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } } })) as unknown[];
    expect(hints.length).toBeGreaterThan(0);
    // A quick fix in a cell edits that cell.
    const actions = (await s.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri: cells[2].uri },
      range: { start: { line: 3, character: 19 }, end: { line: 3, character: 22 } },
      context: { diagnostics: [] },
    })) as { title: string; kind?: string; edit?: unknown; data?: unknown }[];
    const harnessAction = actions.find((a) => /harness/i.test(a.title))!;
    expect(harnessAction.title).toBe('Generate tuning harness tune_model.py');
    const resolved = (await s.conn.sendRequest('codeAction/resolve', harnessAction)) as { edit?: { documentChanges: ({ kind?: string; uri?: string } | { textDocument: { uri: string }; edits: { newText: string }[] })[] } };
    const creates = resolved.edit!.documentChanges.filter((c) => 'kind' in c && c.kind === 'create') as { uri: string }[];
    expect(creates.map((c) => c.uri)).toEqual([uriOf(join(dir, 'tune_model.py'))]);
    const written = resolved.edit!.documentChanges.filter((c) => 'textDocument' in c) as { edits: { newText: string }[] }[];
    expect(written[0].edits[0].newText).toContain('# IPython: %matplotlib inline');
    // Parametrize all, in a cell: its own values, as edits of that cell only.
    const all = actions.find((a) => a.title.startsWith('Parametrize all'))!;
    expect(all.title).toBe('Parametrize all hyperparameters (2)');
    const changes = (all.edit as { documentChanges: { textDocument: { uri: string }; edits: { newText: string }[] }[] }).documentChanges;
    expect(changes.map((c) => c.textDocument.uri)).toEqual([cells[2].uri]);
    expect(changes[0].edits.map((e) => e.newText).sort()).toEqual(["params['dense.activation']", "params['dropout.rate']"]);
    // Pulled diagnostics of a cell equal the pushed ones.
    const pulled = (await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: cells[2].uri } })) as { items: { data?: { id?: string }; range: { start: { line: number; character: number } } }[] };
    expect(pulled.items.filter((d) => d.data?.id).map((d) => `${d.data!.id}@${d.range.start.line}:${d.range.start.character}`).sort()).toEqual(got(cells[2].uri));
    // The code lens of the cell with compile/fit runs the harness command on that cell.
    const lenses = (await s.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: cells[3].uri } })) as { command?: { command: string; arguments: { uri: string }[] } }[];
    expect(lenses.some((l) => l.command?.command === 'optpar.generateHarness' && l.command.arguments[0].uri === cells[3].uri)).toBe(true);

    // Edit a cell: units' definition changes text, the dropout disappears.
    const c2 = cells[2];
    const old = c2.text;
    c2.text = old.replace('    layers.Dropout(0.2),\n', '');
    c2.version++;
    nbVersion++;
    await s.conn.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: nbUri, version: nbVersion },
      change: { cells: { textContent: [{ document: { uri: c2.uri, version: c2.version }, changes: [{ range: { start: { line: 3, character: 0 }, end: { line: 4, character: 0 } }, text: '' }] }] } },
    });
    const step2 = await expectInStep();
    expect(step2.get(c2.uri)!.some((x) => x.startsWith('dropout.rate'))).toBe(false);

    // Add a cell between 1 and 2 that redefines nothing but adds a layer width used later.
    const added = code('hidden = 48\n%time x = np.random.rand(64, 8)\ny = (x.sum(axis=1) > 4).astype(int)');
    cells.splice(2, 0, added);
    c2.text = c2.text.replace("    layers.Dense(2, activation='softmax'),", "    layers.Dense(hidden, activation='tanh'),\n    layers.Dense(2, activation='softmax'),");
    c2.version++;
    nbVersion++;
    await s.conn.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: nbUri, version: nbVersion },
      change: {
        cells: {
          structure: { array: { start: 2, deleteCount: 0, cells: [{ kind: 2, document: added.uri }] }, didOpen: [item(added)] },
          textContent: [{ document: { uri: c2.uri, version: c2.version }, changes: [{ text: c2.text }] }],
        },
      },
    });
    const step3 = await expectInStep();
    expect(step3.get(added.uri)).toEqual(['hidden@0:9']);

    // Generate the tuning harness from any cell: tune_model.py beside the notebook.
    const r = (await s.conn.sendRequest('workspace/executeCommand', { command: 'optpar.generateHarness', arguments: [{ uri: c2.uri }] })) as { uri: string; ids: string[] };
    const harness = join(dir, 'tune_model.py');
    expect(r.uri).toBe(uriOf(harness));
    expect(existsSync(harness)).toBe(true);
    const text = readFileSync(harness, 'utf8');
    expect(text).toContain('python tune_model.py');
    expect(text).toContain('# IPython: %time x = np.random.rand(64, 8)');
    expect(r.ids).toEqual(expect.arrayContaining(['hidden', 'compile.optimizer.learning_rate']));

    // Move a cell: the model cell before the one that defines hidden (a splice of the same cells).
    const [addedCell, modelCell] = cells.splice(2, 2);
    const publishedBefore = s.diagnostics.filter((d) => d.uri === modelCell.uri).length;
    cells.splice(2, 0, modelCell, addedCell);
    nbVersion++;
    await s.conn.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: nbUri, version: nbVersion },
      change: { cells: { structure: { array: { start: 2, deleteCount: 2, cells: [{ kind: 2, document: modelCell.uri }, { kind: 2, document: addedCell.uri }] } } } },
    });
    await s.waitForDiagnostics(modelCell.uri, () => s.diagnostics.filter((d) => d.uri === modelCell.uri).length > publishedBefore);
    // Module-level names are found in any order: the same values, republished after the move.
    expect(await expectInStep()).toEqual(step3);

    // Remove the first code cell (imports and units): without the Keras imports only fit's own
    // values remain; the removed cell's diagnostics are cleared.
    const removed = cells.splice(1, 1)[0];
    nbVersion++;
    await s.conn.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: nbUri, version: nbVersion },
      change: { cells: { structure: { array: { start: 1, deleteCount: 1 }, didClose: [{ uri: removed.uri }] } } },
    });
    await s.waitForDiagnostics(removed.uri, (p) => p.diagnostics.length === 0);
    const step4 = await expectInStep();
    expect([...step4.values()].flat()).toEqual(['fit.batch_size@2:37', 'fit.epochs@2:23'].sort());

    // Close: every cell's diagnostics are cleared.
    const open = cells.filter((c) => c.kind === 2);
    await s.conn.sendNotification('notebookDocument/didClose', { notebookDocument: { uri: nbUri }, cellTextDocuments: cells.map((c) => ({ uri: c.uri })) });
    for (const c of open) await s.waitForDiagnostics(c.uri, (p) => p.diagnostics.length === 0);
    const hoverAfter = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: open[0].uri }, position: { line: 0, character: 0 } });
    expect(hoverAfter).toBeNull();
  });
});
