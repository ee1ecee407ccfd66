import { LineIndex } from '../analysis/lines';
import type { Span } from '../analysis/types';
import { applyEdits, type TextEdit } from '../refactor/edits';
import { type JsonNode, member, parseJsonSpans } from './json';

/**
 * Jupyter notebooks (nbformat 4) as one Python program: the code cells in order, markdown and raw
 * cells skipped, IPython syntax (%magic, !shell, %%cell magics, ? help) turned into comments (or
 * `pass` where a statement is needed) so the analysis sees plain Python. Pure: text in, data out.
 *
 * The virtual document has exactly the lines of the code cells, one cell after the other (a cell
 * not ending in a newline gets one). An IPython line keeps its place but not its length, so
 * positions map back line by line; the analysis never reports or edits anything on such a line
 * (it is a comment), and an edit that would touch one is refused.
 */

export class NotebookError extends Error {}

export function isNotebookPath(path: string): boolean {
  return /\.ipynb$/i.test(path);
}

export interface NotebookCell {
  /** Index in the notebook's cells (markdown and raw cells counted). */
  index: number;
  /** nbformat 4.5 cell id, when the notebook has them. */
  id?: string;
  type: string;
  source: string;
  /** The source's JSON value: a string, or a list of strings. */
  sourceNode: JsonNode;
}

export interface CodeCell {
  cell: NotebookCell;
  /** The cell's first line in the virtual document (0-based). */
  startLine: number;
  /** Lines the cell occupies in the virtual document. */
  lineCount: number;
  /** 0-based lines of the cell that are IPython syntax (commented out in the virtual document). */
  ipythonLines: number[];
}

export interface Notebook {
  /** The file's text, as read. */
  text: string;
  nbformat: number;
  nbformatMinor: number;
  cells: NotebookCell[];
  code: CodeCell[];
  /** The code cells as one Python program. */
  virtual: string;
}

/** A place in a notebook: the cell (its index and id) and the 1-based line and column inside it. */
export interface CellPosition {
  cell: { index: number; id?: string };
  line: number;
  column: number;
}

const PYTHON_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun']);

/** Whether a line (outside strings) is IPython rather than Python: a magic, a shell escape, help. */
export function isIPythonLine(line: string): boolean {
  const t = line.trimStart();
  if (/^(%|!)/.test(t)) return true;
  // ?name, name?, name?? (object help)
  if (/^\?{1,2}[\w.]+\s*$/.test(t) || /^[\w.]+\?{1,2}\s*$/.test(t)) return true;
  // files = !ls, t = %timeit -o f()
  if (/^[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!]/.test(t)) return true;
  return false;
}

/**
 * Python's lexical state across lines: whether a line continues a statement (it starts inside a
 * string, inside brackets, or after a backslash). Such a line is never IPython, as IPython only
 * reads escapes at the start of a logical line (`% x` continuing a string format is Python).
 */
class LineState {
  private quote: string | null = null;
  private depth = 0;
  private backslash = false;

  get continuing(): boolean {
    return this.quote !== null || this.depth > 0 || this.backslash;
  }

  /** Reads one line of Python (without its newline). */
  read(line: string): void {
    this.backslash = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (this.quote) {
        if (c === '\\') i++;
        else if (line.startsWith(this.quote, i)) {
          i += this.quote.length - 1;
          this.quote = null;
        }
        continue;
      }
      if (c === '#') break;
      if (c === '(' || c === '[' || c === '{') this.depth++;
      else if ((c === ')' || c === ']' || c === '}') && this.depth > 0) this.depth--;
      else if (c === '"' || c === "'") {
        this.quote = line.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
        i += this.quote.length - 1;
      }
    }
    this.backslash = /\\\r?$/.test(line) && !(this.quote && this.quote.length === 3);
    // A one-quote string ends with its line unless continued by a backslash.
    if (this.quote && this.quote.length === 1 && !this.backslash) this.quote = null;
  }
}

