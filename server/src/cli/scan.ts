import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatCatalogueError, loadCatalogue } from '../catalogue/load';
import { decodeSource } from '../analysis/input';
import { scanSource } from '../analysis/scan';
import { applyProjectConfig } from '../config/projectConfig';
import { loadProjectConfigFor } from '../config/projectFile';
import { formatTable } from './report';
import { formatScanDocument, scanDocument, scanFileReport, unreadableFileReport } from './scanDocument';
import { UsageError } from './usage';
import { isNotebookPath, type Notebook } from '../notebook/notebook';
import { notebookWhere, readNotebookText } from '../notebook/cli';

export interface CommandIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** Reads a source file for analysis; the error says why it cannot be analysed. */
export function readSource(path: string): { text?: string; error?: string; notebook?: Notebook } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { error: e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message };
  }
  const decoded = decodeSource(bytes);
  // A notebook (.ipynb) is analysed as its code cells in order: see notebook/notebook.ts.
  return isNotebookPath(path) && decoded.text !== undefined ? readNotebookText(decoded.text) : decoded;
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
        'tune-budget': { type: 'boolean' },
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
      return unreadableFileReport(path, source.error!);
    }
    const result = scanSource(source.text, catalogue, { splitTuples: parsed.values['split-tuples'], tuneBudget: parsed.values['tune-budget'] });
    result.hyperparameters = applyProjectConfig(result.hyperparameters, loadProjectConfigFor(path, (m) => io.err(`optpar: ${m}`)));
    if (!parsed.values.json) {
      io.out(formatTable(path, source.text, result.hyperparameters, source.notebook && notebookWhere(source.notebook)));
      for (const e of result.errors) io.out(`  ! ${e.message}`);
    }
    return scanFileReport(path, source.text, result.hyperparameters, result.errors, source.notebook);
  });
  if (parsed.values.json) io.out(formatScanDocument(scanDocument(reports, catalogueErrors)));
  return failed ? 1 : 0;
}
