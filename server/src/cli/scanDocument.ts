import { LineIndex } from '../analysis/lines';
import type { AnalysisError, Hyperparameter } from '../analysis/types';
import { formatCatalogueError } from '../catalogue/load';
import type { CatalogueError } from '../catalogue/types';
import { type JsonHyperparameter, toJsonError, toJsonHyperparameter } from './report';
import type { Notebook } from '../notebook/notebook';
import { notebookErrorFields, notebookHpFields } from '../notebook/cli';

/**
 * The `optpar scan --json` document (version 1), built from analysis results only: no files,
 * no output. Shared by the CLI and the serverless handler so both write the same document.
 */
export interface ScanFileReport {
  path: string;
  hyperparameters: JsonHyperparameter[];
  errors: { message: string; line?: number; column?: number }[];
}

/** One file's entry from its text and its scan (hyperparameters after the project's config). */
export function scanFileReport(path: string, text: string, hyperparameters: Hyperparameter[], errors: AnalysisError[], notebook?: Notebook): ScanFileReport {
  const lines = new LineIndex(text);
  // A notebook's positions are per cell: `cell` (index, id) with line and column inside it.
  if (notebook) {
    return {
      path,
      hyperparameters: hyperparameters.map((h) => ({ ...toJsonHyperparameter(h, lines), ...notebookHpFields(notebook, h, lines) })),
      errors: errors.map((e) => notebookErrorFields(notebook, e, lines)),
    };
  }
  return {
    path,
    hyperparameters: hyperparameters.map((h) => toJsonHyperparameter(h, lines)),
    errors: errors.map((e) => toJsonError(e, lines)),
  };
}

/** The entry of a file that could not be read or decoded. */
export function unreadableFileReport(path: string, message: string): ScanFileReport {
  return { path, hyperparameters: [], errors: [{ message }] };
}

export function scanDocument(files: ScanFileReport[], catalogueErrors: CatalogueError[] = []): Record<string, unknown> {
  const doc: Record<string, unknown> = { version: 1, files };
  if (catalogueErrors.length) doc.catalogueErrors = catalogueErrors.map(formatCatalogueError);
  return doc;
}

/** The document's text as `optpar scan --json` prints it (without the final newline). */
export function formatScanDocument(doc: Record<string, unknown>): string {
  return JSON.stringify(doc, null, 2);
}
