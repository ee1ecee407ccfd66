import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../server/src/catalogue/load';
import { scanSource } from '../../server/src/analysis/scan';
import { reverseEdits } from '../../server/src/refactor/edits';
import { chooseHyperparameters, parametrize } from '../../server/src/refactor/parametrize';
import { parseNotebook, rewriteNotebook } from '../../server/src/notebook/notebook';
import { repoRoot, venvPython } from '../helpers/python';

/**
 * Issue 14 §1: notebooks on the command line. The notebooks are written by the real nbformat
 * package (make_notebooks.py); rewritten notebooks are validated by it.
 */
const bin = join(repoRoot, 'bin', 'optpar.js');
const { catalogue } = loadCatalogue();
let dir: string;

function optpar(args: string[], cwd = repoRoot) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, PYTHONUNBUFFERED: '1' }, timeout: 400_000, maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Validates a notebook with nbformat and returns it as Python's json reads it. */
function validate(path: string): any {
  const out = execFileSync(venvPython(), ['-c', 'import json, sys, nbformat\nnb = nbformat.read(sys.argv[1], as_version=4)\nnbformat.validate(nb)\nprint(json.dumps(json.load(open(sys.argv[1], encoding="utf-8"))))', path], { encoding: 'utf8' });
  return JSON.parse(out);
}

const cellSource = (nb: any, index: number): string => {
  const s = nb.cells[index].source;
  return Array.isArray(s) ? s.join('') : s;
};

interface JsonHp {
  id: string;
  value: string;
  definition: string;
  cell: { index: number; id?: string };
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  uses: { line: number; column: number; cell: { index: number; id?: string } }[];
}

function scanJson(path: string): { hyperparameters: JsonHp[]; errors: unknown[] } {
  const r = optpar(['scan', '--json', path]);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(doc.version).toBe(1);
  return doc.files[0];
}

/** The text at a 1-based line and column range inside a cell's source. */
function textAt(nb: any, index: number, line: number, column: number, endColumn: number): string {
  const l = [...cellSource(nb, index).split('\n')[line - 1]];
  return l.slice(column - 1, endColumn - 1).join('');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'optpar-nb-'));
  execFileSync(venvPython(), [join(__dirname, 'make_notebooks.py'), dir], { encoding: 'utf8' });
});

