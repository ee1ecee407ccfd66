import { basename, dirname, join } from 'node:path';
import { LineIndex } from '../analysis/lines';
import type { AnalysisError, Hyperparameter } from '../analysis/types';
import { type CellPosition, cellPosition, ipythonNote, type Notebook, NotebookError, parseNotebook } from './notebook';

/** What the CLI needs from a notebook file: its virtual document for analysis, or why not. */
export function readNotebookText(text: string): { text?: string; error?: string; notebook?: Notebook } {
  try {
    const notebook = parseNotebook(text);
    return { text: notebook.virtual, notebook };
  } catch (err) {
    if (err instanceof NotebookError) return { error: err.message };
    throw err;
  }
}

/** The JSON fields of a position in a notebook: the cell and the line and column inside it. */
function at(nb: Notebook, lines: LineIndex, offset: number): CellPosition {
  return cellPosition(nb, offset, lines);
}

/** A scan JSON hyperparameter's positions, per cell (fields added: cell; line/column are the cell's). */
export function notebookHpFields(nb: Notebook, h: Hyperparameter, lines = new LineIndex(nb.virtual)) {
  const start = at(nb, lines, h.span.start);
  const end = at(nb, lines, h.span.end);
  return {
    cell: start.cell,
    line: start.line,
    column: start.column,
    endLine: end.cell.index === start.cell.index ? end.line : start.line,
    endColumn: end.cell.index === start.cell.index ? end.column : start.column,
    uses: h.uses.map((u) => at(nb, lines, u.start)).map((p) => ({ line: p.line, column: p.column, cell: p.cell })),
  };
}

export function notebookErrorFields(nb: Notebook, e: AnalysisError, lines = new LineIndex(nb.virtual)) {
  if (!e.span) return { message: e.message };
  const p = at(nb, lines, e.span.start);
  return { message: e.message, line: p.line, column: p.column, cell: p.cell };
}

/** "cell 3 2:5" (the cell's index in the notebook, line:column inside it), for tables. */
export function notebookWhere(nb: Notebook, lines = new LineIndex(nb.virtual)): (offset: number) => string {
  return (offset) => {
    const p = at(nb, lines, offset);
    return `cell ${p.cell.index} ${p.line}:${p.column}`;
  };
}

/** tune_<notebook>.py beside the notebook. */
export function notebookHarnessPath(path: string): string {
  return join(dirname(path), `tune_${basename(path).replace(/\.ipynb$/i, '')}.py`);
}

/**
 * A harness generated from a notebook's virtual document, named as the .py it is written to
 * (python tune_<notebook>.py) and carrying a note about the IPython lines that are comments.
 */
export function adaptNotebookHarness(text: string, notes: string[], nb: Notebook, path: string): { text: string; notes: string[] } {
  return adaptHarness(text, notes, path, nb.code.map((c) => c.cell.index), ipythonNote(nb));
}

/** The same from the cells' indexes and the note on IPython lines (the language server's notebooks). */
export function adaptHarness(text: string, notes: string[], path: string, cellIndexes: number[], note: string | undefined): { text: string; notes: string[] } {
  const name = basename(path);
  const script = basename(notebookHarnessPath(path));
  let out = text.split(`python tune_${name}`).join(`python ${script}`);
  const firstLine = out.indexOf('\n');
  const cells = cellIndexes.join(', ');
  const extra = [`# ${name} is a notebook: its code cells (${cells}) follow in order, as one program.`, ...(note ? [`# NOTE: ${note}.`] : [])];
  out = out.slice(0, firstLine + 1) + extra.join('\n') + '\n' + out.slice(firstLine + 1);
  return { text: out, notes: note ? [...notes, note] : notes };
}
