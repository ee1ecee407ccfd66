/**
 * Open documents: the text (vscode-languageserver-textdocument, incremental sync) and a
 * tree-sitter tree kept in step with it, with the syntax copy the analysis reads. Each content
 * change is applied to the tree with tree.edit; the reparse is lazy and incremental
 * (parsePython(text, editedTree)), and so is the copy (SyntaxTree.from(tree, text, previous)).
 * No protocol connection here: the store is driven by the server and by the differential test.
 */
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { parsePython, type Tree } from '../analysis/parse';
import { SyntaxTree } from '../analysis/syntax';
import { unreadableReason } from '../analysis/input';

/** Files above this many characters are analysed off the main thread, without a kept tree. */
export const BIG_FILE_CHARS = 400_000;

export interface OpenDocument {
  uri: string;
  doc: TextDocument;
  /** Edited to match doc's text, reparsed lazily; undefined when big, unreadable or not parsed yet. */
  tree?: Tree;
  /** The plain copy of tree that the analysis reads, updated with it. */
  syntax?: SyntaxTree;
  /** True when the tree has edits not yet reparsed. */
  dirty: boolean;
}

interface Point {
  row: number;
  column: number;
}

/** Row/column (UTF-16 columns, as node tree-sitter uses) of an offset in a text. */
function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/** The point reached by starting at `start` and writing `inserted`. */
function advance(start: Point, inserted: string): Point {
  const nl = inserted.lastIndexOf('\n');
  if (nl === -1) return { row: start.row, column: start.column + inserted.length };
  let rows = 0;
  for (let i = inserted.indexOf('\n'); i !== -1; i = inserted.indexOf('\n', i + 1)) rows++;
  return { row: start.row + rows, column: inserted.length - nl - 1 };
}

export function isBig(text: string): boolean {
  return text.length > BIG_FILE_CHARS;
}

/**
 * How many documents keep their tree and syntax copy (about 1.7 MB of native memory and 2 MB of
 * heap per 1,000 lines together). Only the documents analysed most recently (the ones being
 * edited) keep theirs; another is parsed in full (a few ms) when it is next analysed.
 */
export const MAX_TREES = 3;

export class DocumentStore {
  constructor(private maxTrees = MAX_TREES) {}

  private docs = new Map<string, OpenDocument>();
  /**
   * Trees dropped whole so far (closed, evicted, replaced by a full text): their native memory
   * is freed only when V8 collects them, and V8 does not know how big they are.
   */
  droppedTrees = 0;
  /** Documents holding a tree, least recently analysed first. */
  private withTrees = new Set<OpenDocument>();

  get(uri: string): OpenDocument | undefined {
    return this.docs.get(uri);
  }

  all(): OpenDocument[] {
    return [...this.docs.values()];
  }

  open(uri: string, languageId: string, version: number, text: string): OpenDocument {
    const entry: OpenDocument = { uri, doc: TextDocument.create(uri, languageId, version, text), dirty: true };
    this.docs.set(uri, entry);
    return entry;
  }

  close(uri: string): void {
    const entry = this.docs.get(uri);
    if (entry?.tree) this.droppedTrees++;
    if (entry) this.withTrees.delete(entry);
    this.docs.delete(uri);
  }

  /** Applies content changes in order to the text and, edit by edit, to the tree. */
  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): OpenDocument | undefined {
    const entry = this.docs.get(uri);
    if (!entry) return undefined;
    for (const change of changes) {
      const oldText = entry.doc.getText();
      if (!('range' in change) || !change.range) {
        if (entry.tree) this.droppedTrees++;
        entry.tree = undefined;
        entry.syntax = undefined;
        entry.doc = TextDocument.update(entry.doc, [change], version);
      } else {
        const startIndex = entry.doc.offsetAt(change.range.start);
        const oldEndIndex = Math.max(startIndex, entry.doc.offsetAt(change.range.end));
        entry.doc = TextDocument.update(entry.doc, [change], version);
        if (entry.tree) {
          // Points from the text itself, not from the client's range: a range past a line's end is clamped the same way.
          const startPosition = pointAt(oldText, startIndex);
          const oldEndPosition = pointAt(oldText, oldEndIndex);
          const newEndIndex = startIndex + change.text.length;
          const newEndPosition = advance(startPosition, change.text);
          entry.tree.edit({ startIndex, oldEndIndex, newEndIndex, startPosition, oldEndPosition, newEndPosition });
        }
      }
    }
    entry.doc = TextDocument.update(entry.doc, [], version);
    entry.dirty = true;
    return entry;
  }

  /** The tree for the current text, reparsed incrementally; undefined for big or unreadable text. */
  tree(entry: OpenDocument): Tree | undefined {
    this.update(entry);
    return entry.tree;
  }

  /** The syntax copy of the current text, updated from the incremental tree; undefined for big or unreadable text. */
  syntax(entry: OpenDocument): SyntaxTree | undefined {
    this.update(entry);
    return entry.syntax;
  }

  private update(entry: OpenDocument): void {
    if (entry.dirty) {
      const text = entry.doc.getText();
      entry.tree = isBig(text) || unreadableReason(text) ? undefined : parsePython(text, entry.tree);
      entry.syntax = entry.tree && SyntaxTree.from(entry.tree, text, entry.syntax);
      entry.dirty = false;
    }
    this.withTrees.delete(entry);
    if (entry.tree) this.withTrees.add(entry);
    for (const oldest of this.withTrees) {
      if (this.withTrees.size <= this.maxTrees) break;
      this.withTrees.delete(oldest);
      if (oldest.tree) this.droppedTrees++;
      oldest.tree = undefined;
      oldest.syntax = undefined;
      oldest.dirty = true;
    }
  }
}
