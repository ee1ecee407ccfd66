import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';

/** Where a model's search lives by default: .optpar/<model name>/ beside the model. */
export function defaultSearchDir(model: string): string {
  return join(dirname(resolve(model)), '.optpar', basename(model, extname(model)));
}

/** The results file of a model's default search. */
export function defaultResultsPath(model: string): string {
  return join(defaultSearchDir(model), 'results.json');
}


/** The harness's results file (README, "Results file"): the fields optpar's own tools read. */
export type Value = string | number | boolean | null | Value[];

export interface TrialRow {
  /** The trial's id: 1 is the original values. */
  number: number;
  params: Record<string, Value>;
  status: 'ok' | 'failed' | 'pruned';
  phase: 'build' | 'training' | null;
  loss: number | null;
  error: string | null;
  duration: number | null;
  seed?: number | null;
  best_epoch?: number | null;
  epochs?: number | null;
}

export interface RecordedValue {
  /** The value's source text when the search was made. */
  text: string;
  line: number;
  column: number;
  definition?: string;
}

export interface ResultsDoc {
  version?: number;
  source: string;
  model?: { path: string; sha256: string; values: Record<string, RecordedValue> };
  algo?: string;
  seed?: number;
  max_evals?: number;
  interrupted?: boolean;
  original: { params: Record<string, Value>; loss: number | null; trial: number | null; status: string | null };
  best: { params: Record<string, Value>; loss: number; trial: number; seed?: number } | null;
  improvement: { loss: number; relative: number | null } | null;
  defaults: Record<string, Value>;
  space?: Record<string, { kind: string; options?: Value[]; low?: number; high?: number; q?: number }>;
  trials: TrialRow[];
  build_failures?: number;
  trials_counted?: number;
}

/** The newest results format this version reads. */
export const RESULTS_VERSION = 1;

export class ResultsError extends Error {}

/** Reads and checks a results file; the error says what is wrong with it. */
export function readResults(path: string): ResultsDoc {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ResultsError(`${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ResultsError(`${path}: not JSON (${(err as Error).message})`);
  }
  return checkResults(doc, path);
}

export function checkResults(doc: unknown, where = 'results'): ResultsDoc {
  const d = doc as ResultsDoc;
  if (!d || typeof d !== 'object' || !Array.isArray(d.trials) || typeof d.defaults !== 'object' || !d.original)
    throw new ResultsError(`${where}: not an optpar results file (no trials, defaults or original)`);
  if (d.version !== undefined && d.version > RESULTS_VERSION)
    throw new ResultsError(`${where}: results format version ${d.version} is newer than this optpar reads (${RESULTS_VERSION}); update optpar`);
  return d;
}

/** The trial's values to apply: the best trial's, or trial `n`'s (which must have finished). */
export function chosenTrial(doc: ResultsDoc, n?: number): { trial: number; params: Record<string, Value>; loss: number | null } {
  if (n === undefined) {
    if (!doc.best) throw new ResultsError('no trial succeeded in this search: there is no best to apply');
    return { trial: doc.best.trial, params: doc.best.params, loss: doc.best.loss };
  }
  const row = doc.trials.find((t) => t.number === n);
  if (!row) throw new ResultsError(`no trial ${n} in the results (trials ${doc.trials.map((t) => t.number).join(', ') || 'none'})`);
  return { trial: n, params: row.params, loss: row.loss };
}
