/**
 * Notebook documents (LSP 3.17 notebookDocument/* sync, `jupyter-notebook` with Python cells):
 * the code cells are analysed as one program (notebook/notebook.ts), so value flow sees the whole
 * notebook, and each cell is answered as a document of its own: its diagnostics are published on
 * the cell's URI, and hover, inlay hints and code actions get the cell's text with the
 * hyperparameters that lie in it (spans in the cell's offsets). A value defined in one cell and
 * used in another is one hyperparameter, reported at its definition.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { LineIndex } from '../analysis/lines';
import { scanSource } from '../analysis/scan';
import type { AnalysisError, Hyperparameter, ScanOptions, ScanResult, Span } from '../analysis/types';
import type { Catalogue } from '../catalogue/types';
import { generateHarness } from '../harness/hyperopt';
import type { GeneratedHarness, HarnessOptions } from '../harness/types';
import { adaptHarness } from '../notebook/cli';
import { ipythonNote, virtualProgram } from '../notebook/notebook';
import { type Connection, type Diagnostic, NotebookCellKind, NotebookDocuments } from './protocol';

/** One cell seen as a document: its text and the notebook's analysis restricted to it. */
export interface CellView {
  uri: string;
  text: string;
  version: number;
  notebookUri: string;
  scan: ScanResult;
}

interface NotebookAnalysis {
  key: string;
  virtual: string;
  cells: { uri: string; index: number; text: string; version: number; startLine: number; ipythonLines: number[] }[];
  scan: ScanResult;
}

export class NotebookSync {
  readonly documents = new NotebookDocuments(TextDocument);
  private analyses = new Map<string, NotebookAnalysis>();
  /** The cell URIs each notebook last had diagnostics on (cleared when a cell goes). */
  private published = new Map<string, Set<string>>();
  private timers = new Map<string, NodeJS.Immediate>();
  private stopped = false;

  constructor(
    private readonly connection: Connection,
    private readonly catalogue: () => Catalogue,
    private readonly options: () => ScanOptions,
    /** The diagnostics of a cell, as the server computes them for any document. */
    private readonly diagnose: (cell: CellView) => Diagnostic[],
  ) {
    // NotebookDocuments fires no change event for a change that only moves cells (a splice
    // of cells already open): every notebookDocument/didChange is followed here instead.
    const sync = connection.notebooks.synchronization;
    const followed = Object.create(sync) as typeof sync;
    followed.onDidChangeNotebookDocument = (handler) =>
      sync.onDidChangeNotebookDocument(async (params) => {
        await handler(params);
        this.schedule(params.notebookDocument.uri);
      });
    this.documents.listen({ notebooks: { synchronization: followed } } as unknown as Connection);
    this.documents.onDidOpen((nb) => this.schedule(nb.uri));
    this.documents.onDidClose((nb) => {
      this.analyses.delete(nb.uri);
      clearImmediate(this.timers.get(nb.uri)!);
      this.timers.delete(nb.uri);
      for (const uri of this.published.get(nb.uri) ?? []) void connection.sendDiagnostics({ uri, diagnostics: [] });
      this.published.delete(nb.uri);
    });
  }

  isCell(uri: string): boolean {
    return this.documents.findNotebookDocumentForCell(uri) !== undefined;
  }

  /** Re-publishes every open notebook (settings, catalogue or project changed). */
  refreshAll(): void {
    this.analyses.clear();
    for (const uri of this.published.keys()) this.schedule(uri);
  }

  /** Shutdown: nothing more is published. */
  dispose(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearImmediate(t);
    this.timers.clear();
  }

  private schedule(uri: string): void {
    if (this.stopped) return;
    this.analyses.delete(uri);
    clearImmediate(this.timers.get(uri)!);
    this.timers.set(
      uri,
      setImmediate(() => {
        this.timers.delete(uri);
        this.publish(uri);
      }),
    );
  }

