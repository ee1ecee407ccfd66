import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatCatalogueError, loadCatalogue } from '../catalogue/load';
import { decodeSource } from '../analysis/input';
import { LineIndex } from '../analysis/lines';
import { scanSource } from '../analysis/scan';
import { applyProjectConfig } from '../config/projectConfig';
import { loadProjectConfigFor } from '../config/projectFile';
import { formatTable, toJsonError, toJsonHyperparameter } from './report';
import { UsageError } from './usage';

export interface CommandIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** Reads a source file for analysis; the error says why it cannot be analysed. */
export function readSource(path: string): { text?: string; error?: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { error: e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message };
  }
  return decodeSource(bytes);
}

export function runScan(argv: string[], io: CommandIO): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        catalogue: { type: 'string', multiple: true },
        'split-tuples': { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const files = parsed.positionals;
  if (files.length === 0) throw new UsageError('scan needs at least one FILE');
  const { catalogue, errors: catalogueErrors } = loadCatalogue(parsed.values.catalogue ?? []);
  for (const e of catalogueErrors) io.err(`optpar: ${formatCatalogueError(e)}`);
  let failed = catalogueErrors.length > 0;
  const reports = files.map((path) => {
    const source = readSource(path);
    if (source.text === undefined) {
      failed = true;
      io.err(`optpar: ${path}: ${source.error}`);
      return { path, hyperparameters: [], errors: [{ message: source.error! }] };
    }
    const result = scanSource(source.text, catalogue, { splitTuples: parsed.values['split-tuples'] });
    result.hyperparameters = applyProjectConfig(result.hyperparameters, loadProjectConfigFor(path, (m) => io.err(`optpar: ${m}`)));
    const lines = new LineIndex(source.text);
    if (!parsed.values.json) {
      io.out(formatTable(path, source.text, result.hyperparameters));
      for (const e of result.errors) io.out(`  ! ${e.message}`);
    }
    return {
      path,
      hyperparameters: result.hyperparameters.map((h) => toJsonHyperparameter(h, lines)),
      errors: result.errors.map((e) => toJsonError(e, lines)),
    };
  });
  if (parsed.values.json) {
    const doc: Record<string, unknown> = { version: 1, files: reports };
    if (catalogueErrors.length) doc.catalogueErrors = catalogueErrors.map(formatCatalogueError);
    io.out(JSON.stringify(doc, null, 2));
  }
  return failed ? 1 : 0;
}