/** The cell's text for analysis, and which of its lines were IPython. */
export function maskCell(source: string): { text: string; ipythonLines: number[] } {
  const lines = source.split('\n');
  const state = new LineState();
  const ipythonLines: number[] = [];
  const cellMagic = /^%%(\w*)/.exec(lines[0]);
  let continued = false;
  const out = lines.map((line, i) => {
    let masked = false;
    if (cellMagic) masked = i === 0 || !PYTHON_CELL_MAGICS.has(cellMagic[1]);
    else if (continued || (!state.continuing && isIPythonLine(line))) masked = true;
    continued = masked && /\\\s*$/.test(line);
    // Only Python moves the lexical state: a magic's brackets and quotes are not Python's.
    if (!masked) state.read(line);
    if (!masked || (line.trim() === '' && i > 0)) return line;
    ipythonLines.push(i);
    const indent = /^[ \t]*/.exec(line)![0];
    const body = line.slice(indent.length).replace(/\r$/, '');
    return indent === '' || cellMagic ? `# IPython: ${line.replace(/\r$/, '')}` : `${indent}pass  # IPython: ${body}`;
  });
  return { text: out.join('\n'), ipythonLines };
}

function sourceOf(node: JsonNode | undefined, index: number): string {
  if (node?.kind === 'string') return node.value;
  if (node?.kind === 'array' && node.items.every((n) => n.kind === 'string')) return node.items.map((n) => (n as { value: string }).value).join('');
  throw new NotebookError(`cell ${index}: its source must be a string or a list of strings`);
}

/** Code cell sources as one program: the cells masked and concatenated, and where each one is. */
export function virtualProgram(sources: string[]): { virtual: string; layout: { startLine: number; lineCount: number; ipythonLines: number[] }[] } {
  let virtual = '';
  let line = 0;
  const layout = sources.map((source) => {
    const masked = maskCell(source);
    const cellText = masked.text.endsWith('\n') || masked.text === '' ? masked.text : masked.text + '\n';
    const lineCount = cellText.split('\n').length - 1;
    const at = { startLine: line, lineCount, ipythonLines: masked.ipythonLines };
    virtual += cellText;
    line += lineCount;
    return at;
  });
  return { virtual, layout };
}

/** Reads a notebook's text; throws NotebookError saying why it is not one optpar can read. */
export function parseNotebook(text: string): Notebook {
  if (text.trim() === '') throw new NotebookError('empty file: not a notebook');
  try {
    JSON.parse(text);
  } catch (err) {
    throw new NotebookError(`not a notebook: invalid JSON (${(err as Error).message})`);
  }
  const root = parseJsonSpans(text);
  if (root.kind !== 'object') throw new NotebookError('not a notebook: the JSON is not an object');
  const major = member(root, 'nbformat');
  const minor = member(root, 'nbformat_minor');
  if (major?.kind !== 'other' || typeof major.value !== 'number') throw new NotebookError('not a notebook: no nbformat version');
  if (major.value !== 4) throw new NotebookError(`unsupported nbformat ${major.value} (optpar reads nbformat 4; convert it with jupyter nbconvert --to notebook)`);
  const cellsNode = member(root, 'cells');
  if (cellsNode?.kind !== 'array') throw new NotebookError("not a notebook: no 'cells' list");
  const cells: NotebookCell[] = cellsNode.items.map((node, index) => {
    const type = member(node, 'cell_type');
    if (node.kind !== 'object' || type?.kind !== 'string') throw new NotebookError(`cell ${index}: not a cell (no cell_type)`);
    const sourceNode = member(node, 'source');
    const id = member(node, 'id');
    return { index, type: type.value, source: sourceOf(sourceNode, index), sourceNode: sourceNode!, ...(id?.kind === 'string' ? { id: id.value } : {}) };
  });
  const codeCells = cells.filter((c) => c.type === 'code');
  const { virtual, layout } = virtualProgram(codeCells.map((c) => c.source));
  const code: CodeCell[] = codeCells.map((cell, i) => ({ cell, ...layout[i] }));
  if (!code.some((c) => c.cell.source.trim() !== '')) throw new NotebookError('empty notebook: no code cells');
  const minorValue = minor?.kind === 'other' && typeof minor.value === 'number' ? minor.value : 0;
  return { text, nbformat: major.value, nbformatMinor: minorValue, cells, code, virtual };
}

/** The code cell holding a line of the virtual document. */
export function codeCellAtLine(nb: Notebook, line: number): CodeCell | undefined {
  let found: CodeCell | undefined;
  for (const c of nb.code) if (c.startLine <= line) found = c;
  return found;
}

/** A virtual document offset as a cell and a 1-based line and column (in code points) inside it. */
export function cellPosition(nb: Notebook, offset: number, lines = new LineIndex(nb.virtual)): CellPosition {
  const human = lines.humanPosition(offset);
  const c = codeCellAtLine(nb, human.line - 1)!;
  return { cell: { index: c.cell.index, ...(c.cell.id !== undefined ? { id: c.cell.id } : {}) }, line: human.line - c.startLine, column: human.column };
}

