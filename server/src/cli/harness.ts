import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatCatalogueError, loadCatalogue } from '../catalogue/load';
import { loadProjectConfigFor } from '../config/projectFile';
import { generateHarness } from '../harness/hyperopt';
import { generateOptunaHarness } from '../harness/optuna';
import type { Backend } from '../harness/runtimeText';
import { type Algo, DEFAULT_HARNESS_OPTIONS, type HarnessOptions, HarnessError } from '../harness/types';
import { readSource, type CommandIO } from './scan';
import { UsageError } from './usage';
import { isNotebookPath } from '../notebook/notebook';
import { adaptNotebookHarness, notebookHarnessPath } from '../notebook/cli';

export const HARNESS_OPTIONS = {
  output: { type: 'string', short: 'o' },
  'max-evals': { type: 'string' },
  algo: { type: 'string' },
  seed: { type: 'string' },
  ids: { type: 'string' },
  force: { type: 'boolean' },
  catalogue: { type: 'string', multiple: true },
  'split-tuples': { type: 'boolean' },
  'tune-budget': { type: 'boolean' },
  backend: { type: 'string' },
} as const;

export function harnessOptions(values: Record<string, unknown>): HarnessOptions {
  const int = (key: string, fallback: number, min: number) => {
    const raw = values[key];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${key} must be an integer >= ${min}, not "${raw}"`);
    return n;
  };
  const algo = (values.algo as string | undefined) ?? DEFAULT_HARNESS_OPTIONS.algo;
  if (!['tpe', 'rand', 'anneal', 'atpe'].includes(algo)) throw new UsageError(`--algo must be tpe, rand, anneal or atpe, not "${algo}"`);
  const backend = backendOf(values);
  if (backend === 'optuna' && !['tpe', 'rand'].includes(algo)) throw new UsageError(`--algo ${algo} is hyperopt's; the Optuna backend samples with tpe or rand`);
  return {
    maxEvals: int('max-evals', DEFAULT_HARNESS_OPTIONS.maxEvals, 1),
    seed: int('seed', DEFAULT_HARNESS_OPTIONS.seed, 0),
    algo: algo as Algo,
    ids: (values.ids as string | undefined)?.split(',').map((s) => s.trim()).filter(Boolean),
    splitTuples: values['split-tuples'] as boolean | undefined,
    tuneBudget: values['tune-budget'] as boolean | undefined,
  };
}

/** --backend: hyperopt (default) or optuna. */
export function backendOf(values: Record<string, unknown>): Backend {
  const backend = (values.backend as string | undefined) ?? 'hyperopt';
  if (backend !== 'hyperopt' && backend !== 'optuna') throw new UsageError(`--backend must be hyperopt or optuna, not "${backend}"`);
  return backend;
}

export function defaultHarnessPath(modelPath: string): string {
  if (isNotebookPath(modelPath)) return notebookHarnessPath(modelPath);
  return join(dirname(modelPath), `tune_${basename(modelPath)}`);
}

/** Generates the harness text, or reports why not (exit 1). */
export function buildHarness(path: string, values: Record<string, unknown>, io: CommandIO): { text: string; notes: string[] } | undefined {
  const options = harnessOptions(values);
  const { catalogue, errors } = loadCatalogue((values.catalogue as string[] | undefined) ?? []);
  for (const e of errors) io.err(`optpar: ${formatCatalogueError(e)}`);
  const source = readSource(path);
  if (source.text === undefined) {
    io.err(`optpar: ${path}: ${source.error}`);
    return undefined;
  }
  options.project = loadProjectConfigFor(path, (m) => io.err(`optpar: ${m}`));
  try {
    const generate = backendOf(values) === 'optuna' ? generateOptunaHarness : generateHarness;
    const harness = generate(source.text, path, catalogue, options);
    return source.notebook ? adaptNotebookHarness(harness.text, harness.notes, source.notebook, path) : harness;
  } catch (err) {
    if (err instanceof HarnessError) {
      io.err(`optpar: ${err.message}`);
      return undefined;
    }
    throw err;
  }
}

/** optpar harness MODEL.py [-o tune_MODEL.py] [--max-evals N] [--algo A] [--seed S] [--ids a,b] [--force] */
export function runHarness(argv: string[], io: CommandIO): number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: HARNESS_OPTIONS });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length !== 1) throw new UsageError('harness takes exactly one MODEL.py');
  const path = parsed.positionals[0];
  const out = parsed.values.output ?? defaultHarnessPath(path);
  if (existsSync(out) && !parsed.values.force) {
    io.err(`optpar: ${out} exists; use --force to replace it`);
    return 1;
  }
  const harness = buildHarness(path, parsed.values, io);
  if (!harness) return 1;
  try {
    writeFileSync(out, harness.text);
  } catch (err) {
    io.err(`optpar: cannot write ${out}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (err as Error).message}`);
    return 1;
  }
  for (const note of harness.notes) io.err(`optpar: note: ${note}`);
  io.err(`optpar: wrote ${out}; run it with: python ${out}`);
  return 0;
}