  private publish(notebookUri: string): void {
    const a = this.analyze(notebookUri);
    if (!a) return;
    const before = this.published.get(notebookUri) ?? new Set<string>();
    const now = new Set<string>();
    for (const c of a.cells) {
      const view = this.cell(c.uri)!;
      now.add(c.uri);
      void this.connection.sendDiagnostics({ uri: c.uri, version: c.version, diagnostics: this.diagnose(view) });
    }
    for (const uri of before) if (!now.has(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    this.published.set(notebookUri, now);
  }

  /** The notebook's code cells (Python) as one program, scanned; cached per cell versions. */
  private analyze(notebookUri: string): NotebookAnalysis | undefined {
    const nb = this.documents.getNotebookDocument(notebookUri);
    if (!nb) return undefined;
    const code = nb.cells
      .map((cell, index) => ({ cell, index, doc: this.documents.getCellTextDocument(cell) }))
      .filter((c) => c.cell.kind === NotebookCellKind.Code && c.doc && /^python$/i.test(c.doc.languageId));
    const key = code.map((c) => `${c.doc!.uri}@${c.doc!.version}`).join('|');
    const hit = this.analyses.get(notebookUri);
    if (hit && hit.key === key) return hit;
    const texts = code.map((c) => c.doc!.getText());
    const { virtual, layout } = virtualProgram(texts);
    const scan = scanSource(virtual, this.catalogue(), this.options());
    const analysis: NotebookAnalysis = {
      key,
      virtual,
      cells: code.map((c, i) => ({ uri: c.doc!.uri, index: c.index, text: texts[i], version: c.doc!.version, startLine: layout[i].startLine, ipythonLines: layout[i].ipythonLines })),
      scan,
    };
    this.analyses.set(notebookUri, analysis);
    return analysis;
  }

  /** A cell as a document of its own, or undefined when the URI is no open notebook's code cell. */
  cell(uri: string): CellView | undefined {
    const nb = this.documents.findNotebookDocumentForCell(uri);
    const a = nb && this.analyze(nb.uri);
    const c = a?.cells.find((x) => x.uri === uri);
    if (!a || !c) return undefined;
    const virtualLines = new LineIndex(a.virtual);
    const cellLines = new LineIndex(c.text);
    const lineCount = cellLines.lineCount;
    // A virtual offset in this cell, as an offset in the cell's text (undefined: another cell).
    const local = (offset: number): number | undefined => {
      const p = virtualLines.position(offset);
      const line = p.line - c.startLine;
      if (line < 0 || line >= lineCount || c.ipythonLines.includes(line)) return undefined;
      return cellLines.offset(line, p.character);
    };
    const localSpan = (s: Span): Span | undefined => {
      const start = local(s.start);
      const end = local(s.end);
      return start === undefined || end === undefined ? undefined : { start, end };
    };
    const hyperparameters: Hyperparameter[] = [];
    for (const h of a.scan.hyperparameters) {
      const span = localSpan(h.span);
      if (!span) continue;
      hyperparameters.push({ ...h, span, uses: h.uses.map(localSpan).filter((u): u is Span => u !== undefined) });
    }
    const errors: AnalysisError[] = [];
    for (const e of a.scan.errors) {
      if (!e.span) continue;
      const span = localSpan(e.span);
      if (span) errors.push({ ...e, span });
    }
    return { uri, text: c.text, version: c.version, notebookUri: nb!.uri, scan: { hyperparameters, errors } };
  }

  /** The whole notebook's scan (for the harness's chosen ids). */
  notebookScan(cellUri: string): ScanResult | undefined {
    const nb = this.documents.findNotebookDocumentForCell(cellUri);
    return nb && this.analyze(nb.uri)?.scan;
  }

  /** The notebook a cell belongs to (its file: URI). */
  notebookOf(cellUri: string): string | undefined {
    return this.documents.findNotebookDocumentForCell(cellUri)?.uri;
  }

  /** The tuning harness of the notebook a cell (or the notebook itself) belongs to: tune_<notebook>.py. */
  harness(uri: string, options: HarnessOptions): GeneratedHarness {
    const nbUri = this.documents.getNotebookDocument(uri) ? uri : this.notebookOf(uri);
    const a = nbUri ? this.analyze(nbUri) : undefined;
    if (!nbUri || !a) throw new Error(`${uri} is not an open notebook or cell`);
    const path = fileURLToPath(nbUri);
    const generated = generateHarness(a.virtual, path, this.catalogue(), options);
    const adapted = adaptHarness(generated.text, generated.notes, path, a.cells.map((c) => c.index), ipythonNote({ code: a.cells }));
    return { ...generated, ...adapted };
  }
}