/** A virtual document offset as a cell and an offset into that cell's source. */
export function cellOffset(nb: Notebook, offset: number, lines = new LineIndex(nb.virtual)): { code: CodeCell; offset: number } {
  const pos = lines.position(offset);
  const code = codeCellAtLine(nb, pos.line)!;
  const cellLine = pos.line - code.startLine;
  if (code.ipythonLines.includes(cellLine)) throw new NotebookError(`cell ${code.cell.index}: an edit would touch IPython line ${cellLine + 1}`);
  const cellLines = new LineIndex(code.cell.source);
  if (cellLine >= cellLines.lineCount) return { code, offset: code.cell.source.length };
  return { code, offset: cellLines.offset(cellLine, pos.character) };
}

/** A cell source as nbformat writes it in a list: lines keeping their newline. */
export function splitSourceLines(source: string): string[] {
  const out = source.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return out;
}

/**
 * The notebook's text with edits (on the virtual document) made in the cells they fall in. Only
 * the JSON strings of the edited cells' sources change; a list of lines keeps its layout, and a
 * line whose text is unchanged keeps its JSON text. No edits: the text as read.
 */
export function rewriteNotebook(nb: Notebook, edits: TextEdit[]): { text: string; cells: number[] } {
  const lines = new LineIndex(nb.virtual);
  const byCell = new Map<CodeCell, TextEdit[]>();
  for (const e of edits) {
    const start = cellOffset(nb, e.span.start, lines);
    const end = cellOffset(nb, e.span.end, lines);
    if (start.code !== end.code) {
      // An edit ending at the very end of a cell lands at the next cell's start.
      if (!(end.offset === 0 && e.span.end === e.span.start)) throw new NotebookError(`an edit spans cells ${start.code.cell.index} and ${end.code.cell.index}`);
    }
    const span: Span = { start: start.offset, end: start.code === end.code ? end.offset : start.offset };
    byCell.set(start.code, [...(byCell.get(start.code) ?? []), { span, newText: e.newText }]);
  }
  const jsonEdits: TextEdit[] = [];
  for (const [code, cellEdits] of byCell) {
    const source = applyEdits(code.cell.source, cellEdits);
    if (source === code.cell.source) continue;
    jsonEdits.push(...sourceJsonEdits(nb.text, code.cell.sourceNode, source));
  }
  const text = applyEdits(nb.text, jsonEdits);
  return { text, cells: [...byCell.keys()].filter((c) => byCell.get(c)!.length > 0).map((c) => c.cell.index) };
}

/** The edits of a cell's JSON source value that make it hold `source`, in the value's own layout. */
function sourceJsonEdits(text: string, node: JsonNode, source: string): TextEdit[] {
  if (node.kind === 'string') return [{ span: { start: node.start, end: node.end }, newText: JSON.stringify(source) }];
  if (node.kind !== 'array') throw new NotebookError('cell source is neither a string nor a list');
  const items = node.items as (JsonNode & { kind: 'string' })[];
  const wanted = splitSourceLines(source);
  if (wanted.length === items.length) {
    return items.flatMap((item, i) => (item.value === wanted[i] ? [] : [{ span: { start: item.start, end: item.end }, newText: JSON.stringify(wanted[i]) }]));
  }
  // A different number of lines: the list is written again with its own separators.
  const sep = items.length >= 2 ? text.slice(items[0].end, items[1].start) : ',\n' + ' '.repeat(Math.max(0, (items[0]?.start ?? node.start) - text.lastIndexOf('\n', items[0]?.start ?? node.start) - 1));
  const open = items.length ? text.slice(node.start + 1, items[0].start) : '';
  const close = items.length ? text.slice(items[items.length - 1].end, node.end - 1) : '';
  const tokens = wanted.map((l, i) => (items[i]?.value === l ? text.slice(items[i].start, items[i].end) : JSON.stringify(l)));
  return [{ span: { start: node.start, end: node.end }, newText: `[${tokens.length ? open + tokens.join(sep) + close : ''}]` }];
}

/** The note a harness made from a notebook carries about its IPython lines. */
export function ipythonNote(nb: { code: { ipythonLines: number[] }[] }): string | undefined {
  const n = nb.code.reduce((sum, c) => sum + c.ipythonLines.length, 0);
  if (n === 0) return undefined;
  return `${n} IPython line(s) of the notebook (magics, shell commands, help) are comments marked "# IPython:" here; the harness runs as plain Python`;
}