describe('scan', () => {
  it('analyses the code cells of a v4.5 notebook as one program, positions per cell with ids', () => {
    const path = join(dir, 'split_v45.ipynb');
    const nb = validate(path);
    expect(nb.nbformat_minor).toBeGreaterThanOrEqual(5);
    const file = scanJson(path);
    expect(file.errors).toEqual([]);
    const ids = file.hyperparameters.map((h) => h.id);
    // Nothing from markdown, raw or %%bash cells (Dense(999), Dense(1234)).
    expect(file.hyperparameters.some((h) => ['999', '1234'].includes(h.value))).toBe(false);
    expect(ids).toEqual(expect.arrayContaining(['units', 'dense.activation', 'dropout.rate', 'compile.optimizer.learning_rate', 'fit.batch_size']));
    // Value flow across cells: units is written in cell 2 ("data") and used in cell 5 ("model").
    const units = file.hyperparameters.find((h) => h.id === 'units')!;
    expect(units.definition).toBe('variable');
    expect(units.cell).toEqual({ index: 2, id: 'data' });
    expect(units).toMatchObject({ line: 4, column: 9, endLine: 4, endColumn: 11 });
    expect(units.uses).toContainEqual({ line: 3, column: 18, cell: { index: 5, id: 'model' } });
    expect(file.hyperparameters.find((h) => h.id === 'dropout.rate')).toMatchObject({ cell: { index: 5, id: 'model' }, line: 4, column: 20 });
    expect(file.hyperparameters.find((h) => h.id === 'fit.batch_size')).toMatchObject({ cell: { index: 7, id: 'train' }, line: 3 });
    // Every written value is at its position inside its cell.
    for (const h of file.hyperparameters) {
      if (h.definition === 'implicit') continue;
      expect(h.endLine).toBe(h.line);
      expect(textAt(nb, h.cell.index, h.line, h.column, h.endColumn), h.id).toBe(h.value);
      expect(nb.cells[h.cell.index].id).toBe(h.cell.id);
    }
  });

  it('reports v4.4 cells (no ids) by index, and a Kaggle notebook with string sources, outputs and an image', () => {
    for (const name of ['v44.ipynb', 'kaggle.ipynb']) {
      const path = join(dir, name);
      const nb = validate(path);
      const file = scanJson(path);
      expect(file.errors).toEqual([]);
      expect(file.hyperparameters.length).toBeGreaterThan(4);
      for (const h of file.hyperparameters) {
        if (name === 'v44.ipynb') expect(h.cell).toEqual({ index: h.cell.index });
        expect(nb.cells[h.cell.index].cell_type).toBe('code');
        if (h.definition !== 'implicit') expect(textAt(nb, h.cell.index, h.line, h.column, h.endColumn), h.id).toBe(h.value);
      }
    }
    const kaggle = scanJson(join(dir, 'kaggle.ipynb'));
    expect(kaggle.hyperparameters.find((h) => h.id === 'dense.units')).toMatchObject({ value: '48', cell: { index: 2 }, line: 2, column: 18 });
    expect(kaggle.hyperparameters.find((h) => h.id === 'fit.batch_size')).toMatchObject({ value: '64', cell: { index: 3 }, line: 1 });
  });

  it('keeps IPython syntax out of the analysis, line for line', () => {
    const nb = parseNotebook(readFileSync(join(dir, 'split_v45.ipynb'), 'utf8'));
    const lines = nb.virtual.split('\n');
    expect(lines).toContain('# IPython: %matplotlib inline');
    expect(lines).toContain('# IPython: !pip install -q hyperopt');
    expect(lines).toContain('# IPython: files = !ls');
    expect(lines).toContain('    pass  # IPython: !echo never');
    // Lines that continue a statement are Python (a string format's % operand, a string's text);
    // a magic's own brackets do not open a Python bracket.
    expect(lines).toContain('       % units)');
    expect(lines).toContain('%not a magic');
    expect(lines).toContain('# IPython: !echo (');
    expect(lines).toContain('w = 1');
    expect(lines).toContain('# IPython: %%bash');
    expect(lines).toContain('# IPython: echo Dense(1234)');
    expect(lines).toContain('# IPython: model.summary?');
    // %%time runs its body as Python: only the magic line is a comment.
    expect(lines).toContain('# IPython: %%time');
    expect(nb.virtual).toContain('model.compile(optimizer=keras.optimizers.Adam(');
    // The virtual document has exactly the code cells' lines.
    const codeLines = nb.code.reduce((n, c) => n + (c.cell.source === '' ? 0 : c.cell.source.replace(/\n$/, '').split('\n').length), 0);
    expect(nb.code[nb.code.length - 1].cell).toMatchObject({ id: 'empty', source: '' });
    expect(lines.length - 1).toBe(codeLines);
    expect(scanSource(nb.virtual, catalogue).errors).toEqual([]);
  });

  it('refuses bad notebooks with a clear error, and writes nothing', () => {
    const bad: Record<string, string> = {
      'invalid.ipynb': '{"cells": [',
      'v3.ipynb': JSON.stringify({ nbformat: 3, nbformat_minor: 0, metadata: {}, worksheets: [{ cells: [] }] }),
      'empty.ipynb': JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }),
      'markdown_only.ipynb': JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells: [{ cell_type: 'markdown', metadata: {}, source: ['Dense(3)'] }] }),
      'bad_source.ipynb': JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells: [{ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: 42 }] }),
      'zero.ipynb': '',
    };
    const expected: Record<string, RegExp> = {
      'invalid.ipynb': /invalid JSON/,
      'v3.ipynb': /unsupported nbformat 3/,
      'empty.ipynb': /empty notebook: no code cells/,
      'markdown_only.ipynb': /empty notebook: no code cells/,
      'bad_source.ipynb': /cell 0: its source must be a string or a list of strings/,
      'zero.ipynb': /empty file/,
    };
    for (const [name, text] of Object.entries(bad)) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const scan = optpar(['scan', path]);
      expect(scan.code, name).toBe(1);
      expect(scan.stderr).toMatch(expected[name]);
      const out = join(dir, `out_${name}`);
      const p = optpar(['parametrize', path, '-o', out]);
      expect(p.code).toBe(1);
      expect(p.stderr).toMatch(expected[name]);
      expect(existsSync(out)).toBe(false);
      expect(readFileSync(path, 'utf8')).toBe(text);
      const h = optpar(['harness', path]);
      expect(h.code).toBe(1);
      expect(existsSync(join(dir, `tune_${name.replace('.ipynb', '')}.py`))).toBe(false);
    }
  });
});

