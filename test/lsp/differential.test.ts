import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { scanSource } from '../../server/src/analysis/scan';
import { parsePython, parseSyntax } from '../../server/src/analysis/parse';
import type { SyntaxNode } from '../../server/src/analysis/syntax';
import { loadCatalogue } from '../../server/src/catalogue/load';
import { DocumentStore } from '../../server/src/lsp/documents';
import { DiagnosticMemo, toDiagnostics } from '../../server/src/lsp/diagnostics';
import { encodeMessage } from '../../server/src/lsp/encoder';
import { DEFAULT_SETTINGS } from '../../server/src/lsp/settings';
import { read, repoRoot } from './client';
import { join } from 'node:path';

const catalogue = loadCatalogue([]).catalogue;

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every node of a syntax copy with what the analysis reads of it, one per line. */
function dump(node: SyntaxNode, depth = 0, out: string[] = []): string[] {
  out.push(`${' '.repeat(depth)}${node.field ?? ''}:${node.type} ${node.startIndex}-${node.endIndex}${node.isMissing ? ' missing' : ''}${node.hasError ? ' error' : ''}`);
  for (const c of node.children) {
    if (c.parent !== node) out.push(`${' '.repeat(depth + 1)}wrong parent`);
    dump(c, depth + 1, out);
  }
  return out;
}

const SNIPPETS = ['64', '0.5', '(3, 3)', ', activation="relu"', '\n', '\n    ', 'layers.Dense(32)', '#', ' # optpar: ignore', '"', '(', ')', ':', 'def f(x=8):\n', 'é', '😀', '\r\n', 'units=', 'Dropout(0.2)', ''];

describe('incremental parse + scan equals a fresh parse + scan (differential)', () => {
  // The Keras fixtures, and those of the training slice (its units are kept per statement across edits).
  const fixtures = (dir: string) => readdirSync(join(repoRoot, 'test', 'fixtures', dir)).filter((f) => f.endsWith('.py')).map((f) => join(dir, f));
  const files = [...fixtures('keras'), ...fixtures('training')];
  for (const [i, file] of files.entries()) {
    it(`random edit sequence on ${file}`, () => {
      const rand = rng(1000 + i);
      const store = new DocumentStore();
      const uri = `file:///${file}`;
      let text = read(join(repoRoot, 'test', 'fixtures', file));
      const entry = store.open(uri, 'python', 0, text);
      const memo = new DiagnosticMemo();
      for (let step = 1; step <= 300; step++) {
        const doc = TextDocument.create(uri, 'python', 0, text);
        const changes = [];
        const n = 1 + Math.floor(rand() * 3);
        for (let k = 0; k < n; k++) {
          const len = doc.getText().length;
          const a = Math.floor(rand() * (len + 1));
          const b = Math.min(len, a + Math.floor(rand() * (rand() < 0.8 ? 4 : 60)));
          const insert = rand() < 0.7 ? SNIPPETS[Math.floor(rand() * SNIPPETS.length)] : '';
          const change = { range: { start: doc.positionAt(a), end: doc.positionAt(b) }, text: insert };
          changes.push(change);
          TextDocument.update(doc, [change], step);
        }
        store.change(uri, step, changes);
        text = doc.getText();
        expect(entry.doc.getText()).toBe(text);
        // Reparse only now and then, so several edits pile up on one tree.
        if (step % 3 !== 0 && step !== 300) continue;
        const tree = store.tree(entry)!;
        const syntax = store.syntax(entry)!;
        const fresh = parsePython(text);
        const freshSyntax = parseSyntax(text);
        if (process.env.OPTPAR_DIFF_DEBUG) console.error(file, step, text.length);
        // Strings compared with ===, so a failure reports the step, not a diff of two syntax trees.
        const same = tree.rootNode.toString() === fresh.rootNode.toString();
        if (!same) expect.fail(`${file}: the incremental tree differs from a fresh parse after step ${step}`);
        // The copy, rebuilt from the previous copy statement by statement, equals a fresh copy.
        const sameCopy = dump(syntax.root).join('\n') === dump(freshSyntax.root).join('\n');
        if (!sameCopy) expect.fail(`${file}: the incremental syntax copy differs from a fresh one after step ${step}`);
        const incScan = scanSource(text, catalogue, {}, syntax);
        const refScan = scanSource(text, catalogue, {}, freshSyntax);
        if (JSON.stringify(incScan) !== JSON.stringify(refScan)) expect.fail(`${file}: the incremental scan differs from a fresh one after step ${step}`);
        // Diagnostics handed back from the last step (and their kept JSON) equal ones made afresh.
        const reused = toDiagnostics(text, incScan.hyperparameters, incScan.errors, DEFAULT_SETTINGS, memo);
        const made = toDiagnostics(text, refScan.hyperparameters, refScan.errors, DEFAULT_SETTINGS);
        const publish = (diagnostics: unknown[]) => ({ jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri, version: step, diagnostics } });
        if (encodeMessage(publish(reused)).toString('utf8') !== JSON.stringify(publish(made))) expect.fail(`${file}: reused diagnostics differ from fresh ones after step ${step}`);
      }
    });
  }
});
