import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { scanSource } from '../../server/src/analysis/scan';
import { loadCatalogue } from '../../server/src/catalogue/load';
import { textHash } from '../../server/src/harness/hyperopt';

/**
 * A results file (format version 1, README "Results file") for a model's text, as the harness
 * writes it: the original values as trial 1 (loss 0.52) and `best` over them as trial 2 (0.41).
 * For the editor and server tests, whose subject is what happens once a search has run; the
 * searches themselves are run for real in test/cli/apply.test.ts.
 */
export function resultsFor(path: string, text: string, best: Record<string, unknown>) {
  const { catalogue } = loadCatalogue();
  const hps = scanSource(text, catalogue).hyperparameters.filter((h) => h.tunable);
  const defaults = Object.fromEntries(hps.map((h) => [h.id, h.current]));
  const values = Object.fromEntries(hps.map((h) => [h.id, { text: text.slice(h.span.start, h.span.end), line: 1, column: 1, definition: h.definition }]));
  const params = { ...defaults, ...best };
  return {
    version: 1,
    source: basename(path),
    model: { path, sha256: textHash(text), values },
    original: { params: defaults, loss: 0.52, trial: 1, status: 'ok' },
    best: { params, loss: 0.41, trial: 2, seed: 1 },
    improvement: { loss: 0.11, relative: 0.21 },
    defaults,
    trials: [
      { number: 1, params: defaults, status: 'ok', phase: null, loss: 0.52, error: null, duration: 1 },
      { number: 2, params, status: 'ok', phase: null, loss: 0.41, error: null, duration: 1 },
    ],
  };
}

/** Writes .optpar/<model name>/results.json beside the model; returns its path. */
export function writeResultsBeside(path: string, text: string, best: Record<string, unknown>): string {
  const dir = join(dirname(path), '.optpar', basename(path, extname(path)));
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'results.json');
  writeFileSync(out, JSON.stringify(resultsFor(path, text, best), null, 2));
  return out;
}