describe('rewriting', () => {
  it('writes a notebook with no edits back byte for byte', () => {
    for (const name of ['split_v45.ipynb', 'v44.ipynb', 'kaggle.ipynb']) {
      const text = readFileSync(join(dir, name), 'utf8');
      expect(rewriteNotebook(parseNotebook(text), []).text).toBe(text);
    }
  });

  it('parametrize changes only the edited cell sources; nbformat validates it; reversing gives the identical file', () => {
    for (const name of ['split_v45.ipynb', 'v44.ipynb', 'kaggle.ipynb']) {
      const path = join(dir, name);
      const text = readFileSync(path, 'utf8');
      const out = join(dir, `param_${name}`);
      const r = optpar(['parametrize', path, '-o', out]);
      expect(r.code, r.stderr).toBe(0);
      const before = validate(path);
      const after = validate(out);
      const rewritten = readFileSync(out, 'utf8');
      expect(rewritten).not.toBe(text);
      // Everything but the sources of code cells is the same: outputs, metadata, counts, ids, version.
      expect(after.nbformat).toBe(before.nbformat);
      expect(after.nbformat_minor).toBe(before.nbformat_minor);
      expect(after.metadata).toEqual(before.metadata);
      expect(after.cells.length).toBe(before.cells.length);
      let changed = 0;
      for (let i = 0; i < before.cells.length; i++) {
        const { source: s0, ...rest0 } = before.cells[i];
        const { source: s1, ...rest1 } = after.cells[i];
        expect(rest1).toEqual(rest0);
        expect(Array.isArray(s1)).toBe(Array.isArray(s0));
        if (cellSource(before, i) !== cellSource(after, i)) {
          changed++;
          expect(before.cells[i].cell_type).toBe('code');
          expect(cellSource(after, i)).toContain("params['");
        }
      }
      expect(changed).toBeGreaterThan(0);
      // The same layout: the file's lines differ only where a cell's source line changed.
      const a = text.split('\n');
      const b = rewritten.split('\n');
      expect(b.length).toBe(a.length);
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) expect(b[i]).toContain("params[");

      // Reverse: undo the edits on the parametrized notebook's program and write it back.
      const nb = parseNotebook(text);
      const { chosen } = chooseHyperparameters(scanSource(nb.virtual, catalogue).hyperparameters);
      const p = parametrize(nb.virtual, chosen);
      expect(rewriteNotebook(nb, p.edits).text).toBe(rewritten);
      const nb2 = parseNotebook(rewritten);
      expect(nb2.virtual).toBe(p.text);
      expect(rewriteNotebook(nb2, reverseEdits(nb.virtual, p.edits)).text).toBe(text);
    }
  });

  it('a rewrite that changes the number of lines of a list source keeps its layout', () => {
    const text = readFileSync(join(dir, 'split_v45.ipynb'), 'utf8');
    const nb = parseNotebook(text);
    const at = nb.virtual.indexOf('units = 64');
    const out = rewriteNotebook(nb, [{ span: { start: at, end: at }, newText: '# width\n' }]).text;
    const path = join(dir, 'lines.ipynb');
    writeFileSync(path, out);
    const doc = validate(path);
    expect(cellSource(doc, 2)).toContain('# width\nunits = 64');
    expect(doc.cells[2].source).toContain('# width\n');
    const back = parseNotebook(out);
    const at2 = back.virtual.indexOf('# width\n');
    expect(rewriteNotebook(back, [{ span: { start: at2, end: at2 + 8 }, newText: '' }]).text).toBe(text);
  });
});

describe('harness, tune and apply on real TensorFlow and hyperopt', () => {
  it('the harness from a notebook is a .py that runs 2 trials; apply writes the best values into the notebook', { timeout: 600_000 }, () => {
    const work = mkdtempSync(join(tmpdir(), 'optpar-nb-tune-'));
    const path = join(work, 'kaggle.ipynb');
    copyFileSync(join(dir, 'kaggle.ipynb'), path);
    const original = readFileSync(path, 'utf8');

    const h = optpar(['harness', path]);
    expect(h.code, h.stderr).toBe(0);
    const script = readFileSync(join(work, 'tune_kaggle.py'), 'utf8');
    expect(script).toContain('# IPython: !pip install -q keras-tuner');
    expect(script).toMatch(/# NOTE: 1 IPython line\(s\) of the notebook/);
    expect(script).toContain('python tune_kaggle.py');
    expect(script).not.toContain('tune_kaggle.ipynb');

    const t = optpar(['tune', path, '--max-evals', '2', '--seed', '3'], work);
    expect(t.code, t.stderr + t.stdout).toBe(0);
    const results = JSON.parse(readFileSync(join(work, '.optpar', 'kaggle', 'results.json'), 'utf8'));
    expect(results.trials.length).toBe(2);
    expect(results.trials.every((tr: any) => tr.status === 'ok' && Number.isFinite(tr.loss))).toBe(true);
    expect(existsSync(join(work, '.optpar', 'kaggle', 'tune_kaggle.py'))).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(original);

    const a = optpar(['apply', path], work);
    expect(a.code, a.stderr).toBe(0);
    const applied = validate(path);
    const before = JSON.parse(original);
    for (let i = 0; i < before.cells.length; i++) {
      const { source: _s0, ...rest0 } = before.cells[i];
      const { source: _s1, ...rest1 } = applied.cells[i];
      expect(rest1).toEqual(rest0);
    }
    // The applied values are the best trial's, at their places in the cells.
    const file = scanJson(path);
    let checked = 0;
    for (const [id, value] of Object.entries(results.best.params as Record<string, unknown>)) {
      const hp = file.hyperparameters.find((x) => x.id === id);
      if (!hp || hp.definition === 'implicit' || typeof value !== 'number') continue;
      expect(Number(hp.value), id).toBeCloseTo(value as number, 10);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});
